-- Every message of every room. `seq` is assigned in the same INSERT that stores the row, so a
-- message has a seq exactly when it is durable.
CREATE TABLE messages (
    room      TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    author    TEXT    NOT NULL,
    body      TEXT    NOT NULL,
    sent_at   INTEGER NOT NULL,
    client_id TEXT,
    PRIMARY KEY (room, seq)
) WITHOUT ROWID;

-- The idempotency key: one message per (room, client_id).
CREATE UNIQUE INDEX messages_client_id ON messages (room, client_id) WHERE client_id IS NOT NULL;
