//! Private rooms: `P:{room}:private` (creator, invite version) and the set `P:private` of
//! their names (kept out of the room list by `append.lua`); members are the room's
//! `P:{room}:members` and each person's `P:user:{id}:rooms`, as for any room.

use super::decode::classify;
use super::memberships::PersonKeys;
use crate::domain::{OnlineUser, RoomName, UserId};
use crate::server::store::redis_keys::{GlobalKeys, RoomKeys};
use crate::server::store::{Privacy, StoreError};
use redis::aio::ConnectionManager;

/// KEYS: 1 the room's seq, 2 its members, 3 its private hash, 4 the private set, 5 the
/// creator's rooms. ARGV: 1 room, 2 creator id, 3 creator name, 4 at.
const CREATE: &str = r"
for i = 1, 3 do
  if redis.call('EXISTS', KEYS[i]) == 1 then return 0 end
end
redis.call('HSET', KEYS[3], 'creator', ARGV[2], 'version', 1, 'created_at', ARGV[4])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('HSET', KEYS[5], ARGV[1], 0)
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1";

/// KEYS: 1 the room's private hash, 2 its seq, 3 the person's rooms, 4 the room's members.
/// ARGV: 1 room, 2 invite version, 3 id, 4 name.
const JOIN: &str = r"
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[2] then return 0 end
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then
  redis.call('HSET', KEYS[3], ARGV[1], redis.call('GET', KEYS[2]) or '0')
end
redis.call('HSET', KEYS[4], ARGV[3], ARGV[4])
return 1";

/// KEYS: 1 the room's private hash. Returns the new version, or -1 for a public room.
const RENEW: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('HINCRBY', KEYS[1], 'version', 1)";

pub(super) async fn privacy(
    conn: &ConnectionManager,
    keys: &RoomKeys,
) -> Result<Privacy, StoreError> {
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

pub(super) async fn create(
    conn: &ConnectionManager,
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
        .key(globals.private_rooms())
        .key(creator_keys.rooms())
        .arg(room.as_str())
        .arg(creator.id.as_str())
        .arg(&creator.name)
        .arg(at)
        .invoke_async(&mut conn)
        .await
        .map_err(classify)?;
    Ok(created == 1)
}

pub(super) async fn join(
    conn: &ConnectionManager,
    keys: &RoomKeys,
    person: PersonKeys,
    user: &OnlineUser,
    room: &RoomName,
    version: u64,
) -> Result<bool, StoreError> {
    let mut conn = conn.clone();
    let joined: i64 = redis::Script::new(JOIN)
        .key(keys.private())
        .key(keys.seq())
        .key(person.rooms())
        .key(keys.members())
        .arg(room.as_str())
        .arg(version)
        .arg(user.id.as_str())
        .arg(&user.name)
        .invoke_async(&mut conn)
        .await
        .map_err(classify)?;
    Ok(joined == 1)
}

pub(super) async fn renew(
    conn: &ConnectionManager,
    keys: &RoomKeys,
) -> Result<Option<u64>, StoreError> {
    let mut conn = conn.clone();
    let version: i64 = redis::Script::new(RENEW)
        .key(keys.private())
        .invoke_async(&mut conn)
        .await
        .map_err(classify)?;
    Ok(u64::try_from(version).ok())
}

pub(super) async fn is_member(
    conn: &ConnectionManager,
    person: PersonKeys,
    room: &RoomName,
) -> Result<bool, StoreError> {
    let mut conn = conn.clone();
    redis::cmd("HEXISTS")
        .arg(person.rooms())
        .arg(room.as_str())
        .query_async(&mut conn)
        .await
        .map_err(classify)
}
