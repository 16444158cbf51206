-- Device links, personal API tokens and incoming webhooks: the SHA-256 of each secret,
-- never the secret. A revoked or used token is deleted.
CREATE TABLE tokens (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    user_id TEXT NOT NULL,
    room TEXT,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used INTEGER,
    expires_at INTEGER
);
CREATE INDEX tokens_of_user ON tokens (user_id, kind, created_at);
CREATE INDEX tokens_of_room ON tokens (room, created_at) WHERE room IS NOT NULL;

-- A message a webhook posted shows its author as a bot.
ALTER TABLE messages ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;
