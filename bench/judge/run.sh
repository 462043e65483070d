#!/usr/bin/env bash
# The watch's judge against SciPy's mannwhitneyu on 10,000 samples: bench/judge/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c 'import scipy' 2>/dev/null || python3 -m pip install --quiet scipy
swift build -c release --product shipcheck >&2
exec python3 bench/judge/bench.py "$(swift build -c release --show-bin-path)/shipcheck"
