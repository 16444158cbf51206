//! Each upload's own record and the accounts of them (global keys, one slot in a cluster):
//! the record by id (`P:upload:{id}`), the unsent ones and the ones to remove as zsets, a
//! counter of their bytes, and each person's unsent bytes. What may carry an upload is its
//! claim in its room (`uploads.rs`); after a room's script claimed or removed files, the node
//! brings their records along here, in a second step that may run twice or late (each
//! record changes once), and that the sweep of unsent uploads runs again for a node that
//! died in between.

use super::connection::Connection;
use super::decode::classify;
use crate::server::store::redis_keys::GlobalKeys;
use crate::server::store::StoreError;
use redis::Script;
use std::sync::LazyLock;

/// KEYS: 1 the upload, 2 the unsent ones, 3 the byte count, 4 each person's unsent bytes.
/// ARGV: 1 id, 2 room, 3 owner, 4 file (JSON), 5 size, 6 created_at, 7 the bound on all
/// bytes ('' for none), 8 the bound on the owner's unsent bytes. Answers 0 when recorded,
/// 1 past the bound on all bytes, 2 past the owner's.
pub(super) const RECORD: &str = r"
local size = tonumber(ARGV[5])
if ARGV[7] ~= '' and tonumber(redis.call('GET', KEYS[3]) or '0') + size > tonumber(ARGV[7]) then
  return 1
end
if tonumber(redis.call('HGET', KEYS[4], ARGV[3]) or '0') + size > tonumber(ARGV[8]) then
  return 2
end
redis.call('HSET', KEYS[1], 'room', ARGV[2], 'owner', ARGV[3], 'file', ARGV[4],
  'size', ARGV[5], 'created_at', ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
redis.call('INCRBY', KEYS[3], size)
redis.call('HINCRBY', KEYS[4], ARGV[3], size)
return 0
";

/// KEYS: 1 the unsent ones, 2 the ones to remove, 3 each person's unsent bytes. ARGV: 1 what
/// every upload's key starts with, 2 the message's seq, 3… the ids it carries. Each record
/// not marked yet names the message and leaves the unsent ones and its owner's unsent bytes.
static SENT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
for i = 3, #ARGV do
  local id = ARGV[i]
  local key = ARGV[1] .. id
  local owner, size, seq, removed = unpack(redis.call('HMGET', key, 'owner', 'size', 'seq', 'removed'))
  if size and not seq and not removed then
    redis.call('HSET', key, 'seq', ARGV[2])
    redis.call('ZREM', KEYS[1], id)
    if owner and redis.call('HINCRBY', KEYS[3], owner, -tonumber(size)) <= 0 then
      redis.call('HDEL', KEYS[3], owner)
    end
  end
end
return 0
",
    )
});

/// KEYS as [`SENT`]. ARGV: 1 what every upload's key starts with, 2 now (ms), 3… ids. Each
/// record not marked yet is marked removed and joins the ones to remove; one never marked
/// sent (withdrawn, expired, or its message's second step lost) leaves the unsent ones and
/// its owner's unsent bytes too. An id whose record is gone leaves the zsets.
static REMOVED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
for i = 3, #ARGV do
  local id = ARGV[i]
  local key = ARGV[1] .. id
  local owner, size, seq, removed = unpack(redis.call('HMGET', key, 'owner', 'size', 'seq', 'removed'))
  if not size then
    redis.call('ZREM', KEYS[1], id)
  elseif not removed then
    if not seq then
      redis.call('ZREM', KEYS[1], id)
      if owner and redis.call('HINCRBY', KEYS[3], owner, -tonumber(size)) <= 0 then
        redis.call('HDEL', KEYS[3], owner)
      end
    end
    redis.call('HSET', key, 'removed', '1')
    redis.call('ZADD', KEYS[2], ARGV[2], id)
  end
end
return 0
",
    )
});

/// KEYS: 1 the upload, 2 the unsent ones, 3 the ones to remove, 4 the byte count, 5 each
/// person's unsent bytes. ARGV: id. Forgets it (its bytes counted out once, however many
/// nodes ask; out of its owner's unsent bytes too if it was neither sent nor removed).
pub(super) const FORGET: &str = r"
local owner, size, seq, removed = unpack(redis.call('HMGET', KEYS[1], 'owner', 'size', 'seq', 'removed'))
if size then
  redis.call('DECRBY', KEYS[4], size)
  if owner and not seq and not removed
      and redis.call('HINCRBY', KEYS[5], owner, -tonumber(size)) <= 0 then
    redis.call('HDEL', KEYS[5], owner)
  end
  redis.call('DEL', KEYS[1])
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
";

/// Marks `ids` sent in message `seq` (after the room's script claimed them).
pub(super) async fn mark_sent(
    conn: &Connection,
    globals: &GlobalKeys<'_>,
    ids: &[&str],
    seq: u64,
) -> Result<(), StoreError> {
    run(&SENT, conn, globals, seq.to_string(), ids).await
}

/// Marks `ids` removed at `at` (their message deleted or gone, or withdrawn, or expired
/// unsent): their bytes go with the next sweep.
pub(super) async fn mark_removed(
    conn: &Connection,
    globals: &GlobalKeys<'_>,
    ids: &[&str],
    at: i64,
) -> Result<(), StoreError> {
    run(&REMOVED, conn, globals, at.to_string(), ids).await
}

async fn run(
    script: &Script,
    conn: &Connection,
    globals: &GlobalKeys<'_>,
    value: String,
    ids: &[&str],
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut call = script.prepare_invoke();
    call.key(globals.uploads_unsent())
        .key(globals.uploads_removed())
        .key(globals.uploads_unsent_bytes())
        .arg(globals.upload_prefix())
        .arg(value);
    for id in ids {
        call.arg(*id);
    }
    let _: i64 = call
        .invoke_async(&mut conn.clone())
        .await
        .map_err(classify)?;
    Ok(())
}
