-- Private rooms: not listed, readable only by their members (memberships), joined with an
-- invite link signed for the room's current `invite_version`; making a new link bumps the
-- version, which revokes every older link.
CREATE TABLE private_rooms (
    room           TEXT    NOT NULL PRIMARY KEY,
    creator        TEXT    NOT NULL,
    invite_version INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
) WITHOUT ROWID;
