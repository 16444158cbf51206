-- Words keep their combining marks (Unicode category M, as Hindi's vowel signs): the
-- tokenizer cut "हिंदी" into pieces, and searching for it failed. The index is built anew
-- with the categories `domain/search.rs` cuts words by (L*, N*, M*, Co), from the messages
-- stored, keeping every message's search_id.
DROP TABLE message_search;
CREATE VIRTUAL TABLE message_search USING fts5(
    body,
    room UNINDEXED,
    seq UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 0 categories ''L* N* M* Co''',
    detail = none,
    columnsize = 0
);
INSERT INTO message_search (rowid, body, room, seq)
SELECT search_id, body, room, seq FROM messages WHERE search_id IS NOT NULL AND NOT deleted;
INSERT INTO message_search (message_search, rank) VALUES ('crisismerge', 64);
