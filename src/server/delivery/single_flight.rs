//! Single-flight: concurrent callers asking for the same key share one computation. The
//! first caller runs it; the others wait for its answer (if the first is dropped, a waiter
//! runs it instead). Once answered the key is forgotten, so a later call computes afresh:
//! this coalesces a burst, it is not a cache.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// The computations under way, by key.
#[derive(Debug)]
pub struct SingleFlight<K, V> {
    running: Mutex<HashMap<K, Arc<OnceCell<V>>>>,
}

impl<K, V> Default for SingleFlight<K, V> {
    fn default() -> Self {
        Self {
            running: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq + Clone, V: Clone> SingleFlight<K, V> {
    /// The answer of `compute` for `key`, shared with every concurrent call for `key`.
    pub async fn run<F>(&self, key: K, compute: impl FnOnce() -> F) -> V
    where
        F: Future<Output = V>,
    {
        let cell = self.lock().entry(key.clone()).or_default().clone();
        let value = cell.get_or_init(compute).await.clone();
        let mut running = self.lock();
        if running.get(&key).is_some_and(|now| Arc::ptr_eq(now, &cell)) {
            running.remove(&key);
        }
        value
    }

    /// How many keys are being computed (for tests).
    pub fn running(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Arc<OnceCell<V>>>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn concurrent_calls_for_one_key_compute_once_and_later_ones_again() {
        let flights = SingleFlight::<u32, u32>::default();
        let computed = AtomicUsize::new(0);
        let (release, wait) = tokio::sync::watch::channel(false);
        let compute = || {
            let mut wait = wait.clone();
            let computed = &computed;
            async move {
                computed.fetch_add(1, Ordering::SeqCst);
                let _ = wait.wait_for(|go| *go).await;
                7
            }
        };
        let callers = futures::future::join_all((0..100).map(|_| flights.run(1, compute)));
        let other_key = flights.run(2, || async { 9 });
        let releasing = async {
            tokio::task::yield_now().await;
            let _ = release.send(true);
        };
        let (answers, other, ()) = tokio::join!(callers, other_key, releasing);
        assert!(answers.iter().all(|answer| *answer == 7));
        assert_eq!(other, 9);
        assert_eq!(
            computed.load(Ordering::SeqCst),
            1,
            "one computation for 100 calls"
        );
        assert_eq!(flights.running(), 0, "nothing kept once answered");
        assert_eq!(
            flights.run(1, || async { 8 }).await,
            8,
            "a later call computes again"
        );
    }
}
