//! Group commit. Every log write (append, edit, delete, react, pin) goes through one writer task,
//! which applies everything queued at that moment in one transaction, so one fsync covers
//! many messages. Nobody is answered
//! before the commit: an acknowledged write is on disk. One writer also means the checks
//! of an edit or delete and the write that follows can never interleave with another write,
//! and that committed events reach delivery (`CommittedEvents`, the hub) in seq order.
//!
//! Under faults: the writer owns its connection (`link`), discarded after any failure; a
//! failed batch answers every write in it with an error; the writer records the trouble in
//! `WriteHealth` (readiness fails) and, while idle, probes with a small write every second
//! so it recovers by itself when space returns. A caller waits at most `ANSWER_TIMEOUT`.
//! If the task panics, a supervisor restarts it; the writes of that batch are answered as
//! unavailable (dropped replies), never as stored.

use super::empty_rooms::EmptyRooms;
use super::jobs::{AppendResult, DeleteResult, EditResult, Job, Pending};
use super::link::{Failure, Link, Opening};
use super::writer_thread;
use super::{pins, reactions, writes};
use crate::server::store::{
    CommittedEvents, DeleteRequest, EditRequest, NewMessage, PinRequest, Pinned, Reacted,
    ReactionRequest, StoreError, WriteHealth,
};
use futures::FutureExt;
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
    /// Where committed events are delivered, once the node has wired delivery.
    delivery: Arc<OnceLock<Arc<dyn CommittedEvents>>>,
    health: WriteHealth,
    closed: CancellationToken,
}

impl Writer {
    /// Starts the writer task on its own connection to the database, opened as `opening` says.
    /// Each commit's rooms are told to `empty_rooms` before their events are delivered.
    pub(super) fn spawn(opening: Opening, empty_rooms: Arc<EmptyRooms>) -> Self {
        let (queue, jobs) = mpsc::channel(QUEUE);
        let delivery = Arc::new(OnceLock::new());
        let health = WriteHealth::default();
        let closed = CancellationToken::new();
        let outputs = Outputs {
            empty_rooms,
            delivery: delivery.clone(),
            health: health.clone(),
            closed: closed.clone(),
        };
        if let Err(error) =
            writer_thread::on_its_own_thread(supervise(jobs, opening, outputs), health.clone())
        {
            // Its queue is closed: every write answers "unavailable", and readiness fails.
            tracing::error!(%error, "could not start the SQLite writer's thread");
            health.failing("the writer's thread could not start");
        }
        Self {
            queue,
            delivery,
            health,
            closed,
        }
    }

    /// Stops the writer and closes its connection; every later write is "unavailable".
    pub(super) fn close(&self) {
        self.closed.cancel();
    }

    /// Delivers every later commit to `delivery` (the first one given stays).
    pub(super) fn deliver_to(&self, delivery: Arc<dyn CommittedEvents>) {
        if self.delivery.set(delivery).is_err() {
            tracing::warn!("the store already delivers its commits");
        }
    }

    /// Whether writes work, as the last commit or probe found.
    pub(super) fn health(&self) -> &WriteHealth {
        &self.health
    }

    pub(super) async fn append(&self, message: NewMessage) -> Result<AppendResult, StoreError> {
        let (pending, answer) = Pending::new(message);
        self.submit(Job::Append(Box::new(pending)), answer).await
    }

    pub(super) async fn edit(&self, edit: EditRequest) -> Result<EditResult, StoreError> {
        let (pending, answer) = Pending::new(edit);
        self.submit(Job::Edit(pending), answer).await
    }

    pub(super) async fn delete(&self, delete: DeleteRequest) -> Result<DeleteResult, StoreError> {
        let (pending, answer) = Pending::new(delete);
        self.submit(Job::Delete(pending), answer).await
    }

    pub(super) async fn react(&self, reaction: ReactionRequest) -> Result<Reacted, StoreError> {
        let (pending, answer) = Pending::new(reaction);
        self.submit(Job::React(pending), answer).await
    }

    pub(super) async fn pin(&self, pin: PinRequest) -> Result<Pinned, StoreError> {
        let (pending, answer) = Pending::new(pin);
        self.submit(Job::Pin(Box::new(pending)), answer).await
    }

    async fn submit<T>(
        &self,
        job: Job,
        answer: oneshot::Receiver<Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        if self.closed.is_cancelled() {
            return Err(stopped());
        }
        let queued = async {
            self.queue.send(job).await.map_err(|_| stopped())?;
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
    /// Told which rooms got events, before they are delivered.
    empty_rooms: Arc<EmptyRooms>,
    delivery: Arc<OnceLock<Arc<dyn CommittedEvents>>>,
    health: WriteHealth,
    closed: CancellationToken,
}

/// Runs the writer until every handle is dropped, restarting it (with a fresh connection)
/// if it panics.
async fn supervise(mut jobs: mpsc::Receiver<Job>, opening: Opening, outputs: Outputs) {
    loop {
        let mut link = Link::new(opening.clone());
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
                let probed = probe(link);
                let probed = link.settle(probed);
                record(&outputs.health, probed.as_ref().err());
                continue;
            }
        };
        if received == 0 {
            // Closed, or every handle dropped: queued writes are answered "unavailable".
            link.discard();
            return;
        }
        match commit(link, &mut batch) {
            Ok(()) => finish(batch.drain(..), outputs),
            // One write that breaks a rule of the database (a bug, not the disk) must not
            // fail the others: retry each alone.
            Err(failure) if failure.fault.is_none() && batch.len() > 1 => {
                tracing::warn!(error = %failure.error, writes = batch.len(), "group commit failed; retrying each write alone");
                for mut job in batch.drain(..) {
                    match commit(link, std::slice::from_mut(&mut job)) {
                        Ok(()) => finish(std::iter::once(job), outputs),
                        Err(failure) => fail(std::iter::once(job), &failure, outputs),
                    }
                }
            }
            Err(failure) => fail(batch.drain(..), &failure, outputs),
        }
    }
}

/// Applies every job's write in one transaction, in queue order, keeping each result in
/// its job until the commit. (Synchronous: the writer's thread runs nothing else, and
/// SQLite answers on it.)
fn commit(link: &mut Link, jobs: &mut [Job]) -> Result<(), Failure> {
    let applied = apply(link, jobs);
    link.settle(applied)
}

fn apply(link: &mut Link, jobs: &mut [Job]) -> Result<(), Failure> {
    let conn = link.begin()?;
    for job in jobs.iter_mut() {
        match job {
            Job::Append(p) => p.result = Some(writes::append(conn, &p.write)?),
            Job::Edit(p) => p.result = Some(writes::edit(conn, &p.write)?),
            Job::Delete(p) => p.result = Some(writes::delete(conn, &p.write)?),
            Job::React(p) => p.result = Some(reactions::react(conn, &p.write)?),
            Job::Pin(p) => p.result = Some(pins::pin(conn, &p.write)?),
        }
    }
    link.commit()
}

/// A write that touches the disk like a small message would, to learn whether writes work.
fn probe(link: &mut Link) -> Result<(), Failure> {
    let conn = link.begin()?;
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES ('writer_probe', randomblob(4096)) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([])?;
    link.commit()
}

/// The batch is committed: deliver its events in seq order, then answer every sender.
fn finish(jobs: impl Iterator<Item = Job>, outputs: &Outputs) {
    record(&outputs.health, None);
    let jobs: Vec<Job> = jobs.collect();
    let events: Vec<_> = jobs.iter().filter_map(Job::event).collect();
    outputs
        .empty_rooms
        .written(events.iter().map(|event| event.room()));
    if let Some(delivery) = outputs.delivery.get() {
        events.iter().for_each(|event| delivery.committed(event));
    }
    jobs.into_iter().for_each(Job::answer);
}

/// The batch is not committed: every sender hears so.
fn fail(jobs: impl Iterator<Item = Job>, failure: &Failure, outputs: &Outputs) {
    record(&outputs.health, Some(failure));
    let mut count = 0;
    for job in jobs {
        count += 1;
        job.fail(failure.error.shared());
    }
    // Each sender's request logs the error it answers (in its span, with room and user);
    // here only what the batch was, so a failed commit is not logged twice.
    tracing::debug!(error = %failure.error, writes = count, "commit failed; nothing in it was acknowledged");
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
