-- The networks each person acted from lately (an IPv4 address, or an IPv6 /64), the newest
-- ten per person, for 30 days, so a ban can cover them.
CREATE TABLE user_addresses (
    user_id   TEXT    NOT NULL,
    net       TEXT    NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (user_id, net)
);
CREATE INDEX user_addresses_by_time ON user_addresses (last_seen);

-- Networks banned along with a person: nothing from them is served while one of their
-- bans stands (two people's bans may cover one network).
CREATE TABLE address_bans (
    net     TEXT    NOT NULL,
    user_id TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (net, user_id)
);
CREATE INDEX address_bans_of_user ON address_bans (user_id);
