#!/bin/sh
# Smoke test: starts the demo service on a free port, asks GET /health, prints the JSON
# answer on stdout (and nothing else there), then stops the service.
# Needs only /bin/sh and python3. Exits non-zero when the service does not start or answer.
set -eu
cd "$(dirname "$0")/.."

log=$(mktemp "${TMPDIR:-/tmp}/demo-smoke.XXXXXX")
PYTHONDONTWRITEBYTECODE=1 python3 -m app.service --port 0 > "$log" 2>&1 &
pid=$!
cleanup() {
    kill "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
    rm -f "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The service writes "listening on http://HOST:PORT" once it is bound; wait up to 10 s.
tries=0
until grep -q '^listening on ' "$log"; do
    if ! kill -0 "$pid" 2> /dev/null; then
        echo "smoke: the service exited before listening:" >&2
        cat "$log" >&2
        exit 1
    fi
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ]; then
        echo "smoke: the service did not start within 10 s" >&2
        exit 1
    fi
    sleep 0.1
done
base=$(sed -n 's/^listening on //p' "$log" | head -n 1)
echo "smoke: service up at $base" >&2

python3 - "$base/health" << 'PY'
import sys
import urllib.request

with urllib.request.urlopen(sys.argv[1], timeout=5) as response:
    sys.stdout.write(response.read().decode("utf-8") + "\n")
PY
