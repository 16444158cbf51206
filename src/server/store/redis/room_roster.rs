//! What a room's members hash (`P:{room}:members`: user id → the name the room knows them
//! by) and its set of those notified of every message answer: reads only, each on the
//! room's keys (`memberships.rs` writes them). The members decide access.

use super::connection::Connection;
use super::decode::classify;
use crate::domain::{OnlineUser, UserId};
use crate::server::store::redis_keys::RoomKeys;
use crate::server::store::StoreError;

/// Up to `limit` of those notified of every message of the room.
pub(super) async fn notified_of_everything(
    conn: &Connection,
    room_keys: &RoomKeys,
    limit: u32,
) -> Result<Vec<UserId>, StoreError> {
    let mut conn = conn.clone();
    // Distinct members, at most `limit` (all of them when there are fewer).
    let ids: Vec<String> = redis::cmd("SRANDMEMBER")
        .arg(room_keys.notified_of_everything())
        .arg(limit)
        .query_async(&mut conn)
        .await
        .map_err(classify)?;
    Ok(ids
        .iter()
        .filter_map(|id| UserId::parse(id))
        .take(limit as usize)
        .collect())
}

/// Up to `limit` members (one scan of the hash: for a room of more, some `limit` of them),
/// by name.
pub(super) async fn members(
    conn: &Connection,
    room_keys: &RoomKeys,
    limit: u32,
) -> Result<Vec<OnlineUser>, StoreError> {
    let mut conn = conn.clone();
    let (_cursor, flat): (u64, Vec<String>) = redis::cmd("HSCAN")
        .arg(room_keys.members())
        .arg(0)
        .arg("COUNT")
        .arg(limit)
        .query_async(&mut conn)
        .await
        .map_err(classify)?;
    let mut people: Vec<OnlineUser> = flat
        .chunks_exact(2)
        .filter_map(|pair| {
            Some(OnlineUser {
                id: UserId::parse(&pair[0])?,
                name: pair[1].clone(),
            })
        })
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    people.truncate(limit as usize);
    Ok(people)
}

pub(super) async fn members_among(
    conn: &Connection,
    room_keys: &RoomKeys,
    ids: &[UserId],
) -> Result<Vec<OnlineUser>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = conn.clone();
    let names: Vec<Option<String>> = redis::cmd("HMGET")
        .arg(room_keys.members())
        .arg(ids.iter().map(UserId::as_str).collect::<Vec<_>>())
        .query_async(&mut conn)
        .await
        .map_err(classify)?;
    Ok(ids
        .iter()
        .zip(names)
        .filter_map(|(id, name)| {
            Some(OnlineUser {
                id: id.clone(),
                name: name?,
            })
        })
        .collect())
}

/// Whether `user` is a member of the room: its members decide access.
pub(super) async fn is_member(
    conn: &Connection,
    room_keys: &RoomKeys,
    user: &UserId,
) -> Result<bool, StoreError> {
    let mut conn = conn.clone();
    redis::cmd("HEXISTS")
        .arg(room_keys.members())
        .arg(user.as_str())
        .query_async(&mut conn)
        .await
        .map_err(classify)
}
