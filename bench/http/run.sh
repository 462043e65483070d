#!/usr/bin/env bash
# Latency accuracy of the http: sampler against wrk (Debian package), in one invocation.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "bench/http needs wrk: apt-get install wrk" >&2; exit 1; }
binary=$(bench/build.sh)
exec python3 bench/http/bench.py "$binary"
