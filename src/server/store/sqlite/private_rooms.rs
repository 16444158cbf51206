//! Private rooms: `private_rooms` (creator and invite version), with their members in
//! `memberships`. Small, rare writes on the read pool, like memberships; the privacy read on
//! the point reader.

use super::faults::classify;
use super::point_reader::PointReader;
use crate::domain::{OnlineUser, RoomName, UserId};
use crate::server::store::{Privacy, StoreError};
use sqlx::SqlitePool;

pub(super) async fn privacy(reader: &PointReader, room: &RoomName) -> Result<Privacy, StoreError> {
    // One read (a stream's connect asks this of a room without messages each time): on the
    // point reader's own connection, not the pool's.
    let asked = room.as_str().to_owned();
    let (creator, version, access, has_messages) = reader
        .read(move |conn| {
            conn.prepare_cached(
                "SELECT p.creator, p.invite_version, p.access_version, \
                 (EXISTS (SELECT 1 FROM events WHERE room = ?1) \
                  OR EXISTS (SELECT 1 FROM log_cuts WHERE room = ?1)) \
                 FROM (SELECT ?1 AS room) AS asked LEFT JOIN private_rooms p ON p.room = asked.room",
            )?
            .query_row([&asked], |row| {
                Ok((
                    row.get::<_, Option<String>>(0)?,
                    row.get::<_, Option<i64>>(1)?,
                    row.get::<_, Option<i64>>(2)?,
                    row.get::<_, bool>(3)?,
                ))
            })
        })
        .await?;
    let Some(creator) = creator else {
        return Ok(Privacy::Public { has_messages });
    };
    let creator = UserId::parse(&creator)
        .ok_or_else(|| StoreError::Failed(format!("bad creator {creator:?}").into()))?;
    Ok(Privacy::Private {
        creator,
        invite_version: version
            .and_then(|version| u64::try_from(version).ok())
            .unwrap_or_default(),
        access_version: access
            .and_then(|version| u64::try_from(version).ok())
            .unwrap_or_default(),
    })
}

pub(super) async fn create(
    pool: &SqlitePool,
    room: &RoomName,
    creator: &OnlineUser,
    at: i64,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await.map_err(classify)?;
    let created = sqlx::query(
        "INSERT INTO private_rooms (room, creator, invite_version, created_at) \
         SELECT ?1, ?2, 1, ?3 \
         WHERE NOT EXISTS (SELECT 1 FROM events WHERE room = ?1) \
         AND NOT EXISTS (SELECT 1 FROM log_cuts WHERE room = ?1) \
         AND NOT EXISTS (SELECT 1 FROM memberships WHERE room = ?1) \
         ON CONFLICT (room) DO NOTHING",
    )
    .bind(room.as_str())
    .bind(creator.id.as_str())
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(classify)?;
    if created.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("INSERT INTO memberships (user_id, room, read_seq, name) VALUES (?, ?, 0, ?)")
        .bind(creator.id.as_str())
        .bind(room.as_str())
        .bind(&creator.name)
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
    tx.commit().await.map_err(classify)?;
    Ok(true)
}

pub(super) async fn join(
    pool: &SqlitePool,
    user: &OnlineUser,
    room: &RoomName,
    version: u64,
) -> Result<bool, StoreError> {
    let joined = sqlx::query(
        "INSERT INTO memberships (user_id, room, read_seq, name) \
         SELECT ?1, ?2, (SELECT COALESCE(MAX(seq), 0) FROM events WHERE room = ?2), ?3 \
         WHERE EXISTS (SELECT 1 FROM private_rooms WHERE room = ?2 AND invite_version = ?4) \
         ON CONFLICT (user_id, room) DO UPDATE SET name = excluded.name",
    )
    .bind(user.id.as_str())
    .bind(room.as_str())
    .bind(&user.name)
    .bind(i64::try_from(version).unwrap_or(i64::MAX))
    .execute(pool)
    .await
    .map_err(classify)?;
    Ok(joined.rows_affected() > 0)
}

pub(super) async fn renew(pool: &SqlitePool, room: &RoomName) -> Result<Option<u64>, StoreError> {
    let version: Option<(i64,)> = sqlx::query_as(
        "UPDATE private_rooms SET invite_version = invite_version + 1 WHERE room = ? \
         RETURNING invite_version",
    )
    .bind(room.as_str())
    .fetch_optional(pool)
    .await
    .map_err(classify)?;
    Ok(version.and_then(|(v,)| u64::try_from(v).ok()))
}

pub(super) async fn is_member(
    pool: &SqlitePool,
    user: &UserId,
    room: &RoomName,
) -> Result<bool, StoreError> {
    let (member,): (bool,) =
        sqlx::query_as("SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = ? AND room = ?)")
            .bind(user.as_str())
            .bind(room.as_str())
            .fetch_one(pool)
            .await
            .map_err(classify)?;
    Ok(member)
}
