//! The rooms each person has joined, with how far they have read each, the name the room
//! knows them by and what it notifies them of. Small, rare writes that carry no log event:
//! made on the read pool (SQLite serialises them with the writer's transactions, waiting at
//! most the busy timeout), not through the group-commit writer.

use super::faults::classify;
use super::rows::{to_seq, to_sql};
use crate::domain::{NotifyLevel, OnlineUser, RoomName, Seq, UserId};
use crate::server::store::{Membership, StoreError, MAX_JOINED};
use sqlx::SqlitePool;

pub(super) async fn joined(
    pool: &SqlitePool,
    user: &UserId,
) -> Result<Vec<Membership>, StoreError> {
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT room, read_seq, notify FROM memberships WHERE user_id = ? ORDER BY room LIMIT ?",
    )
    .bind(user.as_str())
    .bind(MAX_JOINED as i64)
    .fetch_all(pool)
    .await
    .map_err(classify)?;
    let mut joined = Vec::with_capacity(rows.len());
    for (room, seq, notify) in rows {
        let Ok(room) = RoomName::parse(&room) else {
            continue;
        };
        joined.push(Membership {
            room,
            read: to_seq(seq)?,
            notify: NotifyLevel::parse(&notify).unwrap_or_default(),
        });
    }
    Ok(joined)
}

pub(super) async fn mark_read(
    pool: &SqlitePool,
    user: &OnlineUser,
    room: &RoomName,
    seq: Seq,
) -> Result<(), StoreError> {
    // Joins only a room that is not private: one that became private since the caller
    // checked (it was empty then) is not joined by a stranger.
    sqlx::query(
        "INSERT INTO memberships (user_id, room, read_seq, name) SELECT ?1, ?2, ?3, ?4 \
         WHERE NOT EXISTS (SELECT 1 FROM private_rooms WHERE room = ?2) \
         OR EXISTS (SELECT 1 FROM memberships WHERE user_id = ?1 AND room = ?2) \
         ON CONFLICT (user_id, room) DO UPDATE SET \
         read_seq = MAX(read_seq, excluded.read_seq), name = excluded.name",
    )
    .bind(user.id.as_str())
    .bind(room.as_str())
    .bind(to_sql(seq))
    .bind(&user.name)
    .execute(pool)
    .await
    .map_err(classify)?;
    Ok(())
}

pub(super) async fn rename(pool: &SqlitePool, user: &OnlineUser) -> Result<(), StoreError> {
    sqlx::query("UPDATE memberships SET name = ? WHERE user_id = ?")
        .bind(&user.name)
        .bind(user.id.as_str())
        .execute(pool)
        .await
        .map_err(classify)?;
    Ok(())
}

pub(super) async fn set_notify(
    pool: &SqlitePool,
    user: &UserId,
    room: &RoomName,
    level: NotifyLevel,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE memberships SET notify = ? WHERE user_id = ? AND room = ?")
        .bind(level.as_str())
        .bind(user.as_str())
        .bind(room.as_str())
        .execute(pool)
        .await
        .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn notified_of_everything(
    pool: &SqlitePool,
    room: &RoomName,
    limit: u32,
) -> Result<Vec<UserId>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE room = ? AND notify = 'every' LIMIT ?",
    )
    .bind(room.as_str())
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(classify)?;
    Ok(ids.iter().filter_map(|id| UserId::parse(id)).collect())
}

pub(super) async fn members(
    pool: &SqlitePool,
    room: &RoomName,
    limit: u32,
) -> Result<Vec<OnlineUser>, StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT user_id, name FROM memberships WHERE room = ? AND name != '' \
         ORDER BY name, user_id LIMIT ?",
    )
    .bind(room.as_str())
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(classify)?;
    Ok(people(rows))
}

pub(super) async fn members_among(
    pool: &SqlitePool,
    room: &RoomName,
    ids: &[UserId],
) -> Result<Vec<OnlineUser>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "SELECT user_id, name FROM memberships WHERE room = ? AND name != '' \
         AND user_id IN ({marks})"
    );
    let mut query = sqlx::query_as(&sql).bind(room.as_str());
    for id in ids {
        query = query.bind(id.as_str());
    }
    let rows: Vec<(String, String)> = query.fetch_all(pool).await.map_err(classify)?;
    let mut found = people(rows);
    // In the order asked.
    found.sort_by_key(|person| ids.iter().position(|id| id == &person.id));
    Ok(found)
}

fn people(rows: Vec<(String, String)>) -> Vec<OnlineUser> {
    rows.into_iter()
        .filter_map(|(id, name)| {
            Some(OnlineUser {
                id: UserId::parse(&id)?,
                name,
            })
        })
        .collect()
}

pub(super) async fn leave(
    pool: &SqlitePool,
    user: &UserId,
    room: &RoomName,
) -> Result<(), StoreError> {
    // One transaction: an open stream that sees the membership gone also sees the new
    // access version, and the other way round.
    let mut tx = pool.begin().await.map_err(classify)?;
    let left = sqlx::query("DELETE FROM memberships WHERE user_id = ? AND room = ?")
        .bind(user.as_str())
        .bind(room.as_str())
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
    if left.rows_affected() > 0 {
        sqlx::query("UPDATE private_rooms SET access_version = access_version + 1 WHERE room = ?")
            .bind(room.as_str())
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
    }
    tx.commit().await.map_err(classify)?;
    Ok(())
}
