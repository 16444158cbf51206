//! Fan-out on one node: a broadcast channel per room with at least one open stream. Publishing
//! hands the shared frame to the channel and returns; each stream does its own writing.

use crate::domain::{EventKind, LogEvent, RoomName, Seq, UserId};
use crate::server::delivery::drain::Drain;
use crate::server::delivery::read_feeds::ReadFeeds;
use crate::server::delivery::room_window::RoomWindow;
use crate::server::delivery::sse_frame;
use crate::server::store::CommittedEvents;
use bytes::Bytes;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::{interval_at, Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

/// Runs the node's one heartbeat clock (`Hub::beat` every `every`) until `shutdown`, then
/// ends the open streams spread over the `drain` window (see `drain.rs`) and closes every
/// room's feed.
pub fn spawn_heartbeat(
    hub: Arc<Hub>,
    every: Duration,
    shutdown: CancellationToken,
    (drain, window): (Arc<Drain>, Duration),
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = interval_at(Instant::now() + every, every);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = ticks.tick() => hub.beat(),
            }
        }
        drain.run(|| hub.beat(), window).await;
        hub.close_all();
    })
}

/// The store delivers what it commits straight to the streams of this node.
impl CommittedEvents for Hub {
    fn committed(&self, event: &LogEvent) {
        self.publish_event(event);
    }
}

/// One published event: its seq (log events, to order and de-duplicate; `None` for
/// ephemeral ones) and its encoded SSE frame; or, with `kick`, no event but the order to
/// end some streams of the room (with an empty frame).
#[derive(Debug, Clone)]
pub struct Broadcast {
    pub seq: Option<Seq>,
    pub frame: Bytes,
    pub kick: Option<Kick>,
}

/// Whose open streams of a room end at once, because they lost access to it. Streams also
/// check access before sending anything (`access::rooms::StreamGate`), so a kick that a
/// lagging stream misses costs nothing but time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kick {
    /// The room became private: everyone reconnects, and only members are let back in.
    Everyone,
    /// This person left the room or was removed from it.
    Person(UserId),
}

impl Kick {
    /// Whether a stream of `user` must end.
    pub fn ends(&self, user: &UserId) -> bool {
        match self {
            Kick::Everyone => true,
            Kick::Person(person) => person == user,
        }
    }
}

/// The rooms with open streams on this node, each with its broadcast sender and its window
/// of newest frames; and the read marks of the people with a browser stream here.
#[derive(Debug)]
pub struct Hub {
    rooms: Mutex<HashMap<RoomName, Channel>>,
    capacity: usize,
    pub reads: ReadFeeds,
}

#[derive(Debug)]
struct Channel {
    sender: broadcast::Sender<Broadcast>,
    window: Arc<RoomWindow>,
}

impl Hub {
    /// `capacity` is how many events a stream may fall behind before it must catch up from
    /// the store.
    pub fn new(capacity: usize) -> Self {
        Self {
            rooms: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            reads: ReadFeeds::default(),
        }
    }

    /// Starts receiving the room's events published from now on.
    pub fn subscribe(&self, room: &RoomName) -> broadcast::Receiver<Broadcast> {
        self.follow(room).0
    }

    /// Starts receiving the room's events published from now on, with the room's window of
    /// newest frames (which the stream may resume from without the store).
    pub fn follow(&self, room: &RoomName) -> (broadcast::Receiver<Broadcast>, Arc<RoomWindow>) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let channel = rooms.entry(room.clone()).or_insert_with(|| Channel {
            sender: broadcast::channel(self.capacity).0,
            window: Arc::new(RoomWindow::new(self.capacity)),
        });
        (channel.sender.subscribe(), channel.window.clone())
    }

    /// Encodes a log event's frame once and hands it to every stream of its room.
    pub fn publish_event(&self, event: &LogEvent) {
        let broadcast = Broadcast {
            seq: Some(event.seq()),
            frame: sse_frame::log_frame(event),
            kick: None,
        };
        if !matches!(event, LogEvent::Message(_)) {
            // The window's first frame of that message is no longer what a replay shows.
            self.forget_window(event.room());
        }
        self.publish(event.room(), broadcast);
    }

    /// Sends an ephemeral event (presence, typing) to every stream of the room.
    pub fn publish_ephemeral(&self, room: &RoomName, kind: EventKind, data: &impl Serialize) {
        let broadcast = Broadcast {
            seq: None,
            frame: sse_frame::ephemeral_frame(kind, data),
            kick: None,
        };
        self.publish(room, broadcast);
    }

    /// An ephemeral event whose JSON was encoded elsewhere (another node).
    pub fn publish_raw(&self, room: &RoomName, kind: EventKind, json: &str) {
        if self.is_watched(room) {
            let frame = sse_frame::raw_frame(None, kind, json);
            let kick = None;
            self.publish(
                room,
                Broadcast {
                    seq: None,
                    frame,
                    kick,
                },
            );
        }
    }

    /// Ends the open streams of `room` on this node that `kick` names.
    pub fn kick(&self, room: &RoomName, kick: Kick) {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(channel) = rooms.get(room) {
            let kick = Some(kick);
            let _ = channel.sender.send(Broadcast {
                seq: None,
                frame: Bytes::new(),
                kick,
            });
        }
    }

    /// Whether any stream on this node follows `room`.
    pub fn is_watched(&self, room: &RoomName) -> bool {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms.contains_key(room)
    }

    /// Whether a stream on this node is subscribed to `room` right now.
    pub fn is_listened(&self, room: &RoomName) -> bool {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms
            .get(room)
            .is_some_and(|channel| channel.sender.receiver_count() > 0)
    }

    /// The rooms some stream on this node follows.
    pub fn watched_rooms(&self) -> Vec<RoomName> {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms.keys().cloned().collect()
    }

    /// Sends a heartbeat comment to every open stream of the node: the one clock that keeps
    /// idle streams (and the proxies between) from timing out, and that finds dead
    /// connections (a failed write ends the stream, and its person goes offline).
    pub fn beat(&self) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms.retain(|_, channel| {
            let beat = Broadcast {
                seq: None,
                frame: Bytes::from_static(sse_frame::HEARTBEAT),
                kick: None,
            };
            channel.sender.send(beat).is_ok()
        });
    }

    /// Ends every open stream (their browsers reconnect and resume), e.g. when this node
    /// lost the feed it relays, or shuts down.
    pub fn close_all(&self) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms.clear();
    }

    /// Forgets every room's window of newest frames (retention removed messages whose first
    /// frames a window may hold): each is known again from the store's next read.
    pub fn forget_windows(&self) {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        for channel in rooms.values() {
            channel.window.forget();
        }
    }

    fn forget_window(&self, room: &RoomName) {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(channel) = rooms.get(room) {
            channel.window.forget();
        }
    }

    fn publish(&self, room: &RoomName, broadcast: Broadcast) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let Some(channel) = rooms.get(room) else {
            return;
        };
        if let Some(seq) = broadcast.seq {
            channel.window.record(seq, &broadcast.frame);
        }
        if let Ok(streams) = channel.sender.send(broadcast) {
            crate::server::metrics::delivered(streams);
        } else {
            // Nobody listens any more: forget the room until someone subscribes again.
            rooms.remove(room);
        }
    }

    /// How many rooms have a channel (for tests and metrics).
    pub fn active_rooms(&self) -> usize {
        self.rooms.lock().map(|r| r.len()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ChatMessage;

    fn message(seq: u64) -> LogEvent {
        LogEvent::Message(ChatMessage::sample(seq))
    }

    #[test]
    fn every_subscriber_gets_the_same_encoded_frame() {
        let hub = Hub::new(8);
        let mut a = hub.subscribe(&RoomName::lobby());
        let mut b = hub.subscribe(&RoomName::lobby());
        hub.publish_event(&message(1));
        let (fa, fb) = match (a.try_recv(), b.try_recv()) {
            (Ok(fa), Ok(fb)) => (fa.frame, fb.frame),
            other => panic!("both should receive: {other:?}"),
        };
        assert_eq!(
            fa.as_ptr(),
            fb.as_ptr(),
            "the frame must be shared, not re-encoded"
        );
    }

    #[test]
    fn a_room_is_forgotten_once_its_last_stream_closes() {
        let hub = Hub::new(8);
        drop(hub.subscribe(&RoomName::lobby()));
        assert_eq!(hub.active_rooms(), 1);
        hub.publish_event(&message(1));
        assert_eq!(hub.active_rooms(), 0);
    }

    #[test]
    fn publishing_to_a_room_nobody_watches_does_nothing() {
        let hub = Hub::new(8);
        hub.publish_event(&message(1));
        assert_eq!(hub.active_rooms(), 0);
    }
}
