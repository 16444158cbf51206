-- The room list reads one row per room (kept current by every write in the same
-- transaction) instead of counting every message on each request.
CREATE TABLE rooms (
    room          TEXT    PRIMARY KEY,
    -- Messages not deleted.
    messages      INTEGER NOT NULL,
    -- Milliseconds since the Unix epoch of the newest message or deletion.
    last_activity INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX rooms_by_activity ON rooms (last_activity DESC);

INSERT INTO rooms (room, messages, last_activity)
SELECT room, SUM(deleted = 0), MAX(sent_at) FROM messages GROUP BY room;

-- The idempotency key belongs to its author: one message per (room, author, client_id).
DROP INDEX messages_client_id;
CREATE UNIQUE INDEX messages_client_id ON messages (room, author_id, client_id)
    WHERE client_id IS NOT NULL;
