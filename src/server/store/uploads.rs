//! Records of uploaded files: who uploaded what to which room, and which message carries
//! it once sent. Every [`Store`](super::Store) is also this. The bytes themselves are the
//! file storage's (`server::files`); an upload is recorded once they are kept.
//!
//! A message claims its uploads in its own append (`NewMessage::attachments`): each must be
//! its author's, uploaded to its room, and not sent before, or nothing is stored
//! (`Refusal::BadAttachment`). Deleting the message marks them for removal.

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

#[async_trait]
pub trait Uploads: Send + Sync {
    /// Records an upload whose bytes are kept, not yet sent.
    async fn record_upload(&self, upload: &StoredUpload) -> Result<(), StoreError>;

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
