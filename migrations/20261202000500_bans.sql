-- People an administrator banned: they can neither sign in, nor write, nor open a page or
-- a stream. An account's id or a guest's.
CREATE TABLE bans (
    user_id TEXT    PRIMARY KEY,
    at      INTEGER NOT NULL
);

-- Locked rooms: read-only but for who moderates them.
CREATE TABLE room_locks (
    room TEXT    PRIMARY KEY,
    at   INTEGER NOT NULL
);
