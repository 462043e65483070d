#!/usr/bin/env bash
# The Action's gate step: runs the phase with GitHub annotations, the ticked checklist in the job
# summary (the `github` format writes GITHUB_STEP_SUMMARY) and a JUnit report.
# In: SHIPCHECK_BINARY, SHIPCHECK_PHASE, SHIPCHECK_ENV, SHIPCHECK_TYPE, SHIPCHECK_CONFIG,
#     SHIPCHECK_OUTPUT_DIR, GITHUB_OUTPUT
set -euo pipefail
args=(run "${SHIPCHECK_PHASE:-pre-deploy}" --format github,junit --output-dir "${SHIPCHECK_OUTPUT_DIR:-shipcheck-reports}")
if [ -n "${SHIPCHECK_ENV:-}" ]; then args+=(--env "$SHIPCHECK_ENV"); fi
if [ -n "${SHIPCHECK_TYPE:-}" ]; then args+=(--type "$SHIPCHECK_TYPE"); fi
if [ -n "${SHIPCHECK_CONFIG:-}" ]; then args+=(--config "$SHIPCHECK_CONFIG"); fi
echo "junit=${SHIPCHECK_OUTPUT_DIR:-shipcheck-reports}/shipcheck-junit.xml" >> "${GITHUB_OUTPUT:-/dev/stdout}"
exec "${SHIPCHECK_BINARY:?}" "${args[@]}"
