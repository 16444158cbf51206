//! Rooms read as public and without messages, remembered so that the read is not made again
//! while nothing could have changed the answer. An event stream of such a room asks whether
//! it is private each time one opens (it may still become private), and 10,000 streams
//! opening on an empty room spent a quarter of their server's CPU on those reads
//! (docs/benchmarks.md).
//!
//! This is exact, not a cache that may be stale, because SQLite is one node: every change
//! that could alter the answer is made by this process and passes through here first.
//! - A private room is created only by [`EmptyRooms::creating`]'s holder: while one is under
//!   way nothing is remembered or answered from memory, and once it is done (committed or
//!   not) everything remembered is forgotten.
//! - A room gets its first event only through the writer, which calls
//!   [`EmptyRooms::written`] after the commit and before the event is delivered, so a stream
//!   that holds the event and asks again reads the store.
//!
//! A read that was under way while either happened is not remembered (the epoch moved).

use crate::domain::RoomName;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

/// At most this many rooms are remembered (then the memory starts over).
const REMEMBERED: usize = 100_000;

#[derive(Debug, Default)]
pub(super) struct EmptyRooms {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    rooms: HashSet<RoomName>,
    /// Moves at each creation's start and end and at each commit of events.
    epoch: u64,
    /// Private rooms being created now.
    creating: usize,
}

/// Taken before a read whose answer may be remembered.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ticket(u64);

/// Held while a private room is being created; dropped once the creation is done. (Hold
/// it in a task of its own: a creation whose caller went away may still commit.)
#[derive(Debug)]
pub(super) struct Creating(Arc<EmptyRooms>);

impl EmptyRooms {
    /// Whether `room` is known public without messages, with nothing able to change that
    /// since it was read.
    pub(super) fn knows(&self, room: &RoomName) -> bool {
        let inner = self.lock();
        inner.creating == 0 && inner.rooms.contains(room)
    }

    /// Taken before reading `room`'s privacy from the store.
    pub(super) fn ticket(&self) -> Ticket {
        Ticket(self.lock().epoch)
    }

    /// The read that began with `ticket` found `room` public without messages.
    pub(super) fn read_empty(&self, room: &RoomName, ticket: Ticket) {
        let mut inner = self.lock();
        if inner.creating != 0 || inner.epoch != ticket.0 {
            return;
        }
        if inner.rooms.len() >= REMEMBERED {
            inner.rooms.clear();
        }
        inner.rooms.insert(room.clone());
    }

    /// A private room is about to be created; hold the answer until that is done.
    pub(super) fn creating(self: &Arc<Self>) -> Creating {
        let mut inner = self.lock();
        inner.creating += 1;
        inner.epoch += 1;
        Creating(self.clone())
    }

    /// Events of `rooms` were committed (call before they are delivered).
    pub(super) fn written<'r>(&self, rooms: impl Iterator<Item = &'r RoomName>) {
        let mut inner = self.lock();
        inner.epoch += 1;
        if inner.rooms.is_empty() {
            return;
        }
        for room in rooms {
            inner.rooms.remove(room);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Creating {
    fn drop(&mut self) {
        let mut inner = self.0.lock();
        inner.creating -= 1;
        inner.epoch += 1;
        inner.rooms.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(name: &str) -> RoomName {
        RoomName::parse(name).expect("a room name")
    }

    #[test]
    fn a_room_read_empty_is_known_until_it_gets_an_event() {
        let empty = EmptyRooms::default();
        let ticket = empty.ticket();
        empty.read_empty(&room("quiet"), ticket);
        assert!(empty.knows(&room("quiet")));
        empty.written([room("other")].iter());
        assert!(
            empty.knows(&room("quiet")),
            "another room's event changes nothing"
        );
        empty.written([room("quiet")].iter());
        assert!(!empty.knows(&room("quiet")));
    }

    #[test]
    fn nothing_is_known_while_a_private_room_is_created_nor_after() {
        let empty = Arc::new(EmptyRooms::default());
        empty.read_empty(&room("quiet"), empty.ticket());
        let creating = empty.creating();
        assert!(
            !empty.knows(&room("quiet")),
            "it may be the room being made private"
        );
        empty.read_empty(&room("quiet"), empty.ticket());
        assert!(
            !empty.knows(&room("quiet")),
            "nor is a read during the creation kept"
        );
        drop(creating);
        assert!(!empty.knows(&room("quiet")), "forgotten once it is done");
    }

    #[test]
    fn a_read_under_way_when_things_changed_is_not_kept() {
        let empty = Arc::new(EmptyRooms::default());
        let before_creation = empty.ticket();
        drop(empty.creating());
        empty.read_empty(&room("quiet"), before_creation);
        assert!(!empty.knows(&room("quiet")), "a creation came between");

        let before_write = empty.ticket();
        empty.written([room("quiet")].iter());
        empty.read_empty(&room("quiet"), before_write);
        assert!(!empty.knows(&room("quiet")), "its first event came between");
    }
}
