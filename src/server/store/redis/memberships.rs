//! The rooms each person has joined: `P:user:{id}:rooms` (room → the newest seq they saw)
//! and `P:user:{id}:notify` (room → what it notifies them of; absent means mentions);
//! and each room's members, `P:{room}:members` (user id → the name the room knows them by),
//! and those of them notified of every message, `P:{room}:notify_every`: how they are
//! written (`room_roster.rs` reads the room's side).
//!
//! The room's members are the authority on access (`append.lua`, `is_member`, search); a
//! person's list only lists. In a cluster the two live on different shards, so each change
//! is two steps: the room's side first, the person's second. Joining writes the room's
//! members first and leaving removes them first: a crash between the steps can leave a room
//! missing from, or lingering in, a sidebar, never a door open (docs/redis-cluster.md).

use super::batch::Batch;
use super::connection::Connection;
use super::decode::classify;
use crate::domain::{NotifyLevel, OnlineUser, RoomName, Seq, UserId};
use crate::server::store::redis_keys::{GlobalKeys, RoomKeys};
use crate::server::store::{Membership, StoreError, MAX_JOINED};
use redis::Cmd;

/// The room's side of a read: the name the room knows them by, unless the room is private
/// and they are not a member (it may have become private since the caller checked).
/// KEYS: 1 the room's members, 2 its private flag. ARGV: 1 id, 2 name.
/// Returns 0 (not a member of a private room), 1 (a public room), 2 (a private one).
const READ_IN_ROOM: &str = r"
local private = redis.call('EXISTS', KEYS[2]) == 1
if private and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if private then return 2 end
return 1";

/// The person's side of a read: the read seq, unless it would move back; a room not in
/// their list is added only when ARGV[3] is '1' (a public room: reading it joins it).
/// KEYS: 1 the person's rooms. ARGV: 1 room, 2 seq, 3 '1' to add.
const READ_BY_PERSON: &str = r"
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old and ARGV[3] ~= '1' then return 0 end
if tonumber(ARGV[2]) > tonumber(old or '-1') then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1";

/// Renames a member of the room, never adding one (they may have left since).
/// KEYS: 1 the room's members. ARGV: 1 id, 2 name.
const RENAME: &str = r"
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 0";

/// The room's side of a notify level: whether a member is notified of every message.
/// KEYS: 1 the room's members, 2 its people notified of every message. ARGV: 1 the
/// person, 2 level. Returns 0 when they are not a member.
const NOTIFY_IN_ROOM: &str = r"
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[2] == 'every' then
  redis.call('SADD', KEYS[2], ARGV[1])
else
  redis.call('SREM', KEYS[2], ARGV[1])
end
return 1";

/// The person's side: the level of a room in their list. KEYS: 1 the person's rooms, 2
/// their levels. ARGV: 1 room, 2 level.
const NOTIFY_BY_PERSON: &str = r"
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
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
    conn: &Connection,
    person: PersonKeys,
    user: &UserId,
    room_keys: impl Fn(&RoomName) -> RoomKeys,
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
    // The list only lists: a room whose members no longer name them (a leave or a removal
    // whose second step was lost, or a join's second step that ran after a removal) is
    // neither shown nor kept.
    let mut member = Batch::new();
    for membership in &rooms {
        member.add(Cmd::hexists(
            room_keys(&membership.room).members(),
            user.as_str(),
        ));
    }
    let member: Vec<bool> = member.query(&conn).await?;
    let (kept, gone): (Vec<_>, Vec<_>) = rooms.into_iter().zip(member).partition(|(_, m)| *m);
    if !gone.is_empty() {
        let gone: Vec<&str> = gone.iter().map(|(m, _)| m.room.as_str()).collect();
        let forgotten: redis::RedisResult<()> = redis::pipe()
            .hdel(&person.rooms, &gone)
            .ignore()
            .hdel(&person.notify, &gone)
            .ignore()
            .query_async(&mut conn)
            .await;
        if let Err(error) = forgotten {
            tracing::warn!(%error, "could not forget rooms a person no longer belongs to");
        }
    }
    Ok(kept.into_iter().map(|(membership, _)| membership).collect())
}

pub(super) async fn mark_read(
    conn: &Connection,
    person: PersonKeys,
    room_keys: &RoomKeys,
    user: &OnlineUser,
    room: &RoomName,
    seq: Seq,
) -> Result<(), StoreError> {
    let mut conn = conn.clone();
    let in_room: i64 = redis::Script::new(READ_IN_ROOM)
        .key(room_keys.members())
        .key(room_keys.private())
        .arg(user.id.as_str())
        .arg(&user.name)
        .invoke_async(&mut conn)
        .await
        .map_err(classify)?;
    if in_room == 0 {
        return Ok(());
    }
    let public = in_room == 1;
    let _: i64 = redis::Script::new(READ_BY_PERSON)
        .key(person.rooms)
        .arg(room.as_str())
        .arg(seq.get())
        .arg(if public { "1" } else { "0" })
        .invoke_async(&mut conn)
        .await
        .map_err(classify)?;
    Ok(())
}

/// Renames the person in each room they joined (at most [`MAX_JOINED`]), one room at a
/// time (each room's members on their own shard in a cluster; renames are rare).
pub(super) async fn rename(
    conn: &Connection,
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
    let script = redis::Script::new(RENAME);
    for room in rooms
        .iter()
        .filter_map(|room| RoomName::parse(room).ok())
        .take(MAX_JOINED)
    {
        let _: i64 = script
            .key(room_keys(&room).members())
            .arg(user.id.as_str())
            .arg(&user.name)
            .invoke_async(&mut conn)
            .await
            .map_err(classify)?;
    }
    Ok(())
}

/// Sets what a joined room notifies; false (nothing set) when they are not its member.
pub(super) async fn set_notify(
    conn: &Connection,
    person: PersonKeys,
    room_keys: &RoomKeys,
    room: &RoomName,
    user: &UserId,
    level: NotifyLevel,
) -> Result<bool, StoreError> {
    let mut conn = conn.clone();
    let member: i64 = redis::Script::new(NOTIFY_IN_ROOM)
        .key(room_keys.members())
        .key(room_keys.notified_of_everything())
        .arg(user.as_str())
        .arg(level.as_str())
        .invoke_async(&mut conn)
        .await
        .map_err(classify)?;
    if member == 0 {
        return Ok(false);
    }
    let _: i64 = redis::Script::new(NOTIFY_BY_PERSON)
        .key(person.rooms)
        .key(person.notify)
        .arg(room.as_str())
        .arg(level.as_str())
        .invoke_async(&mut conn)
        .await
        .map_err(classify)?;
    Ok(true)
}

/// The room's side of leaving. KEYS: 1 the room's members, 2 its private hash, 3 those
/// notified of its every message. ARGV: 1 id. A private room's access version grows when a
/// member leaves, in the same step (streams compare it before sending).
const LEAVE_ROOM: &str = r"
redis.call('SREM', KEYS[3], ARGV[1])
local was = redis.call('HDEL', KEYS[1], ARGV[1])
if was > 0 and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], 'access', 1)
end
return was";

/// Leaves the room: its members first (access ends there), then the person's list.
pub(super) async fn leave(
    conn: &Connection,
    person: PersonKeys,
    room_keys: &RoomKeys,
    user: &UserId,
    room: &RoomName,
) -> Result<(), StoreError> {
    let mut conn = conn.clone();
    let _: i64 = redis::Script::new(LEAVE_ROOM)
        .key(room_keys.members())
        .key(room_keys.private())
        .key(room_keys.notified_of_everything())
        .arg(user.as_str())
        .invoke_async(&mut conn)
        .await
        .map_err(classify)?;
    // Left already (the room decides); a list that still names the room is mended when
    // it is next read (`joined`).
    let listed: redis::RedisResult<()> = redis::pipe()
        .hdel(&person.rooms, room.as_str())
        .ignore()
        .hdel(&person.notify, room.as_str())
        .ignore()
        .query_async(&mut conn)
        .await;
    if let Err(error) = listed {
        tracing::warn!(%error, room = %room, "left the room, but their list still names it");
    }
    Ok(())
}
