-- Retention (CHAT_RETENTION_DAYS): how far each room's history was cut. Every event with
-- seq <= through is gone; the room's seqs go on after it.
CREATE TABLE log_cuts (
    room    TEXT    PRIMARY KEY,
    through INTEGER NOT NULL
) WITHOUT ROWID;

-- The events about a message (edits, deletes, reactions, pins), found when it goes. Sends
-- (`message` events) are not in it, so they do not pay for it.
CREATE INDEX events_about ON events (room, target) WHERE kind != 'message';
