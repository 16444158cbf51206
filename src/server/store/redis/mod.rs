//! The scale-out store: Redis. Each room's log is a Redis Stream whose entry ids are the
//! seqs; each message's current state is a hash; writes are Lua scripts, so assigning the
//! seq, writing and announcing the event on the room's channel are one atomic step (so
//! every node hears a room's events in seq order). History per room is bounded (`history`).
//!
//! Keys, all under the configured prefix `P`: `P:{room}:seq` (counter), `P:{room}:log`
//! (stream), `P:{room}:m:{seq}` (message hash), `P:{room}:order` (zset of message seqs),
//! `P:{room}:cids` (client_id → seq), `P:rooms` (zset by last activity), `P:counts`,
//! `P:settings`.

mod decode;
mod keys;
mod reads;

use self::decode::classify;
use self::keys::RoomKeys;
use super::{
    Appended, DeleteRequest, EditRequest, NewMessage, Refusal, RoomActivity, Store, StoreError,
};
use crate::domain::{ChatMessage, LogEvent, MessageDelete, MessageEdit, RoomName, Seq, UserId};
use crate::server::fanout::channel;
use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Script};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Messages in Redis.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    history: usize,
    append: Arc<Script>,
    change: Arc<Script>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("history", &self.history)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects to `url` (e.g. `redis://127.0.0.1:6379`). Commands fail after two seconds
    /// without an answer, so a Redis outage becomes a prompt 503, not a hang.
    pub async fn connect(url: &str, prefix: &str, history: usize) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(classify)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(2))
            .set_response_timeout(Duration::from_secs(2))
            .set_number_of_retries(1);
        let conn = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(classify)?;
        Ok(Self {
            conn,
            prefix: prefix.to_owned(),
            history: history.max(1),
            append: Arc::new(Script::new(include_str!("append.lua"))),
            change: Arc::new(Script::new(include_str!("change.lua"))),
        })
    }

    /// A handle on the same connection, for announcing events.
    pub fn connection(&self) -> ConnectionManager {
        self.conn.clone()
    }

    fn room(&self, room: &RoomName) -> RoomKeys {
        RoomKeys {
            base: format!("{}:{room}", self.prefix),
        }
    }

    fn global(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }

    /// Reads the current state of these messages (missing ones, trimmed away, are skipped).
    async fn change(
        &self,
        room: &RoomName,
        target: Seq,
        by: &UserId,
        kind: &str,
        body: &str,
        at: i64,
    ) -> Result<Result<Seq, Refusal>, StoreError> {
        let keys = self.room(room);
        let mut conn = self.conn.clone();
        let answer: Vec<i64> = self
            .change
            .key(keys.seq())
            .key(keys.log())
            .key(self.global("counts"))
            .arg(keys.message(target))
            .arg(by.as_str())
            .arg(kind)
            .arg(body)
            .arg(at)
            .arg(target.get())
            .arg(self.history)
            .arg(room.as_str())
            .arg(channel(&self.prefix, room))
            .invoke_async(&mut conn)
            .await
            .map_err(classify)?;
        Ok(match answer.first().copied() {
            Some(-1) => Err(Refusal::NotFound),
            Some(-2) => Err(Refusal::NotYours),
            Some(-3) => Err(Refusal::Deleted),
            Some(seq) => Ok(Seq(
                u64::try_from(seq).map_err(|e| StoreError::Failed(Box::new(e)))?
            )),
            None => {
                return Err(StoreError::Failed(
                    "empty answer from the change script".into(),
                ))
            }
        })
    }
}

#[async_trait]
impl Store for RedisStore {
    async fn append(&self, new: NewMessage) -> Result<Appended, StoreError> {
        let keys = self.room(&new.room);
        let mut conn = self.conn.clone();
        let client_id = new.client_id.as_ref().map(|c| c.as_str()).unwrap_or("");
        let (created, seq): (i64, u64) = self
            .append
            .key(keys.seq())
            .key(keys.log())
            .key(keys.order())
            .key(keys.client_ids())
            .key(self.global("rooms"))
            .key(self.global("counts"))
            .arg(new.room.as_str())
            .arg(new.author_id.as_str())
            .arg(new.author.as_str())
            .arg(new.body.as_str())
            .arg(new.sent_at)
            .arg(client_id)
            .arg(keys.message_prefix())
            .arg(self.history)
            .arg(channel(&self.prefix, &new.room))
            .invoke_async(&mut conn)
            .await
            .map_err(classify)?;
        let seq = Seq(seq);
        if created == 1 {
            return Ok(Appended::New(ChatMessage {
                seq,
                room: new.room,
                author_id: new.author_id,
                author: new.author.as_str().to_owned(),
                body: new.body.into_inner(),
                sent_at: new.sent_at,
                edited_at: None,
                deleted: false,
            }));
        }
        let mut earlier = self.load(&new.room, &[seq]).await?;
        earlier
            .remove(&seq)
            .map(Appended::Duplicate)
            .ok_or_else(|| StoreError::Failed("a duplicate's message is gone".into()))
    }

    async fn edit(&self, edit: EditRequest) -> Result<Result<MessageEdit, Refusal>, StoreError> {
        let body = edit.body.as_str().to_owned();
        let changed = self
            .change(&edit.room, edit.target, &edit.by, "edit", &body, edit.at)
            .await?;
        Ok(changed.map(|seq| MessageEdit {
            seq,
            room: edit.room,
            target: edit.target,
            body,
            edited_at: edit.at,
        }))
    }

    async fn delete(
        &self,
        delete: DeleteRequest,
    ) -> Result<Result<MessageDelete, Refusal>, StoreError> {
        let changed = self
            .change(
                &delete.room,
                delete.target,
                &delete.by,
                "delete",
                "",
                delete.at,
            )
            .await?;
        Ok(changed.map(|seq| MessageDelete {
            seq,
            room: delete.room,
            target: delete.target,
            deleted_at: delete.at,
        }))
    }

    async fn read_after(
        &self,
        room: &RoomName,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<LogEvent>, StoreError> {
        self.log_after(room, after, limit).await
    }

    async fn before(
        &self,
        room: &RoomName,
        before: Seq,
        limit: u32,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let keys = self.room(room);
        let mut conn = self.conn.clone();
        let max = format!("({}", before.get());
        let seqs: Vec<u64> = conn
            .zrevrangebyscore_limit(keys.order(), max, "-inf", 0, limit as isize)
            .await
            .map_err(classify)?;
        let seqs: Vec<Seq> = seqs.into_iter().rev().map(Seq).collect();
        let mut messages = self.load(room, &seqs).await?;
        Ok(seqs.iter().filter_map(|seq| messages.remove(seq)).collect())
    }

    async fn last_seq(&self, room: &RoomName) -> Result<Seq, StoreError> {
        let mut conn = self.conn.clone();
        let seq: Option<u64> = conn.get(self.room(room).seq()).await.map_err(classify)?;
        Ok(Seq(seq.unwrap_or(0)))
    }

    async fn rooms(&self, limit: u32) -> Result<Vec<RoomActivity>, StoreError> {
        let mut conn = self.conn.clone();
        let rooms: Vec<(String, i64)> = conn
            .zrevrange_withscores(self.global("rooms"), 0, limit as isize - 1)
            .await
            .map_err(classify)?;
        let names: Vec<&str> = rooms.iter().map(|(name, _)| name.as_str()).collect();
        let counts: Vec<Option<u64>> = if names.is_empty() {
            Vec::new()
        } else {
            conn.hget(self.global("counts"), names)
                .await
                .map_err(classify)?
        };
        Ok(rooms
            .iter()
            .zip(counts.into_iter().chain(std::iter::repeat(None)))
            .filter_map(|((name, last), count)| {
                Some(RoomActivity {
                    room: RoomName::parse(name).ok()?,
                    last_activity: *last,
                    messages: count.unwrap_or(0),
                })
            })
            .collect())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map(|_| ())
            .map_err(classify)
    }
}
