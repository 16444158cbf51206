-- Each message remembers the seq of the newest `reaction` event its reactions count, so a
-- page that shows counts (not whole sets of people) applies every later event exactly once.
-- Messages reacted to before this column existed count up to the room's newest event.
ALTER TABLE messages ADD COLUMN reactions_at INTEGER NOT NULL DEFAULT 0;

UPDATE messages
SET reactions_at = (SELECT COALESCE(MAX(e.seq), 0) FROM events e WHERE e.room = messages.room)
WHERE reactions != '[]';
