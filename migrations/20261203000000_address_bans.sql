-- The networks each person acted from lately (an IPv4 address, or an IPv6 /64), the newest
-- ten per person, so a ban can cover them.
CREATE TABLE user_addresses (
    user_id   TEXT    NOT NULL,
    net       TEXT    NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (user_id, net)
);

-- Networks banned along with a person: nothing from them is served.
CREATE TABLE address_bans (
    net     TEXT    PRIMARY KEY,
    user_id TEXT    NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX address_bans_of_user ON address_bans (user_id);
