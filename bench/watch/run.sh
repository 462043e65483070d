#!/usr/bin/env bash
# The deploy watch: its own CPU at a 1 s interval, and how soon a rollback starts after the first
# sample past a threshold: bench/watch/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product shipcheck >&2
exec python3 bench/watch/bench.py "$(swift build -c release --show-bin-path)/shipcheck"
