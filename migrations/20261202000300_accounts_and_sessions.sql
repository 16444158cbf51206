-- Accounts: a name and password for a user id (the guest's who signed up, so what the guest
-- had stays theirs). `name_key` is the name folded (NFKC, lowercase) for uniqueness. The
-- first account created is the administrator.
CREATE TABLE accounts (
    user_id       TEXT    PRIMARY KEY,
    name          TEXT    NOT NULL,
    name_key      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    created_at    INTEGER NOT NULL
);

-- Signed-in devices: the session cookie carries the id (signed). Ending a session deletes it.
CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY,
    user_id    TEXT    NOT NULL REFERENCES accounts (user_id),
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    user_agent TEXT    NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id, created_at);
