#!/usr/bin/env bash
# The job memory's Redis footprint (BENCHMARKS.md, "Job memory"): the service in services mode
# against a private redis-server (a free port, its own data dir, no persistence, removed after),
# RabbitMQ (a vhost of its own) and PostgreSQL (a schema of its own), driven by presence-bench at
# RATE jobs/s for SECONDS, once per duplicate window given. Every 10 s it samples Redis's
# used_memory and its number of keys with a TTL (the job records, and nothing else in this run);
# at the end it reads MEMORY USAGE of a few job records.
# Usage: presence-bench/job-memory.sh SECONDS RATE WINDOW_S... (e.g. 180 1000 86400 60)
# Needs the jars (mvn -q -B package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=$1; rate=$2; shift 2
out=presence-bench/target/job-memory
mkdir -p "$out"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
data=$(mktemp -d)
vhost=presence-job-memory
schema=presence_job_memory
redis=(redis-cli -p "$port")

redis-server --port "$port" --bind 127.0.0.1 --dir "$data" --save '' --appendonly no --daemonize yes \
  --pidfile "$data/redis.pid" --logfile "$data/redis.log"
rabbitmqctl -q add_vhost "$vhost" 2>/dev/null || true
rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*'
uri="amqp://guest:guest@127.0.0.1:5672/$vhost"

service_pid=; sampler_pid=
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then kill -TERM "$service_pid"; wait "$service_pid" || true; fi
  [ -f "$data/redis.pid" ] && kill "$(cat "$data/redis.pid")" 2>/dev/null || true
  sleep 1; rm -rf "$data"
  rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1 || true
  psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
}
trap cleanup EXIT
for _ in $(seq 1 50); do "${redis[@]}" ping >/dev/null 2>&1 && break; sleep 0.1; done

used() { "${redis[@]}" info memory | awk -F: '/^used_memory:/{print $2+0}'; }
with_ttl() { "${redis[@]}" info keyspace | sed -n 's/.*expires=\([0-9]*\).*/\1/p'; }

for window in "$@"; do
  "${redis[@]}" flushall >/dev/null
  REDIS_HOST=127.0.0.1 REDIS_PORT="$port" REDIS_TLS_DISABLED=true RABBIT_MQ_CONNECTION_STRING="$uri" \
  DB_HOST=127.0.0.1 DB_NAME=test DB_USER=postgres DB_TLS_DISABLED=true PRESENCE_DB_SCHEMA=$schema \
  PRESENCE_JOB_DUPLICATE_WINDOW_S="$window" PRESENCE_INTAKES=rabbitmq PRESENCE_HTTP_PORT=4116 \
  java -jar presence-app/target/presence-app.jar >"$out/service-$window.log" 2>&1 &
  service_pid=$!
  for _ in $(seq 1 60); do curl -sf localhost:4116/health/ready >/dev/null 2>&1 && break; sleep 1; done
  before=$(used)
  (while true; do echo "$(date +%s) $(used) $(with_ttl)"; sleep 10; done) >"$out/samples-$window.txt" &
  sampler_pid=$!
  java -jar presence-bench/target/presence-bench.jar --rabbit "$uri" --redis-port "$port" --rate "$rate" \
    --warmup 0 --jobs $((seconds * rate)) --keep-state >"$out/bench-$window.txt" 2>&1 || true
  kill "$sampler_pid"; sampler_pid=
  last=$(tail -1 "$out/samples-$window.txt")
  echo "== PRESENCE_JOB_DUPLICATE_WINDOW_S=$window, $rate jobs/s for $seconds s"
  sed -n '2,4p' "$out/bench-$window.txt"
  echo "used_memory before the run: $before B; at the end of the stream: $(echo "$last" | cut -d' ' -f2) B;" \
    "keys with a TTL then: $(echo "$last" | cut -d' ' -f3)"
  echo "samples (unix time, used_memory, keys with a TTL):"; sed 's/^/  /' "$out/samples-$window.txt"
  echo "MEMORY USAGE of sample job records:"
  for key in $("${redis[@]}" --scan --pattern 'presence-job:*' | head -5); do
    echo "  $key $("${redis[@]}" memory usage "$key") B, pttl $("${redis[@]}" pttl "$key") ms"
  done
  kill -TERM "$service_pid"; wait "$service_pid" || true; service_pid=
done
