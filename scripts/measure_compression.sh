#!/usr/bin/env bash
# What compression does to the answers a person fetches most: a room's page, its JSON, its
# export and the room list, each asked for without compression, with gzip and with brotli.
# Prints the bytes on the wire and the server's CPU per request (from /proc, 300 requests
# each), and what compressing its event stream would cost (scripts/sse_compression.py). Needs the release build (`make build`). The figures are in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
d=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$d"' EXIT
addr=127.0.0.1:3997
CHAT_ADDR=$addr DATABASE_URL=sqlite://$d/c.db CHAT_UPLOADS_DIR=$d/uploads \
    LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD RUST_LOG=warn CHAT_RATE_LIMITS=off \
    ./target/release/chat >>"$d/log" 2>&1 &
pid=$!
sleep 1.5
jar=$d/jar
# 50 messages of ordinary length, from one person, with words from the README.
words=($(grep -oE '[A-Za-z]{3,}' README.md | head -3000))
for i in $(seq 50); do
    body="Message $i:"
    for _ in $(seq 14); do body+=" ${words[RANDOM % ${#words[@]}]}"; done
    curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "room=team" \
        --data-urlencode "body=$body" "http://$addr/api/send_message"
done
# The room's events as a stream sends them, for scripts/sse_compression.py.
timeout 3 curl -s -N -b "$jar" "http://$addr/api/rooms/team/events?after=0" >"$d/frames" || true
python3 scripts/sse_compression.py "$d/frames"
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
ticks=$(getconf CLK_TCK)
printf '%-34s %-9s %9s %12s\n' answer encoding bytes "CPU/request"
for path in /r/team "/api/room?room=team" "/api/rooms/team/export?format=jsonl" /; do
    for encoding in identity gzip br; do
        bytes=$(curl -s -b "$jar" -H "accept-encoding: $encoding" -o /dev/null \
            -w '%{size_download}' "http://$addr$path")
        before=$(cpu)
        for _ in $(seq 300); do
            curl -s -b "$jar" -H "accept-encoding: $encoding" -o /dev/null "http://$addr$path"
        done
        after=$(cpu)
        printf '%-34s %-9s %9s %9d us\n' "$path" "$encoding" "$bytes" \
            $(( (after - before) * 1000000 / ticks / 300 ))
    done
done
