//! Who is online in each room on this node: everyone with at least one open stream, counted
//! once however many tabs they have. Changes are broadcast as `presence` events.

use crate::domain::{OnlineUser, Presence, RoomName, UserId};
use crate::server::hub::Hub;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

#[derive(Debug)]
struct Entry {
    name: String,
    streams: usize,
}

/// Open streams per room and person.
#[derive(Debug, Default)]
pub struct PresenceBook {
    rooms: Mutex<HashMap<RoomName, BTreeMap<UserId, Entry>>>,
}

impl PresenceBook {
    /// Counts one more stream of `user` in `room`; returns the room's new presence when the
    /// person was not online there before.
    pub fn join(&self, room: &RoomName, user: &OnlineUser) -> Option<Presence> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let people = rooms.entry(room.clone()).or_default();
        let entry = people.entry(user.id.clone()).or_insert(Entry {
            name: user.name.clone(),
            streams: 0,
        });
        entry.streams += 1;
        (entry.streams == 1).then(|| snapshot(room, people))
    }

    /// Counts one stream less; returns the room's new presence when that was the person's
    /// last stream there.
    pub fn leave(&self, room: &RoomName, user: &UserId) -> Option<Presence> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let people = rooms.get_mut(room)?;
        let entry = people.get_mut(user)?;
        entry.streams -= 1;
        if entry.streams > 0 {
            return None;
        }
        people.remove(user);
        let presence = snapshot(room, people);
        if people.is_empty() {
            rooms.remove(room);
        }
        Some(presence)
    }

    /// Shows `user` under a new name in every room they are in; returns those rooms' presence.
    pub fn rename(&self, user: &UserId, name: &str) -> Vec<Presence> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms
            .iter_mut()
            .filter_map(|(room, people)| {
                let entry = people.get_mut(user)?;
                entry.name = name.to_owned();
                Some(snapshot(room, people))
            })
            .collect()
    }

    /// Everyone online in `room` now.
    pub fn snapshot(&self, room: &RoomName) -> Presence {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        match rooms.get(room) {
            Some(people) => snapshot(room, people),
            None => Presence {
                room: room.clone(),
                online: Vec::new(),
            },
        }
    }

    /// How many people are online in `room`.
    pub fn online_count(&self, room: &RoomName) -> usize {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms.get(room).map_or(0, BTreeMap::len)
    }
}

fn snapshot(room: &RoomName, people: &BTreeMap<UserId, Entry>) -> Presence {
    let mut online: Vec<OnlineUser> = people
        .iter()
        .map(|(id, entry)| OnlineUser {
            id: id.clone(),
            name: entry.name.clone(),
        })
        .collect();
    online.sort_by_key(|user| user.name.to_lowercase());
    Presence {
        room: room.clone(),
        online,
    }
}

/// Held by an open stream: the person is online while it lives, and leaving is broadcast
/// when it is dropped (the stream ended or the connection was found dead).
pub struct PresenceGuard {
    book: Arc<PresenceBook>,
    hub: Arc<Hub>,
    room: RoomName,
    user: UserId,
}

impl PresenceGuard {
    /// Lists `user` in `room` and broadcasts the change if they just came online.
    pub fn join(book: Arc<PresenceBook>, hub: Arc<Hub>, room: RoomName, user: &OnlineUser) -> Self {
        if let Some(presence) = book.join(&room, user) {
            hub.publish_ephemeral(&room, "presence", &presence);
        }
        Self {
            book,
            hub,
            room,
            user: user.id.clone(),
        }
    }
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        if let Some(presence) = self.book.leave(&self.room, &self.user) {
            self.hub
                .publish_ephemeral(&self.room, "presence", &presence);
        }
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

    #[test]
    fn two_tabs_of_one_person_count_once_and_leave_with_the_last() {
        let book = PresenceBook::default();
        let room = RoomName::lobby();
        let ann = user(1, "Ann");
        assert!(
            book.join(&room, &ann).is_some(),
            "first tab: Ann comes online"
        );
        assert!(book.join(&room, &ann).is_none(), "second tab: no change");
        assert_eq!(book.online_count(&room), 1);
        assert!(book.leave(&room, &ann.id).is_none(), "one tab left");
        let gone = book.leave(&room, &ann.id).map(|p| p.online);
        assert_eq!(gone, Some(vec![]));
        assert_eq!(book.online_count(&room), 0);
    }

    #[test]
    fn the_list_is_sorted_by_name_and_follows_renames() {
        let book = PresenceBook::default();
        let room = RoomName::lobby();
        book.join(&room, &user(1, "zed"));
        book.join(&room, &user(2, "Amy"));
        let names = |p: &Presence| p.online.iter().map(|u| u.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&book.snapshot(&room)), ["Amy", "zed"]);
        let renamed = book.rename(&UserId::from_random(1), "Bea");
        assert_eq!(
            renamed.iter().map(names).collect::<Vec<_>>(),
            [["Amy", "Bea"]]
        );
    }
}
