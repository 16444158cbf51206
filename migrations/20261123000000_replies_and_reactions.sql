-- Replies and reactions. A reply names the message it answers (same room); a message keeps
-- its reactions as JSON (`[{"emoji": "👍", "users": [{"id": ..., "name": ...}]}]`), changed
-- only by the writer, in the same transaction as the `reaction` event it logs.
ALTER TABLE messages ADD COLUMN reply_to INTEGER;
ALTER TABLE messages ADD COLUMN reactions TEXT NOT NULL DEFAULT '[]';

-- The log gains `reaction` events, whose data (emoji, who, add or remove) is their own:
-- `data` holds it as JSON. SQLite cannot change a CHECK in place: the table is rebuilt.
CREATE TABLE events_new (
    room   TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    kind   TEXT    NOT NULL CHECK (kind IN ('message', 'edit', 'delete', 'reaction')),
    -- The message the event is about (for a `message` event, itself).
    target INTEGER NOT NULL,
    at     INTEGER NOT NULL,
    data   TEXT,
    PRIMARY KEY (room, seq)
) WITHOUT ROWID;

INSERT INTO events_new (room, seq, kind, target, at)
SELECT room, seq, kind, target, at FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
