-- Passkeys (WebAuthn credentials) of accounts, by credential id: the public key and
-- signature counter as webauthn-rs serializes them (nothing secret).
CREATE TABLE passkeys (
    id         TEXT    PRIMARY KEY NOT NULL,
    user_id    TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    passkey    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    last_used  INTEGER
);
CREATE INDEX passkeys_of_user ON passkeys (user_id, created_at);
