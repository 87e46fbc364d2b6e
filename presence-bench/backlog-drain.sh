#!/usr/bin/env bash
# A backlog drain, as BENCHMARKS.md reports it: JOBS jobs (plus the generator's population) wait in
# the shard queues before the service starts; then the service, started with the README's JVM
# settings (or JAVA_OPTS, to compare others), drains them with history on. Reports the drain rate
# (from the first job counted in /metrics to the last), the service's peak RSS (VmHWM), its CPU per
# job, and its GC pauses from a JFR recording. Everything runs against the local Redis, RabbitMQ
# (vhost presence-drain) and PostgreSQL (schema presence_drain), which it cleans up afterwards.
# Usage: presence-bench/backlog-drain.sh [JOBS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-100000}
runs=${2:-1}
out=presence-bench/target/drain
mkdir -p "$out"
[ -f presence-app/target/presence-app.jar ] && [ -f presence-bench/target/presence-bench.jar ] || mvn -q -B package -DskipTests
bench_vhost=presence-drain bench_schema=presence_drain bench_port=4117
. presence-bench/lib.sh
uri=$bench_uri
port=$bench_port
trap bench_cleanup EXIT
counted() { # jobs counted in /metrics so far
  curl -sf "localhost:$port/metrics" 2>/dev/null | awk '/^presence_jobs_total\{/ {n += $NF} END {printf "%d\n", n}'
}

for run in $(seq 1 "$runs"); do
  bench_cleanup
  bench_setup
  # Once, briefly, so that the queues and exchanges exist for the backlog; then the backlog.
  PRESENCE_INTAKES=rabbitmq start_service "$out/declare.log"; stop_service
  java -jar presence-bench/target/presence-bench.jar --rabbit "$uri" --jobs "$jobs" --backlog --drain-timeout 120 \
    --json "$out/drain-$run.json" >"$out/drain-$run.txt" 2>&1 &
  bench_pid=$!
  until grep -q '^published' "$out/drain-$run.txt" 2>/dev/null; do
    kill -0 "$bench_pid" 2>/dev/null || { echo "the generator ended before publishing; see $out/drain-$run.txt"; exit 1; }
    sleep 0.5
  done
  total=$(sed -n 's/^published \([0-9]*\) jobs/\1/p' "$out/drain-$run.txt")
  rm -f "$out/drain-$run.jfr"
  PRESENCE_INTAKES=rabbitmq launch_service "$out/service-$run.log" -XX:StartFlightRecording=filename=$out/drain-$run.jfr,settings=default
  first= last= ticks0=
  while kill -0 "$bench_pid" 2>/dev/null; do
    n=$(counted || true)
    now=$(date +%s.%N)
    if [ -z "$first" ] && [ "${n:-0}" -gt 0 ]; then first=$now; ticks0=$(awk '{print $14 + $15}' "/proc/$service_pid/stat"); fi
    if [ -n "$first" ] && [ "${n:-0}" -ge "$total" ] && [ -z "$last" ]; then
      last=$now; ticks1=$(awk '{print $14 + $15}' "/proc/$service_pid/stat"); fi
    sleep 0.2
  done
  wait "$bench_pid" || true
  peak_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$service_pid/status")
  stop_service
  [ -n "$last" ] || { echo "run $run: the service counted fewer than $total jobs; see $out/drain-$run.txt"; continue; }
  python3 - "$out/drain-$run.jfr" "$first" "$last" "$total" "$peak_kb" "$ticks0" "$ticks1" "$(getconf CLK_TCK)" <<'PY'
import json, subprocess, sys
jfr, first, last, total, peak_kb, t0, t1, hz = sys.argv[1:]
seconds = float(last) - float(first)
events = json.loads(subprocess.run(["jfr", "print", "--json", "--events", "jdk.GarbageCollection", jfr],
                                   capture_output=True, text=True, check=True).stdout)["recording"]["events"]
def ms(duration):  # JFR's ISO-8601 durations, e.g. "PT0.003456S"
    return float(duration[2:-1]) * 1000 if duration.endswith("S") else 0.0
pauses = sorted(ms(e["values"]["longestPause"]) for e in events)
def pct(p): return pauses[min(len(pauses) - 1, int(p / 100 * len(pauses)))] if pauses else 0.0
print(f"drained {int(total)} jobs in {seconds:.1f} s: {int(total) / seconds:,.0f} jobs/s; "
      f"peak RSS {int(peak_kb) / 1024:.0f} MB; service CPU {(int(t1) - int(t0)) / int(hz) / int(total) * 1e6:.1f} µs/job; "
      f"{len(pauses)} GC pauses: p50 {pct(50):.1f} ms, p99 {pct(99):.1f} ms, max {pauses[-1] if pauses else 0:.1f} ms")
PY
  grep -E '^(phase|backlog|duplicate)' "$out/drain-$run.txt" || true
done
