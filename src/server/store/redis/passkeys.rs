//! The Redis store's passkeys (keys in `redis_keys.rs`): a hash per passkey under its
//! credential id, and each person's set of theirs by creation time.

use super::batch::Batch;
use super::decode::classify;
use super::RedisStore;
use crate::domain::UserId;
use crate::server::store::passkeys::{Passkeys, StoredPasskey};
use crate::server::store::StoreError;
use async_trait::async_trait;
use redis::{AsyncCommands, Cmd, Script};
use std::collections::HashMap;

/// KEYS: 1 the passkey, 2 the person's passkeys. ARGV: id, user id, name, passkey, when.
/// Adds it unless the credential id is taken: 1 added, 0 taken.
const ADD: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'user_id', ARGV[2], 'name', ARGV[3], 'passkey', ARGV[4],
  'created_at', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
return 1
";

/// KEYS: 1 the passkey, 2 the person's passkeys. ARGV: id, user id. Removes it if it is
/// the person's: 1 removed, 0 not theirs.
const REMOVE: &str = r"
if redis.call('HGET', KEYS[1], 'user_id') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
";

fn passkey(id: &str, hash: HashMap<String, String>) -> Option<StoredPasskey> {
    Some(StoredPasskey {
        id: id.to_owned(),
        user_id: UserId::parse(hash.get("user_id")?)?,
        name: hash.get("name")?.clone(),
        passkey: hash.get("passkey")?.clone(),
        created_at: hash.get("created_at")?.parse().ok()?,
        last_used: hash.get("last_used").and_then(|at| at.parse().ok()),
    })
}

#[async_trait]
impl Passkeys for RedisStore {
    async fn add_passkey(&self, new: &StoredPasskey) -> Result<bool, StoreError> {
        let keys = self.global();
        let added: i64 = Script::new(ADD)
            .key(keys.passkey(&new.id))
            .key(keys.passkeys_of(new.user_id.as_str()))
            .arg(&new.id)
            .arg(new.user_id.as_str())
            .arg(&new.name)
            .arg(&new.passkey)
            .arg(new.created_at)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        Ok(added == 1)
    }

    async fn passkeys_of(&self, user: &UserId) -> Result<Vec<StoredPasskey>, StoreError> {
        let keys = self.global();
        let mut conn = self.conn.clone();
        let ids: Vec<String> = conn
            .zrange(keys.passkeys_of(user.as_str()), 0, -1)
            .await
            .map_err(classify)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = Batch::new();
        for id in &ids {
            pipe.add(Cmd::hgetall(keys.passkey(id)));
        }
        let hashes: Vec<HashMap<String, String>> = pipe.query(&conn).await?;
        Ok(ids
            .iter()
            .zip(hashes)
            .filter_map(|(id, hash)| passkey(id, hash))
            .filter(|passkey| &passkey.user_id == user)
            .collect())
    }

    async fn passkey_used(&self, id: &str, passkey: &str, at: i64) -> Result<(), StoreError> {
        let key = self.global().passkey(id);
        let mut conn = self.conn.clone();
        // Only an existing passkey is updated (a removed one stays removed).
        let exists: bool = conn.exists(&key).await.map_err(classify)?;
        if exists {
            conn.hset_multiple::<_, _, _, ()>(
                &key,
                &[("passkey", passkey), ("last_used", &at.to_string())],
            )
            .await
            .map_err(classify)?;
        }
        Ok(())
    }

    async fn remove_passkey(&self, user: &UserId, id: &str) -> Result<bool, StoreError> {
        let keys = self.global();
        let removed: i64 = Script::new(REMOVE)
            .key(keys.passkey(id))
            .key(keys.passkeys_of(user.as_str()))
            .arg(id)
            .arg(user.as_str())
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        Ok(removed == 1)
    }
}
