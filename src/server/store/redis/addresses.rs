//! The Redis store's addresses (keys in `redis_keys.rs`): a hash per person of the
//! networks they acted from, and one hash of the banned networks.

use super::batch::Batch;
use super::decode::classify;
use super::RedisStore;
use crate::domain::UserId;
use crate::server::store::addresses::{
    AddressBan, AddressNote, Addresses, ADDRESSES_KEPT, ADDRESSES_KEPT_FOR_MS,
};
use crate::server::store::StoreError;
use async_trait::async_trait;
use redis::{AsyncCommands, Cmd};
use std::collections::HashMap;

/// A banned network's field: `{user id}|{network}` (one per person whose ban covers it).
fn ban_field(user: &UserId, net: &str) -> String {
    format!("{user}|{net}")
}

#[async_trait]
impl Addresses for RedisStore {
    async fn note_addresses(&self, notes: &[AddressNote]) -> Result<(), StoreError> {
        if notes.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = notes
            .iter()
            .map(|note| self.global().addresses_of(note.user_id.as_str()))
            .collect();
        let mut pipe = Batch::new();
        for (key, note) in keys.iter().zip(notes) {
            pipe.add_ignored(Cmd::hset(key, &note.net, note.at))
                .add_ignored(Cmd::pexpire(key, ADDRESSES_KEPT_FOR_MS))
                .add(Cmd::hlen(key));
        }
        let mut conn = self.conn.clone();
        let counts: Vec<usize> = pipe.query(&conn).await?;
        for (key, count) in keys.iter().zip(counts) {
            if count > ADDRESSES_KEPT {
                // The oldest beyond the newest few go (a rare, tidying write).
                let mut seen: Vec<(String, i64)> = conn
                    .hgetall::<_, HashMap<String, i64>>(key)
                    .await
                    .map_err(classify)?
                    .into_iter()
                    .collect();
                seen.sort_by_key(|(_, at)| std::cmp::Reverse(*at));
                let old: Vec<String> = seen
                    .into_iter()
                    .skip(ADDRESSES_KEPT)
                    .map(|(n, _)| n)
                    .collect();
                if !old.is_empty() {
                    conn.hdel::<_, _, ()>(key, old).await.map_err(classify)?;
                }
            }
        }
        Ok(())
    }

    async fn addresses_of(&self, user: &UserId) -> Result<Vec<String>, StoreError> {
        let mut conn = self.conn.clone();
        let mut seen: Vec<(String, i64)> = conn
            .hgetall::<_, HashMap<String, i64>>(self.global().addresses_of(user.as_str()))
            .await
            .map_err(classify)?
            .into_iter()
            .collect();
        seen.sort_by_key(|(_, at)| std::cmp::Reverse(*at));
        Ok(seen.into_iter().map(|(net, _)| net).collect())
    }

    async fn ban_addresses(
        &self,
        user: &UserId,
        nets: &[String],
        at: i64,
    ) -> Result<(), StoreError> {
        let key = self.global().address_bans();
        let mut pipe = Batch::new();
        for net in nets {
            pipe.add_ignored(Cmd::hset_nx(&key, ban_field(user, net), at));
        }
        pipe.query(&self.conn).await
    }

    async fn unban_addresses_of(&self, user: &UserId) -> Result<u64, StoreError> {
        let theirs: Vec<String> = self
            .banned_addresses()
            .await?
            .into_iter()
            .filter(|ban| &ban.user_id == user)
            .map(|ban| ban_field(user, &ban.net))
            .collect();
        if theirs.is_empty() {
            return Ok(0);
        }
        let mut conn = self.conn.clone();
        conn.hdel(self.global().address_bans(), theirs)
            .await
            .map_err(classify)
    }

    async fn banned_addresses(&self) -> Result<Vec<AddressBan>, StoreError> {
        let mut conn = self.conn.clone();
        let all: HashMap<String, i64> = conn
            .hgetall(self.global().address_bans())
            .await
            .map_err(classify)?;
        let mut bans: Vec<AddressBan> = all
            .into_iter()
            .filter_map(|(field, at)| {
                let (user, net) = field.split_once('|')?;
                Some(AddressBan {
                    net: net.to_owned(),
                    user_id: UserId::parse(user)?,
                    at,
                })
            })
            .collect();
        bans.sort_by_key(|ban| std::cmp::Reverse(ban.at));
        Ok(bans)
    }
}
