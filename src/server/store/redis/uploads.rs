//! The Redis store's upload records (keys in `redis_keys.rs`): a hash per upload, the
//! unsent ones and the ones to remove as zsets, a counter of their bytes, and each person's
//! unsent bytes (a hash): recording an upload checks both bounds in the same script. A message
//! claims its uploads in `append.lua`; a delete (`change.lua`) or the history trim marks
//! them for removal.

use super::decode::classify;
use super::RedisStore;
use crate::domain::{RoomName, Seq, UploadId, UserId};
use crate::server::store::{StoreError, StoredUpload, UploadBounds, UploadRefusal, Uploads};
use async_trait::async_trait;
use redis::{AsyncCommands, Script};
use std::collections::HashMap;

/// KEYS: 1 the upload, 2 the unsent ones, 3 the byte count, 4 each person's unsent bytes.
/// ARGV: 1 id, 2 room, 3 owner, 4 file (JSON), 5 size, 6 created_at, 7 the bound on all
/// bytes ('' for none), 8 the bound on the owner's unsent bytes. Answers 0 when recorded,
/// 1 past the bound on all bytes, 2 past the owner's.
const RECORD: &str = r"
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

/// Takes an unsent upload out of its owner's unsent bytes and marks it removed, moving it
/// from the unsent ones to the ones to remove (KEYS 1 and 2 of both scripts below, KEYS[3]
/// each person's unsent bytes; `upload` is its key, `at` the score).
const UNSEND: &str = r"
local function unsend(upload, id, at)
  local owner, size = unpack(redis.call('HMGET', upload, 'owner', 'size'))
  if owner and size and redis.call('HINCRBY', KEYS[3], owner, -tonumber(size)) <= 0 then
    redis.call('HDEL', KEYS[3], owner)
  end
  redis.call('HSET', upload, 'removed', '1')
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZADD', KEYS[2], at, id)
end
";

/// KEYS: 1 the unsent ones, 2 the ones to remove, 3 each person's unsent bytes. ARGV: 1 made
/// before (ms), 2 limit, 3 what every upload's key starts with. Marks the unsent uploads
/// made before then as removed (no message can claim them after this), then answers up to
/// `limit` of those to remove.
const TO_REMOVE: &str = r"
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, ARGV[2])) do
  unsend(ARGV[3] .. id, id, ARGV[1])
end
return redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[2]) - 1)
";

/// KEYS: 1 the unsent ones, 2 the ones to remove, 3 each person's unsent bytes, 4 the
/// upload. ARGV: 1 id, 2 owner, 3 now (ms). Answers 1 when it was the owner's and unsent.
const WITHDRAW: &str = r"
local owner, seq, removed = unpack(redis.call('HMGET', KEYS[4], 'owner', 'seq', 'removed'))
if owner ~= ARGV[2] or seq or removed then
  return 0
end
unsend(KEYS[4], ARGV[1], ARGV[3])
return 1
";

/// KEYS: 1 the upload, 2 the unsent ones, 3 the ones to remove, 4 the byte count, 5 each
/// person's unsent bytes. ARGV: id. Forgets it (its bytes counted out once, however many
/// nodes ask; out of its owner's unsent bytes too if it was neither sent nor removed).
const FORGET: &str = r"
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

fn stored(hash: HashMap<String, String>) -> Option<StoredUpload> {
    Some(StoredUpload {
        room: RoomName::parse(hash.get("room")?).ok()?,
        owner: UserId::parse(hash.get("owner")?)?,
        file: serde_json::from_str(hash.get("file")?).ok()?,
        created_at: hash.get("created_at")?.parse().ok()?,
        message: hash.get("seq").and_then(|seq| seq.parse().ok()).map(Seq),
        removed: hash.contains_key("removed"),
    })
}

#[async_trait]
impl Uploads for RedisStore {
    async fn record_upload(
        &self,
        upload: &StoredUpload,
        bounds: UploadBounds,
    ) -> Result<Result<(), UploadRefusal>, StoreError> {
        let keys = self.global();
        let id = upload.file.id.as_str();
        let file =
            serde_json::to_string(&upload.file).map_err(|e| StoreError::Failed(Box::new(e)))?;
        let answer: i64 = Script::new(RECORD)
            .key(keys.upload(id))
            .key(keys.uploads_unsent())
            .key(keys.uploads_bytes())
            .key(keys.uploads_unsent_bytes())
            .arg(id)
            .arg(upload.room.as_str())
            .arg(upload.owner.as_str())
            .arg(file)
            .arg(upload.file.size)
            .arg(upload.created_at)
            .arg(
                bounds
                    .total_bytes
                    .map(|max| max.to_string())
                    .unwrap_or_default(),
            )
            .arg(bounds.unsent_per_owner)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        Ok(match answer {
            0 => Ok(()),
            1 => Err(UploadRefusal::StorageFull),
            _ => Err(UploadRefusal::TooManyUnsent),
        })
    }

    async fn withdraw_upload(
        &self,
        id: &UploadId,
        owner: &UserId,
        at: i64,
    ) -> Result<bool, StoreError> {
        let keys = self.global();
        let withdrawn: i64 = Script::new(&format!("{UNSEND}{WITHDRAW}"))
            .key(keys.uploads_unsent())
            .key(keys.uploads_removed())
            .key(keys.uploads_unsent_bytes())
            .key(keys.upload(id.as_str()))
            .arg(id.as_str())
            .arg(owner.as_str())
            .arg(at)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        Ok(withdrawn == 1)
    }

    async fn upload(&self, id: &UploadId) -> Result<Option<StoredUpload>, StoreError> {
        let hash: HashMap<String, String> = self
            .conn
            .clone()
            .hgetall(self.global().upload(id.as_str()))
            .await
            .map_err(classify)?;
        if hash.is_empty() {
            return Ok(None);
        }
        stored(hash)
            .map(Some)
            .ok_or_else(|| StoreError::Failed(format!("upload {id} is unreadable").into()))
    }

    async fn uploads_bytes(&self) -> Result<u64, StoreError> {
        let bytes: Option<i64> = self
            .conn
            .clone()
            .get(self.global().uploads_bytes())
            .await
            .map_err(classify)?;
        Ok(bytes
            .and_then(|b| u64::try_from(b).ok())
            .unwrap_or_default())
    }

    async fn uploads_to_remove(
        &self,
        unsent_before: i64,
        limit: u32,
    ) -> Result<Vec<UploadId>, StoreError> {
        let keys = self.global();
        let ids: Vec<String> = Script::new(&format!("{UNSEND}{TO_REMOVE}"))
            .key(keys.uploads_unsent())
            .key(keys.uploads_removed())
            .key(keys.uploads_unsent_bytes())
            .arg(unsent_before)
            .arg(limit.max(1))
            .arg(keys.upload_prefix())
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        Ok(ids.iter().filter_map(|id| UploadId::parse(id)).collect())
    }

    async fn forget_upload(&self, id: &UploadId) -> Result<(), StoreError> {
        let keys = self.global();
        Script::new(FORGET)
            .key(keys.upload(id.as_str()))
            .key(keys.uploads_unsent())
            .key(keys.uploads_removed())
            .key(keys.uploads_bytes())
            .key(keys.uploads_unsent_bytes())
            .arg(id.as_str())
            .invoke_async::<()>(&mut self.conn.clone())
            .await
            .map_err(classify)
    }
}
