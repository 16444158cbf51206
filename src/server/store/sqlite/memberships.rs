//! The rooms each person has joined, with how far they have read each. Small, rare writes
//! that carry no log event: made on the read pool (SQLite serialises them with the writer's
//! transactions, waiting at most the busy timeout), not through the group-commit writer.

use super::faults::classify;
use super::rows::{to_seq, to_sql};
use crate::domain::{RoomName, Seq, UserId};
use crate::server::store::{StoreError, MAX_JOINED};
use sqlx::SqlitePool;

pub(super) async fn joined(
    pool: &SqlitePool,
    user: &UserId,
) -> Result<Vec<(RoomName, Seq)>, StoreError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT room, read_seq FROM memberships WHERE user_id = ? ORDER BY room LIMIT ?",
    )
    .bind(user.as_str())
    .bind(MAX_JOINED as i64)
    .fetch_all(pool)
    .await
    .map_err(classify)?;
    rows.into_iter()
        .filter_map(|(room, seq)| Some((RoomName::parse(&room).ok()?, seq)))
        .map(|(room, seq)| Ok((room, to_seq(seq)?)))
        .collect()
}

pub(super) async fn mark_read(
    pool: &SqlitePool,
    user: &UserId,
    room: &RoomName,
    seq: Seq,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO memberships (user_id, room, read_seq) VALUES (?, ?, ?) \
         ON CONFLICT (user_id, room) DO UPDATE SET read_seq = MAX(read_seq, excluded.read_seq)",
    )
    .bind(user.as_str())
    .bind(room.as_str())
    .bind(to_sql(seq))
    .execute(pool)
    .await
    .map_err(classify)?;
    Ok(())
}

pub(super) async fn leave(
    pool: &SqlitePool,
    user: &UserId,
    room: &RoomName,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM memberships WHERE user_id = ? AND room = ?")
        .bind(user.as_str())
        .bind(room.as_str())
        .execute(pool)
        .await
        .map_err(classify)?;
    Ok(())
}
