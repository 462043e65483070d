#!/usr/bin/env bash
# The deploy watch: its own CPU at a 1 s interval, and how soon a rollback starts after the first
# sample past a threshold: bench/watch/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=$(bench/build.sh)
exec python3 bench/watch/bench.py "$binary"
