//! Reads of a room's privacy shared by the streams that ask at once, each answered by a
//! read that *began after it asked*. Open streams ask after they obtained an event, to learn
//! whether they may send it: an answer read before the event was written could miss the
//! change that forbids it. So a caller joins only a wave that has not started reading yet.
//! A room has at most one read under way; the callers who ask meanwhile form the next wave,
//! which reads once the current one is done. A room's streams then cost about two reads
//! per delivery, however many they are.

use crate::domain::RoomName;
use crate::server::store::{Privacy, StoreError};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

type Answer = Result<Privacy, Arc<StoreError>>;
type Wave = Arc<OnceCell<Answer>>;

/// Per room being asked about: the wave still gathering callers, and the turn to read.
#[derive(Debug, Default)]
struct RoomWaves {
    gathering: Option<Wave>,
    turn: Arc<tokio::sync::Mutex<()>>,
}

/// The rooms being asked about.
#[derive(Debug, Default)]
pub(super) struct Waves {
    rooms: Mutex<HashMap<RoomName, RoomWaves>>,
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
        let (wave, turn) = {
            let mut rooms = self.lock();
            let entry = rooms.entry(room.clone()).or_default();
            let wave = entry.gathering.get_or_insert_with(Wave::default).clone();
            (wave, entry.turn.clone())
        };
        let answer = wave
            .get_or_init(|| async {
                let held = turn.lock().await;
                self.started(room, &wave);
                let answer = read().await.map_err(Arc::new);
                drop(held);
                answer
            })
            .await
            .clone();
        drop(turn);
        self.forget_if_idle(room);
        answer.map_err(|error| error.shared())
    }

    /// `wave` begins reading: whoever asks from now on waits for the next one.
    fn started(&self, room: &RoomName, wave: &Wave) {
        let mut rooms = self.lock();
        if let Some(entry) = rooms.get_mut(room) {
            if entry
                .gathering
                .as_ref()
                .is_some_and(|now| Arc::ptr_eq(now, wave))
            {
                entry.gathering = None;
            }
        }
    }

    /// Forgets `room` once nobody reads or waits.
    fn forget_if_idle(&self, room: &RoomName) {
        let mut rooms = self.lock();
        let idle = rooms
            .get(room)
            .is_some_and(|entry| entry.gathering.is_none() && Arc::strong_count(&entry.turn) == 1);
        if idle {
            rooms.remove(room);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RoomName, RoomWaves>> {
        self.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many rooms are being asked about (for tests).
    #[cfg(test)]
    fn rooms(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;
    use tokio::sync::Semaphore;

    fn privacy(version: u64) -> Privacy {
        Privacy::Private {
            creator: crate::domain::UserId::from_random(1),
            invite_version: 1,
            access_version: version,
        }
    }

    #[tokio::test]
    async fn callers_asking_at_once_share_a_read_or_two() {
        let waves = Arc::new(Waves::default());
        let reads = Arc::new(AtomicU64::new(0));
        let gate = Arc::new(Semaphore::new(0));
        let mut callers = Vec::new();
        for _ in 0..50 {
            let (waves, reads, gate) = (waves.clone(), reads.clone(), gate.clone());
            callers.push(tokio::spawn(async move {
                waves
                    .read(&RoomName::lobby(), || async move {
                        reads.fetch_add(1, Ordering::SeqCst);
                        let _pass = gate.acquire().await;
                        Ok(privacy(1))
                    })
                    .await
            }));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        gate.add_permits(100);
        for caller in callers {
            assert_eq!(caller.await.expect("joins").expect("reads"), privacy(1));
        }
        // The first caller's read begins at once; the 49 who ask while it runs share the next.
        assert_eq!(
            reads.load(Ordering::SeqCst),
            2,
            "two reads for fifty callers"
        );
        assert_eq!(waves.rooms(), 0, "nothing kept once answered");
    }

    #[tokio::test]
    async fn a_caller_arriving_during_a_read_gets_a_read_that_begins_after_it() {
        let waves = Arc::new(Waves::default());
        let version = Arc::new(AtomicU64::new(1));
        let release = Arc::new(Semaphore::new(0));
        let first = {
            let (waves, version, release) = (waves.clone(), version.clone(), release.clone());
            tokio::spawn(async move {
                waves
                    .read(&RoomName::lobby(), || async move {
                        let seen = version.load(Ordering::SeqCst);
                        let _pass = release.acquire().await;
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
        tokio::time::sleep(Duration::from_millis(20)).await;
        release.add_permits(1);
        assert_eq!(first.await.expect("joins").expect("reads"), privacy(1));
        assert_eq!(later.await.expect("joins").expect("reads"), privacy(2));
    }
}
