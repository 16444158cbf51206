//! Private rooms: `P:{room}:private` (creator, invite version) and the set `P:private` of
//! their names (kept out of the room list by `append.lua`); members are the room's
//! `P:{room}:members` (the authority on access) and each person's `P:user:{id}:rooms`, as
//! for any room (memberships.rs says how the two are written).

use super::connection::Connection;
use super::decode::classify;
use super::memberships::PersonKeys;
use crate::domain::{OnlineUser, RoomName, UserId};
use crate::server::store::redis_keys::{GlobalKeys, RoomKeys};
use crate::server::store::{Privacy, StoreError};

/// The room's side of making a private room: only a room that never existed.
/// KEYS: 1 the room's seq, 2 its members, 3 its private hash. ARGV: 1 creator id, 2 creator
/// name, 3 at.
const CREATE: &str = r"
for i = 1, 3 do
  if redis.call('EXISTS', KEYS[i]) == 1 then return 0 end
end
redis.call('HSET', KEYS[3], 'creator', ARGV[1], 'version', 1, 'created_at', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1";

/// The room's side of joining by invite: the member, when the invite is current.
/// KEYS: 1 the room's private hash, 2 its seq, 3 its members. ARGV: 1 invite version, 2 id,
/// 3 name. Returns the room's seq (where their reading starts), or -1 for a stale invite.
const JOIN: &str = r"
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then return -1 end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
return tonumber(redis.call('GET', KEYS[2]) or '0')";

/// KEYS: 1 the room's private hash. Returns the new version, or -1 for a public room.
const RENEW: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('HINCRBY', KEYS[1], 'version', 1)";

pub(super) async fn privacy(conn: &Connection, keys: &RoomKeys) -> Result<Privacy, StoreError> {
    let mut conn = conn.clone();
    type Fields = (Option<String>, Option<u64>, Option<u64>);
    let ((creator, version, access), has_messages): (Fields, bool) = redis::pipe()
        .cmd("HMGET")
        .arg(keys.private())
        .arg("creator")
        .arg("version")
        .arg("access")
        .exists(keys.seq())
        .query_async(&mut conn)
        .await
        .map_err(classify)?;
    Ok(match (creator.and_then(|id| UserId::parse(&id)), version) {
        (Some(creator), Some(invite_version)) => Privacy::Private {
            creator,
            invite_version,
            access_version: access.unwrap_or_default(),
        },
        _ => Privacy::Public { has_messages },
    })
}

/// Makes a private room: the room first (its members decide access), then the set of
/// private rooms and the creator's list.
pub(super) async fn create(
    conn: &Connection,
    keys: &RoomKeys,
    globals: &GlobalKeys<'_>,
    creator_keys: PersonKeys,
    room: &RoomName,
    creator: &OnlineUser,
    at: i64,
) -> Result<bool, StoreError> {
    let mut conn = conn.clone();
    let created: i64 = redis::Script::new(CREATE)
        .key(keys.seq())
        .key(keys.members())
        .key(keys.private())
        .arg(creator.id.as_str())
        .arg(&creator.name)
        .arg(at)
        .invoke_async(&mut conn)
        .await
        .map_err(classify)?;
    if created != 1 {
        return Ok(false);
    }
    let () = redis::pipe()
        .sadd(globals.private_rooms(), room.as_str())
        .ignore()
        .hset(creator_keys.rooms(), room.as_str(), 0)
        .ignore()
        .query_async(&mut conn)
        .await
        .map_err(classify)?;
    Ok(true)
}

/// Joins by invite: the room's members first, then the person's list (where a room already
/// listed keeps its read seq).
pub(super) async fn join(
    conn: &Connection,
    keys: &RoomKeys,
    person: PersonKeys,
    user: &OnlineUser,
    room: &RoomName,
    version: u64,
) -> Result<bool, StoreError> {
    let mut conn = conn.clone();
    let seq: i64 = redis::Script::new(JOIN)
        .key(keys.private())
        .key(keys.seq())
        .key(keys.members())
        .arg(version)
        .arg(user.id.as_str())
        .arg(&user.name)
        .invoke_async(&mut conn)
        .await
        .map_err(classify)?;
    if seq < 0 {
        return Ok(false);
    }
    let _: bool = redis::cmd("HSETNX")
        .arg(person.rooms())
        .arg(room.as_str())
        .arg(seq)
        .query_async(&mut conn)
        .await
        .map_err(classify)?;
    Ok(true)
}

pub(super) async fn renew(conn: &Connection, keys: &RoomKeys) -> Result<Option<u64>, StoreError> {
    let mut conn = conn.clone();
    let version: i64 = redis::Script::new(RENEW)
        .key(keys.private())
        .invoke_async(&mut conn)
        .await
        .map_err(classify)?;
    Ok(u64::try_from(version).ok())
}
