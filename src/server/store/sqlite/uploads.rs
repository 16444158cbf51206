//! Upload records in SQLite (`uploads`), and the writer's part: a message claims its
//! uploads in its own transaction, and its deletion marks them for removal.

use super::faults::classify;
use super::link::Failure;
use super::rows::{corrupt, to_seq, to_sql};
use super::SqliteStore;
use crate::domain::{Attachment, RoomName, Seq, UploadId, UserId};
use crate::server::store::{
    NewMessage, Refusal, StoreError, StoredUpload, UploadBounds, UploadRefusal, Uploads,
};
use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};

/// The files `message` may carry, in its order, or why not: each must be recorded, its
/// author's, uploaded to its room, and not sent before (in the writer's transaction, so
/// two messages cannot both claim one).
pub(super) fn claimable(
    conn: &Connection,
    message: &NewMessage,
) -> Result<Result<Vec<Attachment>, Refusal>, Failure> {
    let mut files = Vec::with_capacity(message.attachments.len());
    for id in &message.attachments {
        let found: Option<(String, String, String, Option<i64>)> = conn
            .prepare_cached(
                "SELECT room, owner, file, message_seq FROM uploads \
                 WHERE id = ?1 AND removed_at IS NULL",
            )?
            .query_row(params![id.as_str()], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .optional()?;
        match found {
            Some((room, owner, file, None))
                if room == message.room.as_str() && owner == message.author_id.as_str() =>
            {
                files.push(serde_json::from_str(&file).map_err(corrupt)?);
            }
            _ => return Ok(Err(Refusal::BadAttachment)),
        }
    }
    Ok(Ok(files))
}

/// Message `seq` of `room` carries `ids` from now on.
pub(super) fn claim(
    conn: &Connection,
    room: &RoomName,
    seq: Seq,
    ids: &[UploadId],
) -> Result<(), Failure> {
    for id in ids {
        conn.prepare_cached("UPDATE uploads SET message_seq = ?1 WHERE id = ?2 AND room = ?3")?
            .execute(params![to_sql(seq), id.as_str(), room.as_str()])?;
    }
    Ok(())
}

/// Message `seq` of `room` was deleted at `at`: its files are to go.
pub(super) fn remove_with_message(
    conn: &Connection,
    room: &RoomName,
    seq: Seq,
    at: i64,
) -> Result<(), Failure> {
    conn.prepare_cached("UPDATE uploads SET removed_at = ?1 WHERE room = ?2 AND message_seq = ?3")?
        .execute(params![at, room.as_str(), to_sql(seq)])?;
    Ok(())
}

/// The names of the files message `seq` carries, for its search entry.
pub(super) fn file_names(conn: &Connection, room: &RoomName, seq: Seq) -> Result<String, Failure> {
    let json: Option<String> = conn
        .prepare_cached("SELECT attachments FROM messages WHERE room = ?1 AND seq = ?2")?
        .query_row(params![room.as_str(), to_sql(seq)], |row| row.get(0))
        .optional()?
        .flatten();
    let files: Vec<Attachment> = match json {
        Some(json) => serde_json::from_str(&json).map_err(corrupt)?,
        None => Vec::new(),
    };
    Ok(searchable_names(&files))
}

/// What a message's search entry adds for its files: their names.
pub(super) fn searchable_names(files: &[Attachment]) -> String {
    files
        .iter()
        .map(|file| file.name.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn saturating_i64(bytes: u64) -> i64 {
    i64::try_from(bytes).unwrap_or(i64::MAX)
}

type UploadRow = (String, String, String, i64, Option<i64>, Option<i64>);

fn stored(row: UploadRow) -> Result<StoredUpload, StoreError> {
    let (room, owner, file, created_at, message_seq, removed_at) = row;
    Ok(StoredUpload {
        room: RoomName::parse(&room).map_err(corrupt)?,
        owner: UserId::parse(&owner).ok_or_else(|| corrupt(format!("bad owner {owner:?}")))?,
        file: serde_json::from_str(&file).map_err(corrupt)?,
        created_at,
        message: message_seq.map(to_seq).transpose()?,
        removed: removed_at.is_some(),
    })
}

#[async_trait]
impl Uploads for SqliteStore {
    async fn record_upload(
        &self,
        upload: &StoredUpload,
        bounds: UploadBounds,
    ) -> Result<Result<(), UploadRefusal>, StoreError> {
        let file = serde_json::to_string(&upload.file).map_err(corrupt)?;
        let size = i64::try_from(upload.file.size).map_err(corrupt)?;
        let total = bounds.total_bytes.map(saturating_i64);
        // One statement: SQLite takes the write lock before it reads the sums, so uploads
        // recorded together are counted one after another.
        let inserted = sqlx::query(
            "INSERT INTO uploads (id, room, owner, file, size, created_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6 \
             WHERE (?7 IS NULL OR (SELECT COALESCE(SUM(size), 0) FROM uploads) + ?5 <= ?7) \
             AND (SELECT COALESCE(SUM(size), 0) FROM uploads WHERE owner = ?3 \
                  AND message_seq IS NULL AND removed_at IS NULL) + ?5 <= ?8",
        )
        .bind(upload.file.id.as_str())
        .bind(upload.room.as_str())
        .bind(upload.owner.as_str())
        .bind(file)
        .bind(size)
        .bind(upload.created_at)
        .bind(total)
        .bind(saturating_i64(bounds.unsent_per_owner))
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        if inserted.rows_affected() == 1 {
            return Ok(Ok(()));
        }
        // Which bound it was, asked again: for the refusal's words only.
        let all = self.uploads_bytes().await?;
        Ok(Err(match bounds.total_bytes {
            Some(max) if all.saturating_add(upload.file.size) > max => UploadRefusal::StorageFull,
            _ => UploadRefusal::TooManyUnsent,
        }))
    }

    async fn withdraw_upload(
        &self,
        id: &UploadId,
        owner: &UserId,
        at: i64,
    ) -> Result<bool, StoreError> {
        let marked = sqlx::query(
            "UPDATE uploads SET removed_at = ? WHERE id = ? AND owner = ? \
             AND message_seq IS NULL AND removed_at IS NULL",
        )
        .bind(at)
        .bind(id.as_str())
        .bind(owner.as_str())
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        Ok(marked.rows_affected() == 1)
    }

    async fn upload(&self, id: &UploadId) -> Result<Option<StoredUpload>, StoreError> {
        let row: Option<UploadRow> = sqlx::query_as(
            "SELECT room, owner, file, created_at, message_seq, removed_at FROM uploads \
             WHERE id = ?",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(classify)?;
        row.map(stored).transpose()
    }

    async fn uploads_bytes(&self) -> Result<u64, StoreError> {
        let total: i64 = sqlx::query_scalar("SELECT COALESCE(SUM(size), 0) FROM uploads")
            .fetch_one(&self.pool)
            .await
            .map_err(classify)?;
        Ok(u64::try_from(total).unwrap_or_default())
    }

    async fn uploads_to_remove(
        &self,
        unsent_before: i64,
        limit: u32,
    ) -> Result<Vec<UploadId>, StoreError> {
        // Marked first: a message can no longer claim what is about to go.
        sqlx::query(
            "UPDATE uploads SET removed_at = ? \
             WHERE message_seq IS NULL AND removed_at IS NULL AND created_at < ?",
        )
        .bind(unsent_before)
        .bind(unsent_before)
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM uploads WHERE removed_at IS NOT NULL LIMIT ?")
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(classify)?;
        Ok(ids.iter().filter_map(|id| UploadId::parse(id)).collect())
    }

    async fn forget_upload(&self, id: &UploadId) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM uploads WHERE id = ?")
            .bind(id.as_str())
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        Ok(())
    }
}
