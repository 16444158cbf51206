#!/usr/bin/env bash
# Two release binaries alternated, two runs each: 3,000 durable sends from 32 senders at
# once (time and server CPU) and the shared harness's fanout10k (docs/benchmarks.md, "Pins
# and files"). Build the harness first (scripts/compare_builds.sh does, or see
# ../shared/bench/README.md).
#
#   scripts/compare_sends_and_fanout.sh BEFORE_BINARY AFTER_BINARY
#
# Results: target/bench-results/sends-fanout (the harness's JSON lines), /tmp/b28-* (the
# sends' reports, and each run's server CPU in /tmp/b28-cpu.txt).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
SSELOAD=$ROOT/target/bench/release/sseload
SITE=$ROOT/target/site
declare -A BINARY=([old]=$(realpath "$1") [new]=$(realpath "$2"))
run_sends() { # name binary run
  local dir; dir=$(mktemp -d /tmp/b28.XXXX)
  (cd "$dir" && LEPTOS_SITE_ADDR=127.0.0.1:3005 LEPTOS_SITE_ROOT=$SITE LEPTOS_OUTPUT_NAME=chat DATABASE_URL="sqlite://$dir/chat.db?mode=rwc" CHAT_UPLOADS_DIR=$dir/uploads RUST_LOG=warn CHAT_RATE_LIMITS=off CHAT_MAX_STREAMS_PER_SESSION=200000 CHAT_MAX_STREAMS_PER_ADDRESS=200000 CHAT_MAX_STREAMS=200000 exec "$2" > /dev/null 2>&1) &
  local pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:3005/healthz && break; sleep 0.1; done
  local cpu0; cpu0=$(awk '{print $14+$15}' /proc/$pid/stat 2>/dev/null || echo 0)
  $SSELOAD fanout -n 10 -m 3000 -r 20000 --post-concurrency 32 \
    --sse-url http://127.0.0.1:3005/api/rooms/bench/events \
    --post-url http://127.0.0.1:3005/api/send_message --body 'room=bench&body=lt-{seq}-{ts}' \
    --max-seconds 120 > /tmp/b28-sends-$1-$3.json 2>/tmp/b28-sends-$1-$3.err
  local cpu1; cpu1=$(awk '{print $14+$15}' /proc/$pid/stat 2>/dev/null || echo 0)
  echo "$1 run $3: server CPU $(( (cpu1 - cpu0) * 10 )) ms" >> /tmp/b28-cpu.txt
  kill $pid; wait $pid 2>/dev/null; rm -rf "$dir"
}
for run in 1 2; do
  for name in old new; do
    run_sends $name "${BINARY[$name]}" $run
    (cd /work/shared/bench && RUNS=1 RUN_START=$run OUT=$ROOT/target/bench-results/sends-fanout SCENARIOS="fanout10k" SSELOAD=$SSELOAD \
      ./run-scenarios.sh project-$name \
      "cd \$(mktemp -d /tmp/proj-bench.XXXX) && unset REDIS_URL && LEPTOS_SITE_ADDR=127.0.0.1:3005 LEPTOS_SITE_ROOT=$SITE LEPTOS_OUTPUT_NAME=chat DATABASE_URL=sqlite://\$PWD/chat.db?mode=rwc CHAT_UPLOADS_DIR=\$PWD/uploads RUST_LOG=warn CHAT_RATE_LIMITS=off CHAT_MAX_STREAMS_PER_SESSION=200000 CHAT_MAX_STREAMS_PER_ADDRESS=200000 CHAT_MAX_STREAMS=200000 exec ${BINARY[$name]}" \
      'http://127.0.0.1:3005/api/rooms/bench/events' http://127.0.0.1:3005/api/send_message 'room=bench&body=lt-{seq}-{ts}') > /tmp/b28-fanout-$name-$run.log 2>&1
  done
done
echo done >> /tmp/b28-cpu.txt
