-- A pinned message remembers the seq of the `pin` event that pinned it (NULL when it is not
-- pinned): the room's header lists its pins by it, the most recently pinned first.
ALTER TABLE messages ADD COLUMN pinned_seq INTEGER;

CREATE INDEX messages_pinned ON messages (room, pinned_seq) WHERE pinned_seq IS NOT NULL;

-- The log gains `pin` events, whose data (pinned or not, by whom) is their own. SQLite
-- cannot change a CHECK in place: the table is rebuilt, as for reactions.
CREATE TABLE events_new (
    room   TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    kind   TEXT    NOT NULL CHECK (kind IN ('message', 'edit', 'delete', 'reaction', 'pin')),
    -- The message the event is about (for a `message` event, itself).
    target INTEGER NOT NULL,
    at     INTEGER NOT NULL,
    data   TEXT,
    PRIMARY KEY (room, seq)
) WITHOUT ROWID;

INSERT INTO events_new (room, seq, kind, target, at, data)
SELECT room, seq, kind, target, at, data FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
