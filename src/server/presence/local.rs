//! Local presence: who is online in each room on this node, everyone with at least one open
//! stream, counted once however many tabs they have. A change marks the room; the flusher
//! collects the marked rooms once per interval.

use crate::domain::{OnlineUser, RoomName, UserId};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

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
pub struct LocalPresence {
    rooms: Mutex<Rooms>,
}

impl LocalPresence {
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

    /// Everyone online in `room` on this node, in no particular order.
    pub fn people(&self, room: &RoomName) -> Vec<OnlineUser> {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        people_of(rooms.people.get(room))
    }

    /// The rooms where someone is online on this node.
    pub fn rooms(&self) -> Vec<RoomName> {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms.people.keys().cloned().collect()
    }

    /// The rooms whose presence changed since the last call, each with its people now
    /// (nobody when the last person left).
    pub fn take_changes(&self) -> Vec<(RoomName, Vec<OnlineUser>)> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let changed = std::mem::take(&mut rooms.changed);
        changed
            .into_iter()
            .map(|room| {
                let people = people_of(rooms.people.get(&room));
                (room, people)
            })
            .collect()
    }
}

fn people_of(people: Option<&BTreeMap<UserId, Entry>>) -> Vec<OnlineUser> {
    people
        .into_iter()
        .flatten()
        .map(|(id, entry)| OnlineUser {
            id: id.clone(),
            name: entry.name.clone(),
        })
        .collect()
}

/// Held by an open stream: the person is online while it lives, and leaves when it is
/// dropped (the stream ended, or a heartbeat write found the connection dead).
pub struct PresenceGuard {
    local: Arc<LocalPresence>,
    room: RoomName,
    user: UserId,
}

impl PresenceGuard {
    pub fn join(local: Arc<LocalPresence>, room: RoomName, user: &OnlineUser) -> Self {
        local.join(&room, user);
        Self {
            local,
            room,
            user: user.id.clone(),
        }
    }
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        self.local.leave(&self.room, &self.user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed_counts(local: &LocalPresence) -> Vec<usize> {
        local.take_changes().iter().map(|(_, r)| r.len()).collect()
    }

    #[test]
    fn two_tabs_of_one_person_count_once_and_leave_with_the_last() {
        let local = LocalPresence::default();
        let room = RoomName::lobby();
        let ann = OnlineUser::sample(1, "Ann");
        local.join(&room, &ann);
        assert_eq!(changed_counts(&local), [1], "Ann came online");
        local.join(&room, &ann);
        assert!(
            changed_counts(&local).is_empty(),
            "a second tab changes nothing"
        );
        local.leave(&room, &ann.id);
        assert!(changed_counts(&local).is_empty(), "one tab is still open");
        local.leave(&room, &ann.id);
        assert_eq!(changed_counts(&local), [0], "Ann left with her last tab");
        assert!(local.rooms().is_empty());
    }

    #[test]
    fn many_changes_between_flushes_make_one_change_per_room() {
        let local = LocalPresence::default();
        let room = RoomName::lobby();
        for n in 0..500 {
            local.join(&room, &OnlineUser::sample(n, &format!("user {n:03}")));
        }
        assert_eq!(changed_counts(&local), [500]);
    }

    #[test]
    fn a_rename_changes_every_room_of_the_person() {
        let local = LocalPresence::default();
        let (lobby, other) = (RoomName::lobby(), RoomName::parse("other").expect("room"));
        local.join(&lobby, &OnlineUser::sample(1, "zed"));
        local.join(&other, &OnlineUser::sample(1, "zed"));
        local.join(&other, &OnlineUser::sample(2, "Amy"));
        local.take_changes();
        local.rename(&UserId::from_random(1), "Bea");
        let mut changes = local.take_changes();
        changes.sort();
        assert_eq!(changes.len(), 2);
        assert!(changes
            .iter()
            .all(|(_, people)| people.iter().any(|u| u.name == "Bea")));
        assert_eq!(local.people(&other).len(), 2);
    }
}
