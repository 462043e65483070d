#!/usr/bin/env bash
# The watch's judge against SciPy's mannwhitneyu on 10,000 samples: bench/judge/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c 'import scipy' 2>/dev/null || python3 -m pip install --quiet scipy
binary=$(bench/build.sh)
exec python3 bench/judge/bench.py "$binary"
