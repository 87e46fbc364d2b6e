# Shared by the benchmark scripts (sourced, not run): the service and the relay as the benchmarks
# start them, against the local Redis, RabbitMQ and PostgreSQL, and the clean-up afterwards.
# The sourcing script sets bench_vhost, bench_schema and bench_port first.

bench_uri="amqp://guest:guest@127.0.0.1:5672/$bench_vhost"
# The README's services-mode JVM settings (JAVA_OPTS to compare others).
bench_java_opts=${JAVA_OPTS:-"-Xms192m -Xmx192m -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError"}
service_pid=

bench_setup() {
  rabbitmqctl -q add_vhost "$bench_vhost" 2>/dev/null || true
  rabbitmqctl -q set_permissions -p "$bench_vhost" guest '.*' '.*' '.*'
}

# launch_service LOG [JVM option...]: the service in services mode, its own vhost and schema, the
# job memory short so that runs do not pile records up in Redis. start_service also waits until
# it is ready.
launch_service() {
  local log=$1; shift
  # shellcheck disable=SC2086
  REDIS_HOST=127.0.0.1 REDIS_TLS_DISABLED=true RABBIT_MQ_CONNECTION_STRING="$bench_uri" \
  DB_HOST=127.0.0.1 DB_NAME=test DB_USER=postgres DB_TLS_DISABLED=true PRESENCE_DB_SCHEMA="$bench_schema" \
  PRESENCE_JOB_MEMORY_S=600 PRESENCE_BULLMQ_PREFIX=presence-bench PRESENCE_HTTP_PORT="$bench_port" \
    java $bench_java_opts "$@" -jar presence-app/target/presence-app.jar >"$log" 2>&1 &
  service_pid=$!
}

start_service() {
  launch_service "$@"
  for _ in $(seq 1 60); do
    curl -sf "localhost:$bench_port/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$service_pid" 2>/dev/null || break
    sleep 1
  done
  echo "the service did not become ready; see $1"; return 1
}

# start_relay LOG: the bare relay (consume, broadcast the body with confirms, acknowledge), the floor.
start_relay() {
  java -cp presence-bench/target/presence-bench.jar com.relaybox.presence.bench.Relay "$bench_uri" >"$1" 2>&1 &
  service_pid=$!
  sleep 3
}

stop_service() {
  if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
    kill -TERM "$service_pid"; wait "$service_pid" || true
  fi
  service_pid=
}

# Everything a run leaves: the vhost, the schema, the BullMQ queue, the rooms and connections of
# the generator's apps (bench<8 hex>), and the job memory of its jobs (RabbitMQ message ids
# bench-<uuid>, BullMQ ids under the queue's prefix).
bench_cleanup() {
  stop_service
  rabbitmqctl -q delete_vhost "$bench_vhost" >/dev/null 2>&1 || true
  psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS $bench_schema CASCADE" >/dev/null 2>&1 || true
  for pattern in 'presence-bench:presence:*' 'presence:bench*' 'connection:bench*' 'presence-tombstone:bench*' \
      'presence-job:bench-*' 'presence-job:presence-bench:*'; do
    redis-cli --scan --pattern "$pattern" | xargs -r -n 500 redis-cli del >/dev/null 2>&1 || true
  done
}

# bench_run LABEL OUT [generator option...]: one generator run; prints its table rows.
bench_run() {
  local label=$1 out=$2; shift 2
  java -jar presence-bench/target/presence-bench.jar --rabbit "$bench_uri" --json "$out/$label.json" "$@" \
    >"$out/$label.txt" 2>&1 || true
  sed -n '2,5p' "$out/$label.txt"
}
