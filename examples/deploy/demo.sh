#!/bin/sh
# The deploy demo: v1.0.0 deployed and watched; v1.2.0-errors deployed, seen failing by the watch and
# rolled back by itself; the deployments listed; the service stopped at the end. Exits 0 when all of
# that happened. SHIPCHECK names the binary (default: `swift run` from this repository).
set -u
cd "$(dirname "$0")"
shipcheck=${SHIPCHECK:-"swift run --package-path ../.. shipcheck"}
trap 'python3 scripts/switch.py stop' EXIT
$shipcheck deploy --env demo --version v1.0.0 || exit 1
$shipcheck deploy --env demo --version v1.2.0-errors
status=$?
$shipcheck history --deployments --env demo
if [ "$status" -ne 1 ]; then
    echo "demo: expected the bad release to be rolled back (exit 1), got exit $status" >&2
    exit 1
fi
