#!/usr/bin/env bash
# Runs several chat nodes sharing one Redis, as a scaled-out deployment would, on this
# machine: http://127.0.0.1:3000, :3001, ... (`make nodes`; NODES=3 for three).
#
# With REDIS_URL set, the nodes use that Redis. Otherwise a redis-server is started here,
# durable (append-only file, fsync on every write) with its data in data/redis, on
# 127.0.0.1:6390. Without CHAT_SESSION_SECRET, one is made once in data/. Ctrl-C stops
# everything this script started.
set -euo pipefail

cd "$(dirname "$0")/.."
# wasm-opt from npm (scripts/setup.sh), and what cargo installs.
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
nodes=${NODES:-2}
first_port=${FIRST_PORT:-3000}
pids=()
stop() {
    [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop EXIT INT TERM

if [ -z "${REDIS_URL:-}" ]; then
    mkdir -p data/redis
    redis-server --port 6390 --bind 127.0.0.1 --save "" \
        --appendonly yes --appendfsync always --dir "$PWD/data/redis" >data/redis/redis.log &
    pids+=($!)
    export REDIS_URL=redis://127.0.0.1:6390
    for _ in $(seq 50); do
        redis-cli -p 6390 ping >/dev/null 2>&1 && break
        sleep 0.1
    done
fi

# Every node must sign sessions with the same secret, kept outside Redis: one made here
# once, in data/ (a real deployment sets CHAT_SESSION_SECRET from its secret store).
if [ -z "${CHAT_SESSION_SECRET:-}" ]; then
    mkdir -p data
    [ -s data/nodes-session-secret ] || head -c 48 /dev/urandom | base64 -w0 >data/nodes-session-secret
    CHAT_SESSION_SECRET=$(cat data/nodes-session-secret)
    export CHAT_SESSION_SECRET
fi

cargo leptos build --release --precompress --split
for i in $(seq 0 $((nodes - 1))); do
    port=$((first_port + i))
    CHAT_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD \
        ./target/release/chat &
    pids+=($!)
    echo "node $((i + 1)): http://127.0.0.1:$port"
done
wait -n
