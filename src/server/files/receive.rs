//! An upload's file part, spooled to a temporary file as it arrives: one chunk at a time
//! in memory, counted against the size limit as it comes (over it, the part is dropped
//! and its file with it: nothing is kept), its first bytes kept to tell what it is.

use crate::error::ChatError;
use axum::extract::multipart::Field;
use std::path::Path;
use tempfile::NamedTempFile;
use tokio::io::AsyncWriteExt;

/// How many of the first bytes are kept to tell what the file is.
const HEAD_BYTES: usize = 16;
use std::time::Duration;

/// A file part, spooled. Dropping it removes the file.
#[derive(Debug)]
pub struct Spooled {
    pub file: NamedTempFile,
    pub size: u64,
    pub head: Vec<u8>,
    /// The name and type the uploader gave.
    pub name: Option<String>,
    pub claimed_type: Option<String>,
}

/// Spools `field` into a new file in `dir`, refusing it past `max_bytes` (413), or once it
/// has sent nothing for `stall` (408).
pub async fn spool(
    mut field: Field<'_>,
    dir: &Path,
    max_bytes: u64,
    stall: Duration,
) -> Result<Spooled, ChatError> {
    let name = field.file_name().map(str::to_owned);
    let claimed_type = field.content_type().map(str::to_owned);
    let file = NamedTempFile::new_in(dir).map_err(internal)?;
    let mut out = tokio::fs::File::from_std(file.reopen().map_err(internal)?);
    let mut size: u64 = 0;
    let mut head = Vec::with_capacity(HEAD_BYTES);
    loop {
        let next = tokio::time::timeout(stall, field.chunk())
            .await
            .map_err(|_| ChatError::TimedOut)?;
        let Some(chunk) = next.map_err(|error| refused(error, max_bytes))? else {
            break;
        };
        size += chunk.len() as u64;
        if size > max_bytes {
            return Err(too_large(max_bytes));
        }
        if head.len() < HEAD_BYTES {
            let wanted = (HEAD_BYTES - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..wanted]);
        }
        out.write_all(&chunk).await.map_err(internal)?;
    }
    out.flush().await.map_err(internal)?;
    Ok(Spooled {
        file,
        size,
        head,
        name,
        claimed_type,
    })
}

/// A short text part (the room's name), read up to `max_bytes` (else 400): a long one is
/// never held whole. Given up after `stall` without a byte (408).
pub async fn short_text(
    mut field: Field<'_>,
    max_bytes: usize,
    stall: Duration,
) -> Result<String, ChatError> {
    let mut text = Vec::new();
    loop {
        let next = tokio::time::timeout(stall, field.chunk())
            .await
            .map_err(|_| ChatError::TimedOut)?;
        let Some(chunk) = next.map_err(|e| ChatError::Malformed(e.body_text()))? else {
            break;
        };
        if text.len() + chunk.len() > max_bytes {
            return Err(ChatError::Malformed(format!(
                "the {} field is too long",
                field.name().unwrap_or("text")
            )));
        }
        text.extend_from_slice(&chunk);
    }
    String::from_utf8(text).map_err(|_| ChatError::Malformed("a field is not UTF-8".into()))
}

/// The refusal of a file over `max_bytes`.
pub fn too_large(max_bytes: u64) -> ChatError {
    ChatError::FileTooLarge(format!(
        "Files can be at most {} MB.",
        max_bytes.div_ceil(1024 * 1024)
    ))
}

/// A multipart body that could not be read: 413 past the body's bound, 400 otherwise.
pub fn refused(error: axum::extract::multipart::MultipartError, max_bytes: u64) -> ChatError {
    if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(max_bytes);
    }
    ChatError::Malformed(error.body_text())
}

fn internal(error: std::io::Error) -> ChatError {
    tracing::error!(%error, "an upload could not be spooled");
    // ENOSPC: the disk is full.
    if error.raw_os_error() == Some(28) {
        return ChatError::StorageFull;
    }
    ChatError::Internal
}
