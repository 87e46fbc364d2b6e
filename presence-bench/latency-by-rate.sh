#!/usr/bin/env bash
# BENCHMARKS.md's latency-versus-rate table: the generator paced at each rate (RATES, default
# 1,000 2,000 3,000 5,000 7,000 jobs/s), RUNS times each, first against the bare relay (the floor
# with this generator) and then against the service started as the README starts it; every job
# broadcasting, history on. Each is warmed up first by two unreported runs, one as fast as
# possible and one of 60 s at 1,000 jobs/s: the JIT goes on compiling for about a minute after a
# fast run alone (presence-bench/cpu-by-thread.sh), which would put its pauses into the first
# rate's tail. Prints, per rate, the median over the runs of p50, p99 and p99.9 (ms, from when
# each job was due to its broadcast's arrival) and the losses, for the relay and the service side
# by side.
# Usage: presence-bench/latency-by-rate.sh [RUNS] [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
jobs=${2:-30000}
rates=${RATES:-"1000 2000 3000 5000 7000"}
out=presence-bench/target/latency-by-rate
rm -rf "$out"; mkdir -p "$out"
[ -f presence-app/target/presence-app.jar ] && [ -f presence-bench/target/presence-bench.jar ] || mvn -q -B package -DskipTests
bench_vhost=presence-rates bench_schema=presence_rates bench_port=4118
. presence-bench/lib.sh
bench_setup
trap bench_cleanup EXIT

series() { # who
  for rate in $rates; do
    for run in $(seq 1 "$runs"); do
      echo "$1 at $rate jobs/s, run $run:"
      bench_run "$1-$rate-$run" "$out" --jobs "$jobs" --rate "$rate" --warmup $((rate * 5))
    done
  done
}

start_relay "$out/relay.log"
bench_run relay-warm-up "$out" --jobs 30000 --warmup 0 >/dev/null
bench_run relay-paced-warm-up "$out" --jobs 60000 --rate 1000 --warmup 0 >/dev/null
series relay
stop_service
start_service "$out/service.log"
bench_run service-warm-up "$out" --jobs 50000 --warmup 0 >/dev/null
bench_run service-paced-warm-up "$out" --jobs 60000 --rate 1000 --warmup 0 >/dev/null
series service
stop_service

python3 - "$out" "$rates" "$runs" <<'PY'
import json, statistics, sys
out, rates, runs = sys.argv[1], sys.argv[2].split(), int(sys.argv[3])
def cell(who, rate):
    runs_ = [json.load(open(f"{out}/{who}-{rate}-{r}.json"))["measured"] for r in range(1, runs + 1)]
    med = lambda k: statistics.median(run["latencyMillis"][k] for run in runs_)
    lost = sum(run["lost"] for run in runs_)
    return f"{med('p50'):.1f} / {med('p99'):.1f} / {med('p99_9'):.1f}" + (f" ({lost} lost)" if lost else "")
print("| jobs/s | relay p50 / p99 / p99.9 ms | service p50 / p99 / p99.9 ms |")
print("|---|---|---|")
for rate in rates:
    print(f"| {int(rate):,} | {cell('relay', rate)} | {cell('service', rate)} |")
PY
