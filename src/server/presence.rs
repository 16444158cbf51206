//! Who is online in each room on this node: everyone with at least one open stream, counted
//! once however many tabs they have.
//!
//! Changes are not broadcast one by one: with N people arriving in a room, a full list per
//! arrival would send O(N²) lists. Instead a change marks the room, and a flusher sends one
//! `presence` event per changed room per interval, listing at most `LISTED` people (and the
//! total count).

use crate::domain::{OnlineUser, Presence, RoomName, UserId};
use crate::server::hub::Hub;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The most people a presence event names; `count` has the total.
pub const LISTED: usize = 100;

#[derive(Debug)]
struct Entry {
    name: String,
    streams: usize,
}

#[derive(Debug, Default)]
struct Rooms {
    people: HashMap<RoomName, BTreeMap<UserId, Entry>>,
    /// Rooms whose presence changed since the last flush.
    changed: HashSet<RoomName>,
}

/// Open streams per room and person.
#[derive(Debug, Default)]
pub struct PresenceBook {
    rooms: Mutex<Rooms>,
}

impl PresenceBook {
    /// Counts one more stream of `user` in `room`.
    pub fn join(&self, room: &RoomName, user: &OnlineUser) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let entry = rooms
            .people
            .entry(room.clone())
            .or_default()
            .entry(user.id.clone())
            .or_insert(Entry {
                name: user.name.clone(),
                streams: 0,
            });
        entry.streams += 1;
        if entry.streams == 1 {
            rooms.changed.insert(room.clone());
        }
    }

    /// Counts one stream less; the person leaves with their last stream.
    pub fn leave(&self, room: &RoomName, user: &UserId) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let Some(people) = rooms.people.get_mut(room) else {
            return;
        };
        let Some(entry) = people.get_mut(user) else {
            return;
        };
        entry.streams -= 1;
        if entry.streams > 0 {
            return;
        }
        people.remove(user);
        if people.is_empty() {
            rooms.people.remove(room);
        }
        rooms.changed.insert(room.clone());
    }

    /// Shows `user` under a new name in every room they are in.
    pub fn rename(&self, user: &UserId, name: &str) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let Rooms { people, changed } = &mut *rooms;
        for (room, people) in people.iter_mut() {
            if let Some(entry) = people.get_mut(user) {
                entry.name = name.to_owned();
                changed.insert(room.clone());
            }
        }
    }

    /// Everyone online in `room` now (the first `LISTED` by name, and the count).
    pub fn snapshot(&self, room: &RoomName) -> Presence {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        snapshot(room, rooms.people.get(room))
    }

    /// How many people are online in `room`.
    pub fn online_count(&self, room: &RoomName) -> usize {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms.people.get(room).map_or(0, BTreeMap::len)
    }

    /// The presence of every room that changed since the last call.
    pub fn take_changes(&self) -> Vec<Presence> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let changed = std::mem::take(&mut rooms.changed);
        changed
            .into_iter()
            .map(|room| snapshot(&room, rooms.people.get(&room)))
            .collect()
    }

    /// Broadcasts the changed rooms' presence every `interval`, until `shutdown`.
    pub fn spawn_flusher(
        self: Arc<Self>,
        hub: Arc<Hub>,
        interval: Duration,
        shutdown: CancellationToken,
    ) {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    _ = ticks.tick() => {
                        for presence in self.take_changes() {
                            hub.publish_ephemeral(&presence.room.clone(), "presence", &presence);
                        }
                    }
                }
            }
        });
    }
}

fn snapshot(room: &RoomName, people: Option<&BTreeMap<UserId, Entry>>) -> Presence {
    let mut online: Vec<OnlineUser> = people
        .into_iter()
        .flatten()
        .map(|(id, entry)| OnlineUser {
            id: id.clone(),
            name: entry.name.clone(),
        })
        .collect();
    let count = online.len();
    online.sort_by_key(|user| user.name.to_lowercase());
    online.truncate(LISTED);
    Presence {
        room: room.clone(),
        count,
        online,
    }
}

/// Held by an open stream: the person is online while it lives, and leaves when it is
/// dropped (the stream ended, or a heartbeat write found the connection dead).
pub struct PresenceGuard {
    book: Arc<PresenceBook>,
    room: RoomName,
    user: UserId,
}

impl PresenceGuard {
    pub fn join(book: Arc<PresenceBook>, room: RoomName, user: &OnlineUser) -> Self {
        book.join(&room, user);
        Self {
            book,
            room,
            user: user.id.clone(),
        }
    }
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        self.book.leave(&self.room, &self.user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(n: u128, name: &str) -> OnlineUser {
        OnlineUser {
            id: UserId::from_random(n),
            name: name.into(),
        }
    }

    fn names(presence: &Presence) -> Vec<String> {
        presence.online.iter().map(|u| u.name.clone()).collect()
    }

    #[test]
    fn two_tabs_of_one_person_count_once_and_leave_with_the_last() {
        let book = PresenceBook::default();
        let room = RoomName::lobby();
        let ann = user(1, "Ann");
        book.join(&room, &ann);
        assert_eq!(book.take_changes().len(), 1, "Ann came online");
        book.join(&room, &ann);
        assert!(
            book.take_changes().is_empty(),
            "a second tab changes nothing"
        );
        book.leave(&room, &ann.id);
        assert!(book.take_changes().is_empty(), "one tab is still open");
        book.leave(&room, &ann.id);
        let changes = book.take_changes();
        assert_eq!(changes.iter().map(|p| p.count).collect::<Vec<_>>(), [0]);
        assert_eq!(book.online_count(&room), 0);
    }

    #[test]
    fn many_changes_between_flushes_make_one_event_per_room() {
        let book = PresenceBook::default();
        let room = RoomName::lobby();
        for n in 0..500 {
            book.join(&room, &user(n, &format!("user {n:03}")));
        }
        let changes = book.take_changes();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].count, 500);
        assert_eq!(changes[0].online.len(), LISTED, "the list is capped");
        assert_eq!(changes[0].online[0].name, "user 000");
    }

    #[test]
    fn the_list_is_sorted_by_name_and_follows_renames() {
        let book = PresenceBook::default();
        let room = RoomName::lobby();
        book.join(&room, &user(1, "zed"));
        book.join(&room, &user(2, "Amy"));
        assert_eq!(names(&book.snapshot(&room)), ["Amy", "zed"]);
        book.take_changes();
        book.rename(&UserId::from_random(1), "Bea");
        let changes = book.take_changes();
        assert_eq!(
            changes.iter().map(names).collect::<Vec<_>>(),
            [["Amy", "Bea"]]
        );
    }
}
