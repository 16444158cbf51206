//! Ending open streams on shutdown without a stampede. Ending every stream at once makes
//! every browser reconnect in the same instant (to another node, or to this one once it is
//! back). Instead each stream draws a slot when it opens, and on shutdown the slots are
//! ended one after another, spread over the drain window; browsers then resume from their
//! cursors, arriving spread out as well.
//!
//! No timer per stream: at each step the drain wakes every stream (the hub sends a
//! keep-alive on every room's feed), and a stream whose slot has come ends at its next turn.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How many steps the drain window is cut into.
pub const SLOTS: u32 = 64;

/// How far the drain has come: streams whose slot is below `reached` have ended.
#[derive(Debug, Default)]
pub struct Drain {
    reached: AtomicU32,
}

/// A stream's place in the drain: every room of one browser stream shares it.
#[derive(Debug, Clone)]
pub struct DrainTicket {
    drain: Arc<Drain>,
    slot: u32,
}

impl Drain {
    /// A ticket with a slot drawn at random.
    pub fn ticket(self: &Arc<Self>) -> DrainTicket {
        DrainTicket {
            drain: self.clone(),
            slot: rand::random_range(0..SLOTS),
        }
    }

    /// Makes the slots due one after another over `window`, calling `wake` (which must
    /// wake every stream) at each step.
    pub async fn run(&self, wake: impl Fn(), window: Duration) {
        let step = window / SLOTS;
        for reached in 1..=SLOTS {
            self.reached.store(reached, Ordering::SeqCst);
            wake();
            if reached < SLOTS {
                tokio::time::sleep(step).await;
            }
        }
    }
}

impl Drain {
    /// Whether shutdown has begun ending streams (the node is no longer ready).
    pub fn is_draining(&self) -> bool {
        self.reached.load(Ordering::SeqCst) > 0
    }
}

impl DrainTicket {
    /// Whether the drain has come to this stream's slot.
    pub fn is_due(&self) -> bool {
        self.slot < self.drain.reached.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn every_slot_comes_due_in_order_over_the_window() {
        let drain = Arc::new(Drain::default());
        let tickets: Vec<DrainTicket> = (0..SLOTS)
            .map(|slot| DrainTicket {
                drain: drain.clone(),
                slot,
            })
            .collect();
        assert!(tickets.iter().all(|ticket| !ticket.is_due()));
        assert!(!drain.is_draining(), "ready until shutdown");
        let woken = std::sync::atomic::AtomicU32::new(0);
        let wake = || {
            woken.fetch_add(1, Ordering::SeqCst);
        };
        let started = tokio::time::Instant::now();
        let running = drain.run(wake, Duration::from_secs(64));
        tokio::pin!(running);
        tokio::select! {
            () = &mut running => panic!("the drain takes its window"),
            () = tokio::time::sleep(Duration::from_millis(31_500)) => {}
        }
        let due = tickets.iter().filter(|ticket| ticket.is_due()).count();
        assert_eq!(due, 32, "half the slots after half the window");
        assert!(drain.is_draining(), "not ready while draining");
        assert!(tickets[..32].iter().all(DrainTicket::is_due), "in order");
        running.await;
        assert!(tickets.iter().all(DrainTicket::is_due));
        assert_eq!(
            woken.load(Ordering::SeqCst),
            SLOTS,
            "streams woken at every step"
        );
        assert!(started.elapsed() >= Duration::from_secs(63));
    }
}
