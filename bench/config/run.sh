#!/usr/bin/env bash
# Large-configuration load benchmark: bench/config/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=$(bench/build.sh)
exec python3 bench/config/bench.py "$binary"
