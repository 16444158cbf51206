-- Uploads are counted against their bounds as they are recorded (`store/sqlite/uploads.rs`):
-- the bytes of every file (read from this index instead of the table), and of each person's
-- files not sent yet.
CREATE INDEX uploads_size ON uploads (size);
CREATE INDEX uploads_unsent_by_owner ON uploads (owner, size)
    WHERE message_seq IS NULL AND removed_at IS NULL;
