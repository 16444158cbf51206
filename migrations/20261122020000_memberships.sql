-- The rooms each person has joined (the sidebar), with how far they have read each.
CREATE TABLE memberships (
    user_id   TEXT    NOT NULL,
    room      TEXT    NOT NULL,
    -- The newest seq of the room this person has seen.
    read_seq  INTEGER NOT NULL,
    PRIMARY KEY (user_id, room)
) WITHOUT ROWID;
