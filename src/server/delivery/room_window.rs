//! The newest events of a room on this node, as the frames already encoded for its streams,
//! and the room's newest seq: a stream opening (or resuming) with a recent cursor is served
//! from here without touching the store, so a burst of openings, or every tab reconnecting
//! after a restart, costs the store one read per room instead of one per stream.
//!
//! The hub records every log event it publishes for the room (in seq order: the SQLite
//! writer delivers in commit order, the Redis relay in seq order). The window is *known*
//! once it is tied to the store: after the first stream subscribed, the store's newest seq
//! `n` is read once (`newest_or_read`, one read at a time per room); every event after `n`
//! was published after that subscription, so the window holds them all. A gap in what is
//! published (which the streams themselves would catch up on) makes it unknown again, and so
//! does an edit or a delete: a replay from the store shows every message as it is now (the
//! words of a deleted message are never sent again), while the window holds frames as they
//! were first sent.
//!
//! Cursors older than the window are read from the store, and concurrent reads of the same
//! page share one read (`read_after_shared`): a restart's reconnect storm costs about one
//! read per room and cursor, not one per stream.

use bytes::{Bytes, BytesMut};
use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::domain::{LogEvent, Seq};
use crate::server::delivery::single_flight::SingleFlight;
use crate::server::delivery::sse_frame;
use crate::server::store::StoreError;

/// A page of stored events as their frames (seq, encoded once), shared by the streams that
/// asked for it at once.
pub type StoredPage = Result<Arc<[(Seq, Bytes)]>, Arc<StoreError>>;

/// Stored events as a page of frames, each encoded once.
pub fn encode_page(events: &[LogEvent]) -> Arc<[(Seq, Bytes)]> {
    events
        .iter()
        .map(|event| (event.seq(), sse_frame::log_frame(event)))
        .collect()
}

/// A room's newest frames; see the module documentation.
#[derive(Debug)]
pub struct RoomWindow {
    state: Mutex<Window>,
    /// One store read at a time, so that concurrent openings share it.
    reading: tokio::sync::Mutex<()>,
    /// How many log events were published to the room (a read that began at another count
    /// may have missed one).
    published: AtomicU64,
    /// Store reads under way, by cursor, page size and `published` when they began.
    reads: SingleFlight<(Seq, u32, u64), StoredPage>,
}

#[derive(Debug)]
struct Window {
    /// Every event with a seq above this one is in `frames`; `None` while unknown.
    from: Option<Seq>,
    frames: VecDeque<(Seq, Bytes)>,
    capacity: usize,
}

/// Frames served from the window.
#[derive(Debug)]
pub struct FromWindow {
    /// The frames after the cursor, at most about `max_bytes` of them (empty: none).
    pub chunk: Bytes,
    /// The seq of the last frame in `chunk` (the cursor when it is empty).
    pub last: Seq,
    /// Whether frames after `last` remain.
    pub more: bool,
}

impl RoomWindow {
    /// A window of at most `capacity` frames.
    pub fn new(capacity: usize) -> Self {
        Self {
            state: Mutex::new(Window {
                from: None,
                frames: VecDeque::new(),
                capacity: capacity.max(1),
            }),
            reading: tokio::sync::Mutex::new(()),
            published: AtomicU64::new(0),
            reads: SingleFlight::default(),
        }
    }

    /// An edit or delete changed a message whose first frame the window may hold: forget
    /// everything until the store is read again.
    pub fn forget(&self) {
        let mut window = self.state();
        window.from = None;
        window.frames.clear();
    }

    /// Keeps a published log event's frame.
    pub fn record(&self, seq: Seq, frame: &Bytes) {
        self.published.fetch_add(1, Ordering::SeqCst);
        let mut window = self.state();
        let newest = window.frames.back().map(|(seq, _)| *seq).or(window.from);
        match newest {
            Some(newest) if seq <= newest => return,
            Some(newest) if window.from.is_some() && seq != newest.next() => {
                // A gap: unknown until the store is read again.
                window.from = None;
                window.frames.clear();
            }
            _ => {}
        }
        window.frames.push_back((seq, frame.clone()));
        if window.frames.len() > window.capacity {
            if let Some((dropped, _)) = window.frames.pop_front() {
                if window.from.is_some() {
                    window.from = Some(dropped);
                }
            }
        }
    }

    /// The room's newest seq, when the window knows it.
    pub fn newest(&self) -> Option<Seq> {
        let window = self.state();
        let from = window.from?;
        Some(window.frames.back().map_or(from, |(seq, _)| *seq))
    }

    /// The room's newest seq: from the window, or else read from the store by `read` (one
    /// read at a time; whoever waited for it finds the window known) and tied to it.
    pub async fn newest_or_read<E, F>(&self, read: impl FnOnce() -> F) -> Result<Seq, E>
    where
        F: Future<Output = Result<Seq, E>>,
    {
        if let Some(newest) = self.newest() {
            return Ok(newest);
        }
        let _reading = self.reading.lock().await;
        if let Some(newest) = self.newest() {
            return Ok(newest);
        }
        let stored = read().await?;
        let mut window = self.state();
        window.frames.retain(|(seq, _)| *seq > stored);
        let contiguous = window
            .frames
            .iter()
            .zip(window.frames.iter().skip(1))
            .all(|((a, _), (b, _))| *b == a.next());
        let follows_on = window
            .frames
            .front()
            .is_none_or(|(first, _)| *first == stored.next());
        if contiguous && follows_on {
            window.from = Some(stored);
        }
        Ok(window
            .frames
            .back()
            .map_or(stored, |(seq, _)| (*seq).max(stored)))
    }

    /// Whether the window knows every event after `cursor` (a resume from it reads no store).
    pub fn covers(&self, cursor: Seq) -> bool {
        self.state().from.is_some_and(|from| cursor >= from)
    }

    /// The frames after `cursor`, up to about `max_bytes` (one frame at least), if the window
    /// knows every event after `cursor`; `None` when the store must be read instead.
    pub fn after(&self, cursor: Seq, max_bytes: usize) -> Option<FromWindow> {
        let window = self.state();
        let from = window.from?;
        if cursor < from {
            return None;
        }
        let mut chunk = BytesMut::new();
        let mut last = cursor;
        // Frames are in seq order: find the first one after the cursor without a scan.
        let start = window.frames.partition_point(|(seq, _)| *seq <= cursor);
        let mut pending = window.frames.range(start..).peekable();
        while let Some((seq, frame)) =
            pending.next_if(|(_, frame)| chunk.is_empty() || chunk.len() + frame.len() <= max_bytes)
        {
            chunk.extend_from_slice(frame);
            last = *seq;
        }
        Some(FromWindow {
            chunk: chunk.freeze(),
            last,
            more: pending.peek().is_some(),
        })
    }

    /// Up to `limit` stored events after `cursor`, read by `read`. Streams asking for the
    /// same page while it is read share the read, unless an event was published to the room
    /// since it began: the read might not show that event, and a stream that subscribed
    /// after it was published does not receive it live. Call after subscribing.
    pub async fn read_after_shared<F>(
        &self,
        cursor: Seq,
        limit: u32,
        read: impl FnOnce() -> F,
    ) -> StoredPage
    where
        F: Future<Output = Result<Vec<LogEvent>, StoreError>>,
    {
        let published = self.published.load(Ordering::SeqCst);
        self.reads
            .run((cursor, limit, published), || async move {
                Ok(encode_page(&read().await.map_err(Arc::new)?))
            })
            .await
    }

    fn state(&self) -> MutexGuard<'_, Window> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(seq: u64) -> Bytes {
        Bytes::from(format!("id: {seq}\n\n"))
    }

    async fn tied(window: &RoomWindow, stored: u64) -> Seq {
        window
            .newest_or_read(|| async move { Ok::<_, ()>(Seq(stored)) })
            .await
            .expect("read")
    }

    #[tokio::test]
    async fn once_tied_to_the_store_the_window_serves_recent_cursors() {
        let window = RoomWindow::new(4);
        assert_eq!(window.newest(), None);
        assert!(
            window.after(Seq(0), 1_000).is_none(),
            "unknown: read the store"
        );
        assert_eq!(tied(&window, 10).await, Seq(10));
        for seq in 11..=13 {
            window.record(Seq(seq), &frame(seq));
        }
        assert_eq!(window.newest(), Some(Seq(13)));
        let served = window.after(Seq(11), 1_000).expect("known");
        assert_eq!(served.chunk, Bytes::from("id: 12\n\nid: 13\n\n"));
        assert_eq!((served.last, served.more), (Seq(13), false));
        assert!(
            window.after(Seq(9), 1_000).is_none(),
            "older than the window"
        );
        let none = window.after(Seq(13), 1_000).expect("known");
        assert!(none.chunk.is_empty());
    }

    #[tokio::test]
    async fn the_window_keeps_the_newest_frames_and_moves_its_start() {
        let window = RoomWindow::new(2);
        tied(&window, 0).await;
        for seq in 1..=5 {
            window.record(Seq(seq), &frame(seq));
        }
        assert!(
            window.after(Seq(2), 1_000).is_none(),
            "3 was dropped... and 2"
        );
        let served = window.after(Seq(3), 1_000).expect("known");
        assert_eq!(served.chunk, Bytes::from("id: 4\n\nid: 5\n\n"));
        let one = window.after(Seq(3), 1).expect("known");
        assert_eq!((one.last, one.more), (Seq(4), true), "at least one frame");
    }

    #[tokio::test]
    async fn a_gap_makes_the_window_unknown_and_a_duplicate_changes_nothing() {
        let window = RoomWindow::new(8);
        tied(&window, 0).await;
        window.record(Seq(1), &frame(1));
        window.record(Seq(1), &frame(1));
        assert_eq!(window.newest(), Some(Seq(1)));
        window.record(Seq(3), &frame(3));
        assert_eq!(window.newest(), None, "2 is missing");
        assert_eq!(tied(&window, 3).await, Seq(3), "tied again by a store read");
        assert!(window.after(Seq(3), 100).is_some());
        window.forget();
        assert_eq!(
            window.newest(),
            None,
            "an edit or delete: read the store again"
        );
    }

    #[tokio::test]
    async fn events_published_while_the_store_was_read_are_kept_when_they_follow_on() {
        let window = RoomWindow::new(8);
        window.record(Seq(5), &frame(5));
        window.record(Seq(6), &frame(6));
        // The store's newest was 4 when it was read: 5 and 6 follow on.
        assert_eq!(tied(&window, 4).await, Seq(6));
        assert_eq!(window.after(Seq(4), 1_000).expect("known").last, Seq(6));

        let later = RoomWindow::new(8);
        later.record(Seq(7), &frame(7));
        // The store says 5: 6 was never seen here, so the window cannot vouch for it.
        assert_eq!(tied(&later, 5).await, Seq(7));
        assert_eq!(later.newest(), None);
    }

    /// Reads of the page after seq 3 that wait for `go`, counted in `reads`.
    fn slow_read(
        reads: &std::sync::atomic::AtomicUsize,
        go: &tokio::sync::watch::Receiver<bool>,
    ) -> impl Future<Output = Result<Vec<LogEvent>, StoreError>> {
        reads.fetch_add(1, Ordering::SeqCst);
        let mut go = go.clone();
        async move {
            let _ = go.wait_for(|go| *go).await;
            let message = crate::domain::ChatMessage::sample(4);
            Ok(vec![LogEvent::Message(message)])
        }
    }

    #[tokio::test]
    async fn streams_asking_for_the_same_old_page_at_once_share_one_read() {
        let window = RoomWindow::new(4);
        let reads = std::sync::atomic::AtomicUsize::new(0);
        let (release, go) = tokio::sync::watch::channel(false);
        let storm = futures::future::join_all(
            (0..1_000).map(|_| window.read_after_shared(Seq(3), 50, || slow_read(&reads, &go))),
        );
        let releasing = async {
            tokio::task::yield_now().await;
            let _ = release.send(true);
        };
        let (pages, ()) = tokio::join!(storm, releasing);
        assert_eq!(
            reads.load(Ordering::SeqCst),
            1,
            "one read for 1,000 streams"
        );
        for page in pages {
            let page = page.expect("read");
            assert_eq!(page.len(), 1);
            assert_eq!(page[0].0, Seq(4));
        }
    }

    #[tokio::test]
    async fn a_stream_arriving_after_a_publish_does_not_share_an_older_read() {
        let window = RoomWindow::new(4);
        let reads = std::sync::atomic::AtomicUsize::new(0);
        let (release, go) = tokio::sync::watch::channel(false);
        let first = window.read_after_shared(Seq(3), 50, || slow_read(&reads, &go));
        let later = async {
            tokio::task::yield_now().await;
            // Published while the first read runs: that read may not show it.
            window.record(Seq(5), &frame(5));
            window
                .read_after_shared(Seq(3), 50, || slow_read(&reads, &go))
                .await
        };
        let releasing = async {
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
            let _ = release.send(true);
        };
        let (first, later, ()) = tokio::join!(first, later, releasing);
        assert!(first.is_ok() && later.is_ok());
        assert_eq!(
            reads.load(Ordering::SeqCst),
            2,
            "the later stream read again"
        );
    }
}
