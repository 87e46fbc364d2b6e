#!/usr/bin/env bash
# Throughput and latency through a Redis failover, and the cost of WAIT (BENCHMARKS.md, "Through a
# Redis failover"). Starts a private Redis primary, one replica and three Sentinels (free ports, a
# temporary directory; down-after-milliseconds 1000, failover-timeout 2000), the service on them
# (REDIS_SENTINELS, PRESENCE_REDIS_WAIT_REPLICAS=WAIT, the RabbitMQ intake, vhost and schema of its
# own), and the generator paced at RATE jobs/s with --timeline. With MODE failover, the primary is
# killed (SIGKILL) once the service has applied KILL_AT seconds' worth of measured jobs; once the
# Sentinels name the replica, the killed server is started again (Sentinel makes it a replica, as
# after a supervisor's restart). MODE steady kills nothing: the cost of WAIT alone. Everything it
# starts is stopped and deleted at the end.
# REPLICAS replicas (default 1) follow the primary.
# Usage: presence-bench/redis-failover.sh WAIT [MODE] [JOBS] [RATE] [KILL_AT] [REPLICAS]
#   e.g. presence-bench/redis-failover.sh 1 failover 30000 1000 10
#        presence-bench/redis-failover.sh 1 failover 30000 1000 10 2
#        presence-bench/redis-failover.sh 0 steady 50000 0        (as fast as possible)
set -euo pipefail
cd "$(dirname "$0")/.."
wait_replicas=${1:?usage: redis-failover.sh WAIT [failover|steady] [JOBS] [RATE] [KILL_AT] [REPLICAS]}
mode=${2:-failover}
jobs=${3:-40000}
rate=${4:-1000}
kill_at=${5:-10}
replica_count=${6:-1}
out=presence-bench/target/benchmarks
mkdir -p "$out"
label="redis-$mode-wait$wait_replicas-rate$rate-replicas$replica_count"
[ -f presence-bench/target/presence-bench.jar ] && [ -f presence-app/target/presence-app.jar ] || mvn -q -B package -DskipTests

tmp=$(mktemp -d /tmp/presence-redis-failover.XXXXXX)
master=presence-bench
vhost=presence-bench-failover
schema=presence_bench_failover
uri="amqp://guest:guest@127.0.0.1:5672/$vhost"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for f in "$tmp"/*.pid; do [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
  rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1 || true
  psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
await() { # seconds, description, command...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq 1 $((seconds * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "not within ${seconds}s: $what" >&2; exit 1
}
start_redis() { # port [options]
  local port=$1; shift
  mkdir -p "$tmp/$port"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$tmp/$port" --save '' --appendonly no \
    --repl-diskless-sync-delay 0 "$@" >>"$tmp/$port.log" 2>&1 &
  echo $! >"$tmp/$port.pid"
  await 20 "redis-server on $port" redis-cli -p "$port" ping
}
field() { redis-cli -p "$1" sentinel master "$master" | grep -A1 -x "$2" | tail -1; }
named_primary() { redis-cli -p "$1" sentinel get-master-addr-by-name "$master" | tail -1; }

online() { redis-cli -p "$1" info replication | grep -c 'state=online'; }
primary=$(free_port)
start_redis "$primary"
replicas=()
for _ in $(seq 1 "$replica_count"); do
  port=$(free_port); replicas+=("$port")
  start_redis "$port" --replicaof 127.0.0.1 "$primary"
done
replica=${replicas[0]}
await 30 "the replicas in sync" sh -c "[ \"\$(redis-cli -p $primary info replication | grep -c state=online)\" = $replica_count ]"
sentinels=()
for _ in 1 2 3; do
  port=$(free_port)
  printf 'port %s\nbind 127.0.0.1\ndir %s\nsentinel monitor %s 127.0.0.1 %s 2\nsentinel down-after-milliseconds %s 1000\nsentinel failover-timeout %s 2000\n' \
    "$port" "$tmp" "$master" "$primary" "$master" "$master" >"$tmp/sentinel-$port.conf"
  redis-server "$tmp/sentinel-$port.conf" --sentinel >>"$tmp/sentinel-$port.log" 2>&1 &
  echo $! >"$tmp/sentinel-$port.pid"
  sentinels+=("$port")
done
for port in "${sentinels[@]}"; do
  await 30 "Sentinel $port knowing the replica and the other Sentinels" \
    sh -c "[ \"\$(redis-cli -p $port sentinel master $master | grep -A1 -x num-other-sentinels | tail -1)\" = 2 ] \
      && [ \"\$(redis-cli -p $port sentinel master $master | grep -A1 -x num-slaves | tail -1)\" = $replica_count ]"
done
sentinel_list=$(printf '127.0.0.1:%s,' "${sentinels[@]}"); sentinel_list=${sentinel_list%,}

rabbitmqctl -q add_vhost "$vhost" 2>/dev/null || true
rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*'
http=$(free_port)
REDIS_SENTINELS="$sentinel_list" REDIS_SENTINEL_MASTER="$master" REDIS_TLS_DISABLED=true \
PRESENCE_REDIS_WAIT_REPLICAS="$wait_replicas" PRESENCE_INTAKES=rabbitmq RABBIT_MQ_CONNECTION_STRING="$uri" \
DB_HOST=127.0.0.1 DB_NAME=test DB_USER=postgres DB_TLS_DISABLED=true PRESENCE_DB_SCHEMA="$schema" \
PRESENCE_JOB_MEMORY_S=600 PRESENCE_HTTP_PORT="$http" java -jar presence-app/target/presence-app.jar >"$out/$label-service.log" 2>&1 &
pids+=($!)
await 60 "the service ready" curl -sf "localhost:$http/health/ready"

# The generator populates 10,000 memberships and warms up with 5,000 jobs before the measured phase.
# It checks the state at the end on the first replica, which after a failover is the new primary or
# one of its replicas; the keys stay (--keep-state): the servers are deleted anyway.
java -jar presence-bench/target/presence-bench.jar --rabbit "$uri" --jobs "$jobs" --rate "$rate" --warmup 5000 \
  --redis-port "$replica" --keep-state --timeline --json "$out/$label.json" >"$out/$label.txt" 2>&1 &
bench=$!
pids+=($bench)

if [ "$mode" = failover ]; then
  applied() { curl -sf "localhost:$http/metrics" | awk '/^presence_jobs_total/ {sum += $2} END {printf "%d", sum}'; }
  threshold=$((10000 + 5000 + kill_at * rate))
  await 600 "$threshold jobs applied" sh -c "[ \"\$(curl -sf localhost:$http/metrics | awk '/^presence_jobs_total/ {s += \$2} END {printf \"%d\", s}')\" -ge $threshold ]"
  killed_at=$(date +%s.%N)
  kill -KILL "$(cat "$tmp/$primary.pid")"
  echo "killed the primary 127.0.0.1:$primary after $(applied) jobs"
  await 120 "the Sentinels naming a replica" sh -c "[ \"\$(redis-cli -p ${sentinels[0]} sentinel get-master-addr-by-name $master | tail -1)\" != $primary ]"
  promoted_at=$(date +%s.%N)
  promoted=$(redis-cli -p "${sentinels[0]}" sentinel get-master-addr-by-name "$master" | tail -1)
  echo "the Sentinels name 127.0.0.1:$promoted $(echo "$promoted_at - $killed_at" | bc) s after the kill"
  start_redis "$primary"
  await 60 "every other server a replica of the new primary" sh -c "[ \"\$(redis-cli -p $promoted info replication | grep -c state=online)\" = $replica_count ]"
  echo "127.0.0.1:$primary and the other replicas replicate 127.0.0.1:$promoted $(echo "$(date +%s.%N) - $killed_at" | bc) s after the kill"
fi

wait "$bench" || true
cat "$out/$label.txt" | sed -n '1,/^{/p' | sed '$d'
grep -E "event=(redis_unavailable|redis_available|batch_failed|batch_recovered)" "$out/$label-service.log" | head -20 || true
