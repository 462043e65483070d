#!/usr/bin/env bash
# Builds the binary the benchmarks measure, the one users get (scripts/release.sh: static Swift
# runtime, not position-independent, stripped), and prints its path. One build configuration for
# every benchmark, so that running two of them does not rebuild the package twice.
#   binary=$(bench/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/release.sh 0.0.0-bench >&2
echo "$PWD/dist/shipcheck-0.0.0-bench-linux-$(uname -m)/shipcheck"
