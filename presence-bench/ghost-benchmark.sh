#!/usr/bin/env bash
# The ghost figures of BENCHMARKS.md (CONTRACT §8): starts the service in services mode with a
# 10 s liveness timeout and the default sweep (5 s, pages of 500), on a vhost, schema and heartbeat
# key of its own; then per run: LIVE connections in two rooms each plus GHOSTS more that get one
# heartbeat and no more, while a paced job stream runs; reports the time from the ghosts' last
# heartbeat to their last leave broadcast, and the stream's latency while they are evicted.
# Expects the jars built (mvn -B package -DskipTests, or a verify).
# Usage: presence-bench/ghost-benchmark.sh [RUNS] [GHOSTS] [ROOMS_PER_CONNECTION] [STREAM_JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
ghosts=${2:-20000}
per=${3:-2}
stream_jobs=${4:-30000}
timeout_s=10
out=presence-bench/target/ghost-benchmarks/$ghosts-$per
mkdir -p "$out"
vhost=presence-bench-ghosts
schema=presence_bench_ghosts
key=heartbeat:bench-ghosts
rabbitmqctl -q add_vhost "$vhost" 2>/dev/null || true
rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*'
uri="amqp://guest:guest@127.0.0.1:5672/$vhost"

service_pid=
cleanup() {
  if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then kill -TERM "$service_pid"; wait "$service_pid" || true; fi
  rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1 || true
  psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  redis-cli -q DEL "$key" "presence-sweeper:$key" "presence-unconfirmed:$key" >/dev/null 2>&1 || true
}
trap cleanup EXIT

REDIS_HOST=127.0.0.1 REDIS_TLS_DISABLED=true RABBIT_MQ_CONNECTION_STRING="$uri" \
DB_HOST=127.0.0.1 DB_NAME=test DB_USER=postgres DB_TLS_DISABLED=true PRESENCE_DB_SCHEMA=$schema \
PRESENCE_JOB_MEMORY_S=600 PRESENCE_LIVENESS_TIMEOUT_S=$timeout_s PRESENCE_HEARTBEAT_KEY=$key \
PRESENCE_HTTP_PORT=4116 java -jar presence-app/target/presence-app.jar >"$out/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 60); do curl -sf localhost:4116/health/ready >/dev/null 2>&1 && break; sleep 1; done
curl -sf localhost:4116/health/ready >/dev/null || { echo "the service did not become ready; see $out/service.log"; exit 1; }

bench() { # label, extra args
  local label=$1; shift
  for run in $(seq 1 "$runs"); do
    java -jar presence-bench/target/presence-bench.jar --rabbit "$uri" --heartbeat-key "$key" \
      --liveness-timeout-s "$timeout_s" --json "$out/$label-$run.json" "$@" >"$out/$label-$run.txt" 2>&1 || true
    echo "$label run $run:"; sed -n '2,7p' "$out/$label-$run.txt" | grep -v '^{' || true
  done
}

echo "== warm-up run, no ghosts (not reported)"
java -jar presence-bench/target/presence-bench.jar --rabbit "$uri" --jobs 30000 --warmup 0 >"$out/jit-warm-up.txt" 2>&1 || true
echo "== the stream alone: 1,000 jobs/s, no ghosts"
bench stream --rate 1000 --warmup 0 --jobs "$stream_jobs" --rooms-per-connection "$per"
echo "== $ghosts ghosts in $per rooms each, beside the stream at 1,000 jobs/s"
bench ghosts --rate 1000 --warmup 0 --jobs "$stream_jobs" --ghosts "$ghosts" --rooms-per-connection "$per"
grep -c 'event=ghosts_evicted' "$out/service.log" | sed 's/^/ghosts_evicted log lines: /'
