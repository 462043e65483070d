#!/usr/bin/env bash
# Secret scanning benchmark against detect-secrets (from PyPI, in a private venv): bench/secrets/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=$(bench/build.sh)
venv=bench/out/detect-secrets-venv
if [ ! -x "$venv/bin/detect-secrets" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q detect-secrets
fi
# The corpus is built here from this machine's Python standard library, never committed.
python3 bench/secrets/make_corpus.py >&2
exec python3 bench/secrets/bench.py "$binary" "$PWD/$venv/bin/detect-secrets"
