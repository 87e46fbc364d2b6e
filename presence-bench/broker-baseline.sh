#!/usr/bin/env bash
# The broker-alone figure of BENCHMARKS.md: the two RabbitMQ legs every presence job needs, run
# at once with RabbitMQ's PerfTest and nothing else: (1) persistent 730-byte jobs through 5
# quorum queues with publisher confirms and multi-ack, (2) transient 700-byte broadcasts through
# a topic exchange with confirms. Then the same two legs paced at 1,000 msg/s each, for the
# latency floor a presence job sits on. Usage: presence-bench/broker-baseline.sh [SECONDS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
runs=${2:-4}
vhost=perftest-baseline
cp_file=target/perftest.classpath
mkdir -p target
mvn -q -f perftest/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/$cp_file" >/dev/null
cp=$(cat "$cp_file")
rabbitmqctl -q add_vhost "$vhost" 2>/dev/null || true
rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*'
trap 'rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1 || true' EXIT
uri="amqp://guest:guest@127.0.0.1:5672/$vhost"
rate() { grep -o "$1 rate avg: [0-9]*" "$2" | grep -o '[0-9]*$' | tail -1; }
for run in $(seq 1 "$runs"); do
  java -cp "$cp" com.rabbitmq.perf.PerfTest --uri "$uri" --time "$seconds" \
    --queue-pattern 'presence-perf-%d' --queue-pattern-from 0 --queue-pattern-to 4 \
    --producers 5 --consumers 5 --quorum-queue --flag persistent --size 730 \
    --confirm 400 --multi-ack-every 100 --qos 400 >target/perftest-jobs.log 2>&1 &
  jobs_pid=$!
  java -cp "$cp" com.rabbitmq.perf.PerfTest --uri "$uri" --time "$seconds" \
    --exchange presence-perf-rooms --type topic --routing-key 'perf.rooms' --queue presence-perf-broadcasts \
    --auto-delete true --producers 1 --consumers 1 --size 700 --confirm 400 --autoack \
    >target/perftest-broadcasts.log 2>&1 &
  broadcasts_pid=$!
  wait "$jobs_pid" "$broadcasts_pid"
  jobs_in=$(rate receiving target/perftest-jobs.log)
  broadcasts_out=$(rate receiving target/perftest-broadcasts.log)
  echo "run $run: job leg ${jobs_in} msg/s received, broadcast leg ${broadcasts_out} msg/s received, jobs/s = $(( jobs_in < broadcasts_out ? jobs_in : broadcasts_out ))"
  rabbitmqctl -q delete_queue -p "$vhost" presence-perf-0 >/dev/null 2>&1 || true
  for q in 1 2 3 4; do rabbitmqctl -q delete_queue -p "$vhost" "presence-perf-$q" >/dev/null 2>&1 || true; done
done

# The latency floor: both legs at 1,000 msg/s (5 producers x 200/s; 1 x 1,000/s), consumer
# latency as PerfTest measures it (publisher's clock to consumer's, one process per leg).
latency() { grep -o 'consumer latency min/median/75th/95th/99th [0-9/]* µs' "$1" | tail -1 | grep -o '[0-9/]* µs'; }
java -cp "$cp" com.rabbitmq.perf.PerfTest --uri "$uri" --time "$seconds" \
  --queue-pattern 'presence-perf-%d' --queue-pattern-from 0 --queue-pattern-to 4 \
  --producers 5 --consumers 5 --quorum-queue --flag persistent --size 730 \
  --confirm 400 --multi-ack-every 1 --qos 400 --rate 200 >target/perftest-jobs-paced.log 2>&1 &
jobs_pid=$!
java -cp "$cp" com.rabbitmq.perf.PerfTest --uri "$uri" --time "$seconds" \
  --exchange presence-perf-rooms --type topic --routing-key 'perf.rooms' --queue presence-perf-broadcasts \
  --auto-delete true --producers 1 --consumers 1 --size 700 --confirm 400 --autoack --rate 1000 \
  >target/perftest-broadcasts-paced.log 2>&1 &
broadcasts_pid=$!
wait "$jobs_pid" "$broadcasts_pid"
echo "paced at 1,000 msg/s each, consumer latency min/median/75th/95th/99th:" \
  "job leg $(latency target/perftest-jobs-paced.log), broadcast leg $(latency target/perftest-broadcasts-paced.log)"
