-- Uploaded files' records (their bytes are in the file storage, `server/files`): `file` is
-- the attachment as a message shows it (JSON), `message_seq` the message that carries it
-- once sent, `removed_at` when that message was deleted (its bytes are then removed).
CREATE TABLE uploads (
    id TEXT PRIMARY KEY NOT NULL,
    room TEXT NOT NULL,
    owner TEXT NOT NULL,
    file TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    message_seq INTEGER,
    removed_at INTEGER
);

CREATE INDEX uploads_unsent ON uploads (created_at) WHERE message_seq IS NULL;
CREATE INDEX uploads_removed ON uploads (removed_at) WHERE removed_at IS NOT NULL;
CREATE INDEX uploads_by_message ON uploads (room, message_seq) WHERE message_seq IS NOT NULL;

-- A message's files as it shows them (a JSON list; NULL for none).
ALTER TABLE messages ADD COLUMN attachments TEXT;
