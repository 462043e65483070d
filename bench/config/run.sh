#!/usr/bin/env bash
# Large-configuration load benchmark: bench/config/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product shipcheck >&2
exec python3 bench/config/bench.py "$(swift build -c release --show-bin-path)/shipcheck"
