//! The writer's own connection to the database, never shared with the read pool: a plain
//! SQLite connection (rusqlite) that the writer's thread uses directly, so a batch of
//! statements runs without handing each one to another thread and back (sqlx runs every
//! statement on a thread of its connection's own: two context switches a statement).
//!
//! Every transaction on it is `BEGIN IMMEDIATE … COMMIT`. After any failure inside one (a
//! full disk, an I/O error, a failed `COMMIT`) the connection is closed, which rolls back
//! whatever was left open, and the next transaction opens a fresh one. So no connection that
//! may still be inside a failed transaction can ever acknowledge a later write: whether
//! SQLite rolled back by itself or not, closing is certain.

use super::faults::{classify_sqlite, sqlite_fault};
use crate::server::store::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::time::Duration;

/// Statements the writer keeps prepared (it runs about a dozen different ones).
const PREPARED: usize = 32;

/// How the writer opens its connection: the same file and limits as the read pool's.
#[derive(Clone, Debug)]
pub(super) struct Opening {
    pub path: PathBuf,
    /// SQLite's `max_page_count`, when the file's size is capped.
    pub max_pages: Option<u64>,
    /// How long a statement waits for another connection's lock before it fails.
    pub busy_timeout: Duration,
}

impl Opening {
    fn open(&self) -> Result<Connection, rusqlite::Error> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(self.busy_timeout)?;
        conn.set_prepared_statement_cache_capacity(PREPARED);
        // Durable at COMMIT: the acknowledgement waits for the fsync.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
        )?;
        if let Some(pages) = self.max_pages {
            conn.execute_batch(&format!("PRAGMA max_page_count = {pages};"))?;
        }
        Ok(conn)
    }
}

impl Opening {
    /// A read-only connection to the same file (the point reader's, `point_reader.rs`).
    pub(super) fn open_for_reading(&self) -> Result<Connection, rusqlite::Error> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(self.busy_timeout)?;
        conn.set_prepared_statement_cache_capacity(PREPARED);
        Ok(conn)
    }
}

/// A connection opened on demand and discarded after any failed transaction.
pub(super) struct Link {
    opening: Opening,
    conn: Option<Connection>,
}

/// A failed transaction: the error for the callers, and what the operator should hear when
/// it is the node's trouble (disk, file, lock) rather than a bug.
pub(super) struct Failure {
    pub error: StoreError,
    pub fault: Option<&'static str>,
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure {
            fault: sqlite_fault(&e),
            error: classify_sqlite(e),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure { error, fault: None }
    }
}

impl Link {
    pub(super) fn new(opening: Opening) -> Self {
        Self {
            opening,
            conn: None,
        }
    }

    /// `BEGIN IMMEDIATE` on the connection, opening one first if needed. Whatever follows
    /// must end in `commit`, and every result must pass through `settle`.
    pub(super) fn begin(&mut self) -> Result<&Connection, Failure> {
        let conn = match &mut self.conn {
            Some(conn) => conn,
            slot @ None => slot.insert(self.opening.open()?),
        };
        conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        Ok(conn)
    }

    /// `COMMIT`: only once this answers `Ok` is the transaction durable.
    pub(super) fn commit(&mut self) -> Result<(), Failure> {
        let conn = self
            .conn
            .as_ref()
            .ok_or_else(|| Failure::from(StoreError::Failed("commit without begin".into())))?;
        conn.prepare_cached("COMMIT")?.execute([])?;
        Ok(())
    }

    /// Passes a transaction's result on; after a failure, the connection is discarded first.
    pub(super) fn settle<T>(&mut self, result: Result<T, Failure>) -> Result<T, Failure> {
        if result.is_err() {
            self.discard();
        }
        result
    }

    /// Closes the connection (rolling back anything open); the next transaction reopens.
    pub(super) fn discard(&mut self) {
        if let Some(conn) = self.conn.take() {
            // `close` finalizes every statement first (the writer keeps none but its
            // cache), so SQLite has nothing to refuse it for. Were it to fail, the handle
            // would leak with its transaction and lock: writes would then fail as busy
            // (readiness says so) until a restart, and none would be acknowledged.
            if let Err((_conn, error)) = conn.close() {
                tracing::error!(%error, "could not close the writer's failed connection");
            }
        }
    }
}
