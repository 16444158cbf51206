//! What this node's streams were last told about each room's presence. A stream opens with
//! the room's posted snapshot and then receives `presence_change` events, each the
//! difference from one posted snapshot to the next, so a flush costs every stream a few
//! names rather than the whole list.
//!
//! Gap-free by the same order as the log's resume: a stream subscribes to the room's feed
//! first, then reads the snapshot here. A post stores the new snapshot before it publishes
//! the change (both under one lock, so changes reach the feed in version order): a change
//! published before the stream subscribed is already in the snapshot it reads, and one
//! published after is on its feed. Versions come from one counter per node, so the browser
//! ignores a change its snapshot already holds.

use crate::domain::{EventKind, Presence, RoomName};
use crate::server::delivery::hub::Hub;
use crate::server::delivery::sse_frame;
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// The posted presence of every room where someone is online, as this node's streams see it.
#[derive(Debug)]
pub struct PresenceBoard {
    hub: Arc<Hub>,
    state: Mutex<Posted>,
}

#[derive(Debug, Default)]
struct Posted {
    rooms: HashMap<RoomName, Snapshot>,
    /// The newest version given to any room's snapshot.
    version: u64,
}

/// A room's posted presence and its frame, encoded once for every stream that opens.
#[derive(Debug)]
struct Snapshot {
    presence: Presence,
    frame: Bytes,
}

impl PresenceBoard {
    pub fn new(hub: Arc<Hub>) -> Self {
        Self {
            hub,
            state: Mutex::default(),
        }
    }

    /// The node's streams, which posts go to.
    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// Shows `presence` to its room's streams: when it differs from what they were last
    /// shown, it becomes the room's snapshot under the next version and they get the change.
    pub fn post(&self, mut presence: Presence) {
        let mut posted = self.lock();
        let empty;
        let before = match posted.rooms.get(&presence.room) {
            Some(snapshot) => &snapshot.presence,
            None => {
                empty = Presence::empty(presence.room.clone());
                &empty
            }
        };
        presence.version = posted.version + 1;
        let Some(change) = before.change_to(&presence) else {
            return;
        };
        posted.version = presence.version;
        let room = presence.room.clone();
        if presence.count == 0 {
            // Nobody: the same as no snapshot at all.
            posted.rooms.remove(&room);
        } else {
            let frame = sse_frame::ephemeral_frame(EventKind::Presence, &presence);
            posted
                .rooms
                .insert(room.clone(), Snapshot { presence, frame });
        }
        // Still under the lock: changes must reach the feed in version order.
        self.hub
            .publish_ephemeral(&room, EventKind::PresenceChange, &change);
    }

    /// Whether `room` has a posted snapshot (someone was online at the last post).
    pub fn has(&self, room: &RoomName) -> bool {
        self.lock().rooms.contains_key(room)
    }

    /// The room's posted snapshot as a `presence` frame. Read it after subscribing to the
    /// room's feed: every later change is then on the feed.
    pub fn snapshot_frame(&self, room: &RoomName) -> Bytes {
        match self.lock().rooms.get(room) {
            Some(snapshot) => snapshot.frame.clone(),
            None => sse_frame::ephemeral_frame(EventKind::Presence, &Presence::empty(room.clone())),
        }
    }

    /// The room's posted snapshot.
    pub fn snapshot(&self, room: &RoomName) -> Presence {
        match self.lock().rooms.get(room) {
            Some(snapshot) => snapshot.presence.clone(),
            None => Presence::empty(room.clone()),
        }
    }

    /// Forgets the rooms that no stream on this node follows.
    pub fn forget_unwatched(&self) {
        let mut posted = self.lock();
        posted.rooms.retain(|room, _| self.hub.is_watched(room));
    }

    fn lock(&self) -> MutexGuard<'_, Posted> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FeedEvent, OnlineUser};
    use crate::server::delivery::hub::Broadcast;

    fn presence(people: &[(u128, &str)]) -> Presence {
        let people = people
            .iter()
            .map(|(n, name)| OnlineUser::sample(*n, name))
            .collect();
        Presence::listing(RoomName::lobby(), people)
    }

    /// The event in an SSE frame.
    fn decode(frame: &Bytes) -> FeedEvent {
        let text = std::str::from_utf8(frame).expect("utf-8");
        let kind = text
            .lines()
            .find_map(|line| line.strip_prefix("event: "))
            .and_then(EventKind::from_name)
            .expect("an event name");
        let data = text
            .lines()
            .find_map(|line| line.strip_prefix("data: "))
            .expect("data");
        FeedEvent::decode(kind, data).expect("decodes")
    }

    fn next(feed: &mut tokio::sync::broadcast::Receiver<Broadcast>) -> FeedEvent {
        decode(&feed.try_recv().expect("an event").frame)
    }

    #[test]
    fn a_stream_opening_between_posts_ends_up_with_every_later_snapshot() {
        let hub = Arc::new(Hub::new(16));
        let board = PresenceBoard::new(hub.clone());
        let room = RoomName::lobby();
        board.post(presence(&[(1, "Ann")]));
        let mut feed = hub.subscribe(&room);
        let FeedEvent::Presence(mut held) = decode(&board.snapshot_frame(&room)) else {
            panic!("a snapshot first");
        };
        board.post(presence(&[(1, "Ann"), (2, "Bob")]));
        board.post(presence(&[(1, "Ann"), (2, "Bob")]));
        board.post(presence(&[(2, "Bob")]));
        let mut changes = 0;
        while let Ok(event) = feed.try_recv() {
            let FeedEvent::PresenceChange(change) = decode(&event.frame) else {
                panic!("only changes follow");
            };
            assert!(held.apply(&change));
            changes += 1;
        }
        assert_eq!(changes, 2, "posting the same people again sends nothing");
        assert_eq!(held, board.snapshot(&room));
        assert_eq!(held.online, presence(&[(2, "Bob")]).online);
    }

    #[test]
    fn a_change_the_snapshot_already_holds_is_ignored() {
        let hub = Arc::new(Hub::new(16));
        let board = PresenceBoard::new(hub.clone());
        let room = RoomName::lobby();
        let mut feed = hub.subscribe(&room);
        board.post(presence(&[(1, "Ann")]));
        let mut held = board.snapshot(&room);
        let FeedEvent::PresenceChange(change) = next(&mut feed) else {
            panic!("a change");
        };
        assert!(!held.apply(&change));
    }

    #[test]
    fn a_room_left_empty_is_forgotten() {
        let hub = Arc::new(Hub::new(16));
        let board = PresenceBoard::new(hub);
        let room = RoomName::lobby();
        board.post(presence(&[(1, "Ann")]));
        assert!(board.has(&room));
        board.post(presence(&[]));
        assert!(!board.has(&room));
        assert_eq!(board.snapshot(&room).count, 0);
    }
}
