//! Group commit. Every write goes through one writer task, which applies everything queued
//! at that moment in one transaction, so one fsync covers many messages. Nobody is answered
//! before the commit: an acknowledged write is on disk. One writer also means the checks
//! of an edit or delete and the write that follows can never interleave with another write,
//! and that committed events reach the hub in seq order.

use super::classify;
use super::rows::{to_seq, to_sql, MessageRow, MESSAGE_COLUMNS};
use crate::domain::{
    ChatMessage, ClientId, LogEvent, MessageDelete, MessageEdit, RoomName, Seq, UserId,
};
use crate::server::hub::Hub;
use crate::server::store::{Appended, DeleteRequest, EditRequest, NewMessage, Refusal, StoreError};
use sqlx::{SqliteConnection, SqlitePool};
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// The most writes one transaction carries.
const MAX_BATCH: usize = 256;
/// Writes waiting for the writer before senders are slowed down.
const QUEUE: usize = 4_096;

/// The handle senders use; the task ends when the last handle is dropped.
#[derive(Clone, Debug)]
pub(super) struct Writer {
    queue: mpsc::Sender<Job>,
    /// Where committed events are published, once the node has a hub.
    hub: Arc<OnceLock<Arc<Hub>>>,
}

enum Write {
    Append(NewMessage),
    Edit(EditRequest),
    Delete(DeleteRequest),
}

enum Written {
    Appended(Appended),
    Edited(Result<MessageEdit, Refusal>),
    Deleted(Result<MessageDelete, Refusal>),
}

impl Written {
    /// The log event this write added, if it added one.
    fn event(&self) -> Option<LogEvent> {
        match self {
            Written::Appended(Appended::New(message)) => Some(LogEvent::Message(message.clone())),
            Written::Edited(Ok(edit)) => Some(LogEvent::Edit(edit.clone())),
            Written::Deleted(Ok(delete)) => Some(LogEvent::Delete(delete.clone())),
            _ => None,
        }
    }
}

struct Job {
    write: Write,
    reply: oneshot::Sender<Result<Written, StoreError>>,
}

impl Writer {
    pub(super) fn spawn(pool: SqlitePool) -> Self {
        let (queue, jobs) = mpsc::channel(QUEUE);
        let hub = Arc::new(OnceLock::new());
        tokio::spawn(run(pool, jobs, hub.clone()));
        Self { queue, hub }
    }

    /// Publishes every later commit to `hub` (the first hub given stays).
    pub(super) fn publish_to(&self, hub: Arc<Hub>) {
        if self.hub.set(hub).is_err() {
            tracing::warn!("the store already publishes to a hub");
        }
    }

    pub(super) async fn append(&self, message: NewMessage) -> Result<Appended, StoreError> {
        match self.submit(Write::Append(message)).await? {
            Written::Appended(appended) => Ok(appended),
            _ => Err(mismatch()),
        }
    }

    pub(super) async fn edit(
        &self,
        edit: EditRequest,
    ) -> Result<Result<MessageEdit, Refusal>, StoreError> {
        match self.submit(Write::Edit(edit)).await? {
            Written::Edited(edited) => Ok(edited),
            _ => Err(mismatch()),
        }
    }

    pub(super) async fn delete(
        &self,
        delete: DeleteRequest,
    ) -> Result<Result<MessageDelete, Refusal>, StoreError> {
        match self.submit(Write::Delete(delete)).await? {
            Written::Deleted(deleted) => Ok(deleted),
            _ => Err(mismatch()),
        }
    }

    async fn submit(&self, write: Write) -> Result<Written, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job { write, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run(pool: SqlitePool, mut jobs: mpsc::Receiver<Job>, hub: Arc<OnceLock<Arc<Hub>>>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match commit(&pool, &batch).await {
            Ok(results) => {
                if let Some(hub) = hub.get() {
                    // Queue order is seq order: streams get the batch in order.
                    results.iter().filter_map(Written::event).for_each(|event| {
                        hub.publish_event(&event);
                    });
                }
                for (job, result) in batch.drain(..).zip(results) {
                    let _ = job.reply.send(Ok(result));
                }
            }
            Err(error) => {
                tracing::warn!(%error, writes = batch.len(), "group commit failed");
                for job in batch.drain(..) {
                    let _ = job.reply.send(Err(error.shared()));
                }
            }
        }
    }
}

/// Applies every job's write in one transaction, in queue order.
async fn commit(pool: &SqlitePool, jobs: &[Job]) -> Result<Vec<Written>, StoreError> {
    let mut tx = pool.begin().await.map_err(classify)?;
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        let result = match &job.write {
            Write::Append(message) => Written::Appended(append(&mut tx, message).await?),
            Write::Edit(edit) => Written::Edited(self::edit(&mut tx, edit).await?),
            Write::Delete(delete) => Written::Deleted(self::delete(&mut tx, delete).await?),
        };
        results.push(result);
    }
    tx.commit().await.map_err(classify)?;
    Ok(results)
}

/// Stores a message unless its `client_id` was seen before in the room, in which case the
/// earlier message is returned and nothing is written.
async fn append(conn: &mut SqliteConnection, message: &NewMessage) -> Result<Appended, StoreError> {
    let client_id = message.client_id.as_ref().map(ClientId::as_str);
    if let Some(client_id) = client_id {
        let earlier: Option<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.room = ? AND m.client_id = ?"
        ))
        .bind(message.room.as_str())
        .bind(client_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(classify)?;
        if let Some(row) = earlier {
            return Ok(Appended::Duplicate(row.try_into()?));
        }
    }
    let seq = log_event(conn, &message.room, "message", None, message.sent_at).await?;
    sqlx::query(
        "INSERT INTO messages (room, seq, author_id, author, body, sent_at, client_id) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(message.room.as_str())
    .bind(to_sql(seq))
    .bind(message.author_id.as_str())
    .bind(message.author.as_str())
    .bind(message.body.as_str())
    .bind(message.sent_at)
    .bind(client_id)
    .execute(&mut *conn)
    .await
    .map_err(classify)?;
    Ok(Appended::New(ChatMessage {
        seq,
        room: message.room.clone(),
        author_id: message.author_id.clone(),
        author: message.author.as_str().to_owned(),
        body: message.body.as_str().to_owned(),
        sent_at: message.sent_at,
        edited_at: None,
        deleted: false,
    }))
}

async fn edit(
    conn: &mut SqliteConnection,
    edit: &EditRequest,
) -> Result<Result<MessageEdit, Refusal>, StoreError> {
    if let Err(refusal) = check_author(conn, &edit.room, edit.target, &edit.by).await? {
        return Ok(Err(refusal));
    }
    let seq = log_event(conn, &edit.room, "edit", Some(edit.target), edit.at).await?;
    sqlx::query("UPDATE messages SET body = ?, edited_at = ? WHERE room = ? AND seq = ?")
        .bind(edit.body.as_str())
        .bind(edit.at)
        .bind(edit.room.as_str())
        .bind(to_sql(edit.target))
        .execute(&mut *conn)
        .await
        .map_err(classify)?;
    Ok(Ok(MessageEdit {
        seq,
        room: edit.room.clone(),
        target: edit.target,
        body: edit.body.as_str().to_owned(),
        edited_at: edit.at,
    }))
}

async fn delete(
    conn: &mut SqliteConnection,
    delete: &DeleteRequest,
) -> Result<Result<MessageDelete, Refusal>, StoreError> {
    if let Err(refusal) = check_author(conn, &delete.room, delete.target, &delete.by).await? {
        return Ok(Err(refusal));
    }
    let seq = log_event(conn, &delete.room, "delete", Some(delete.target), delete.at).await?;
    sqlx::query("UPDATE messages SET body = '', deleted = 1 WHERE room = ? AND seq = ?")
        .bind(delete.room.as_str())
        .bind(to_sql(delete.target))
        .execute(&mut *conn)
        .await
        .map_err(classify)?;
    Ok(Ok(MessageDelete {
        seq,
        room: delete.room.clone(),
        target: delete.target,
        deleted_at: delete.at,
    }))
}

/// Whether `by` may change message `target`: it exists, is theirs, and is not deleted.
async fn check_author(
    conn: &mut SqliteConnection,
    room: &RoomName,
    target: Seq,
    by: &UserId,
) -> Result<Result<(), Refusal>, StoreError> {
    let found: Option<(String, bool)> =
        sqlx::query_as("SELECT author_id, deleted FROM messages WHERE room = ? AND seq = ?")
            .bind(room.as_str())
            .bind(to_sql(target))
            .fetch_optional(&mut *conn)
            .await
            .map_err(classify)?;
    Ok(match found {
        None => Err(Refusal::NotFound),
        Some((author, _)) if author != by.as_str() => Err(Refusal::NotYours),
        Some((_, true)) => Err(Refusal::Deleted),
        Some(_) => Ok(()),
    })
}

/// Appends an event to the room's log with the room's next seq, and returns that seq.
async fn log_event(
    conn: &mut SqliteConnection,
    room: &RoomName,
    kind: &str,
    target: Option<Seq>,
    at: i64,
) -> Result<Seq, StoreError> {
    let (seq,): (i64,) = sqlx::query_as(
        "INSERT INTO events (room, seq, kind, target, at) \
         SELECT ?1, n, ?2, COALESCE(?3, n), ?4 \
         FROM (SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM events WHERE room = ?1) \
         RETURNING seq",
    )
    .bind(room.as_str())
    .bind(kind)
    .bind(target.map(to_sql))
    .bind(at)
    .fetch_one(&mut *conn)
    .await
    .map_err(classify)?;
    to_seq(seq)
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the SQLite writer has stopped".into())
}

fn mismatch() -> StoreError {
    StoreError::Failed("the SQLite writer answered a different kind of write".into())
}
