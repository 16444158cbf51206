//! Records of uploaded files: who uploaded what to which room, and which message carries
//! it once sent. Every [`Store`](super::Store) is also this. The bytes themselves are the
//! file storage's (`server::files`); an upload is recorded once they are kept.
//!
//! A message claims its uploads in its own append (`NewMessage::attachments`): each must be
//! its author's, uploaded to its room, and not sent before, or nothing is stored
//! (`Refusal::BadAttachment`). Deleting the message marks them for removal.
//!
//! An upload is recorded before its bytes are kept, within [`UploadBounds`]: the bytes of
//! all files, and of each person's files not sent yet.

use super::StoreError;
use crate::domain::{Attachment, RoomName, Seq, UploadId, UserId};
use async_trait::async_trait;

/// An upload as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUpload {
    pub room: RoomName,
    pub owner: UserId,
    /// The file as a message shows it (its id, name, size, type, image size, addresses).
    pub file: Attachment,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// The message that carries it, once sent.
    pub message: Option<Seq>,
    /// Its message was deleted (or left the bounded history): its bytes are to go.
    pub removed: bool,
}

/// What an upload must fit in to be recorded: checked and counted in one step, so uploads
/// arriving together cannot pass a bound between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadBounds {
    /// The most every recorded upload may take together, in bytes (`None`: no bound).
    pub total_bytes: Option<u64>,
    /// The most one person's uploads not sent yet may take, in bytes.
    pub unsent_per_owner: u64,
}

/// Why an upload was not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadRefusal {
    /// It would take the files past `total_bytes`.
    StorageFull,
    /// Its uploader's unsent files would pass `unsent_per_owner`.
    TooManyUnsent,
}

#[async_trait]
pub trait Uploads: Send + Sync {
    /// Records an upload, not yet sent, if it fits in `bounds` (its bytes are counted from
    /// now on; they are kept after this, and forgotten again if keeping them fails).
    async fn record_upload(
        &self,
        upload: &StoredUpload,
        bounds: UploadBounds,
    ) -> Result<Result<(), UploadRefusal>, StoreError>;

    /// Takes back upload `id` before it is sent, for its `owner`, at `at` (ms since the
    /// epoch): it is marked for removal and no message can claim it. False when it is not
    /// theirs, sent, or gone already.
    async fn withdraw_upload(
        &self,
        id: &UploadId,
        owner: &UserId,
        at: i64,
    ) -> Result<bool, StoreError>;

    /// The upload `id`, if recorded.
    async fn upload(&self, id: &UploadId) -> Result<Option<StoredUpload>, StoreError>;

    /// The bytes of every recorded upload, together.
    async fn uploads_bytes(&self) -> Result<u64, StoreError>;

    /// Up to `limit` uploads whose bytes are to go: their message was deleted, or they were
    /// never sent and were made before `unsent_before` (ms since the epoch; these are
    /// marked first, so no message can claim them any more).
    async fn uploads_to_remove(
        &self,
        unsent_before: i64,
        limit: u32,
    ) -> Result<Vec<UploadId>, StoreError>;

    /// Forgets upload `id`, whose bytes are gone (nothing happens if it is not recorded).
    async fn forget_upload(&self, id: &UploadId) -> Result<(), StoreError>;
}
