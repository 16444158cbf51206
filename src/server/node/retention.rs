//! The retention pass (`CHAT_RETENTION_DAYS`): at start and then every hour, each node
//! removes the messages sent before the horizon (`Store::forget_before`; passes on several
//! nodes at once only repeat each other's work) and forgets its rooms' windows of newest
//! frames, which may still hold the first frames of messages a pass (its own or another
//! node's) removed: a stream resuming from a window never gets a message that is gone.

use crate::server::delivery::hub::Hub;
use crate::server::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How often a pass runs.
const EVERY: Duration = Duration::from_secs(60 * 60);

/// Runs a pass now and then every hour until `stop`.
pub fn spawn(
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
    keep: Duration,
    stop: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                _ = ticks.tick() => {}
            }
            pass(store.as_ref(), &hub, keep).await;
        }
    })
}

/// One pass: removes what is older than `keep`, then forgets the windows.
pub async fn pass(store: &dyn Store, hub: &Hub, keep: Duration) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let horizon = i64::try_from(now.saturating_sub(keep).as_millis()).unwrap_or(i64::MAX);
    match store.forget_before(horizon).await {
        Ok(forgotten) if forgotten.messages > 0 => tracing::info!(
            messages = forgotten.messages,
            rooms = forgotten.rooms.len(),
            days = keep.as_secs() / 86_400,
            "retention removed old messages"
        ),
        Ok(_) => tracing::debug!("retention: nothing old enough to remove"),
        Err(error) => {
            tracing::warn!(%error, "retention could not finish this pass; the next goes on")
        }
    }
    hub.forget_windows();
}
