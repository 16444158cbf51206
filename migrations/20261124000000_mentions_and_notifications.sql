-- Mentions and notifications. A message keeps the people it mentions as JSON
-- (`[{"id": ..., "name": ...}]`, NULL for none). A membership keeps the name its person
-- goes by in the room (who can be mentioned, and as what) and how much they want to hear
-- of it; the room's members are listed by name.
ALTER TABLE messages ADD COLUMN mentions TEXT;
ALTER TABLE memberships ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN notify TEXT NOT NULL DEFAULT 'mentions'
    CHECK (notify IN ('every', 'mentions', 'nothing'));
CREATE INDEX memberships_by_room ON memberships (room, name);
