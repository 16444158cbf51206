//! Reads of a room's privacy shared by the streams that ask at once, each answered by a
//! read that *began after it asked*. Open streams ask after they obtained an event, to learn
//! whether they may send it: an answer read before the event was written could miss the
//! change that forbids it. So a caller joins only a wave that has not started reading yet;
//! the first of a wave to run takes it out of the list before it reads, and whoever asks
//! from then on starts the next wave. A room's streams then cost about one read per
//! delivery, however many they are.

use crate::domain::RoomName;
use crate::server::store::{Privacy, StoreError};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

type Answer = Result<Privacy, Arc<StoreError>>;

/// The waves not yet reading, by room.
#[derive(Debug, Default)]
pub(super) struct Waves {
    waiting: Mutex<HashMap<RoomName, Arc<OnceCell<Answer>>>>,
}

impl Waves {
    /// The answer of `read` for `room`, from a read that began after this call did.
    pub(super) async fn read<F>(
        &self,
        room: &RoomName,
        read: impl FnOnce() -> F,
    ) -> Result<Privacy, StoreError>
    where
        F: Future<Output = Result<Privacy, StoreError>>,
    {
        let wave = self
            .lock()
            .entry(room.clone())
            .or_insert_with(|| Arc::new(OnceCell::new()))
            .clone();
        let answer = wave
            .get_or_init(|| async {
                self.started(room, &wave);
                read().await.map_err(Arc::new)
            })
            .await;
        answer.clone().map_err(|error| error.shared())
    }

    /// `wave` begins reading: nobody joins it any more.
    fn started(&self, room: &RoomName, wave: &Arc<OnceCell<Answer>>) {
        let mut waiting = self.lock();
        if waiting.get(room).is_some_and(|now| Arc::ptr_eq(now, wave)) {
            waiting.remove(room);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RoomName, Arc<OnceCell<Answer>>>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    fn privacy(version: u64) -> Privacy {
        Privacy::Private {
            creator: crate::domain::UserId::parse("0123456789abcdef0123456789abcdef").expect("id"),
            invite_version: 1,
            access_version: version,
        }
    }

    #[tokio::test]
    async fn callers_asking_at_once_share_one_read() {
        let waves = Arc::new(Waves::default());
        let reads = Arc::new(AtomicU64::new(0));
        let gate = Arc::new(tokio::sync::Notify::new());
        let mut callers = Vec::new();
        for _ in 0..50 {
            let (waves, reads, gate) = (waves.clone(), reads.clone(), gate.clone());
            callers.push(tokio::spawn(async move {
                waves
                    .read(&RoomName::lobby(), || async move {
                        reads.fetch_add(1, Ordering::SeqCst);
                        gate.notified().await;
                        Ok(privacy(1))
                    })
                    .await
            }));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        gate.notify_waiters();
        for caller in callers {
            assert_eq!(caller.await.expect("joins").expect("reads"), privacy(1));
        }
        assert_eq!(
            reads.load(Ordering::SeqCst),
            1,
            "one read for fifty callers"
        );
    }

    #[tokio::test]
    async fn a_caller_arriving_during_a_read_waits_for_a_read_that_begins_after_it() {
        let waves = Arc::new(Waves::default());
        let version = Arc::new(AtomicU64::new(1));
        let release = Arc::new(tokio::sync::Notify::new());
        let first = {
            let (waves, version, release) = (waves.clone(), version.clone(), release.clone());
            tokio::spawn(async move {
                waves
                    .read(&RoomName::lobby(), || async move {
                        let seen = version.load(Ordering::SeqCst);
                        release.notified().await;
                        Ok(privacy(seen))
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        // The change lands while the first read is under way; a later caller must see it.
        version.store(2, Ordering::SeqCst);
        let later = {
            let (waves, version) = (waves.clone(), version.clone());
            tokio::spawn(async move {
                waves
                    .read(&RoomName::lobby(), || async move {
                        Ok(privacy(version.load(Ordering::SeqCst)))
                    })
                    .await
            })
        };
        assert_eq!(later.await.expect("joins").expect("reads"), privacy(2));
        release.notify_waiters();
        assert_eq!(first.await.expect("joins").expect("reads"), privacy(1));
    }
}
