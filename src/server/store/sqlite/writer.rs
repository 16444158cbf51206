//! Group commit. Every write goes through one writer task, which applies everything queued
//! at that moment in one transaction, so one fsync covers many messages. Nobody is answered
//! before the commit: an acknowledged write is on disk. One writer also means the checks
//! of an edit or delete and the write that follows can never interleave with another write,
//! and that committed events reach the hub in seq order.
//!
//! Under faults: the writer owns its connection (`link`), discarded after any failure; a
//! failed batch answers every write in it with an error; the writer records the trouble in
//! `WriteHealth` (readiness fails) and, while idle, probes with a small write every second
//! so it recovers by itself when space returns. A caller waits at most `ANSWER_TIMEOUT`.
//! If the task panics, a supervisor restarts it; the writes of that batch are answered as
//! unavailable (dropped replies), never as stored.

use super::link::{Failure, Link};
use super::writes;
use crate::domain::{LogEvent, MessageDelete, MessageEdit};
use crate::server::hub::Hub;
use crate::server::store::{
    Appended, DeleteRequest, EditRequest, NewMessage, Refusal, StoreError, WriteHealth,
};
use futures::FutureExt;
use sqlx::sqlite::SqliteConnectOptions;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// The most writes one transaction carries.
const MAX_BATCH: usize = 256;
/// Writes waiting for the writer before senders are slowed down.
const QUEUE: usize = 4_096;
/// The longest a sender waits for its write to be committed before it is answered
/// "unavailable" (the write may still commit later; a retry with the same `client_id` then
/// finds it).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// While writes fail and none arrive, how often the writer tries a small write to find out
/// whether the trouble is over.
const PROBE_EVERY: Duration = Duration::from_secs(1);

/// The handle senders use; the task ends when the last handle is dropped.
#[derive(Clone, Debug)]
pub(super) struct Writer {
    queue: mpsc::Sender<Job>,
    /// Where committed events are published, once the node has a hub.
    hub: Arc<OnceLock<Arc<Hub>>>,
    health: WriteHealth,
    closed: CancellationToken,
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
    /// Starts the writer task on its own connection to the database `options` name.
    pub(super) fn spawn(options: SqliteConnectOptions) -> Self {
        let (queue, jobs) = mpsc::channel(QUEUE);
        let hub = Arc::new(OnceLock::new());
        let health = WriteHealth::default();
        let closed = CancellationToken::new();
        tokio::spawn(supervise(
            jobs,
            options,
            Outputs {
                hub: hub.clone(),
                health: health.clone(),
                closed: closed.clone(),
            },
        ));
        Self {
            queue,
            hub,
            health,
            closed,
        }
    }

    /// Stops the writer and closes its connection; every later write is "unavailable".
    pub(super) fn close(&self) {
        self.closed.cancel();
    }

    /// Publishes every later commit to `hub` (the first hub given stays).
    pub(super) fn publish_to(&self, hub: Arc<Hub>) {
        if self.hub.set(hub).is_err() {
            tracing::warn!("the store already publishes to a hub");
        }
    }

    /// Whether writes work, as the last commit or probe found.
    pub(super) fn health(&self) -> &WriteHealth {
        &self.health
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
        if self.closed.is_cancelled() {
            return Err(stopped());
        }
        let (reply, answer) = oneshot::channel();
        let queued = async {
            self.queue
                .send(Job { write, reply })
                .await
                .map_err(|_| stopped())?;
            answer.await.map_err(|_| stopped())?
        };
        tokio::time::timeout(ANSWER_TIMEOUT, queued)
            .await
            .unwrap_or_else(|_| {
                Err(StoreError::Unavailable(
                    format!("the SQLite writer did not answer within {ANSWER_TIMEOUT:?}").into(),
                ))
            })
    }
}

/// What the writer task shares with its handles: where committed events go, whether
/// writes work, and whether the store was closed.
struct Outputs {
    hub: Arc<OnceLock<Arc<Hub>>>,
    health: WriteHealth,
    closed: CancellationToken,
}

/// Runs the writer until every handle is dropped, restarting it (with a fresh connection)
/// if it panics.
async fn supervise(mut jobs: mpsc::Receiver<Job>, options: SqliteConnectOptions, outputs: Outputs) {
    loop {
        let mut link = Link::new(options.clone());
        let run = AssertUnwindSafe(run(&mut jobs, &mut link, &outputs));
        match run.catch_unwind().await {
            Ok(()) => return,
            Err(_) => {
                tracing::error!("the SQLite writer crashed; restarting it");
                outputs
                    .health
                    .failing("the writer crashed and is restarting");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn run(jobs: &mut mpsc::Receiver<Job>, link: &mut Link, outputs: &Outputs) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        let received = tokio::select! {
            biased;
            () = outputs.closed.cancelled() => 0,
            received = jobs.recv_many(&mut batch, MAX_BATCH) => received,
            () = tokio::time::sleep(PROBE_EVERY), if outputs.health.is_failing() => {
                let probed = probe(link).await;
                let probed = link.settle(probed).await;
                record(&outputs.health, probed.as_ref().err());
                continue;
            }
        };
        if received == 0 {
            // Closed, or every handle dropped: queued writes are answered "unavailable".
            link.discard().await;
            return;
        }
        match commit(link, &batch).await {
            Ok(results) => finish(batch.drain(..), results, outputs),
            // One write that breaks a rule of the database (a bug, not the disk) must not
            // fail the others: retry each alone.
            Err(failure) if failure.fault.is_none() && batch.len() > 1 => {
                tracing::warn!(error = %failure.error, writes = batch.len(), "group commit failed; retrying each write alone");
                for job in batch.drain(..) {
                    let single = std::slice::from_ref(&job);
                    match commit(link, single).await {
                        Ok(results) => finish(std::iter::once(job), results, outputs),
                        Err(failure) => fail(std::iter::once(job), &failure, outputs),
                    }
                }
            }
            Err(failure) => fail(batch.drain(..), &failure, outputs),
        }
    }
}

/// Applies every job's write in one transaction, in queue order.
async fn commit(link: &mut Link, jobs: &[Job]) -> Result<Vec<Written>, Failure> {
    let applied = apply(link, jobs).await;
    link.settle(applied).await
}

async fn apply(link: &mut Link, jobs: &[Job]) -> Result<Vec<Written>, Failure> {
    let conn = link.begin().await?;
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        results.push(match &job.write {
            Write::Append(message) => Written::Appended(writes::append(conn, message).await?),
            Write::Edit(edit) => Written::Edited(writes::edit(conn, edit).await?),
            Write::Delete(delete) => Written::Deleted(writes::delete(conn, delete).await?),
        });
    }
    link.commit().await?;
    Ok(results)
}

/// A write that touches the disk like a small message would, to learn whether writes work.
async fn probe(link: &mut Link) -> Result<(), Failure> {
    let conn = link.begin().await?;
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ('writer_probe', randomblob(4096)) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .execute(&mut *conn)
    .await?;
    link.commit().await
}

/// The batch is committed: publish its events in seq order, then answer every sender.
fn finish(jobs: impl Iterator<Item = Job>, results: Vec<Written>, outputs: &Outputs) {
    record(&outputs.health, None);
    if let Some(hub) = outputs.hub.get() {
        results.iter().filter_map(Written::event).for_each(|event| {
            hub.publish_event(&event);
        });
    }
    for (job, result) in jobs.zip(results) {
        let _ = job.reply.send(Ok(result));
    }
}

/// The batch is not committed: every sender hears so.
fn fail(jobs: impl Iterator<Item = Job>, failure: &Failure, outputs: &Outputs) {
    record(&outputs.health, Some(failure));
    let mut count = 0;
    for job in jobs {
        count += 1;
        let _ = job.reply.send(Err(failure.error.shared()));
    }
    tracing::warn!(error = %failure.error, writes = count, "commit failed; nothing in it was acknowledged");
}

fn record(health: &WriteHealth, failure: Option<&Failure>) {
    match failure {
        None => health.ok(),
        Some(Failure {
            fault: Some(reason),
            ..
        }) => health.failing(reason),
        // A bug in one write says nothing about the node's ability to write.
        Some(_) => {}
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the SQLite writer has stopped".into())
}

fn mismatch() -> StoreError {
    StoreError::Failed("the SQLite writer answered a different kind of write".into())
}
