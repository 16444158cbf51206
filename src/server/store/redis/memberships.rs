//! The rooms each person has joined: `P:user:{id}:rooms` (room → the newest seq they saw)
//! and `P:user:{id}:notify` (room → what it notifies them of; absent means mentions);
//! and each room's members, `P:{room}:members` (user id → the name the room knows them by),
//! and those of them notified of every message, `P:{room}:notify_every`.

use super::batch;
use super::decode::classify;
use crate::domain::{NotifyLevel, OnlineUser, RoomName, Seq, UserId};
use crate::server::store::redis_keys::{GlobalKeys, RoomKeys};
use crate::server::store::{Membership, StoreError, MAX_JOINED};
use redis::aio::ConnectionManager;

/// Sets the read seq unless it would move back, and the name the room knows them by;
/// never joins a private room (one may have become private since the caller checked).
/// KEYS: 1 the person's rooms, 2 the room's members, 3 the room's private flag. ARGV: 1 room,
/// 2 seq, 3 id, 4 name.
const MARK_READ: &str = r"
if redis.call('EXISTS', KEYS[3]) == 1 and redis.call('HEXISTS', KEYS[2], ARGV[3]) == 0 then
  return 0
end
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > old then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
return 0";

/// Sets what a joined room notifies; 0 (nothing set) when the room is not joined.
/// KEYS: 1 the person's rooms, 2 their levels, 3 the room's people notified of every
/// message. ARGV: 1 room, 2 level, 3 the person.
const SET_NOTIFY: &str = r"
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[2] == 'every' then
  redis.call('SADD', KEYS[3], ARGV[3])
else
  redis.call('SREM', KEYS[3], ARGV[3])
end
return 1";

/// The keys of one person's memberships.
pub(super) struct PersonKeys {
    rooms: String,
    notify: String,
}

impl PersonKeys {
    /// Their joined rooms → the newest seq they saw.
    pub(super) fn rooms(&self) -> &str {
        &self.rooms
    }

    pub(super) fn new(globals: &GlobalKeys<'_>, user: &UserId) -> Self {
        Self {
            rooms: globals.joined(user.as_str()),
            notify: globals.notify_levels(user.as_str()),
        }
    }
}

pub(super) async fn joined(
    conn: &ConnectionManager,
    person: PersonKeys,
) -> Result<Vec<Membership>, StoreError> {
    let mut conn = conn.clone();
    let (all, levels): (
        Vec<(String, u64)>,
        std::collections::HashMap<String, String>,
    ) = redis::pipe()
        .hgetall(&person.rooms)
        .hgetall(&person.notify)
        .query_async(&mut conn)
        .await
        .map_err(classify)?;
    let mut rooms: Vec<Membership> = all
        .into_iter()
        .filter_map(|(room, seq)| {
            let notify = levels
                .get(&room)
                .and_then(|level| NotifyLevel::parse(level).ok())
                .unwrap_or_default();
            Some(Membership {
                room: RoomName::parse(&room).ok()?,
                read: Seq(seq),
                notify,
            })
        })
        .collect();
    rooms.sort_by(|a, b| a.room.cmp(&b.room));
    rooms.truncate(MAX_JOINED);
    Ok(rooms)
}

pub(super) async fn mark_read(
    conn: &ConnectionManager,
    person: PersonKeys,
    room_keys: &RoomKeys,
    user: &OnlineUser,
    room: &RoomName,
    seq: Seq,
) -> Result<(), StoreError> {
    let mut conn = conn.clone();
    redis::Script::new(MARK_READ)
        .key(person.rooms)
        .key(room_keys.members())
        .key(room_keys.private())
        .arg(room.as_str())
        .arg(seq.get())
        .arg(user.id.as_str())
        .arg(&user.name)
        .invoke_async::<i64>(&mut conn)
        .await
        .map_err(classify)?;
    Ok(())
}

/// Renames the person in each room they joined (at most [`MAX_JOINED`]).
pub(super) async fn rename(
    conn: &ConnectionManager,
    person: PersonKeys,
    user: &OnlineUser,
    room_keys: impl Fn(&RoomName) -> RoomKeys,
) -> Result<(), StoreError> {
    let mut conn = conn.clone();
    let rooms: Vec<String> = redis::cmd("HKEYS")
        .arg(&person.rooms)
        .query_async(&mut conn)
        .await
        .map_err(classify)?;
    let mut pipe = redis::pipe();
    for room in rooms
        .iter()
        .filter_map(|room| RoomName::parse(room).ok())
        .take(MAX_JOINED)
    {
        pipe.hset(room_keys(&room).members(), user.id.as_str(), &user.name)
            .ignore();
    }
    let () = batch::query(&pipe, &conn).await?;
    Ok(())
}

pub(super) async fn set_notify(
    conn: &ConnectionManager,
    person: PersonKeys,
    room_keys: &RoomKeys,
    room: &RoomName,
    user: &UserId,
    level: NotifyLevel,
) -> Result<bool, StoreError> {
    let mut conn = conn.clone();
    let set: i64 = redis::Script::new(SET_NOTIFY)
        .key(person.rooms)
        .key(person.notify)
        .key(room_keys.notified_of_everything())
        .arg(room.as_str())
        .arg(level.as_str())
        .arg(user.as_str())
        .invoke_async(&mut conn)
        .await
        .map_err(classify)?;
    Ok(set == 1)
}

/// Up to `limit` of those notified of every message of the room.
pub(super) async fn notified_of_everything(
    conn: &ConnectionManager,
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
    conn: &ConnectionManager,
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
    conn: &ConnectionManager,
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

/// KEYS: 1 the person's rooms, 2 their notify levels, 3 the room's members, 4 its private
/// hash, 5 those notified of its every message. ARGV: 1 room, 2 id. A private room's access version grows when a member leaves,
/// in the same step (streams compare it before sending).
const LEAVE: &str = r"
local was = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[5], ARGV[2])
was = was + redis.call('HDEL', KEYS[3], ARGV[2])
if was > 0 and redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('HINCRBY', KEYS[4], 'access', 1)
end
return was";

pub(super) async fn leave(
    conn: &ConnectionManager,
    person: PersonKeys,
    room_keys: &RoomKeys,
    user: &UserId,
    room: &RoomName,
) -> Result<(), StoreError> {
    let mut conn = conn.clone();
    let _: i64 = redis::Script::new(LEAVE)
        .key(&person.rooms)
        .key(&person.notify)
        .key(room_keys.members())
        .key(room_keys.private())
        .key(room_keys.notified_of_everything())
        .arg(room.as_str())
        .arg(user.as_str())
        .invoke_async(&mut conn)
        .await
        .map_err(classify)?;
    Ok(())
}
