//! Uploaded files' bytes: kept through `object_store`, in a local directory by default or
//! in an S3-compatible bucket when several nodes share them (`settings.rs`). An upload is
//! spooled to a temporary file as it arrives (`receive.rs`), so however large it is only
//! one chunk of it is in memory; read (`sniff.rs`, `thumbnail.rs`); a JPEG photo rewritten
//! without its metadata (`metadata.rs`); then copied to its
//! place 5 MiB at a time. Records of uploads (who, which room, which message) are the
//! store's (`store::Uploads`); `janitor.rs` removes the bytes of deleted messages' files
//! and of uploads never sent. Serving them, with ranges, is `http/routes/files.rs`.
//!
//! May import: `settings`, `store`, `metrics`.

pub mod janitor;
pub mod metadata;
pub mod receive;
pub mod settings;
pub mod sniff;
pub mod thumbnail;

use crate::domain::UploadId;
use crate::server::store::UploadBounds;
use bytes::Bytes;
use object_store::buffered::BufWriter;
use object_store::path::Path as ObjectPath;
use object_store::{
    BackoffConfig, ClientOptions, GetOptions, GetRange, GetResult, ObjectStore, ObjectStoreExt,
    RetryConfig,
};
use settings::FileSettings;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How much of a file goes to an S3 bucket at once (its smallest multipart part), and to a
/// directory.
const S3_PART_BYTES: usize = 5 * 1024 * 1024;
/// A bucket that does not answer fails the request within these bounds, so the browser
/// gets a 503 in seconds, not after the client's default of ten retries over three
/// minutes. A request (at most one part, above) may take `S3_REQUEST_TIMEOUT`; no retry
/// starts after `S3_RETRY_WINDOW`.
const S3_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const S3_REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
const S3_RETRY_WINDOW: Duration = Duration::from_secs(10);
const LOCAL_PART_BYTES: usize = 1024 * 1024;

/// Storage failed; the cause is for the log.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error("file storage: {0}")]
    Storage(#[from] object_store::Error),
    #[error("file storage: {0}")]
    Io(#[from] std::io::Error),
}

impl FilesError {
    /// The bytes asked for are not there.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            FilesError::Storage(object_store::Error::NotFound { .. })
        )
    }
}

/// Which of an upload's objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Original,
    Thumbnail,
}

/// The place files are kept, and their limits.
#[derive(Debug, Clone)]
pub struct Files {
    objects: Arc<dyn ObjectStore>,
    /// How much of a file is copied at once (at most twice this is in memory per copy).
    part_bytes: usize,
    /// Where uploads are spooled while they arrive.
    spool: PathBuf,
    pub max_file_bytes: u64,
    pub max_total_bytes: Option<u64>,
    /// The most one person's unsent uploads may take together.
    pub max_unsent_bytes: u64,
    /// How long an upload may send nothing before it is given up.
    pub stall: std::time::Duration,
    /// Places for decoding pictures at once.
    thumbnailing: Arc<tokio::sync::Semaphore>,
}

/// Pictures decoded at once for their thumbnails (each may take 300 MB or more).
const THUMBNAILS_AT_ONCE: usize = 2;
/// Spooled files older than this are left from a process that stopped mid-upload.
const SPOOL_LEFTOVER: std::time::Duration = std::time::Duration::from_secs(60 * 60);

impl Files {
    /// Opens the directory (creating it) or the bucket `settings` name.
    pub fn open(settings: &FileSettings) -> Result<Self, FilesError> {
        let spool = settings.dir.join("spool");
        std::fs::create_dir_all(&spool)?;
        remove_leftovers(&spool);
        let objects: Arc<dyn ObjectStore> = match &settings.s3 {
            Some(s3) => Arc::new(
                object_store::aws::AmazonS3Builder::new()
                    // First: it replaces every client option, `allow_http` among them.
                    .with_client_options(
                        ClientOptions::new()
                            .with_connect_timeout(S3_CONNECT_TIMEOUT)
                            .with_timeout(S3_REQUEST_TIMEOUT),
                    )
                    .with_endpoint(&s3.url)
                    .with_allow_http(s3.url.starts_with("http://"))
                    .with_virtual_hosted_style_request(false)
                    .with_region(&s3.region)
                    .with_bucket_name(&s3.bucket)
                    .with_access_key_id(&s3.access_key_id)
                    .with_secret_access_key(s3.secret_access_key.expose())
                    .with_retry(RetryConfig {
                        backoff: BackoffConfig::default(),
                        max_retries: 2,
                        retry_timeout: S3_RETRY_WINDOW,
                    })
                    .build()?,
            ),
            None => {
                let kept = settings.dir.join("files");
                std::fs::create_dir_all(&kept)?;
                Arc::new(
                    object_store::local::LocalFileSystem::new_with_prefix(kept)?
                        .with_automatic_cleanup(true),
                )
            }
        };
        let part_bytes = match settings.s3 {
            Some(_) => S3_PART_BYTES,
            None => LOCAL_PART_BYTES,
        };
        Ok(Self {
            objects,
            part_bytes,
            spool,
            max_file_bytes: settings.max_file_bytes,
            max_total_bytes: settings.max_total_bytes,
            max_unsent_bytes: settings.unsent_per_person(),
            stall: settings.stall,
            thumbnailing: Arc::new(tokio::sync::Semaphore::new(THUMBNAILS_AT_ONCE)),
        })
    }

    /// A place to decode a picture in, waited for.
    pub async fn thumbnail_slot(&self) -> tokio::sync::OwnedSemaphorePermit {
        self.thumbnailing
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }

    /// The bounds an upload is recorded within.
    pub fn bounds(&self) -> UploadBounds {
        UploadBounds {
            total_bytes: self.max_total_bytes,
            unsent_per_owner: self.max_unsent_bytes,
        }
    }

    /// Where an upload is spooled while it arrives.
    pub fn spool_dir(&self) -> &Path {
        &self.spool
    }

    fn path(id: &UploadId, variant: Variant) -> ObjectPath {
        let folder = match variant {
            Variant::Original => "files",
            Variant::Thumbnail => "thumbs",
        };
        ObjectPath::from(format!("{folder}/{id}"))
    }

    /// Copies the spooled file to its place, a part at a time, and the thumbnail beside it.
    /// On failure nothing of it is left.
    pub async fn keep(
        &self,
        id: &UploadId,
        spooled: &Path,
        thumbnail: Option<Vec<u8>>,
    ) -> Result<(), FilesError> {
        let kept = self.copy(id, spooled).await;
        let kept = match (kept, thumbnail) {
            (Ok(()), Some(thumb)) => self
                .objects
                .put(
                    &Self::path(id, Variant::Thumbnail),
                    Bytes::from(thumb).into(),
                )
                .await
                .map(|_| ())
                .map_err(FilesError::from),
            (kept, _) => kept,
        };
        if kept.is_err() {
            let _ = self.remove(id).await;
        }
        kept
    }

    async fn copy(&self, id: &UploadId, spooled: &Path) -> Result<(), FilesError> {
        let mut file = tokio::fs::File::open(spooled).await?;
        let path = Self::path(id, Variant::Original);
        let mut writer = BufWriter::with_capacity(self.objects.clone(), path, self.part_bytes)
            .with_max_concurrency(1);
        let mut buffer = vec![0u8; 256 * 1024];
        loop {
            let read = match file.read(&mut buffer).await {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) => {
                    let _ = writer.abort().await;
                    return Err(error.into());
                }
            };
            if let Err(error) = writer.write_all(&buffer[..read]).await {
                let _ = writer.abort().await;
                return Err(error.into());
            }
        }
        writer.shutdown().await?;
        Ok(())
    }

    /// The bytes of an upload (or `range` of them: validated against its size first).
    pub async fn get(
        &self,
        id: &UploadId,
        variant: Variant,
        range: Option<Range<u64>>,
    ) -> Result<GetResult, FilesError> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        Ok(self
            .objects
            .get_opts(&Self::path(id, variant), options)
            .await?)
    }

    /// Removes an upload's bytes and thumbnail; what is gone already counts as removed.
    pub async fn remove(&self, id: &UploadId) -> Result<(), FilesError> {
        for variant in [Variant::Original, Variant::Thumbnail] {
            match self.objects.delete(&Self::path(id, variant)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok(())
    }

    /// Whether an upload's bytes are kept (for tests and the janitor's checks).
    pub async fn exists(&self, id: &UploadId) -> Result<bool, FilesError> {
        match self.objects.head(&Self::path(id, Variant::Original)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }
}

/// Removes what a process that stopped mid-upload left in the spool (nodes sharing the
/// directory may be spooling now: only files an hour old go).
fn remove_leftovers(spool: &Path) {
    let Ok(entries) = std::fs::read_dir(spool) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|meta| meta.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > SPOOL_LEFTOVER);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
