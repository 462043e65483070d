#!/usr/bin/env bash
# The test suite, as the README gives it: the unit suites in parallel, then the end-to-end suite on
# its own (its tests wait on real processes for seconds at a time, which beside the engine's timing
# tests would starve Swift's cooperative pool on two cores). Ends with what was skipped and why:
# tests that need a server, a tool or ../shared/ return early without them, and a bare "passed"
# would hide that.
#   scripts/test.sh                 # everything
#   scripts/test.sh --filter Store  # passed on to both `swift test` runs
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export SHIPCHECK_SKIP_LOG="$log"

status=0
swift build --build-tests || exit $?
if [ $# -eq 0 ]; then
  swift test --skip-build --disable-xctest --skip ShipcheckCLITests || status=$?
  swift test --skip-build --disable-xctest --filter ShipcheckCLITests || status=$?
else
  swift test --skip-build --disable-xctest "$@" || status=$?
fi

# One line per test and reason, however often a test asked.
sort -u "$log" -o "$log"
count=$(wc -l < "$log" | tr -d ' ')
if [ "$count" -eq 0 ]; then
  echo "test.sh: no test skipped"
else
  echo "test.sh: $count skip(s) recorded (a test that returned early, or a suite's condition), by reason:"
  cut -f2 "$log" | sort | uniq -c | sort -rn | sed 's/^/test.sh:   /'
  echo "test.sh: start the servers with \`services=\$(scripts/test-services.sh) && eval \"\$services\"\`; see README"
fi
exit $status
