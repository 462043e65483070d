#!/usr/bin/env bash
# Starts the real servers the probe tests use, on loopback: PostgreSQL 15, Redis 7 and Prometheus 2
# (Debian packages), and prints the environment the tests read. `.ci/run` sources it; run it by hand
# with `eval "$(scripts/test-services.sh)"` before `swift test` to run those tests locally.
set -euo pipefail
state=${SHIPCHECK_SERVICES_DIR:-/tmp/shipcheck-test-services}
mkdir -p "$state"

# PostgreSQL: the Debian cluster, a login role with a password, a database.
if command -v pg_ctlcluster >/dev/null; then
  version=$(ls /etc/postgresql | sort -n | tail -1)
  pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
  for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 && break; sleep 0.2; done
  su postgres -c "psql -q -v ON_ERROR_STOP=1" >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shipcheck') THEN
    CREATE ROLE shipcheck LOGIN PASSWORD 'shipcheck-test-pw';
  END IF;
END $$;
SQL
  su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname = 'shipcheck_test'\"" | grep -q 1 \
    || su postgres -c "psql -q -c 'CREATE DATABASE shipcheck_test OWNER shipcheck'" >/dev/null
  echo "export SHIPCHECK_TEST_POSTGRES_URL=postgres://shipcheck:shipcheck-test-pw@127.0.0.1:5432/shipcheck_test"
fi

# Redis: a password-protected server on 6390, without persistence.
if command -v redis-server >/dev/null; then
  if ! redis-cli -p 6390 -a shipcheck-redis-pw --no-auth-warning ping >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6390 --requirepass shipcheck-redis-pw --save '' \
      --appendonly no --dir "$state" --logfile "$state/redis.log" --pidfile "$state/redis.pid"
    for _ in $(seq 50); do redis-cli -p 6390 -a shipcheck-redis-pw --no-auth-warning ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  echo "export SHIPCHECK_TEST_REDIS_URL=redis://:shipcheck-redis-pw@127.0.0.1:6390"
fi

# Prometheus: scrapes itself and the tests' metrics target on 127.0.0.1:9464 every second.
if command -v prometheus >/dev/null; then
  cat > "$state/prometheus.yml" <<'YML'
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ["127.0.0.1:9091"] }]
  - job_name: shipcheck-test
    static_configs: [{ targets: ["127.0.0.1:9464"] }]
YML
  if ! curl -fsS http://127.0.0.1:9091/-/ready >/dev/null 2>&1; then
    nohup prometheus --config.file="$state/prometheus.yml" --web.listen-address=127.0.0.1:9091 \
      --storage.tsdb.path="$state/prometheus-data" > "$state/prometheus.log" 2>&1 &
    for _ in $(seq 100); do curl -fsS http://127.0.0.1:9091/-/ready >/dev/null 2>&1 && break; sleep 0.2; done
  fi
  echo "export SHIPCHECK_TEST_PROMETHEUS_URL=http://127.0.0.1:9091"
fi
