//! The Redis store's device links, API tokens and webhooks (keys in `redis_keys.rs`). A
//! token is one hash; the lists beside it (a person's, a room's) are indexes that may name
//! a token gone (expired, taken) and are tidied when read.

use super::batch::Batch;
use super::decode::classify;
use super::RedisStore;
use crate::domain::{RoomName, UserId};
use crate::server::store::{StoreError, StoredToken, TokenKind, Tokens};
use async_trait::async_trait;
use redis::{AsyncCommands, Cmd, Script};
use std::collections::HashMap;

/// KEYS: 1 the token. Answers its fields and deletes it, in one step: of two takers at
/// once, one gets it.
const TAKE: &str = r"
local fields = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return fields
";

fn token(id: &str, hash: HashMap<String, String>) -> Option<StoredToken> {
    let number = |name: &str| hash.get(name).and_then(|value| value.parse::<i64>().ok());
    Some(StoredToken {
        id: id.to_owned(),
        kind: TokenKind::parse(hash.get("kind")?)?,
        user_id: UserId::parse(hash.get("user_id")?)?,
        room: hash
            .get("room")
            .filter(|room| !room.is_empty())
            .and_then(|room| RoomName::parse(room).ok()),
        name: hash.get("name")?.clone(),
        secret_hash: hash.get("secret_hash")?.clone(),
        created_at: number("created_at")?,
        last_used: number("last_used"),
        expires_at: number("expires_at"),
    })
}

/// Pairs of a flat `HGETALL` answer.
fn pairs(flat: Vec<String>) -> HashMap<String, String> {
    let mut fields = flat.into_iter();
    let mut hash = HashMap::new();
    while let (Some(name), Some(value)) = (fields.next(), fields.next()) {
        hash.insert(name, value);
    }
    hash
}

impl RedisStore {
    /// The tokens the index `key` names, newest first; names of tokens gone are removed.
    async fn listed_tokens(&self, key: String) -> Result<Vec<StoredToken>, StoreError> {
        let keys = self.global();
        let mut conn = self.conn.clone();
        let ids: Vec<String> = conn.zrevrange(&key, 0, -1).await.map_err(classify)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = Batch::new();
        for id in &ids {
            pipe.add(Cmd::hgetall(keys.token(id)));
        }
        let hashes: Vec<HashMap<String, String>> = pipe.query(&conn).await?;
        let mut found = Vec::new();
        let mut gone = Vec::new();
        for (id, hash) in ids.iter().zip(hashes) {
            match token(id, hash) {
                Some(token) => found.push(token),
                None => gone.push(id.clone()),
            }
        }
        if !gone.is_empty() {
            conn.zrem::<_, _, ()>(&key, gone).await.map_err(classify)?;
        }
        Ok(found)
    }

    /// Takes `token` out of the indexes that list it.
    async fn unlist(&self, token: &StoredToken) -> Result<(), StoreError> {
        let keys = self.global();
        let mut pipe = Batch::new();
        pipe.add_ignored(Cmd::zrem(
            keys.tokens_of(token.user_id.as_str(), token.kind.as_str()),
            &token.id,
        ));
        if let Some(room) = &token.room {
            pipe.add_ignored(Cmd::zrem(self.room(room).webhooks(), &token.id));
        }
        pipe.query(&self.conn).await
    }
}

#[async_trait]
impl Tokens for RedisStore {
    async fn create_token(&self, new: &StoredToken) -> Result<(), StoreError> {
        let keys = self.global();
        let key = keys.token(&new.id);
        let mut fields = vec![
            ("kind", new.kind.as_str().to_owned()),
            ("user_id", new.user_id.as_str().to_owned()),
            ("name", new.name.clone()),
            ("secret_hash", new.secret_hash.clone()),
            ("created_at", new.created_at.to_string()),
        ];
        if let Some(room) = &new.room {
            fields.push(("room", room.to_string()));
        }
        if let Some(used) = new.last_used {
            fields.push(("last_used", used.to_string()));
        }
        if let Some(expires) = new.expires_at {
            fields.push(("expires_at", expires.to_string()));
        }
        let mut pipe = redis::pipe();
        pipe.atomic().hset_multiple(&key, &fields).ignore();
        if let Some(expires) = new.expires_at {
            pipe.cmd("PEXPIREAT").arg(&key).arg(expires).ignore();
        }
        pipe.zadd(
            keys.tokens_of(new.user_id.as_str(), new.kind.as_str()),
            &new.id,
            new.created_at,
        )
        .ignore();
        let mut conn = self.conn.clone();
        pipe.query_async::<()>(&mut conn).await.map_err(classify)?;
        // The room's list of webhooks is in the room's slot (a cluster runs no transaction
        // across slots): listed after the token exists, and a listed token that is gone is
        // dropped from the list when it is next read.
        if let Some(room) = &new.room {
            conn.zadd::<_, _, _, ()>(self.room(room).webhooks(), &new.id, new.created_at)
                .await
                .map_err(classify)?;
        }
        Ok(())
    }

    async fn token(&self, id: &str) -> Result<Option<StoredToken>, StoreError> {
        let mut conn = self.conn.clone();
        let hash: HashMap<String, String> = conn
            .hgetall(self.global().token(id))
            .await
            .map_err(classify)?;
        Ok(token(id, hash))
    }

    async fn take_token(&self, id: &str) -> Result<Option<StoredToken>, StoreError> {
        let flat: Vec<String> = Script::new(TAKE)
            .key(self.global().token(id))
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        let Some(taken) = token(id, pairs(flat)) else {
            return Ok(None);
        };
        self.unlist(&taken).await?;
        Ok(Some(taken))
    }

    async fn tokens_of(
        &self,
        user: &UserId,
        kind: TokenKind,
    ) -> Result<Vec<StoredToken>, StoreError> {
        let listed = self
            .listed_tokens(self.global().tokens_of(user.as_str(), kind.as_str()))
            .await?;
        Ok(listed
            .into_iter()
            .filter(|token| &token.user_id == user && token.kind == kind)
            .collect())
    }

    async fn webhooks_of(&self, room: &RoomName) -> Result<Vec<StoredToken>, StoreError> {
        let listed = self.listed_tokens(self.room(room).webhooks()).await?;
        Ok(listed
            .into_iter()
            .filter(|token| token.room.as_ref() == Some(room) && token.kind == TokenKind::Webhook)
            .collect())
    }

    async fn touch_token(&self, id: &str, at: i64) -> Result<(), StoreError> {
        // Only a token that still exists (HSET would make a hash of nothing).
        let script = Script::new(
            "if redis.call('EXISTS', KEYS[1]) == 1 then \
               redis.call('HSET', KEYS[1], 'last_used', ARGV[1]) end return 1",
        );
        let _: i64 = script
            .key(self.global().token(id))
            .arg(at)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.take_token(id).await?.is_some())
    }
}
