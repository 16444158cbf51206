//! Local presence: who is online in each room on this node, everyone with at least one open
//! stream, counted once however many tabs they have. A change marks the room; the flusher
//! collects the marked rooms once per interval.

use crate::domain::{OnlineUser, Presence, RoomName, UserId, LISTED};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

#[derive(Debug)]
struct Entry {
    name: String,
    streams: usize,
}

/// The people of one room, by id and in the order a summary lists them (lower-cased name,
/// then id), kept in step on every join, leave and rename, so that a summary reads the
/// first `LISTED` in O(LISTED) instead of sorting everyone for each opening stream.
#[derive(Debug, Default)]
struct Room {
    by_id: BTreeMap<UserId, Entry>,
    by_name: BTreeSet<(String, UserId)>,
}

impl Room {
    fn people(&self) -> Vec<OnlineUser> {
        self.by_id
            .iter()
            .map(|(id, entry)| OnlineUser {
                id: id.clone(),
                name: entry.name.clone(),
            })
            .collect()
    }

    fn summary(&self, room: &RoomName) -> Presence {
        Presence {
            count: self.by_id.len(),
            online: self
                .by_name
                .iter()
                .take(LISTED)
                .filter_map(|(_, id)| {
                    let entry = self.by_id.get(id)?;
                    Some(OnlineUser {
                        id: id.clone(),
                        name: entry.name.clone(),
                    })
                })
                .collect(),
            ..Presence::empty(room.clone())
        }
    }
}

#[derive(Debug, Default)]
struct Rooms {
    rooms: HashMap<RoomName, Room>,
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
        let mut state = self.lock();
        let people = state.rooms.entry(room.clone()).or_default();
        let entry = people
            .by_id
            .entry(user.id.clone())
            .or_insert_with(|| Entry {
                name: user.name.clone(),
                streams: 0,
            });
        entry.streams += 1;
        if entry.streams == 1 {
            let key = Presence::order(&entry.name, &user.id);
            people.by_name.insert(key);
            state.changed.insert(room.clone());
        }
    }

    /// Counts one stream less; the person leaves with their last stream.
    pub fn leave(&self, room: &RoomName, user: &UserId) {
        let mut state = self.lock();
        let Some(people) = state.rooms.get_mut(room) else {
            return;
        };
        let Some(entry) = people.by_id.get_mut(user) else {
            return;
        };
        entry.streams -= 1;
        if entry.streams > 0 {
            return;
        }
        if let Some(entry) = people.by_id.remove(user) {
            people.by_name.remove(&Presence::order(&entry.name, user));
        }
        if people.by_id.is_empty() {
            state.rooms.remove(room);
        }
        state.changed.insert(room.clone());
    }

    /// Shows `user` under a new name in every room they are in.
    pub fn rename(&self, user: &UserId, name: &str) {
        let mut state = self.lock();
        let Rooms { rooms, changed } = &mut *state;
        for (room, people) in rooms.iter_mut() {
            if let Some(entry) = people.by_id.get_mut(user) {
                people.by_name.remove(&Presence::order(&entry.name, user));
                entry.name = name.to_owned();
                people.by_name.insert(Presence::order(name, user));
                changed.insert(room.clone());
            }
        }
    }

    /// Everyone online in `room` on this node, in no particular order.
    pub fn people(&self, room: &RoomName) -> Vec<OnlineUser> {
        self.lock()
            .rooms
            .get(room)
            .map(Room::people)
            .unwrap_or_default()
    }

    /// The summary of `room` on this node alone (the first `LISTED` by name, and the count).
    pub fn summary(&self, room: &RoomName) -> Presence {
        let state = self.lock();
        summary_of(&state, room)
    }

    /// The rooms where someone is online on this node.
    pub fn rooms(&self) -> Vec<RoomName> {
        self.lock().rooms.keys().cloned().collect()
    }

    /// The rooms whose presence changed since the last call, each with its people now
    /// (nobody when the last person left).
    pub fn take_changes(&self) -> Vec<(RoomName, Vec<OnlineUser>)> {
        let mut state = self.lock();
        let changed = std::mem::take(&mut state.changed);
        changed
            .into_iter()
            .map(|room| {
                let people = state.rooms.get(&room).map(Room::people).unwrap_or_default();
                (room, people)
            })
            .collect()
    }

    /// The rooms whose presence changed since the last call, each with its summary now.
    pub fn take_changed_summaries(&self) -> Vec<Presence> {
        let mut state = self.lock();
        let changed = std::mem::take(&mut state.changed);
        changed
            .into_iter()
            .map(|room| summary_of(&state, &room))
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rooms> {
        self.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The summary of `room` (nobody, once its last person left).
fn summary_of(state: &Rooms, room: &RoomName) -> Presence {
    match state.rooms.get(room) {
        Some(people) => people.summary(room),
        None => Presence::empty(room.clone()),
    }
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

    #[test]
    fn the_kept_summary_is_the_one_built_from_everyone() {
        let local = LocalPresence::default();
        let room = RoomName::lobby();
        for n in 0..300u128 {
            local.join(
                &room,
                &OnlineUser::sample(n, &format!("Guest {:03}", (n * 7919) % 1000)),
            );
        }
        local.join(&room, &OnlineUser::sample(5, "ignored: already here"));
        local.rename(&UserId::from_random(10), "aaa first now");
        for n in (0..300u128).step_by(3) {
            local.leave(&room, &UserId::from_random(n));
        }
        local.leave(&room, &UserId::from_random(5));
        let built = crate::server::presence::summary::summarize(&room, local.people(&room));
        assert_eq!(local.summary(&room), built);
        assert_eq!(built.online.len(), LISTED);
        assert_eq!(built.online[0].name, "aaa first now");
    }
}
