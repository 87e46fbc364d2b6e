#!/usr/bin/env bash
# The runs of BENCHMARKS.md, in one command: builds the jars, measures the broker alone (PerfTest,
# RUNS times, then paced) and the same generator against a bare relay (Relay.java), starts the
# service in services mode against the local Redis, RabbitMQ (vhost presence-bench) and
# PostgreSQL (schema presence_bench), warms it up with one unreported run (so the JIT has
# compiled the hot paths), then runs the generator RUNS times paced at 1,000 jobs/s and RUNS
# times as fast as possible; with the CPU time each process spent per job. Then the same through
# the BullMQ intake: the generator enqueues with the real bullmq (the BullMQ adapter's Node
# fixture, installed here if it is not) into the queue presence-bench:presence, as RelayBox's
# realtime service does into queue:presence.
# Usage: presence-bench/run-benchmarks.sh [RUNS] [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
jobs=${2:-100000}
out=presence-bench/target/benchmarks
mkdir -p "$out"

mvn -q -B package -DskipTests
fixture=presence-adapter-bullmq/src/test/node
[ -d "$fixture/node_modules/bullmq" ] || (cd "$fixture" && npm ci --no-audit --no-fund >/dev/null)
bench_vhost=presence-bench bench_schema=presence_bench bench_port=4115
. presence-bench/lib.sh
uri=$bench_uri
bench_setup
trap bench_cleanup EXIT

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_of() { # total CPU ticks of every process matching a pgrep pattern
  local sum=0; for p in $(pgrep -f "$1"); do sum=$((sum + $(ticks "$p"))); done; echo "$sum"; }
snapshot() { echo "$(cpu_of beam.smp) $(cpu_of 'redis-server .*:6379') $(cpu_of '^postgres') $(ticks "$service_pid") $(awk '/^cpu /{print $2+$3+$4+$6+$7+$8}' /proc/stat)"; }
cpu_report() { # before after jobs
  read -r b0 r0 p0 s0 t0 <<<"$1"; read -r b1 r1 p1 s1 t1 <<<"$2"
  local hz; hz=$(getconf CLK_TCK)
  awk -v n="$3" -v hz="$hz" -v b=$((b1-b0)) -v r=$((r1-r0)) -v p=$((p1-p0)) -v s=$((s1-s0)) -v t=$((t1-t0)) 'BEGIN {
    o = t - b - r - p - s;
    printf "  CPU µs per job: rabbitmq %.0f, redis %.0f, postgres %.0f, service %.0f, generator and rest %.0f, all %.0f\n",
      b/hz/n*1e6, r/hz/n*1e6, p/hz/n*1e6, s/hz/n*1e6, o/hz/n*1e6, t/hz/n*1e6 }'
}

bench() { # label, extra args
  local label=$1; shift
  for run in $(seq 1 "$runs"); do
    local before after
    before=$(snapshot)
    java -jar presence-bench/target/presence-bench.jar --rabbit "$uri" --jobs "$jobs" \
      --json "$out/$label-$run.json" "$@" >"$out/$label-$run.txt" 2>&1 || true
    after=$(snapshot)
    echo "$label run $run:"; sed -n '2,5p' "$out/$label-$run.txt"
    total=$(python3 -c "import json,sys;d=json.load(open('$out/$label-$run.json'));print(sum(d[p]['jobs'] for p in ('populate','warm-up','measured') if p in d))")
    cpu_report "$before" "$after" "$total"
  done
}

echo "== broker alone (PerfTest), before the service starts"
presence-bench/broker-baseline.sh 30 "$runs"

# The same generator against a relay that only does what any presence service must do with the
# broker (consume, broadcast the job's body with confirms, acknowledge): the floor with this
# generator. The relay keeps no presence, so the generator's Redis check fails by design.
echo "== relay in place of the service (the floor with this generator; its Redis check fails by design)"
start_relay "$out/relay.log"
java -jar presence-bench/target/presence-bench.jar --rabbit "$uri" --jobs 50000 --warmup 0 >"$out/relay-warm-up.txt" 2>&1 || true
bench relay-paced --rate 1000 --warmup 15000
bench relay-max --warmup 10000
stop_service

start_service "$out/service.log"

echo "== presence, warm-up run (not reported)"
java -jar presence-bench/target/presence-bench.jar --rabbit "$uri" --jobs 50000 --warmup 0 >"$out/jit-warm-up.txt" 2>&1 || true
sed -n '2,5p' "$out/jit-warm-up.txt"
echo "== presence, paced at 1,000 jobs/s (15 s of warm-up each)"
bench paced --rate 1000 --warmup 15000
echo "== presence, as fast as possible"
bench max --warmup 10000

bullmq=(--intake bullmq --bullmq-prefix presence-bench)
echo "== presence through the BullMQ intake, warm-up run (not reported)"
java -jar presence-bench/target/presence-bench.jar --rabbit "$uri" --jobs 50000 --warmup 0 "${bullmq[@]}" \
  >"$out/bullmq-jit-warm-up.txt" 2>&1 || true
sed -n '2,5p' "$out/bullmq-jit-warm-up.txt"
echo "== presence through the BullMQ intake, paced at 1,000 jobs/s (15 s of warm-up each)"
bench bullmq-paced --rate 1000 --warmup 15000 "${bullmq[@]}"
echo "== presence through the BullMQ intake, as fast as possible"
bench bullmq-max --warmup 10000 "${bullmq[@]}"
