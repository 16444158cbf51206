//! Keeps presence's time: flushes changes at most once per room per interval, so that N
//! people arriving cost O(N) events rather than O(N²); refreshes every `refresh`; and on
//! shutdown withdraws this node's people (within a second).

use super::Presences;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::{interval, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

/// How long a node leaving on shutdown waits to withdraw its rosters.
const WITHDRAW_TIMEOUT: Duration = Duration::from_secs(1);

/// Runs until `shutdown`, then withdraws this node's presence.
pub fn spawn_flusher(
    presences: Presences,
    every: Duration,
    refresh: Duration,
    shutdown: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut flush = interval(every);
        let mut refresh = interval(refresh);
        flush.set_missed_tick_behavior(MissedTickBehavior::Delay);
        refresh.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = flush.tick() => {
                    presences.flush().await;
                    crate::server::metrics::presence_flushed();
                }
                _ = refresh.tick() => presences.refresh().await,
            }
        }
        if tokio::time::timeout(WITHDRAW_TIMEOUT, presences.withdraw())
            .await
            .is_err()
        {
            tracing::warn!("could not withdraw this node's presence in time");
        }
    })
}
