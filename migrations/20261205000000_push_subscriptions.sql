-- Web Push subscriptions (`store/push_subscriptions.rs`): one per browser endpoint, each a
-- person's; `keys` is the browser's keys as JSON (`p256dh`, `auth`); `session` the account
-- session that made it (NULL for a guest): when that session ends, so does the subscription.
CREATE TABLE push_subscriptions (
    endpoint TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    keys TEXT NOT NULL,
    session TEXT,
    created_at INTEGER NOT NULL
);

CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id);
