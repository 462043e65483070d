#!/usr/bin/env bash
# Run store benchmark: bench/store/run.sh
#   history --limit 50 and metrics over 100,000 stored runs on SQLite (target: each under 100 ms),
#   against Python's sqlite3 running the same queries on the same file; and a 49-item gate rerun
#   with every reusable item reused (target: under 100 ms), against the same gate with --no-reuse.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product shipcheck >&2
swift build -c release --product shipcheck-store-load >&2
bin="$(swift build -c release --show-bin-path)"
exec python3 bench/store/bench.py "$bin/shipcheck" "$bin/shipcheck-store-load"
