//! Retention on Redis (see `store/retention.rs`): `retain.lua` takes a room's oldest
//! messages sent before the horizon, a batch per call (each call one atomic step, short
//! enough not to hold up the sends of other rooms), until a message is kept.

use super::append_script::{filed_entries, ids};
use super::decode::classify;
use super::decode::next_number;
use super::filing;
use super::RedisStore;
use crate::domain::{RoomName, Seq};
use crate::server::clock::now_millis;
use crate::server::store::{Forgotten, Retention, StoreError};
use async_trait::async_trait;
use redis::{AsyncCommands, Script};
use std::sync::LazyLock;

/// Messages looked at per call.
const BATCH: usize = 200;

static RETAIN: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("retain.lua")));

#[async_trait]
impl Retention for RedisStore {
    async fn forget_before(&self, horizon: i64) -> Result<Forgotten, StoreError> {
        let mut conn = self.conn.clone();
        // Every public room with a message is on the room list (the node files it there
        // after each message; one emptied by retention leaves it), and every private room
        // is in the set of them: global keys, where a cluster has no one hash of counts.
        let (listed, private): (Vec<String>, Vec<String>) = redis::pipe()
            .zrange(self.global().rooms(), 0, -1)
            .smembers(self.global().private_rooms())
            .query_async(&mut conn)
            .await
            .map_err(classify)?;
        let rooms: std::collections::BTreeSet<String> = listed.into_iter().chain(private).collect();
        let mut forgotten = Forgotten::default();
        for name in rooms {
            let Ok(room) = RoomName::parse(&name) else {
                continue;
            };
            let (through, messages) = self.cut_room(&room, horizon).await?;
            if through > Seq::ZERO {
                forgotten.rooms.push((room, through));
                forgotten.messages += messages;
            }
        }
        Ok(forgotten)
    }

    async fn log_cut(&self, room: &RoomName) -> Result<Seq, StoreError> {
        let mut conn = self.conn.clone();
        let cut: Option<u64> = conn.get(self.room(room).cut()).await.map_err(classify)?;
        Ok(Seq(cut.unwrap_or(0)))
    }
}

impl RedisStore {
    /// Runs `retain.lua` on `room` until it keeps a message: the newest seq cut in this
    /// pass (`Seq::ZERO`: none) and how many messages went.
    async fn cut_room(&self, room: &RoomName, horizon: i64) -> Result<(Seq, u64), StoreError> {
        let keys = self.room(room);
        let globals = self.global();
        let mut conn = self.conn.clone();
        let (mut through, mut messages) = (Seq::ZERO, 0);
        loop {
            let answer: Vec<redis::Value> = RETAIN
                .key(keys.order())
                .key(keys.client_ids())
                .key(self.keys.counts_of(room))
                .key(keys.log())
                .key(keys.cut())
                .key(keys.pins())
                .key(keys.seq())
                .arg(room.as_str())
                .arg(keys.message_prefix())
                .arg(horizon)
                .arg(BATCH)
                .arg(keys.upload_claim_prefix())
                .invoke_async(&mut conn)
                .await
                .map_err(classify)?;
            let mut answer = answer.into_iter();
            let mut number = || next_number::<u64>(&mut answer, "retain.lua");
            let (removed, cut, more, emptied) = (number()?, number()?, number()?, number()?);
            let uploads = ids(answer.next(), "retain.lua")?;
            let unfiled = filed_entries(answer)?;
            filing::remove_uploads(&self.conn, &globals, &uploads, now_millis()).await;
            filing::unfile(
                &self.conn,
                &globals,
                &unfiled,
                (emptied == 1).then_some(room),
            )
            .await;
            messages += removed;
            if cut > 0 {
                through = Seq(cut);
            }
            if more == 0 {
                return Ok((through, messages));
            }
        }
    }
}
