//! One read that streams ask often, answered on a plain connection of its own: whether a
//! room is private (an event stream asks it of a room without messages each time it opens,
//! and on every event until the room has one). Through sqlx's pool such a read costs two
//! trips to a connection's thread and back (the query, then the ping sqlx sends as the
//! connection returns to the pool), each a pair of context switches that cost far more than
//! the read; 10,000 streams opening on a room without messages spent about a second of CPU
//! there (docs/benchmarks.md). Here one thread owns a read-only rusqlite connection and
//! answers every read queued when it wakes: one trip, however many ask at once.
//!
//! The read is as fresh as before: each runs after it was asked, on the file itself (WAL:
//! it sees every commit made before it began). After any error the connection is dropped
//! and the next read opens a new one.

use super::faults::classify_sqlite;
use super::link::Opening;
use crate::server::store::StoreError;
use rusqlite::Connection;
use std::sync::mpsc;
use tokio::sync::oneshot;

/// A read to run on the reader's connection.
type Job = Box<dyn FnOnce(Option<&Connection>) + Send>;

/// The handle; the reader's thread ends when the last handle is dropped (or `close`d).
#[derive(Debug)]
pub(super) struct PointReader {
    jobs: std::sync::Mutex<Option<mpsc::Sender<Job>>>,
}

impl PointReader {
    /// Starts the reader's thread; its connection opens at the first read.
    pub(super) fn spawn(opening: Opening) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let started = std::thread::Builder::new()
            .name("sqlite-point-reader".into())
            .spawn(move || serve(&opening, &queue));
        if let Err(error) = started {
            // Its queue is closed: every read answers "unavailable".
            tracing::error!(%error, "could not start the SQLite point reader's thread");
        }
        Self {
            jobs: std::sync::Mutex::new(Some(jobs)),
        }
    }

    /// Runs `read` on the reader's connection and answers what it returned.
    pub(super) async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Some(conn) => read(conn).map_err(Failed::Sqlite),
                None => Err(Failed::NoConnection),
            };
            // The asker may have gone: nothing to tell.
            let _ = answer.send(result);
        });
        let queued = match self.jobs.lock() {
            Ok(jobs) => jobs.as_ref().is_some_and(|jobs| jobs.send(job).is_ok()),
            Err(_) => false,
        };
        if !queued {
            return Err(unavailable("the SQLite point reader is closed"));
        }
        match answered.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(Failed::Sqlite(error))) => Err(classify_sqlite(error)),
            Ok(Err(Failed::NoConnection)) => Err(unavailable("the database could not be opened")),
            Err(_) => Err(unavailable("the SQLite point reader stopped")),
        }
    }

    /// Stops the reader; every later read answers "unavailable".
    pub(super) fn close(&self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
    }
}

enum Failed {
    Sqlite(rusqlite::Error),
    NoConnection,
}

fn unavailable(why: &'static str) -> StoreError {
    StoreError::Unavailable(why.into())
}

/// The reader's thread: runs each read in turn until every handle is gone.
fn serve(opening: &Opening, queue: &mpsc::Receiver<Job>) {
    let mut conn: Option<Connection> = None;
    while let Ok(job) = queue.recv() {
        if conn.is_none() {
            conn = match opening.open_for_reading() {
                Ok(opened) => Some(opened),
                Err(error) => {
                    tracing::warn!(%error, "the SQLite point reader could not open the database");
                    None
                }
            };
        }
        // A read that failed may have left the connection in any state: the next opens anew.
        let healthy = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            job(conn.as_ref());
        }));
        if healthy.is_err() || conn.as_ref().is_some_and(|c| !c.is_autocommit()) {
            conn = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn opening(dir: &std::path::Path) -> Opening {
        Opening {
            path: dir.join("chat.db"),
            max_pages: None,
            busy_timeout: Duration::from_secs(1),
        }
    }

    fn scratch() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "point-reader-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&dir).expect("dir");
        dir
    }

    #[tokio::test]
    async fn reads_what_another_connection_committed_after_the_read_was_asked() {
        let dir = scratch();
        let writer = Connection::open(dir.join("chat.db")).expect("open");
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1);",
            )
            .expect("schema");
        let reader = PointReader::spawn(opening(&dir));
        let count = || {
            reader.read(|conn| {
                conn.query_row("SELECT count(*) FROM t", [], |row| row.get::<_, i64>(0))
            })
        };
        assert_eq!(count().await.expect("reads"), 1);
        writer
            .execute("INSERT INTO t VALUES (2)", [])
            .expect("insert");
        assert_eq!(
            count().await.expect("reads"),
            2,
            "the second read sees the later commit"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_failed_read_is_an_error_and_the_next_read_works() {
        let dir = scratch();
        Connection::open(dir.join("chat.db"))
            .expect("open")
            .execute_batch("CREATE TABLE t (v INTEGER);")
            .expect("schema");
        let reader = PointReader::spawn(opening(&dir));
        let missing = reader
            .read(|conn| {
                conn.query_row("SELECT v FROM no_such_table", [], |row| {
                    row.get::<_, i64>(0)
                })
            })
            .await;
        assert!(matches!(missing, Err(StoreError::Failed(_))), "{missing:?}");
        let fine = reader
            .read(|conn| conn.query_row("SELECT count(*) FROM t", [], |row| row.get::<_, i64>(0)))
            .await;
        assert_eq!(fine.expect("reads"), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_closed_reader_answers_unavailable() {
        let dir = scratch();
        let reader = PointReader::spawn(opening(&dir));
        reader.close();
        let read = reader.read(|_| Ok(())).await;
        assert!(matches!(read, Err(StoreError::Unavailable(_))), "{read:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_database_that_cannot_be_opened_answers_unavailable() {
        let dir = scratch();
        // A folder where the file should be: SQLite cannot open it.
        std::fs::create_dir_all(dir.join("chat.db")).expect("dir");
        let reader = PointReader::spawn(opening(&dir));
        let read = reader.read(|_| Ok(())).await;
        assert!(matches!(read, Err(StoreError::Unavailable(_))), "{read:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
