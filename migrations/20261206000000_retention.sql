-- Retention (CHAT_RETENTION_DAYS): how far each room's history was cut. Every event with
-- seq <= through is gone (a resume from below it starts over); `high` is the newest seq
-- ever removed (later edits, reactions and pins of the removed messages went too), and the
-- room's seqs go on after it. A room cut once had messages: it never becomes private.
CREATE TABLE log_cuts (
    room    TEXT    PRIMARY KEY,
    through INTEGER NOT NULL,
    high    INTEGER NOT NULL
) WITHOUT ROWID;

-- The events about a message (edits, deletes, reactions, pins), found when it goes. Sends
-- (`message` events) are not in it, so they do not pay for it.
CREATE INDEX events_about ON events (room, target) WHERE kind != 'message';
