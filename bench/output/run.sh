#!/usr/bin/env bash
# Output capture benchmark: a check printing 1 GB, against the same producer into /dev/null: bench/output/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product shipcheck >&2
exec python3 bench/output/bench.py "$(swift build -c release --show-bin-path)/shipcheck"
