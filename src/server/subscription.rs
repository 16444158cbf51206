//! One open SSE stream of a room: backlog from the store first, then live events, with every
//! seq sent once and in order (ephemeral events, which have no seq, pass straight through).
//!
//! The order of steps is what makes resume gap-free (as in Centrifugo): subscribe to the live
//! feed *before* reading the backlog, so nothing published meanwhile is missed; then skip
//! every live event whose seq was already sent. Whenever the live feed cannot be trusted to
//! follow on from the last seq sent (the stream lagged behind the broadcast buffer, or two
//! sends published out of order), the stream reads the missing events from the store.

use crate::domain::{RoomName, Seq};
use crate::server::hub::Broadcast;
use crate::server::limits::StreamPermit;
use crate::server::presence::PresenceGuard;
use crate::server::sse_frame;
use crate::server::store::Store;
use bytes::{Bytes, BytesMut};
use futures::Stream;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use tokio::time::{interval_at, Instant, Interval, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

/// How many stored events one catch-up read fetches (and so one write carries at most).
const BACKLOG_PAGE: u32 = 500;

/// Tuning of an SSE stream.
#[derive(Debug, Clone, Copy)]
pub struct StreamSettings {
    pub heartbeat: Duration,
    pub retry: Duration,
}

/// The data of a `reset` event.
#[derive(serde::Serialize)]
struct Reset<'a> {
    room: &'a RoomName,
}

/// The state of one subscriber's stream.
pub struct Subscription {
    room: RoomName,
    store: Arc<dyn Store>,
    live: broadcast::Receiver<Broadcast>,
    /// The seq of the last event sent (or the resume cursor before anything was sent).
    last_sent: Seq,
    catching_up: bool,
    preamble: Option<Bytes>,
    heartbeat: Interval,
    shutdown: CancellationToken,
    /// Keeps this stream's person listed as online until the stream ends.
    _presence: Option<PresenceGuard>,
    /// This stream's place under the stream caps, given back when it ends.
    _permit: Option<StreamPermit>,
}

impl Subscription {
    /// A stream that will send every event with `seq > after`. `live` must have been
    /// subscribed before this call reads anything from the store.
    pub fn new(
        room: RoomName,
        store: Arc<dyn Store>,
        live: broadcast::Receiver<Broadcast>,
        after: Seq,
        settings: StreamSettings,
        shutdown: CancellationToken,
    ) -> Self {
        let mut heartbeat = interval_at(Instant::now() + settings.heartbeat, settings.heartbeat);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self {
            room,
            store,
            live,
            last_sent: after,
            catching_up: true,
            preamble: Some(sse_frame::preamble(settings.retry)),
            heartbeat,
            shutdown,
            _presence: None,
            _permit: None,
        }
    }

    /// Sends the room's current presence first and, given a guard, lists the stream's person
    /// as online for as long as the stream is open.
    pub fn with_presence(mut self, guard: Option<PresenceGuard>, snapshot: Bytes) -> Self {
        self.send_first(&snapshot);
        self._presence = guard;
        self
    }

    /// Holds the stream's place under the stream caps until it ends.
    pub fn holding(mut self, permit: StreamPermit) -> Self {
        self._permit = Some(permit);
        self
    }

    /// Starts with a `reset` event: the subscriber's cursor is past the store's newest seq,
    /// so what it holds belongs to a history the store no longer has. The stream replays
    /// the room from its first event (`after` must be zero).
    pub fn starting_over(mut self) -> Self {
        let reset = sse_frame::ephemeral_frame("reset", &Reset { room: &self.room });
        self.send_first(&reset);
        self
    }

    fn send_first(&mut self, frame: &[u8]) {
        if let Some(preamble) = self.preamble.as_mut() {
            let mut first = BytesMut::from(&preamble[..]);
            first.extend_from_slice(frame);
            *preamble = first.freeze();
        }
    }

    /// The stream as an HTTP body: each item is everything ready to send, in one write.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, Infallible>> + Send {
        futures::stream::unfold(self, |mut sub| async move {
            let chunk = sub.next_chunk().await?;
            Some((Ok(chunk), sub))
        })
    }

    /// The next bytes to write, or `None` when the stream must end (shutdown, or a store
    /// failure: the browser then reconnects with `Last-Event-ID` and resumes).
    async fn next_chunk(&mut self) -> Option<Bytes> {
        if let Some(preamble) = self.preamble.take() {
            return Some(preamble);
        }
        loop {
            if self.shutdown.is_cancelled() {
                return None;
            }
            if self.catching_up {
                match self.read_backlog().await {
                    Ok(Some(chunk)) => return Some(chunk),
                    Ok(None) => self.catching_up = false,
                    Err(()) => return None,
                }
            }
            tokio::select! {
                biased;
                () = self.shutdown.cancelled() => return None,
                received = self.live.recv() => match received {
                    Ok(event) => {
                        if let Some(chunk) = self.take_live(event) {
                            return Some(chunk);
                        }
                    }
                    Err(RecvError::Lagged(skipped)) => {
                        tracing::debug!(room = %self.room, skipped, "stream lagged; catching up from the store");
                        self.catching_up = true;
                    }
                    Err(RecvError::Closed) => return None,
                },
                _ = self.heartbeat.tick() => return Some(Bytes::from_static(sse_frame::HEARTBEAT)),
            }
        }
    }

    /// One page of stored events after `last_sent`; `Ok(None)` once there are none left.
    async fn read_backlog(&mut self) -> Result<Option<Bytes>, ()> {
        let page = self
            .store
            .read_after(&self.room, self.last_sent, BACKLOG_PAGE)
            .await
            .map_err(|error| {
                tracing::warn!(room = %self.room, %error, "ending stream: backlog read failed");
            })?;
        let Some(last) = page.last() else {
            return Ok(None);
        };
        self.last_sent = last.seq();
        if page.len() < BACKLOG_PAGE as usize {
            self.catching_up = false;
        }
        let mut chunk = BytesMut::new();
        for event in &page {
            chunk.extend_from_slice(&sse_frame::log_frame(event));
        }
        Ok(Some(chunk.freeze()))
    }

    /// Takes `first` and everything else already queued, keeps the events that follow on
    /// from `last_sent`, and returns them as one chunk. A single event is passed on as the
    /// shared frame itself, without copying.
    fn take_live(&mut self, first: Broadcast) -> Option<Bytes> {
        let mut batch = Batch::default();
        let mut next = Some(first);
        while let Some(event) = next {
            match event.seq {
                // Ephemeral: nothing to order, nothing to resume.
                None => batch.push(event.frame),
                Some(seq) if seq > self.last_sent.next() => {
                    // A gap: an earlier event is still on its way, or was dropped by a lag.
                    self.catching_up = true;
                    break;
                }
                Some(seq) if seq == self.last_sent.next() => {
                    self.last_sent = seq;
                    batch.push(event.frame);
                }
                Some(_) => {} // already sent
            }
            next = match self.live.try_recv() {
                Ok(event) => Some(event),
                Err(TryRecvError::Lagged(_)) => {
                    self.catching_up = true;
                    None
                }
                Err(TryRecvError::Empty | TryRecvError::Closed) => None,
            };
        }
        batch.finish()
    }
}

/// Frames gathered for one write.
#[derive(Default)]
struct Batch {
    first: Option<Bytes>,
    rest: Option<BytesMut>,
}

impl Batch {
    fn push(&mut self, frame: Bytes) {
        match (&self.first, &mut self.rest) {
            (None, _) => self.first = Some(frame),
            (Some(first), None) => {
                let mut rest = BytesMut::with_capacity(first.len() + frame.len() * 4);
                rest.extend_from_slice(first);
                rest.extend_from_slice(&frame);
                self.rest = Some(rest);
            }
            (Some(_), Some(rest)) => rest.extend_from_slice(&frame),
        }
    }

    fn finish(self) -> Option<Bytes> {
        match self.rest {
            Some(rest) => Some(rest.freeze()),
            None => self.first,
        }
    }
}
