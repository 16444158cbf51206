-- A private room's access version grows whenever someone stops being a member (they left,
-- or its creator removed them), in the same transaction. Open streams of the room compare
-- it with the version they last checked their person's membership at: a change makes them
-- check again before sending anything more.
ALTER TABLE private_rooms ADD COLUMN access_version INTEGER NOT NULL DEFAULT 0;
