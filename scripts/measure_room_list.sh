#!/usr/bin/env bash
# Seeds 1,000,000 messages over 100 rooms into a fresh database (straight into SQLite), then
# times the room list (`GET /`) and sends while 12 clients keep reloading it. Needs the
# release build (`make build`) and the sqlite3 CLI. Prints the figures in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
start() { CHAT_ADDR=127.0.0.1:3998 DATABASE_URL=sqlite://$d/c.db LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD RUST_LOG=warn CHAT_RATE_LIMITS=off ./target/release/chat >>$d/log 2>&1 & pid=$!; sleep 1.5; }
start; kill $pid; wait $pid || true
sqlite3 $d/c.db <<'SQL'
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT INTO messages (room, seq, author, body, sent_at, client_id, author_id)
SELECT 'room-' || (i % 100), i / 100 + 1, 'guest-1', 'message number ' || i, 1700000000000 + i, NULL, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' FROM n;
INSERT INTO events (room, seq, kind, target, at) SELECT room, seq, 'message', seq, sent_at FROM messages;
INSERT INTO rooms (room, messages, last_activity) SELECT room, COUNT(*), MAX(sent_at) FROM messages GROUP BY room;
SQL
start
for i in 1 2 3; do curl -s -o /dev/null http://127.0.0.1:3998/; done
echo "GET / x50:"; for i in $(seq 50); do curl -s -o /dev/null -w '%{time_total}\n' http://127.0.0.1:3998/; done | sort -n | awk '{a[NR]=$1} END {print "p50", a[int(NR/2)], "max", a[NR]}'
echo "sends while 12 clients reload / :"
for c in $(seq 12); do (for i in $(seq 60); do curl -s -o /dev/null http://127.0.0.1:3998/; done) & done
sleep 0.5
for i in $(seq 30); do curl -s -o /dev/null -w '%{time_total}\n' -X POST -d "room=room-7&body=hello+$i" http://127.0.0.1:3998/api/send_message; done | sort -n | awk '{a[NR]=$1} END {print "send p50", a[int(NR/2)], "max", a[NR]}'
wait $(jobs -p | grep -v $pid) 2>/dev/null || true
kill $pid
