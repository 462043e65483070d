#!/usr/bin/env bash
# Tests scripts/test-services.sh as .ci/run relies on it: with a PostgreSQL already listening on
# 5432 it still starts its own servers and passes; with Redis unavailable it stops with a message
# naming Redis and a non-zero exit, instead of letting the suite run on without it.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
chmod 755 "$scratch"  # the postgres user walks into it
started_cluster=""
cleanup() {
  SHIPCHECK_SERVICES_DIR="$scratch/ok" scripts/test-services.sh stop >/dev/null 2>&1 || true
  # The Debian cluster is stopped again only when this script started it.
  [ -z "$started_cluster" ] || pg_ctlcluster "$started_cluster" main stop >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

# Something on 5432 first: the Debian cluster (a system service on the default port).
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  version=$(ls /etc/postgresql | sort -n | tail -1)
  pg_ctlcluster "$version" main start
  started_cluster=$version
  for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "check-test-services: could not put a PostgreSQL on 5432 first" >&2; exit 1; }

mkdir -p "$scratch/ok"
services=$(SHIPCHECK_SERVICES_DIR="$scratch/ok" scripts/test-services.sh) || {
  echo "check-test-services: FAILED: test-services.sh did not start while 5432 was taken" >&2; exit 1; }
eval "$services"
case "$SHIPCHECK_TEST_POSTGRES_URL" in
  *:5432/*) echo "check-test-services: FAILED: the test PostgreSQL uses the system's port 5432" >&2; exit 1 ;;
esac
psql "$SHIPCHECK_TEST_POSTGRES_URL" -qtAc 'SELECT 1' | grep -qx 1 || {
  echo "check-test-services: FAILED: the private PostgreSQL does not answer" >&2; exit 1; }
SHIPCHECK_SERVICES_DIR="$scratch/ok" scripts/test-services.sh stop

# Redis unavailable: a redis-server that cannot start comes first on PATH.
mkdir -p "$scratch/bin" "$scratch/broken"
printf '#!/bin/sh\necho "redis-server: cannot start" >&2\nexit 1\n' > "$scratch/bin/redis-server"
chmod +x "$scratch/bin/redis-server"
if output=$(PATH="$scratch/bin:$PATH" SHIPCHECK_SERVICES_DIR="$scratch/broken" scripts/test-services.sh 2>&1); then
  echo "check-test-services: FAILED: test-services.sh succeeded without Redis" >&2; exit 1
fi
SHIPCHECK_SERVICES_DIR="$scratch/broken" scripts/test-services.sh stop >/dev/null 2>&1 || true
echo "$output" | grep -q "Redis did not start" || {
  echo "check-test-services: FAILED: the message does not name Redis: $output" >&2; exit 1; }
echo "check-test-services: ok (own ports beside a PostgreSQL on 5432; a missing Redis stops the run by name)"
