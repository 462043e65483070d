#!/usr/bin/env bash
# Signed decisions: reading 1,000 signed sign-offs against 1,000 unsigned ones, and a gate with
# signed sign-offs against the same gate without, through the release binary: bench/trust/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=$(bench/build.sh)
exec python3 bench/trust/bench.py "$binary"
