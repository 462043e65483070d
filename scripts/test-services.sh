#!/usr/bin/env bash
# Starts private instances of the servers the probe tests use, each on a free loopback port with its
# own data directory (PostgreSQL, Redis, Prometheus from Debian's packages), checks that each one
# answers, and prints the environment the tests read. Nothing here uses a system service or its
# default port, so a PostgreSQL already listening on 5432 changes nothing.
#
#   services=$(scripts/test-services.sh) && eval "$services"      # as .ci/run does
#
# A server that cannot be started or does not answer stops the script with a message naming it and
# the end of its log, and a non-zero exit. `scripts/test-services.sh stop` stops them.
set -euo pipefail
state=${SHIPCHECK_SERVICES_DIR:-/tmp/shipcheck-test-services}
mkdir -p "$state"

fail() {
  echo "test-services: $1" >&2
  if [ -n "${2:-}" ] && [ -f "$2" ]; then tail -n 15 "$2" | sed 's/^/test-services:   | /' >&2; fi
  exit 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs a command until it succeeds, for at most $1 tenths of a second.
wait_until() {
  local tries=$1
  shift
  for _ in $(seq "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

stop_all() {
  if [ -f "$state/pg/postmaster.pid" ]; then
    su postgres -s /bin/sh -c "$(pg_bin)/pg_ctl -D '$state/pg' -m immediate stop" >/dev/null 2>&1 || true
  fi
  for pidfile in "$state/redis.pid" "$state/prometheus.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

pg_bin() {
  local version
  version=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
  [ -n "$version" ] || return 1
  echo "/usr/lib/postgresql/$version/bin"
}

if [ "${1:-}" = stop ]; then
  stop_all
  exit 0
fi
# A fresh start each time: old instances of this script are stopped, nobody else's.
stop_all

# PostgreSQL: a cluster of our own (initdb), a login role with a password, a database.
bin=$(pg_bin) || fail "PostgreSQL is not installed (Debian package postgresql)"
pg_port=$(free_port)
rm -rf "$state/pg"
mkdir -p "$state/pg"
chown postgres "$state/pg" "$state"
# Local (socket) connections are trusted, for setting up; TCP ones need a password, as the tests' bad
# login expects.
su postgres -s /bin/sh -c "$bin/initdb -D '$state/pg' -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-sync" \
  > "$state/pg-init.log" 2>&1 \
  || fail "PostgreSQL: initdb failed" "$state/pg-init.log"
su postgres -s /bin/sh -c "$bin/pg_ctl -D '$state/pg' -l '$state/pg.log' -w -t 30 \
  -o \"-p $pg_port -k '$state' -c listen_addresses=127.0.0.1 -c fsync=off\" start" > /dev/null 2>&1 \
  || fail "PostgreSQL did not start on 127.0.0.1:$pg_port" "$state/pg.log"
wait_until 100 "$bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" || fail "PostgreSQL does not answer on 127.0.0.1:$pg_port" "$state/pg.log"
su postgres -s /bin/sh -c "$bin/psql -q -h '$state' -p $pg_port -U postgres -v ON_ERROR_STOP=1 \
  -c \"CREATE ROLE shipcheck LOGIN CREATEDB PASSWORD 'shipcheck-test-pw'\" \
  -c \"CREATE DATABASE shipcheck_test OWNER shipcheck\"" > /dev/null 2>> "$state/pg.log" \
  || fail "PostgreSQL: could not create the test role and database" "$state/pg.log"
echo "export SHIPCHECK_TEST_POSTGRES_URL=postgres://shipcheck:shipcheck-test-pw@127.0.0.1:$pg_port/shipcheck_test"

# Redis: password-protected, without persistence.
command -v redis-server >/dev/null || fail "Redis is not installed (Debian package redis-server)"
redis_port=$(free_port)
redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --requirepass shipcheck-redis-pw --save '' \
  --appendonly no --dir "$state" --logfile "$state/redis.log" --pidfile "$state/redis.pid" > /dev/null 2>&1 \
  || fail "Redis did not start on 127.0.0.1:$redis_port" "$state/redis.log"
wait_until 100 redis-cli -p "$redis_port" -a shipcheck-redis-pw --no-auth-warning ping \
  || fail "Redis does not answer PING on 127.0.0.1:$redis_port" "$state/redis.log"
echo "export SHIPCHECK_TEST_REDIS_URL=redis://:shipcheck-redis-pw@127.0.0.1:$redis_port"

# Prometheus: scrapes itself and the tests' metrics target (a port the tests listen on) every second.
command -v prometheus >/dev/null || fail "Prometheus is not installed (Debian package prometheus)"
prometheus_port=$(free_port)
metrics_port=$(free_port)
cat > "$state/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ["127.0.0.1:$prometheus_port"] }]
  - job_name: shipcheck-test
    static_configs: [{ targets: ["127.0.0.1:$metrics_port"] }]
YML
rm -rf "$state/prometheus-data"
nohup prometheus --config.file="$state/prometheus.yml" --web.listen-address="127.0.0.1:$prometheus_port" \
  --storage.tsdb.path="$state/prometheus-data" > "$state/prometheus.log" 2>&1 &
echo $! > "$state/prometheus.pid"
wait_until 300 curl -fsS "http://127.0.0.1:$prometheus_port/-/ready" \
  || fail "Prometheus does not answer on 127.0.0.1:$prometheus_port" "$state/prometheus.log"
echo "export SHIPCHECK_TEST_PROMETHEUS_URL=http://127.0.0.1:$prometheus_port"
echo "export SHIPCHECK_TEST_METRICS_PORT=$metrics_port"
