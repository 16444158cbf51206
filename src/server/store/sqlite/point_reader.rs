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
use std::time::Duration;
use tokio::sync::oneshot;

/// The longest a read waits for its answer before it is "unavailable", as long as the
/// pool's callers wait for a connection: a reader stuck behind a lock does not hold streams.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// Reads waiting for the reader before more are refused as "unavailable" (each stream has
/// at most one privacy read at a time, and the streams of a room share theirs).
const QUEUE: usize = 4_096;

/// A read to run on the reader's connection; `false` when the read failed, after which
/// the connection is dropped.
type Job = Box<dyn FnOnce(Option<&Connection>) -> bool + Send>;

/// The handle; the reader's thread ends when the last handle is dropped (or `close`d).
#[derive(Debug)]
pub(super) struct PointReader {
    jobs: std::sync::Mutex<Option<mpsc::SyncSender<Job>>>,
}

impl PointReader {
    /// Starts the reader's thread; its connection opens at the first read.
    pub(super) fn spawn(opening: Opening) -> Self {
        let (jobs, queue) = mpsc::sync_channel::<Job>(QUEUE);
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
            // Whoever asked has gone (a stream closed, a read timed out): nothing to read.
            if answer.is_closed() {
                return true;
            }
            let result = match conn {
                Some(conn) => read(conn).map_err(Failed::Sqlite),
                None => Err(Failed::NoConnection),
            };
            let kept = result.is_ok();
            // The asker may have gone meanwhile: nothing to tell.
            let _ = answer.send(result);
            kept
        });
        let queued = match self.jobs.lock() {
            Ok(jobs) => jobs.as_ref().is_some_and(|jobs| jobs.try_send(job).is_ok()),
            Err(_) => false,
        };
        if !queued {
            return Err(unavailable("the SQLite point reader is closed or too busy"));
        }
        match tokio::time::timeout(ANSWER_TIMEOUT, answered).await {
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(Ok(Err(Failed::Sqlite(error)))) => Err(classify_sqlite(error)),
            Ok(Ok(Err(Failed::NoConnection))) => {
                Err(unavailable("the database could not be opened"))
            }
            // The read panicked: a bug, not the node's trouble.
            Ok(Err(_)) => Err(StoreError::Failed("the SQLite point read failed".into())),
            Err(_) => Err(unavailable(
                "the SQLite point reader did not answer in time",
            )),
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
    // Said once when the database cannot be opened, again only after it could be.
    let mut said_unopened = false;
    while let Ok(job) = queue.recv() {
        if conn.is_none() {
            match opening.open_for_reading() {
                Ok(opened) => {
                    conn = Some(opened);
                    said_unopened = false;
                }
                Err(error) if !said_unopened => {
                    tracing::warn!(%error, "the SQLite point reader could not open the database");
                    said_unopened = true;
                }
                Err(_) => {}
            }
        }
        let kept = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(conn.as_ref())));
        // A read that failed may have left the connection in any state, and one still
        // inside a statement or a transaction would keep an old snapshot: open anew.
        let stale = conn
            .as_ref()
            .is_some_and(|c| c.is_busy() || !c.is_autocommit());
        if !matches!(kept, Ok(true)) || stale {
            conn = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    async fn each_read_sees_every_commit_made_before_it_was_asked() {
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
    async fn a_read_that_leaves_a_transaction_open_does_not_leave_its_snapshot_to_the_next() {
        let dir = scratch();
        let writer = Connection::open(dir.join("chat.db")).expect("open");
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1);",
            )
            .expect("schema");
        let reader = PointReader::spawn(opening(&dir));
        let count = "SELECT count(*) FROM t";
        // A read that opens a transaction and keeps its snapshot.
        let first = reader
            .read(move |conn| {
                conn.execute_batch("BEGIN")?;
                conn.query_row(count, [], |row| row.get::<_, i64>(0))
            })
            .await;
        assert_eq!(first.expect("reads"), 1);
        writer
            .execute("INSERT INTO t VALUES (2)", [])
            .expect("insert");
        let next = reader
            .read(move |conn| conn.query_row(count, [], |row| row.get::<_, i64>(0)))
            .await;
        assert_eq!(
            next.expect("reads"),
            2,
            "the next read sees the later commit"
        );
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

    // Virtual time: the answer's deadline passes while the reader is still busy for real.
    #[tokio::test(start_paused = true)]
    async fn a_reader_that_does_not_answer_in_time_answers_unavailable() {
        let dir = scratch();
        let reader = PointReader::spawn(opening(&dir));
        let stuck = reader
            .read(|_| {
                std::thread::sleep(Duration::from_millis(300));
                Ok(())
            })
            .await;
        assert!(
            matches!(stuck, Err(StoreError::Unavailable(_))),
            "{stuck:?}"
        );
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
