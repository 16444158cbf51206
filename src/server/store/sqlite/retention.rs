//! Retention on SQLite (see `store/retention.rs`): room by room, the oldest events sent
//! before the horizon are cut a batch at a time, each batch one short transaction on the
//! pool, so the writer's sends wait at most one batch.

use super::faults::classify;
use super::rows::to_seq;
use super::SqliteStore;
use crate::domain::{RoomName, Seq};
use crate::server::store::{Forgotten, Retention, StoreError};
use async_trait::async_trait;
use sqlx::SqlitePool;

/// Events looked at, and at most cut, per transaction.
const BATCH: i64 = 500;

#[async_trait]
impl Retention for SqliteStore {
    async fn forget_before(&self, horizon: i64) -> Result<Forgotten, StoreError> {
        let rooms: Vec<String> = sqlx::query_scalar("SELECT room FROM rooms ORDER BY room")
            .fetch_all(&self.pool)
            .await
            .map_err(classify)?;
        let mut forgotten = Forgotten::default();
        for name in rooms {
            let Ok(room) = RoomName::parse(&name) else {
                continue;
            };
            let (through, messages) = cut_room(&self.pool, &room, horizon).await?;
            if through > Seq::ZERO {
                forgotten.rooms.push((room, through));
                forgotten.messages += messages;
            }
        }
        Ok(forgotten)
    }

    async fn log_cut(&self, room: &RoomName) -> Result<Seq, StoreError> {
        let through: Option<i64> =
            sqlx::query_scalar("SELECT through FROM log_cuts WHERE room = ?")
                .bind(room.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(classify)?;
        through.map_or(Ok(Seq::ZERO), to_seq)
    }
}

/// Cuts `room`'s events sent before `horizon`, batch after batch: the newest seq cut in
/// this pass (`Seq::ZERO`: none) and how many messages went.
async fn cut_room(
    pool: &SqlitePool,
    room: &RoomName,
    horizon: i64,
) -> Result<(Seq, u64), StoreError> {
    let mut through = Seq::ZERO;
    let mut messages = 0;
    loop {
        // The oldest events left, in seq order: they are cut up to the last of them sent
        // before the horizon (times grow with seqs; one out of order only waits a day).
        let oldest: Vec<(i64, i64)> =
            sqlx::query_as("SELECT seq, at FROM events WHERE room = ? ORDER BY seq LIMIT ?")
                .bind(room.as_str())
                .bind(BATCH)
                .fetch_all(pool)
                .await
                .map_err(classify)?;
        let Some(to) = oldest
            .iter()
            .take_while(|(_, at)| *at < horizon)
            .map(|(seq, _)| *seq)
            .last()
        else {
            return Ok((through, messages));
        };
        messages += cut_through(pool, room, to).await?;
        through = to_seq(to)?;
        if oldest.len() < BATCH as usize || oldest.last().is_some_and(|(_, at)| *at >= horizon) {
            return Ok((through, messages));
        }
    }
}

/// One batch's statements, in order, each taking ?1 the room and ?2 the newest seq cut. The
/// first writes, so the transaction takes the write lock at once (waiting for the writer's
/// commit if need be) instead of reading first and failing to upgrade.
const CUT_THROUGH: [&str; 7] = [
    // The room's count of messages not deleted.
    "UPDATE rooms SET messages = MAX(0, messages - \
     (SELECT COUNT(*) FROM messages WHERE room = ?1 AND seq <= ?2 AND deleted = 0)) \
     WHERE room = ?1",
    // Where the room was cut, and the newest seq about to go (read before it goes).
    "INSERT INTO log_cuts (room, through, high) VALUES (?1, ?2, MAX(?2, COALESCE(\
     (SELECT MAX(seq) FROM events WHERE room = ?1 AND kind != 'message' AND target <= ?2), 0))) \
     ON CONFLICT (room) DO UPDATE SET through = MAX(through, excluded.through), \
     high = MAX(high, excluded.high)",
    "DELETE FROM message_search WHERE rowid IN \
     (SELECT search_id FROM messages WHERE room = ?1 AND seq <= ?2 AND search_id IS NOT NULL)",
    // Their files: the janitor removes the bytes.
    "UPDATE uploads SET removed_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 \
     WHERE room = ?1 AND message_seq <= ?2 AND removed_at IS NULL",
    "DELETE FROM messages WHERE room = ?1 AND seq <= ?2",
    "DELETE FROM events WHERE room = ?1 AND seq <= ?2",
    // Later edits, deletes, reactions and pins of the messages that went.
    "DELETE FROM events WHERE room = ?1 AND kind != 'message' AND target <= ?2",
];

/// Which of [`CUT_THROUGH`] removes the messages.
const MESSAGES_DELETE: usize = 4;

/// One transaction: every message and event of `room` up to seq `to`, and all that goes
/// with them ([`CUT_THROUGH`]). How many messages went.
async fn cut_through(pool: &SqlitePool, room: &RoomName, to: i64) -> Result<u64, StoreError> {
    let mut tx = pool.begin().await.map_err(classify)?;
    let mut removed = 0;
    for (n, sql) in CUT_THROUGH.iter().enumerate() {
        let done = sqlx::query(sql)
            .bind(room.as_str())
            .bind(to)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        if n == MESSAGES_DELETE {
            removed = done.rows_affected();
        }
    }
    tx.commit().await.map_err(classify)?;
    Ok(removed)
}
