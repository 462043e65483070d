#!/usr/bin/env bash
# JUnit report parsing against Python's ElementTree iterparse: bench/junit/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product shipcheck >&2
exec python3 bench/junit/bench.py "$(swift build -c release --show-bin-path)/shipcheck"
