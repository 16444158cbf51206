//! Reading the log and message state.

use super::decode::{classify, message};
use super::RedisStore;
use crate::domain::{ChatMessage, LogEvent, RoomName, Seq};
use crate::server::store::log_row::log_event;
use crate::server::store::StoreError;
use redis::AsyncCommands;
use std::collections::HashMap;

impl RedisStore {
    pub(super) async fn load(
        &self,
        room: &RoomName,
        seqs: &[Seq],
    ) -> Result<HashMap<Seq, ChatMessage>, StoreError> {
        let keys = self.room(room);
        let mut pipe = redis::pipe();
        for seq in seqs {
            pipe.hgetall(keys.message(*seq));
        }
        let mut conn = self.conn.clone();
        let hashes: Vec<HashMap<String, String>> =
            pipe.query_async(&mut conn).await.map_err(classify)?;
        Ok(seqs
            .iter()
            .zip(hashes)
            .filter_map(|(seq, hash)| Some((*seq, message(room, *seq, hash)?)))
            .collect())
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
        let events: Vec<(Seq, String, Seq, i64)> = entries
            .ids
            .iter()
            .filter_map(|entry| {
                let seq = entry.id.split('-').next()?.parse().ok().map(Seq)?;
                let kind: String = entry.get("kind")?;
                let target: u64 = entry.get("target")?;
                let at: i64 = entry.get("at")?;
                Some((seq, kind, Seq(target), at))
            })
            .collect();
        let targets: Vec<Seq> = events.iter().map(|e| e.2).collect();
        let messages = self.load(room, &targets).await?;
        // A message trimmed away since (history is bounded) leaves its events out.
        events
            .into_iter()
            .filter_map(|(seq, kind, target, at)| {
                let message = messages.get(&target)?.clone();
                Some(log_event(seq, &kind, at, message))
            })
            .collect()
    }
}
