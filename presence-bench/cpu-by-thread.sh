#!/usr/bin/env bash
# Where the service's own CPU goes, by thread role: the service started as the README starts it,
# warmed up (one run as fast as possible, then 60 s at RATE, so the JIT is done compiling), then
# RUNS runs of JOBS jobs at RATE jobs/s (0: as fast as possible). For each run: user and system CPU
# (/proc/<pid>/task/*/stat) and context switches (voluntary and not, /proc/<pid>/task/*/status)
# per job of each role, summed over the run (the generator's population included in the jobs).
# Usage: presence-bench/cpu-by-thread.sh [RATE] [JOBS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-1000}
jobs=${2:-20000}
runs=${3:-3}
out=presence-bench/target/cpu-by-thread
rm -rf "$out"; mkdir -p "$out"
[ -f presence-app/target/presence-app.jar ] && [ -f presence-bench/target/presence-bench.jar ] || mvn -q -B package -DskipTests
bench_vhost=presence-threads bench_schema=presence_threads bench_port=4116
. presence-bench/lib.sh
bench_setup
trap bench_cleanup EXIT

# One line per thread: role user-ticks system-ticks context-switches.
threads() {
  for task in /proc/"$service_pid"/task/*; do
    local name stat rest switches
    name=$(cat "$task/comm" 2>/dev/null) || continue
    stat=$(cat "$task/stat" 2>/dev/null) || continue
    switches=$(awk '/ctxt_switches/ {n += $2} END {print n}' "$task/status" 2>/dev/null) || continue
    rest=${stat#*) }
    # shellcheck disable=SC2086
    set -- $rest
    case $name in
      presence-presen*) role=shard-workers ;;           # presence-presence-N: a shard's pipeline
      AMQP*) role=amqp-connection-io ;;                 # the client's reader of each connection
      pool-*) role=amqp-consumer-dispatch ;;            # the client's consumer work pool
      presence-histor*) role=history ;;                 # outbox publisher, writer to PostgreSQL
      presence-job-me*) role=job-memory ;;
      presence-bullmq*) role=bullmq-intake ;;
      CompletableFutu*) role=async-completions ;;
      C1\ Compiler*|C2\ Compiler*) role=jit ;;
      GC\ Thread*|G1\ *) role=gc ;;
      *) role=other ;;
    esac
    echo "$role ${12} ${13} $switches"
  done | awk '{u[$1]+=$2; s[$1]+=$3; c[$1]+=$4} END {for (r in u) print r, u[r], s[r], c[r]}' | sort
}

start_service "$out/service.log"
bench_run warm-up-fast "$out" --jobs 50000 --warmup 0 >/dev/null
[ "$rate" = 0 ] || bench_run warm-up-paced "$out" --jobs $((rate * 60)) --rate "$rate" --warmup 0 >/dev/null
tick_us=$((1000000 / $(getconf CLK_TCK)))
for run in $(seq 1 "$runs"); do
  threads >"$out/before-$run.txt"
  bench_run "run-$run" "$out" --jobs "$jobs" --rate "$rate" --warmup 0 | sed -n 3p
  threads >"$out/after-$run.txt"
  total=$(python3 -c "import json;d=json.load(open('$out/run-$run.json'));print(sum(d[p]['jobs'] for p in ('populate','warm-up','measured') if p in d))")
  join "$out/before-$run.txt" "$out/after-$run.txt" | awk -v jobs="$total" -v tick="$tick_us" '
    { u = ($5 - $2) * tick / jobs; s = ($6 - $3) * tick / jobs; c = ($7 - $4) / jobs
      tu += u; ts += s; tc += c
      printf "  %-24s user %6.1f  system %6.1f  µs/job   %5.2f switches/job\n", $1, u, s, c }
    END { printf "  %-24s user %6.1f  system %6.1f  µs/job   %5.2f switches/job\n", "all", tu, ts, tc }'
done
