#!/usr/bin/env bash
# Durable sends from 32 senders at once, each a new guest, 10 streams receiving every
# message (docs/benchmarks.md, "Durable sends"): release binaries alternated, RUNS runs
# each, every run a fresh process and store. Prints sends a second, the server's CPU per
# send and, on Redis, redis-server's. Build the harness first (../shared/bench/README.md).
#
#   scripts/measure_sends.sh sqlite|redis BINARY...
#   (env: M messages, default 20000; RATE, default 40000; RUNS, default 3;
#    REDIS_URL for redis, default redis://127.0.0.1:6399, a redis-server started with
#    --appendonly yes --appendfsync always; each run's keys stay there under its own
#    prefix, `sends…`: use a Redis kept for benchmarks)
set -u
cd "$(dirname "$0")/.."
store=$1
shift
M=${M:-20000}
RATE=${RATE:-40000}
RUNS=${RUNS:-3}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6399}
SSELOAD=$PWD/target/bench/release/sseload
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

run() { # binary
  local dir pid redis_pid=""
  dir=$(mktemp -d /tmp/sends.XXXX)
  local env=(CHAT_ADDR=127.0.0.1:3005 DATABASE_URL="sqlite://$dir/chat.db" CHAT_UPLOADS_DIR="$dir/uploads"
    LEPTOS_SITE_ROOT="$PWD/target/site" RUST_LOG=warn CHAT_RATE_LIMITS=off)
  if [ "$store" = redis ]; then
    env+=(REDIS_URL="$REDIS_URL" CHAT_REDIS_PREFIX="sends$RANDOM"
      CHAT_SESSION_SECRET="$(head -c 32 /dev/urandom | base64)")
    redis_pid=$(redis-cli -u "$REDIS_URL" info server | tr -d '\r' | awk -F: '/^process_id/ {print $2}')
  fi
  env "${env[@]}" "$1" > "$dir/log" 2>&1 &
  pid=$!
  local up=""
  for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:3005/healthz && up=1 && break; sleep 0.1; done
  if [ -z "$up" ]; then
    echo "$1 did not start: $(tail -3 "$dir/log")" >&2
    kill $pid 2>/dev/null
    rm -rf "$dir"
    return 1
  fi
  local cpu0 redis0 cpu1 redis1
  cpu0=$(cpu_ticks $pid)
  redis0=${redis_pid:+$(cpu_ticks "$redis_pid")}
  "$SSELOAD" fanout -n 10 -m "$M" -r "$RATE" --post-concurrency 32 --settle 3 \
    --sse-url http://127.0.0.1:3005/api/rooms/bench/events \
    --post-url http://127.0.0.1:3005/api/send_message --body 'room=bench&body=lt-{seq}-{ts}' \
    > "$dir/report" 2>&1
  cpu1=$(cpu_ticks $pid)
  redis1=${redis_pid:+$(cpu_ticks "$redis_pid")}
  local publish missing
  publish=$(grep -o '"publish_s":[0-9.]*' "$dir/report" | cut -d: -f2)
  if [ -z "$publish" ]; then
    echo "$1: sseload reported nothing: $(tail -3 "$dir/report")" >&2
    publish=0
  fi
  missing=$(grep -o '"missing":[0-9]*' "$dir/report" | cut -d: -f2)
  [ "$publish" = 0 ] || awk -v m="$M" -v s="$publish" -v c=$((cpu1 - cpu0)) -v t="$ticks" -v miss="$missing" \
    -v r="${redis0:+$((redis1 - redis0))}" -v b="$1" 'BEGIN {
      line = sprintf("%s: %.0f sends/s, server %.0f us/send", b, m / s, c / t / m * 1e6)
      if (r != "") line = line sprintf(", redis-server %.0f us/send", r / t / m * 1e6)
      print line sprintf(", missing %s", miss) }'
  kill $pid
  wait $pid 2>/dev/null
  rm -rf "$dir"
}

for _ in $(seq "$RUNS"); do
  for binary in "$@"; do run "$binary"; done
done
