//! One open SSE stream of a room: backlog from the store first, then live events, with every
//! seq sent once and in order (ephemeral events, which have no seq, pass straight through).
//!
//! The order of steps is what makes resume gap-free (as in Centrifugo): subscribe to the live
//! feed *before* reading the backlog, so nothing published meanwhile is missed; then skip
//! every live event whose seq was already sent. Whenever the live feed cannot be trusted to
//! follow on from the last seq sent (the stream lagged behind the broadcast buffer, or two
//! sends published out of order), the stream reads the missing events from the store.
//!
//! What a slow reader costs is bounded. The stream produces its next write only when the
//! connection has taken the previous one (and the connection buffers at most
//! [`WRITE_BYTES`] itself, see `serve`); each write carries at most [`WRITE_BYTES`] (an event
//! larger than that goes alone); catch-up pages are sized to fill about one write. A stream
//! that, once live, falls further behind than its `max_behind` budget is ended: the
//! browser reconnects after `retry` and resumes from `Last-Event-ID`.
//!
//! Access is checked again before every write that carries something of the room (the
//! stream's `StreamGate`), not only when the stream opened; a stream whose person lost
//! access ends without sending it, and a `Kick` on the feed ends it at once.
//!
//! May import: `presence`, `delivery`, `access`, `store`, and the ground.

use crate::domain::{EventKind, Reset, RoomName, Seq};
use crate::server::access::limits::StreamPermit;
use crate::server::access::rooms::StreamGate;
use crate::server::delivery::drain::DrainTicket;
use crate::server::delivery::hub::Broadcast;
use crate::server::delivery::room_window::{encode_page, RoomWindow, StoredPage};
use crate::server::delivery::sse_frame;
use crate::server::presence::{PresenceBoard, PresenceGuard};
use crate::server::store::Store;
pub use settings::StreamSettings;
pub use writes::WRITE_BYTES;
use writes::{page_events_for, Batch, FIRST_PAGE_EVENTS};
mod access;
mod settings;
mod writes;

use bytes::{Bytes, BytesMut};
use futures::Stream;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};

/// Why a stream ends on its own.
enum End {
    StoreFailed,
    TooFarBehind,
}

/// The state of one subscriber's stream.
pub struct Subscription {
    room: RoomName,
    store: Arc<dyn Store>,
    live: broadcast::Receiver<Broadcast>,
    /// The seq of the last event sent (or the resume cursor before anything was sent).
    last_sent: Seq,
    catching_up: bool,
    /// How many events the next catch-up read fetches.
    page_events: u32,
    /// The room's newest frames on this node: catch-up within it needs no store read.
    window: Option<Arc<RoomWindow>>,
    /// Once the stream has caught up with live: the bytes it has had to catch up on from the
    /// store since it last was (`None` during the backlog it asked for when it opened).
    behind: Option<usize>,
    max_behind: usize,
    /// The `retry:` line, sent first (`None` when the stream's other rooms tell it).
    retry: Option<Bytes>,
    /// What comes first after it: a `reset`, the presence snapshot.
    preamble: Option<Bytes>,
    /// Where the room's presence snapshot comes from, sent first and again after a lag
    /// (which may have dropped changes).
    board: Option<Arc<PresenceBoard>>,
    presence_stale: bool,
    /// On shutdown, when this stream ends.
    drain: DrainTicket,
    /// Keeps this stream's person listed as online until the stream ends.
    _presence: Option<PresenceGuard>,
    /// This stream's place under the stream caps, given back when it ends.
    _permit: Option<StreamPermit>,
    /// Whether its person may still read the room, asked before each write (`None`: the
    /// caller vouches for every reader, as tests do).
    gate: Option<StreamGate>,
    /// A kick on the feed named this stream: it ends, sending nothing more.
    kicked: bool,
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
        drain: DrainTicket,
    ) -> Self {
        Self {
            room,
            store,
            live,
            last_sent: after,
            catching_up: true,
            page_events: FIRST_PAGE_EVENTS,
            window: None,
            behind: None,
            max_behind: settings.max_behind,
            retry: Some(sse_frame::preamble(settings.retry_for_a_connection())),
            preamble: Some(Bytes::new()),
            board: None,
            presence_stale: false,
            drain,
            _presence: None,
            _permit: None,
            gate: None,
            kicked: false,
        }
    }

    /// Checks, before each write, that the stream's person may still read the room.
    pub fn gated(mut self, gate: StreamGate) -> Self {
        self.gate = Some(gate);
        self
    }

    /// Sends the room's presence snapshot first (the feed carries the changes after it)
    /// and, given a guard, lists the stream's person as online while the stream is open.
    pub fn with_presence(
        mut self,
        guard: Option<PresenceGuard>,
        board: Arc<PresenceBoard>,
    ) -> Self {
        self.send_first(&board.snapshot_frame(&self.room));
        self.board = Some(board);
        self._presence = guard;
        self
    }

    /// Catches up from the room's window of newest frames when the cursor is inside it.
    pub fn with_window(mut self, window: Arc<RoomWindow>) -> Self {
        self.window = Some(window);
        self
    }

    /// Leaves the `retry:` line to whatever carries this room with others.
    pub fn without_retry(mut self) -> Self {
        self.retry = None;
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
        let reset = Reset {
            room: self.room.clone(),
        };
        let reset = sse_frame::ephemeral_frame(EventKind::Reset, &reset);
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

    /// The next bytes to write, or `None` when the stream must end (shutdown, a store
    /// failure, lost access: the browser then reconnects with `Last-Event-ID` and resumes,
    /// or is refused).
    async fn next_chunk(&mut self) -> Option<Bytes> {
        if let Some(preamble) = self.preamble.take() {
            // A private room's presence snapshot was read after the admission (a removal
            // may have come between): asked again. (A public room's opening costs nothing.)
            let private = self.gate.as_ref().is_some_and(StreamGate::is_private);
            if private && !preamble.is_empty() && !self.may_send(&preamble).await {
                return None;
            }
            match self.retry.take() {
                Some(retry) => {
                    let mut first = BytesMut::from(&retry[..]);
                    first.extend_from_slice(&preamble);
                    return Some(first.freeze());
                }
                None if !preamble.is_empty() => return Some(preamble),
                None => {}
            }
        }
        let chunk = self.next_unchecked().await?;
        self.may_send(&chunk).await.then_some(chunk)
    }

    /// The next bytes the stream would write, before the access check.
    async fn next_unchecked(&mut self) -> Option<Bytes> {
        loop {
            if self.drain.is_due() {
                return None;
            }
            if std::mem::take(&mut self.presence_stale) {
                if let Some(board) = &self.board {
                    return Some(board.snapshot_frame(&self.room));
                }
            }
            if self.catching_up {
                match self.read_backlog().await {
                    Ok(Some(chunk)) => return Some(chunk),
                    Ok(None) => self.catching_up = false,
                    Err(End::StoreFailed) => return None,
                    Err(End::TooFarBehind) => {
                        tracing::info!(
                            room = %self.room,
                            max_behind = self.max_behind,
                            "ending a stream that cannot keep up; it resumes when it reconnects"
                        );
                        return None;
                    }
                }
            }
            if !self.catching_up {
                self.behind = Some(0);
            }
            // Heartbeats come on the live feed too (`Hub::beat`, one clock per node), and on
            // shutdown the hub closes every room's feed: one thing to wait for, no timer and
            // no cancellation future per stream.
            match self.live.recv().await {
                Ok(event) => {
                    let chunk = self.take_live(event);
                    if self.kicked {
                        return None;
                    }
                    if let Some(chunk) = chunk {
                        return Some(chunk);
                    }
                }
                Err(RecvError::Lagged(skipped)) => {
                    tracing::debug!(room = %self.room, skipped, "stream lagged; catching up from the store");
                    crate::server::metrics::caught_up_from_store();
                    self.lagged();
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// The stored events after `last_sent`, as one write of at most about [`WRITE_BYTES`];
    /// `Ok(None)` once there are none left.
    async fn read_backlog(&mut self) -> Result<Option<Bytes>, End> {
        let window = self.window.as_ref();
        if let Some(served) = window.and_then(|w| w.after(self.last_sent, WRITE_BYTES)) {
            if served.chunk.is_empty() {
                return Ok(None);
            }
            self.last_sent = served.last;
            if !served.more {
                self.catching_up = false;
            }
            self.count_behind(served.chunk.len())?;
            return Ok(Some(served.chunk));
        }
        let page = self.read_page().await.map_err(|error| {
            tracing::warn!(room = %self.room, %error, "ending stream: backlog read failed");
            End::StoreFailed
        })?;
        let mut chunk = BytesMut::new();
        let mut taken = 0;
        for (seq, frame) in page.iter() {
            if !chunk.is_empty() && chunk.len() + frame.len() > WRITE_BYTES {
                break;
            }
            chunk.extend_from_slice(frame);
            self.last_sent = *seq;
            taken += 1;
        }
        if taken == 0 {
            return Ok(None);
        }
        if taken == page.len() && page.len() < self.page_events as usize {
            self.catching_up = false;
        }
        self.page_events = page_events_for(chunk.len(), taken);
        self.count_behind(chunk.len())?;
        Ok(Some(chunk.freeze()))
    }

    /// The next page of stored events after `last_sent`, as frames: through the room's
    /// window, which shares one read among the streams asking for the same page at once.
    async fn read_page(&self) -> StoredPage {
        let (room, after, limit) = (&self.room, self.last_sent, self.page_events);
        let read = || self.store.read_after(room, after, limit);
        match &self.window {
            Some(window) => window.read_after_shared(after, limit, read).await,
            None => Ok(encode_page(&read().await.map_err(Arc::new)?)),
        }
    }

    /// Once live, counts `bytes` more caught up on; too many, and the stream ends.
    fn count_behind(&mut self, bytes: usize) -> Result<(), End> {
        if let Some(behind) = self.behind.as_mut() {
            *behind += bytes;
            if *behind > self.max_behind {
                return Err(End::TooFarBehind);
            }
        }
        Ok(())
    }

    /// The feed dropped events: log events are read from the store, and presence starts
    /// again from a snapshot (changes may have been among the dropped).
    fn lagged(&mut self) {
        self.catching_up = true;
        self.presence_stale = true;
    }

    /// Takes `first` and what else is already queued (up to about [`WRITE_BYTES`]), keeps
    /// the events that follow on from `last_sent`, and returns them as one chunk. A single
    /// event is passed on as the shared frame itself, without copying.
    fn take_live(&mut self, first: Broadcast) -> Option<Bytes> {
        let mut batch = Batch::default();
        let mut next = Some(first);
        while let Some(event) = next {
            if let Some(kick) = &event.kick {
                if self
                    .gate
                    .as_ref()
                    .is_some_and(|gate| kick.ends(gate.user()))
                {
                    self.kicked = true;
                    return None;
                }
            }
            match event.seq {
                // A kick for someone else.
                None if event.kick.is_some() => {}
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
            if batch.len() >= WRITE_BYTES {
                break;
            }
            next = match self.live.try_recv() {
                Ok(event) => Some(event),
                Err(TryRecvError::Lagged(_)) => {
                    self.lagged();
                    None
                }
                Err(TryRecvError::Empty | TryRecvError::Closed) => None,
            };
        }
        batch.finish()
    }
}
