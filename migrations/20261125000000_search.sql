-- Full-text search: an FTS5 index of every message that is not deleted, kept by the writer
-- in the same transaction as the message (append inserts, edit updates, delete removes).
-- Its rowid is the message's `search_id`: increasing with every message, so newest first
-- is `ORDER BY rowid DESC`, and a page continues below the last rowid it showed. Words are
-- runs of letters and digits, matched in any case, accents kept (`domain/search.rs` holds
-- the same rules).
-- Only which messages hold a term is kept (`detail = none`: no positions, so no phrase or
-- NEAR queries, which search does not make) and no column sizes (`columnsize = 0`: no
-- ranking): each write does less.
CREATE VIRTUAL TABLE message_search USING fts5(
    body,
    room UNINDEXED,
    seq UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 0',
    detail = none,
    columnsize = 0
);
ALTER TABLE messages ADD COLUMN search_id INTEGER;

-- The messages already stored, oldest first.
UPDATE messages SET search_id = ranked.n
FROM (
    SELECT room, seq, row_number() OVER (ORDER BY sent_at, room, seq) AS n
    FROM messages WHERE NOT deleted
) AS ranked
WHERE messages.room = ranked.room AND messages.seq = ranked.seq;
INSERT INTO message_search (rowid, body, room, seq)
SELECT search_id, body, room, seq FROM messages WHERE search_id IS NOT NULL;
