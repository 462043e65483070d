#!/usr/bin/env bash
# JUnit report parsing against Python's ElementTree iterparse: bench/junit/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=$(bench/build.sh)
exec python3 bench/junit/bench.py "$binary"
