//! The Redis store's uploads: each upload's own record and the accounts of them
//! (`upload_records.rs`, global keys), and its claim in its room (`P:{room}:upload:{id}`:
//! owner, and once sent `seq`, or `removed`), beside the room's messages so that
//! `append.lua` checks and claims it in the same step as the message, in a cluster too.
//! The claim is the authority on what may carry an upload and on whether it is removed;
//! the record holds the file and counts the bytes. Recording an upload writes the record
//! (checking both bounds) and then its claim; withdrawing or expiring one marks the claim
//! first; a node that dies between two steps leaves an upload that no message can carry
//! (removed by the sweep), never one carried twice or served after its removal.

use super::decode::classify;
use super::upload_records::{self, FORGET, RECORD};
use super::RedisStore;
use crate::domain::{RoomName, Seq, UploadId, UserId};
use crate::server::store::{StoreError, StoredUpload, UploadBounds, UploadRefusal, Uploads};
use async_trait::async_trait;
use redis::{AsyncCommands, Script};
use std::collections::HashMap;

/// KEYS: 1 the claim. ARGV: 1 the owner. Marks an unsent claim of theirs removed: answers 1,
/// or 0 when it is not theirs, sent or removed already.
const WITHDRAW_CLAIM: &str = r"
local owner, seq, removed = unpack(redis.call('HMGET', KEYS[1], 'owner', 'seq', 'removed'))
if owner ~= ARGV[1] or seq or removed then return 0 end
redis.call('HSET', KEYS[1], 'removed', '1')
return 1
";

/// KEYS: 1 the claim. Ends an unsent claim (no message can carry it after this): answers
/// the seq of the message that carries it, or 0 when it was not sent.
const EXPIRE_CLAIM: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local seq = redis.call('HGET', KEYS[1], 'seq')
if seq then return tonumber(seq) end
redis.call('HSET', KEYS[1], 'removed', '1')
return 0
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
        let mut conn = self.conn.clone();
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
            .invoke_async(&mut conn)
            .await
            .map_err(classify)?;
        match answer {
            0 => {}
            1 => return Ok(Err(UploadRefusal::StorageFull)),
            _ => return Ok(Err(UploadRefusal::TooManyUnsent)),
        }
        // Counted first: a claim never exists for bytes the bounds did not admit.
        conn.hset::<_, _, _, ()>(
            self.room(&upload.room).upload_claim(id),
            "owner",
            upload.owner.as_str(),
        )
        .await
        .map_err(classify)?;
        Ok(Ok(()))
    }

    async fn withdraw_upload(
        &self,
        id: &UploadId,
        owner: &UserId,
        at: i64,
    ) -> Result<bool, StoreError> {
        let Some(room) = self.room_of_upload(id).await? else {
            return Ok(false);
        };
        let withdrawn: i64 = Script::new(WITHDRAW_CLAIM)
            .key(self.room(&room).upload_claim(id.as_str()))
            .arg(owner.as_str())
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        if withdrawn == 0 {
            return Ok(false);
        }
        upload_records::mark_removed(&self.conn, &self.global(), &[id.as_str()], at).await?;
        Ok(true)
    }

    async fn upload(&self, id: &UploadId) -> Result<Option<StoredUpload>, StoreError> {
        let mut conn = self.conn.clone();
        let hash: HashMap<String, String> = conn
            .hgetall(self.global().upload(id.as_str()))
            .await
            .map_err(classify)?;
        if hash.is_empty() {
            return Ok(None);
        }
        let mut upload = stored(hash)
            .ok_or_else(|| StoreError::Failed(format!("upload {id} is unreadable").into()))?;
        // The claim decides: the record's second step may not have run yet (or ever).
        let (seq, removed): (Option<u64>, Option<String>) = redis::cmd("HMGET")
            .arg(self.room(&upload.room).upload_claim(id.as_str()))
            .arg("seq")
            .arg("removed")
            .query_async(&mut conn)
            .await
            .map_err(classify)?;
        upload.message = upload.message.or(seq.map(Seq));
        upload.removed |= removed.is_some();
        Ok(Some(upload))
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
        let limit = limit.max(1);
        let mut conn = self.conn.clone();
        // The unsent ones made before then: each claim is ended first (no message can carry
        // it after this), then its record follows; one a message carries (its sent step
        // lost with a node) is marked sent instead.
        let stale: Vec<String> = conn
            .zrangebyscore_limit(
                keys.uploads_unsent(),
                "-inf",
                format!("({unsent_before}"),
                0,
                limit as isize,
            )
            .await
            .map_err(classify)?;
        for id in stale.iter().filter_map(|id| UploadId::parse(id)) {
            let seq: i64 = match self.room_of_upload(&id).await? {
                Some(room) => Script::new(EXPIRE_CLAIM)
                    .key(self.room(&room).upload_claim(id.as_str()))
                    .invoke_async(&mut conn)
                    .await
                    .map_err(classify)?,
                None => 0,
            };
            match u64::try_from(seq) {
                Ok(seq) if seq > 0 => {
                    upload_records::mark_sent(&self.conn, &keys, &[id.as_str()], seq).await?;
                }
                _ => {
                    upload_records::mark_removed(&self.conn, &keys, &[id.as_str()], unsent_before)
                        .await?;
                }
            }
        }
        let ids: Vec<String> = conn
            .zrange(keys.uploads_removed(), 0, limit as isize - 1)
            .await
            .map_err(classify)?;
        Ok(ids.iter().filter_map(|id| UploadId::parse(id)).collect())
    }

    async fn forget_upload(&self, id: &UploadId) -> Result<(), StoreError> {
        let keys = self.global();
        let room = self.room_of_upload(id).await?;
        Script::new(FORGET)
            .key(keys.upload(id.as_str()))
            .key(keys.uploads_unsent())
            .key(keys.uploads_removed())
            .key(keys.uploads_bytes())
            .key(keys.uploads_unsent_bytes())
            .arg(id.as_str())
            .invoke_async::<()>(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        if let Some(room) = room {
            self.conn
                .clone()
                .del::<_, ()>(self.room(&room).upload_claim(id.as_str()))
                .await
                .map_err(classify)?;
        }
        Ok(())
    }
}

impl RedisStore {
    /// The room an upload was made in, from its record.
    async fn room_of_upload(&self, id: &UploadId) -> Result<Option<RoomName>, StoreError> {
        let room: Option<String> = self
            .conn
            .clone()
            .hget(self.global().upload(id.as_str()), "room")
            .await
            .map_err(classify)?;
        Ok(room.and_then(|room| RoomName::parse(&room).ok()))
    }
}
