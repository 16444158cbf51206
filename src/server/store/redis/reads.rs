//! Reading the log and message state.

use super::batch::Batch;
use super::decode::{classify, message, reactions_len, Shown};
use super::RedisStore;
use crate::domain::{ChatMessage, LogEvent, Quote, RoomName, Seq, UserId};
use crate::server::store::heavy_reads::off_the_workers_if_heavy;
use crate::server::store::log_row::log_event;
use crate::server::store::StoreError;
use redis::{AsyncCommands, Cmd};
use std::collections::HashMap;

/// Which side of a seq a page of messages lies on.
pub(super) enum Direction {
    /// The newest messages before it.
    Before(Seq),
    /// The oldest messages after it.
    After(Seq),
}

impl RedisStore {
    /// Up to `limit` messages on one side of a seq, oldest first, as they are now.
    pub(super) async fn page(
        &self,
        room: &RoomName,
        direction: Direction,
        limit: u32,
        viewer: Option<&UserId>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let order = self.room(room).order();
        let mut conn = self.conn.clone();
        let seqs: Vec<u64> = match direction {
            Direction::Before(before) => {
                let max = format!("({}", before.get());
                let mut seqs: Vec<u64> = conn
                    .zrevrangebyscore_limit(order, max, "-inf", 0, limit as isize)
                    .await
                    .map_err(classify)?;
                seqs.reverse();
                seqs
            }
            Direction::After(after) => {
                let min = format!("({}", after.get());
                conn.zrangebyscore_limit(order, min, "+inf", 0, limit as isize)
                    .await
                    .map_err(classify)?
            }
        };
        let seqs: Vec<Seq> = seqs.into_iter().map(Seq).collect();
        let mut messages = self.load(room, &seqs, Shown::To(viewer.cloned())).await?;
        Ok(seqs.iter().filter_map(|seq| messages.remove(seq)).collect())
    }

    /// Messages `seqs` of `room` as they are now (those still stored), replies with the
    /// quote of the message each answers.
    pub(super) async fn load(
        &self,
        room: &RoomName,
        seqs: &[Seq],
        shown: Shown,
    ) -> Result<HashMap<Seq, ChatMessage>, StoreError> {
        let mut messages = self.load_plain(room, seqs, shown).await?;
        let originals: Vec<Seq> = messages.values().filter_map(|m| m.reply_to).collect();
        if originals.is_empty() {
            return Ok(messages);
        }
        let originals = self.load_plain(room, &originals, Shown::AsSent).await?;
        for message in messages.values_mut() {
            let original = message.reply_to.and_then(|seq| originals.get(&seq));
            message.quote = original.map(Quote::of);
        }
        Ok(messages)
    }

    async fn load_plain(
        &self,
        room: &RoomName,
        seqs: &[Seq],
        shown: Shown,
    ) -> Result<HashMap<Seq, ChatMessage>, StoreError> {
        let keys = self.room(room);
        let mut pipe = Batch::new();
        for seq in seqs {
            pipe.add(Cmd::hgetall(keys.message(*seq)));
        }
        let hashes: Vec<HashMap<String, String>> = pipe.query(&self.conn).await?;
        let stored_bytes = match shown {
            Shown::AsSent => 0,
            Shown::To(_) => reactions_len(&hashes),
        };
        let (room, seqs) = (room.clone(), seqs.to_vec());
        off_the_workers_if_heavy(hashes, stored_bytes, move |hashes| {
            seqs.iter()
                .zip(hashes)
                .filter_map(|(seq, hash)| Some((*seq, message(&room, *seq, hash, &shown)?)))
                .collect()
        })
        .await
    }

    /// Up to `limit` log events after `after`, each with its message's current state.
    pub(super) async fn log_after(
        &self,
        room: &RoomName,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<LogEvent>, StoreError> {
        let keys = self.room(room);
        let mut conn = self.conn.clone();
        let start = format!("({}-0", after.get());
        let entries: redis::streams::StreamRangeReply = conn
            .xrange_count(keys.log(), start, "+", limit)
            .await
            .map_err(classify)?;
        let events: Vec<(Seq, String, Seq, i64, Option<String>)> = entries
            .ids
            .iter()
            .filter_map(|entry| {
                let seq = entry.id.split('-').next()?.parse().ok().map(Seq)?;
                let kind: String = entry.get("kind")?;
                let target: u64 = entry.get("target")?;
                let at: i64 = entry.get("at")?;
                Some((seq, kind, Seq(target), at, entry.get("data")))
            })
            .collect();
        // Each message once, however many events are about it.
        let mut targets: Vec<Seq> = events.iter().map(|e| e.2).collect();
        targets.sort_unstable();
        targets.dedup();
        // Each event carries its message as sent: the reaction events after it rebuild the
        // reactions on the page. A message trimmed away since (history is bounded) leaves
        // its events out.
        let messages = self.load(room, &targets, Shown::AsSent).await?;
        events
            .into_iter()
            .filter_map(|(seq, kind, target, at, data)| {
                let message = messages.get(&target)?.clone();
                Some(log_event(seq, &kind, at, data.as_deref(), message))
            })
            .collect()
    }
}
