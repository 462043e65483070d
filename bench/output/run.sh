#!/usr/bin/env bash
# Output capture benchmark: a check printing 1 GB, against the same producer into /dev/null: bench/output/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=$(bench/build.sh)
exec python3 bench/output/bench.py "$binary"
