//! The Redis store's sessions (keys in `redis_keys.rs`). A session's hash
//! (`P:session:{id}`, untagged: a cluster spreads sessions over its shards by id) is the
//! authority on whether it is open and whose it is. The person's list of sessions and the
//! push subscriptions a session made are the person's keys, in the global slot, written in a
//! second step: listed before the hash is written, forgotten after it is deleted. A node that
//! dies between the two leaves a listed id with no session, which any read of the list
//! forgets (with the push subscriptions it made), and never an open session unlisted.

use super::batch::Batch;
use super::decode::classify;
use super::RedisStore;
use crate::domain::UserId;
use crate::server::clock::now_millis;
use crate::server::store::{StoreError, StoredSession};
use redis::{AsyncCommands, Cmd, Script};
use std::collections::HashMap;

/// KEYS: 1 the session. ARGV: 1 when. Never brings back an ended session.
const TOUCH: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local seen = tonumber(redis.call('HGET', KEYS[1], 'last_seen') or '0')
if tonumber(ARGV[1]) > seen then redis.call('HSET', KEYS[1], 'last_seen', ARGV[1]) end
return 1
";

/// KEYS: 1 the session. ARGV: 1 user id. Ends the session if it is theirs.
const END: &str = r"
if redis.call('HGET', KEYS[1], 'user_id') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
";

/// KEYS: 1 a person's sessions, 2 their push subscriptions, 3 whose each push endpoint is.
/// ARGV: 1 user id, 2 the session id. Forgets an ended session of theirs: off their list,
/// and the push subscriptions it made end with it. Repeatable.
const FORGET: &str = r"
redis.call('ZREM', KEYS[1], ARGV[2])
local pushes = redis.call('HGETALL', KEYS[2])
for i = 1, #pushes, 2 do
  local ok, stored = pcall(cjson.decode, pushes[i + 1])
  if ok and type(stored) == 'table' and stored.session == ARGV[2] then
    redis.call('HDEL', KEYS[2], pushes[i])
    if redis.call('HGET', KEYS[3], pushes[i]) == ARGV[1] then
      redis.call('HDEL', KEYS[3], pushes[i])
    end
  end
end
return 1
";

/// How long a listed id may have no session before a read forgets it: longer than the
/// two steps of opening one take.
const OPENING_MS: i64 = 60_000;

fn session(id: &str, hash: &HashMap<String, String>) -> Option<StoredSession> {
    Some(StoredSession {
        id: id.to_owned(),
        user_id: UserId::parse(hash.get("user_id")?)?,
        created_at: hash.get("created_at")?.parse().ok()?,
        last_seen: hash.get("last_seen")?.parse().ok()?,
        user_agent: hash.get("user_agent").cloned().unwrap_or_default(),
    })
}

impl RedisStore {
    /// Opens `new`: listed first, then the session itself.
    pub(super) async fn open_session(&self, new: &StoredSession) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        let () = conn
            .zadd(
                self.global().sessions_of(new.user_id.as_str()),
                &new.id,
                new.created_at,
            )
            .await
            .map_err(classify)?;
        conn.hset_multiple(
            self.keys.session(&new.id),
            &[
                ("user_id", new.user_id.as_str().to_owned()),
                ("created_at", new.created_at.to_string()),
                ("last_seen", new.last_seen.to_string()),
                ("user_agent", new.user_agent.clone()),
            ],
        )
        .await
        .map_err(classify)
    }

    pub(super) async fn read_session(&self, id: &str) -> Result<Option<StoredSession>, StoreError> {
        let hash: HashMap<String, String> = self
            .conn
            .clone()
            .hgetall(self.keys.session(id))
            .await
            .map_err(classify)?;
        Ok(session(id, &hash))
    }

    pub(super) async fn touch(&self, id: &str, at: i64) -> Result<(), StoreError> {
        let _: i64 = Script::new(TOUCH)
            .key(self.keys.session(id))
            .arg(at)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        Ok(())
    }

    /// `user`'s open sessions, newest first; listed ids with no session of theirs that are
    /// older than [`OPENING_MS`] are forgotten on the way.
    pub(super) async fn list_sessions(
        &self,
        user: &UserId,
    ) -> Result<Vec<StoredSession>, StoreError> {
        let conn = self.conn.clone();
        let listed: Vec<(String, i64)> = conn
            .clone()
            .zrevrange_withscores(self.global().sessions_of(user.as_str()), 0, -1)
            .await
            .map_err(classify)?;
        if listed.is_empty() {
            return Ok(Vec::new());
        }
        let mut batch = Batch::new();
        for (id, _) in &listed {
            batch.add(Cmd::hgetall(self.keys.session(id)));
        }
        let hashes: Vec<HashMap<String, String>> = batch.query(&conn).await?;
        let mut open = Vec::new();
        let now = now_millis();
        for ((id, listed_at), hash) in listed.iter().zip(hashes) {
            match session(id, &hash).filter(|found| &found.user_id == user) {
                Some(found) => open.push(found),
                None if now - listed_at > OPENING_MS => {
                    if let Err(error) = self.forget_session(user, id).await {
                        tracing::warn!(%error, "could not forget an ended session");
                    }
                }
                None => {}
            }
        }
        Ok(open)
    }

    /// Ends `user`'s session `id`: the session first, then what of it is theirs. Answers
    /// whether it was open and theirs.
    pub(super) async fn close_session(&self, user: &UserId, id: &str) -> Result<bool, StoreError> {
        let ended: i64 = Script::new(END)
            .key(self.keys.session(id))
            .arg(user.as_str())
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        // Run even when it was not open: mends a list an earlier ending left halfway. It
        // touches only `user`'s keys, and only what names this id. Lost, the next read of
        // their sessions or push subscriptions does it.
        if let Err(error) = self.forget_session(user, id).await {
            tracing::warn!(%error, "a session ended but is still listed");
        }
        Ok(ended == 1)
    }

    /// Forgets `user`'s ended session `id`: off their list, and its push subscriptions.
    pub(super) async fn forget_session(&self, user: &UserId, id: &str) -> Result<(), StoreError> {
        let keys = self.global();
        let _: i64 = Script::new(FORGET)
            .key(keys.sessions_of(user.as_str()))
            .key(keys.push_of(user.as_str()))
            .key(keys.push_owners())
            .arg(user.as_str())
            .arg(id)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        Ok(())
    }
}
