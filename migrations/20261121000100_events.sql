-- Edits and deletes join messages in each room's log. `events` is the log (what resumes
-- replay, in seq order); `messages` is the current state of each message (what pages show).
-- A message's seq is the seq of its `message` event.
ALTER TABLE messages ADD COLUMN author_id TEXT NOT NULL DEFAULT '00000000000000000000000000000000';
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;

CREATE TABLE events (
    room   TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    kind   TEXT    NOT NULL CHECK (kind IN ('message', 'edit', 'delete')),
    -- The message the event is about (for a `message` event, itself).
    target INTEGER NOT NULL,
    at     INTEGER NOT NULL,
    PRIMARY KEY (room, seq)
) WITHOUT ROWID;

INSERT INTO events (room, seq, kind, target, at)
SELECT room, seq, 'message', seq, sent_at FROM messages;

-- Server-wide values, such as the key that signs session cookies.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
