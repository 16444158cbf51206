//! The writer's own connection to the database, never shared with the read pool.
//!
//! Every transaction on it is `BEGIN IMMEDIATE … COMMIT`. After any failure inside one (a
//! full disk, an I/O error, a failed `COMMIT`) the connection is closed, which rolls back
//! whatever was left open, and the next transaction opens a fresh one. So no connection that
//! may still be inside a failed transaction can ever acknowledge a later write: whether
//! SQLite rolled back by itself or not, closing is certain.

use super::faults::{classify, fault};
use crate::server::store::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::time::Duration;

/// How long closing a connection after a failure may take before it is abandoned.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// A connection opened on demand and discarded after any failed transaction.
pub(super) struct Link {
    options: SqliteConnectOptions,
    conn: Option<SqliteConnection>,
}

/// A failed transaction: the error for the callers, and what the operator should hear when
/// it is the node's trouble (disk, file, lock) rather than a bug.
pub(super) struct Failure {
    pub error: StoreError,
    pub fault: Option<&'static str>,
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Failure {
            fault: fault(&e),
            error: classify(e),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure { error, fault: None }
    }
}

impl Link {
    pub(super) fn new(options: SqliteConnectOptions) -> Self {
        Self {
            options,
            conn: None,
        }
    }

    /// `BEGIN IMMEDIATE` on the connection, opening one first if needed. Whatever follows
    /// must end in `commit`, and every result must pass through `settle`.
    pub(super) async fn begin(&mut self) -> Result<&mut SqliteConnection, Failure> {
        let conn = match &mut self.conn {
            Some(conn) => conn,
            slot @ None => slot.insert(self.options.connect().await?),
        };
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        Ok(conn)
    }

    /// `COMMIT`: only once this answers `Ok` is the transaction durable.
    pub(super) async fn commit(&mut self) -> Result<(), Failure> {
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| Failure::from(StoreError::Failed("commit without begin".into())))?;
        sqlx::query("COMMIT").execute(conn).await?;
        Ok(())
    }

    /// Passes a transaction's result on; after a failure, the connection is discarded first.
    pub(super) async fn settle<T>(&mut self, result: Result<T, Failure>) -> Result<T, Failure> {
        if result.is_err() {
            self.discard().await;
        }
        result
    }

    /// Closes the connection (rolling back anything open); the next transaction reopens.
    pub(super) async fn discard(&mut self) {
        if let Some(conn) = self.conn.take() {
            if tokio::time::timeout(CLOSE_TIMEOUT, conn.close())
                .await
                .is_err()
            {
                tracing::warn!("closing the writer's failed connection timed out; abandoned");
            }
        }
    }
}
