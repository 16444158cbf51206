//! The embedded default: one SQLite file in WAL mode, through sqlx.

mod writer;

use super::{Appended, NewMessage, Store, StoreError};
use crate::domain::{ChatMessage, RoomName, Seq};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{FromRow, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// Messages in a SQLite file. Each append is one `INSERT … SELECT` statement, so assigning the
/// seq and storing the row are one atomic step; appends are committed in groups by one writer
/// task (see `writer`), durably (`synchronous = FULL`), before anyone is answered.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: writer::Writer,
}

#[derive(FromRow)]
pub(super) struct MessageRow {
    room: String,
    seq: i64,
    author: String,
    body: String,
    sent_at: i64,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url`, e.g. `sqlite://data/chat.db`, and
    /// brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if let Some(dir) = database_dir(url) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Failed(Box::new(e)))?;
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(failed)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(classify)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Failed(Box::new(e)))?;
        let writer = writer::Writer::spawn(pool.clone());
        Ok(Self { pool, writer })
    }

    /// Closes every connection; later calls fail as "unavailable".
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn append(&self, message: NewMessage) -> Result<Appended, StoreError> {
        self.writer.append(message).await
    }

    async fn read_after(
        &self,
        room: &RoomName,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let rows: Vec<MessageRow> = sqlx::query_as(
            "SELECT room, seq, author, body, sent_at FROM messages \
             WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(room.as_str())
        .bind(to_sql(after))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(classify)?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn latest(&self, room: &RoomName, limit: u32) -> Result<Vec<ChatMessage>, StoreError> {
        let rows: Vec<MessageRow> = sqlx::query_as(
            "SELECT room, seq, author, body, sent_at FROM messages \
             WHERE room = ? ORDER BY seq DESC LIMIT ?",
        )
        .bind(room.as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(classify)?;
        rows.into_iter().rev().map(TryInto::try_into).collect()
    }

    async fn last_seq(&self, room: &RoomName) -> Result<Seq, StoreError> {
        let (seq,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM messages WHERE room = ?")
                .bind(room.as_str())
                .fetch_one(&self.pool)
                .await
                .map_err(classify)?;
        to_seq(seq)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(classify)
    }
}

impl TryFrom<MessageRow> for ChatMessage {
    type Error = StoreError;

    fn try_from(row: MessageRow) -> Result<Self, StoreError> {
        Ok(ChatMessage {
            seq: to_seq(row.seq)?,
            room: RoomName::parse(&row.room).map_err(|e| StoreError::Failed(Box::new(e)))?,
            author: row.author,
            body: row.body,
            sent_at: row.sent_at,
        })
    }
}

/// The folder a `sqlite:` URL's file lives in, so a fresh checkout needs no set-up.
fn database_dir(url: &str) -> Option<&std::path::Path> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path.starts_with(":memory:") {
        return None;
    }
    std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
}

pub(super) fn to_seq(raw: i64) -> Result<Seq, StoreError> {
    u64::try_from(raw)
        .map(Seq)
        .map_err(|e| StoreError::Failed(Box::new(e)))
}

/// A cursor past anything SQLite can hold reads as "after everything".
fn to_sql(seq: Seq) -> i64 {
    i64::try_from(seq.get()).unwrap_or(i64::MAX)
}

fn failed(e: sqlx::Error) -> StoreError {
    StoreError::Failed(Box::new(e))
}

/// Timeouts and I/O mean "try again later"; anything else is a failure.
pub(super) fn classify(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
            StoreError::Unavailable(Box::new(e))
        }
        other => StoreError::Failed(Box::new(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::database_dir;
    use std::path::Path;

    #[test]
    fn the_database_folder_is_found_in_both_url_forms() {
        assert_eq!(
            database_dir("sqlite://data/chat.db"),
            Some(Path::new("data"))
        );
        assert_eq!(
            database_dir("sqlite:/tmp/x/chat.db?mode=rwc"),
            Some(Path::new("/tmp/x"))
        );
        assert_eq!(database_dir("sqlite::memory:"), None);
        assert_eq!(database_dir("sqlite:chat.db"), None);
    }
}
