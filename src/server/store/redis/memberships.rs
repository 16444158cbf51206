//! The rooms each person has joined, with how far they have read each: one hash per person
//! (`P:user:{id}:rooms`, room → read seq).

use super::decode::classify;
use crate::domain::{RoomName, Seq, UserId};
use crate::server::store::{StoreError, MAX_JOINED};
use redis::aio::ConnectionManager;
use redis::AsyncCommands;

/// Sets the read seq unless it would move back.
const MARK_READ: &str = r"
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > old then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 0";

pub(super) async fn joined(
    conn: &ConnectionManager,
    key: String,
) -> Result<Vec<(RoomName, Seq)>, StoreError> {
    let mut conn = conn.clone();
    let all: Vec<(String, u64)> = conn.hgetall(key).await.map_err(classify)?;
    let mut rooms: Vec<(RoomName, Seq)> = all
        .into_iter()
        .filter_map(|(room, seq)| Some((RoomName::parse(&room).ok()?, Seq(seq))))
        .collect();
    rooms.sort();
    rooms.truncate(MAX_JOINED);
    Ok(rooms)
}

pub(super) async fn mark_read(
    conn: &ConnectionManager,
    key: String,
    room: &RoomName,
    seq: Seq,
) -> Result<(), StoreError> {
    let mut conn = conn.clone();
    redis::Script::new(MARK_READ)
        .key(key)
        .arg(room.as_str())
        .arg(seq.get())
        .invoke_async::<i64>(&mut conn)
        .await
        .map_err(classify)?;
    Ok(())
}

pub(super) async fn leave(
    conn: &ConnectionManager,
    key: String,
    room: &RoomName,
) -> Result<(), StoreError> {
    let mut conn = conn.clone();
    let _: i64 = conn.hdel(key, room.as_str()).await.map_err(classify)?;
    Ok(())
}

/// The key of `user`'s joined rooms under `prefix`.
pub(super) fn key(prefix: &str, user: &UserId) -> String {
    crate::server::redis_keys::GlobalKeys(prefix).joined(user.as_str())
}
