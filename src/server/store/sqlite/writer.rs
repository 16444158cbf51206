//! Group commit. Every append goes through one writer task, which stores everything queued
//! at that moment in one transaction, so one fsync covers many messages. Nobody is answered
//! before the commit: an acknowledged message is on disk.

use super::{classify, to_seq, MessageRow};
use crate::domain::{ChatMessage, ClientId};
use crate::server::store::{Appended, NewMessage, StoreError};
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

/// The most appends one transaction carries.
const MAX_BATCH: usize = 256;
/// Appends waiting for the writer before senders are slowed down.
const QUEUE: usize = 4_096;

/// The handle senders use; the task ends when the last handle is dropped.
#[derive(Clone, Debug)]
pub(super) struct Writer {
    queue: mpsc::Sender<Job>,
}

struct Job {
    message: NewMessage,
    reply: oneshot::Sender<Result<Appended, StoreError>>,
}

impl Writer {
    pub(super) fn spawn(pool: SqlitePool) -> Self {
        let (queue, jobs) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, jobs));
        Self { queue }
    }

    pub(super) async fn append(&self, message: NewMessage) -> Result<Appended, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job { message, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run(pool: SqlitePool, mut jobs: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match write(&pool, &batch).await {
            Ok(appended) => {
                for (job, result) in batch.drain(..).zip(appended) {
                    let _ = job.reply.send(Ok(result));
                }
            }
            Err(error) => {
                tracing::warn!(%error, messages = batch.len(), "group commit failed");
                for job in batch.drain(..) {
                    let _ = job.reply.send(Err(error.shared()));
                }
            }
        }
    }
}

/// Stores every job's message in one transaction, in queue order.
async fn write(pool: &SqlitePool, jobs: &[Job]) -> Result<Vec<Appended>, StoreError> {
    let mut tx = pool.begin().await.map_err(classify)?;
    let mut appended = Vec::with_capacity(jobs.len());
    for job in jobs {
        appended.push(insert(&mut tx, &job.message).await?);
    }
    tx.commit().await.map_err(classify)?;
    Ok(appended)
}

/// Assigns the room's next seq and stores the row in one statement; a `client_id` seen
/// before in the room stores nothing and returns the earlier message.
async fn insert(conn: &mut SqliteConnection, message: &NewMessage) -> Result<Appended, StoreError> {
    let client_id = message.client_id.as_ref().map(ClientId::as_str);
    let inserted: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO messages (room, seq, author, body, sent_at, client_id) \
         SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5 FROM messages WHERE room = ?1 \
         ON CONFLICT (room, client_id) WHERE client_id IS NOT NULL DO NOTHING \
         RETURNING seq",
    )
    .bind(message.room.as_str())
    .bind(message.author.as_str())
    .bind(message.body.as_str())
    .bind(message.sent_at)
    .bind(client_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(classify)?;

    match (inserted, client_id) {
        (Some((seq,)), _) => Ok(Appended::New(ChatMessage {
            seq: to_seq(seq)?,
            room: message.room.clone(),
            author: message.author.as_str().to_owned(),
            body: message.body.as_str().to_owned(),
            sent_at: message.sent_at,
        })),
        (None, Some(client_id)) => {
            let row: MessageRow = sqlx::query_as(
                "SELECT room, seq, author, body, sent_at FROM messages \
                 WHERE room = ? AND client_id = ?",
            )
            .bind(message.room.as_str())
            .bind(client_id)
            .fetch_one(&mut *conn)
            .await
            .map_err(classify)?;
            Ok(Appended::Duplicate(row.try_into()?))
        }
        (None, None) => Err(StoreError::Failed(
            "an insert without client_id stored nothing".into(),
        )),
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the SQLite writer has stopped".into())
}
