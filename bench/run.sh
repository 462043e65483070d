#!/usr/bin/env bash
# Benchmarks, run by one command: `bench/run.sh`. Prints figures and ratios against peers
# measured in the same invocation. Not part of the test suite (timings do not belong in tests).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(bench/build.sh)
exec python3 bench/bench.py "$binary" "$@"
