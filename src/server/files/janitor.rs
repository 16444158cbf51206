//! Removes the bytes of files nobody can fetch any more: those whose message was deleted
//! (or left Redis' bounded history), and uploads not sent within `unsent_lasts`. Every
//! `sweep_every` (20 s), a batch at a time, so a deleted message's files are gone within a
//! minute. Every node sweeps; removing is idempotent, so two nodes doing the same work
//! only repeat it.

use super::Files;
use crate::server::clock::now_millis;
use crate::server::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Files removed per batch.
const BATCH: u32 = 100;

/// Sweeps until `stop`.
pub fn spawn(
    store: Arc<dyn Store>,
    files: Files,
    every: Duration,
    unsent_lasts: Duration,
    stop: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                _ = ticks.tick() => {}
            }
            if let Err(error) = sweep(store.as_ref(), &files, unsent_lasts).await {
                tracing::warn!(%error, "could not remove old files this time");
            }
        }
    })
}

/// Removes what is to go now, batch after batch; how many files went.
pub async fn sweep(
    store: &dyn Store,
    files: &Files,
    unsent_lasts: Duration,
) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    let lasts = i64::try_from(unsent_lasts.as_millis()).unwrap_or(i64::MAX);
    let mut removed = 0;
    loop {
        let unsent_before = now_millis().saturating_sub(lasts);
        let batch = store.uploads_to_remove(unsent_before, BATCH).await?;
        if batch.is_empty() {
            return Ok(removed);
        }
        let mut failed = 0;
        for id in &batch {
            // The bytes first: a record is forgotten only once they are gone. One file that
            // cannot go does not hold up the others.
            if let Err(error) = files.remove(id).await {
                tracing::warn!(%error, %id, "a file could not be removed; tried again later");
                failed += 1;
                continue;
            }
            store.forget_upload(id).await?;
            crate::server::metrics::file_removed();
            removed += 1;
        }
        if batch.len() < BATCH as usize || failed == batch.len() {
            return Ok(removed);
        }
    }
}
