#!/usr/bin/env bash
# Seeds one lobby message with 3,000 👍 (3,000 people, 3,000 reaction events, straight into
# SQLite), then measures what a security review measured: the room's JSON and page, 8 streams resuming
# from before the message, and another person's sends meanwhile. Needs the release build
# (`make build`, or BINARY=path for another build) and the sqlite3 CLI. Prints the figures in
# docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${BINARY:-./target/release/chat}
d=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$d"' EXIT
port=3997
base=http://127.0.0.1:$port
start() {
  CHAT_ADDR=127.0.0.1:$port DATABASE_URL=sqlite://$d/c.db LEPTOS_SITE_ROOT=target/site \
    LEPTOS_ENV=PROD RUST_LOG=warn CHAT_RATE_LIMITS=off "$binary" >>"$d/log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do curl -sf -o /dev/null $base/healthz && return; sleep 0.2; done
  echo "the server did not start:" >&2; cat "$d/log" >&2; exit 1
}
start; kill $pid; wait $pid || true
sqlite3 "$d/c.db" <<'SQL'
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO messages (room, seq, author, body, sent_at, client_id, author_id, reactions)
SELECT 'lobby', 1, 'pollster', 'vote here', 1700000000000, NULL, printf('%032x', 1),
  (SELECT json_array(json_object('emoji', '👍', 'users',
     json_group_array(json_object('id', printf('%032x', 1000 + i), 'name', 'voter ' || i))))
   FROM n);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO events (room, seq, kind, target, at, data)
SELECT 'lobby', 1, 'message', 1, 1700000000000, NULL
UNION ALL
SELECT 'lobby', i + 1, 'reaction', 1, 1700000000000 + i,
  json_object('emoji', '👍', 'op', 'add',
    'user', json_object('id', printf('%032x', 1000 + i), 'name', 'voter ' || i))
FROM n;
INSERT INTO rooms (room, messages, last_activity) VALUES ('lobby', 1, 1700000000000);
SQL
# Builds before reactions_at have no such column.
sqlite3 "$d/c.db" "UPDATE messages SET reactions_at = 3001" 2>/dev/null || true
start
size() { curl -s -o /dev/null -w '%{size_download} bytes in %{time_total} s' "$base$1"; }
echo "room JSON (GET /api/room?room=lobby): $(size '/api/room?room=lobby')"
echo "room page (GET /r/lobby):             $(size /r/lobby)"
rss() { awk '/VmRSS/ {print int($2 / 1024) " MiB"}' /proc/$pid/status; }
echo "server RSS before the resumes: $(rss)"
resume() {
  # Reads the stream from before the message until the last reaction (seq 3001), and notes
  # when (the stream itself stays open until its next write fails).
  curl -sN --max-time 60 "$base/api/rooms/lobby/events?after=0" |
    { grep -m1 -q '^id: 3001$' && date +%s.%N >"$d/resumed.$1"; }
}
started=$(date +%s.%N)
for n in $(seq 8); do resume $n & done
sends=$(for i in $(seq 10); do
  curl -s -o /dev/null -w '%{time_total}\n' -X POST -d "room=lobby&body=hello+$i" $base/api/send_message
done | sort -n | awk '{a[NR]=$1} END {print "p50", a[int((NR+1)/2)], "max", a[NR]}')
wait $(jobs -p | grep -v "^$pid$") 2>/dev/null || true
ended=$(sort -n "$d"/resumed.* | tail -1)
echo "8 resumes from before the message: $(ls "$d"/resumed.* | wc -l) read to the end, the last after $(echo "$ended - $started" | bc) s"
echo "another person's sends meanwhile (s): $sends"
echo "server peak RSS: $(awk '/VmHWM/ {print int($2 / 1024) " MiB"}' /proc/$pid/status)"
