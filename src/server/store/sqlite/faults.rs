//! SQLite errors sorted into "try again later" (the disk, the file, a lock: the node's
//! trouble, answered 503) and "failed" (a bug or corrupt data, answered 500), with a
//! sentence for the operator.

use crate::server::store::StoreError;

// SQLite's primary result codes (the low byte of an extended code).
const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;
const SQLITE_NOMEM: i64 = 7;
const SQLITE_READONLY: i64 = 8;
const SQLITE_IOERR: i64 = 10;
const SQLITE_FULL: i64 = 13;
const SQLITE_CANTOPEN: i64 = 14;
const SQLITE_PROTOCOL: i64 = 15;

/// Timeouts, I/O, a full disk, a read-only or unopenable file and locks mean "try again
/// later"; anything else is a failure.
pub(in crate::server::store) fn classify(e: sqlx::Error) -> StoreError {
    sorted(fault(&e).is_some(), e)
}

/// What an operator should hear about an error that is the node's trouble, not a bug.
pub(super) fn fault(e: &sqlx::Error) -> Option<&'static str> {
    match e {
        sqlx::Error::PoolTimedOut => Some("no database connection was free in time"),
        sqlx::Error::PoolClosed => Some("the database is closed"),
        sqlx::Error::Io(_) => Some("the database file could not be read or written"),
        sqlx::Error::Database(db) => code_fault(db.code()?.parse().ok()?),
        _ => None,
    }
}

/// The same for the writer's own connection (`link.rs`).
pub(super) fn classify_sqlite(e: rusqlite::Error) -> StoreError {
    sorted(sqlite_fault(&e).is_some(), e)
}

/// "Try again later" for the node's trouble, "failed" for anything else.
fn sorted(node_trouble: bool, e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    if node_trouble {
        StoreError::Unavailable(Box::new(e))
    } else {
        StoreError::Failed(Box::new(e))
    }
}

/// What an operator should hear about an error of the writer's own connection that is the
/// node's trouble, not a bug.
pub(super) fn sqlite_fault(e: &rusqlite::Error) -> Option<&'static str> {
    match e {
        rusqlite::Error::SqliteFailure(failure, _) => code_fault(failure.extended_code.into()),
        _ => None,
    }
}

/// What SQLite's result `code` (primary or extended) means to an operator, if it is the
/// node's trouble.
fn code_fault(code: i64) -> Option<&'static str> {
    match code & 0xff {
        SQLITE_FULL => Some("the disk (or the database's size limit) is full"),
        SQLITE_READONLY => Some("the database file is read-only"),
        SQLITE_IOERR => Some("a disk I/O error occurred"),
        SQLITE_CANTOPEN => Some("the database file cannot be opened"),
        SQLITE_BUSY | SQLITE_LOCKED | SQLITE_PROTOCOL => {
            Some("another process holds the database lock")
        }
        SQLITE_NOMEM => Some("SQLite ran out of memory"),
        _ => None,
    }
}

/// Whether `e` is a UNIQUE or PRIMARY KEY violation on `column`.
pub(super) fn violates(e: &sqlx::Error, column: &str) -> bool {
    matches!(e, sqlx::Error::Database(db)
        if db.is_unique_violation() && db.message().contains(column))
}
