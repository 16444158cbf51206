//! The Redis store's upload records (keys in `redis_keys.rs`): a hash per upload, the
//! unsent ones and the ones to remove as zsets, and a counter of their bytes. A message
//! claims its uploads in `append.lua`; a delete (`change.lua`) or the history trim marks
//! them for removal.

use super::decode::classify;
use super::RedisStore;
use crate::domain::{RoomName, Seq, UploadId, UserId};
use crate::server::store::{StoreError, StoredUpload, Uploads};
use async_trait::async_trait;
use redis::{AsyncCommands, Script};
use std::collections::HashMap;

/// KEYS: 1 the upload, 2 the unsent ones, 3 the byte count. ARGV: id, room, owner, file
/// (JSON), size, created_at.
const RECORD: &str = r"
redis.call('HSET', KEYS[1], 'room', ARGV[2], 'owner', ARGV[3], 'file', ARGV[4],
  'size', ARGV[5], 'created_at', ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
redis.call('INCRBY', KEYS[3], ARGV[5])
";

/// KEYS: 1 the unsent ones, 2 the ones to remove. ARGV: 1 made before (ms), 2 limit,
/// 3 what every upload's key starts with. Marks the unsent uploads made before then as
/// removed (no message can claim them after this), then answers up to `limit` of those to
/// remove.
const TO_REMOVE: &str = r"
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, ARGV[2])) do
  redis.call('HSET', ARGV[3] .. id, 'removed', '1')
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZADD', KEYS[2], ARGV[1], id)
end
return redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[2]) - 1)
";

/// KEYS: 1 the upload, 2 the unsent ones, 3 the ones to remove, 4 the byte count.
/// ARGV: id. Forgets it (its bytes counted out once, however many nodes ask).
const FORGET: &str = r"
local size = redis.call('HGET', KEYS[1], 'size')
if size then
  redis.call('DECRBY', KEYS[4], size)
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
    async fn record_upload(&self, upload: &StoredUpload) -> Result<(), StoreError> {
        let keys = self.global();
        let id = upload.file.id.as_str();
        let file =
            serde_json::to_string(&upload.file).map_err(|e| StoreError::Failed(Box::new(e)))?;
        Script::new(RECORD)
            .key(keys.upload(id))
            .key(keys.uploads_unsent())
            .key(keys.uploads_bytes())
            .arg(id)
            .arg(upload.room.as_str())
            .arg(upload.owner.as_str())
            .arg(file)
            .arg(upload.file.size)
            .arg(upload.created_at)
            .invoke_async::<()>(&mut self.conn.clone())
            .await
            .map_err(classify)
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
        let ids: Vec<String> = Script::new(TO_REMOVE)
            .key(keys.uploads_unsent())
            .key(keys.uploads_removed())
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
            .arg(id.as_str())
            .invoke_async::<()>(&mut self.conn.clone())
            .await
            .map_err(classify)
    }
}
