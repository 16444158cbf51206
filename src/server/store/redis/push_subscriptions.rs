//! Push subscriptions in Redis: each person's in a hash (endpoint → the subscription as
//! JSON), and whose each endpoint is in one more, so that an endpoint moves with the
//! browser's person.

use super::batch::Batch;
use super::decode::classify;
use super::RedisStore;
use crate::domain::UserId;
use crate::server::store::{
    PushSubscription, PushSubscriptions, StoreError, MAX_PUSH_SUBSCRIPTIONS,
};
use async_trait::async_trait;
use redis::{AsyncCommands, Cmd, Script};
use serde::{Deserialize, Serialize};

/// KEYS: 1 whose each endpoint is, 2 the person's subscriptions. ARGV: 1 endpoint, 2 the
/// person, 3 the subscription (JSON), 4 the most a person may have, 5 what every person's
/// key starts with. Answers 1 when kept, 0 when they have the most already.
const ADD: &str = r"
local previous = redis.call('HGET', KEYS[1], ARGV[1])
if previous ~= ARGV[2] and redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[4]) then
  return 0
end
if previous and previous ~= ARGV[2] then
  redis.call('HDEL', ARGV[5] .. previous .. ':push', ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
";

/// KEYS: 1 whose each endpoint is, 2 the person's subscriptions. ARGV: 1 endpoint, 2 the
/// person.
const REMOVE: &str = r"
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
end
redis.call('HDEL', KEYS[2], ARGV[1])
";

/// A subscription as kept: with the account session that made it (`FORGET` in
/// `sessions.rs` removes it with that session).
#[derive(Serialize, Deserialize)]
struct Kept {
    #[serde(flatten)]
    subscription: PushSubscription,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session: Option<String>,
}

#[async_trait]
impl PushSubscriptions for RedisStore {
    async fn add_push_subscription(
        &self,
        user: &UserId,
        session: Option<&str>,
        subscription: &PushSubscription,
    ) -> Result<bool, StoreError> {
        let keys = self.global();
        let kept = Kept {
            subscription: subscription.clone(),
            session: session.map(str::to_owned),
        };
        let json = serde_json::to_string(&kept).map_err(|e| StoreError::Failed(Box::new(e)))?;
        let kept: i64 = Script::new(ADD)
            .key(keys.push_owners())
            .key(keys.push_of(user.as_str()))
            .arg(&subscription.endpoint)
            .arg(user.as_str())
            .arg(json)
            .arg(MAX_PUSH_SUBSCRIPTIONS)
            .arg(keys.user_prefix())
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        Ok(kept == 1)
    }

    async fn remove_push_subscription(
        &self,
        user: &UserId,
        endpoint: &str,
    ) -> Result<(), StoreError> {
        let keys = self.global();
        Script::new(REMOVE)
            .key(keys.push_owners())
            .key(keys.push_of(user.as_str()))
            .arg(endpoint)
            .arg(user.as_str())
            .invoke_async::<()>(&mut self.conn.clone())
            .await
            .map_err(classify)
    }

    /// Only those of sessions still open: a session whose ending lost its second step
    /// (`sessions.rs`) is forgotten here, so a signed-out browser is never pushed to.
    async fn push_subscriptions(&self, user: &UserId) -> Result<Vec<PushSubscription>, StoreError> {
        let conn = self.conn.clone();
        let stored: Vec<String> = conn
            .clone()
            .hvals(self.global().push_of(user.as_str()))
            .await
            .map_err(classify)?;
        let kept: Vec<Kept> = stored
            .iter()
            .filter_map(|json| serde_json::from_str::<Kept>(json).ok())
            .collect();
        let mut sessions: Vec<String> = kept.iter().filter_map(|k| k.session.clone()).collect();
        sessions.sort_unstable();
        sessions.dedup();
        let mut batch = Batch::new();
        for id in &sessions {
            batch.add(Cmd::exists(self.keys.session(id)));
        }
        let open: Vec<bool> = batch.query(&conn).await?;
        let mut ended = Vec::new();
        for (id, open) in sessions.iter().zip(open) {
            if !open {
                ended.push(id.as_str());
                if let Err(error) = self.forget_session(user, id).await {
                    tracing::warn!(%error, "could not forget an ended session");
                }
            }
        }
        Ok(kept
            .into_iter()
            .filter(|k| k.session.as_deref().is_none_or(|id| !ended.contains(&id)))
            .map(|k| k.subscription)
            .collect())
    }
}
