//! `chat backup PATH`: a consistent copy of the SQLite store, taken while a node serves.
//!
//! The copy is SQLite's `VACUUM INTO` on a read-only connection of its own: it reads one
//! snapshot (WAL mode lets the node go on writing meanwhile), so every message acknowledged
//! before the command started is in it, and none is half there. The copy is created
//! owner-only (it holds everything the database does) and is never written over.

use crate::server::node::config::Settings;
use crate::server::store::database_file;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Why a backup was not taken.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "this node keeps its data in Redis: back Redis up with its own means \
         (appendonly files or BGSAVE, docs/operations.md)"
    )]
    RedisStore,
    #[error("{0} exists already: a backup never writes over a file")]
    Exists(PathBuf),
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read the database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("the copy failed: {0}")]
    Copy(sqlx::Error),
    #[error("the copy at {path} does not check out: {detail}")]
    Check { path: PathBuf, detail: String },
}

/// Copies the store the settings name to `path`; the lines to print when it worked.
pub async fn backup(settings: &Settings, path: &Path) -> Result<String, BackupError> {
    if settings.redis_url.is_some() {
        return Err(BackupError::RedisStore);
    }
    // SQLite would read `file:…` as a URI naming another file than the one made below.
    if path.to_string_lossy().starts_with("file:") {
        return Err(BackupError::Create {
            path: path.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "give the copy a plain path, not a file: URI",
            ),
        });
    }
    let url = &settings.database_url;
    let failed = |source| BackupError::Open {
        url: url.clone(),
        source,
    };
    let mut source = SqliteConnectOptions::from_str(url)
        .map_err(failed)?
        .read_only(true)
        .disable_statement_logging()
        .connect()
        .await
        .map_err(failed)?;

    create_owner_only(path)?;
    let copied = sqlx::query("VACUUM INTO ?")
        .bind(path.to_string_lossy().into_owned())
        .execute(&mut source)
        .await;
    let _ = source.close().await;
    if let Err(error) = copied {
        // Leave no empty or partial file that looks like a backup.
        let _ = std::fs::remove_file(path);
        return Err(BackupError::Copy(error));
    }

    let (messages, bytes) = match check(path).await {
        Ok(checked) => checked,
        Err(error) => {
            // A copy that does not check out is no backup: nothing is left that looks like one.
            let _ = std::fs::remove_file(path);
            return Err(error);
        }
    };
    let database = database_file(url).map_or_else(|| url.clone(), |f| f.display().to_string());
    Ok(format!(
        "copied {messages} messages ({bytes} bytes) to {copy}\n\
         To restore: stop the node, put the copy in place as {database} and delete \
         {database}-wal and {database}-shm, then start it. Keep session.key (beside the \
         database) and the uploads directory with the copy.",
        copy = path.display(),
    ))
}

/// An empty file at `path` that only its owner may read, made here so the copy never
/// exists with wider permissions; fails when anything is there already.
fn create_owner_only(path: &Path) -> Result<(), BackupError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(BackupError::Exists(path.to_owned()))
        }
        Err(source) => Err(BackupError::Create {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Opens the copy on its own and checks it: SQLite's integrity check, and how many messages
/// and bytes it holds.
async fn check(path: &Path) -> Result<(i64, u64), BackupError> {
    let failed = |detail: String| BackupError::Check {
        path: path.to_owned(),
        detail,
    };
    let mut copy = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .disable_statement_logging()
        .connect()
        .await
        .map_err(|e| failed(e.to_string()))?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut copy)
        .await
        .map_err(|e| failed(e.to_string()))?;
    if verdict != "ok" {
        return Err(failed(verdict));
    }
    let messages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages")
        .fetch_one(&mut copy)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let _ = copy.close().await;
    let bytes = std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| failed(e.to_string()))?;
    Ok((messages, bytes))
}
