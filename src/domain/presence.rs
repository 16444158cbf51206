//! Who is online in a room, as a stream tells it: one `presence` snapshot when it opens, then
//! `presence_change` events, each the difference between two snapshots. The server and the
//! browser share these rules, so that a change applied to the snapshot before it gives
//! exactly the snapshot after it.
//!
//! A snapshot lists at most [`LISTED`] people, the first by name; `count` has everyone.
//! In a room with more people than that, an arrival whose name sorts after the listed ones
//! changes only the count, so what a stream receives stays bounded however full the room.

use super::{OnlineUser, RoomName, UserId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The most people a presence snapshot names; `count` has the total.
pub const LISTED: usize = 100;

/// A `presence` event: who is online in the room (a person with two tabs once): the total
/// `count` and the first [`LISTED`] people by name. Ephemeral: it has no seq and is not
/// replayed; a stream gets one when it opens (and after it lagged). `version` orders it
/// with the `presence_change` events of the same stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub room: RoomName,
    pub count: usize,
    pub online: Vec<OnlineUser>,
    #[serde(default)]
    pub version: u64,
}

/// A `presence_change` event: from the snapshot a stream holds (`version - 1`) to the one
/// at `version`. `listed` are people now in the list who were not, or under another name;
/// `unlisted` are ids no longer in it (gone, or pushed past the first [`LISTED`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceChange {
    pub room: RoomName,
    pub version: u64,
    pub count: usize,
    pub listed: Vec<OnlineUser>,
    pub unlisted: Vec<UserId>,
}

impl Presence {
    /// Nobody online in `room`.
    pub fn empty(room: RoomName) -> Self {
        Presence {
            room,
            count: 0,
            online: Vec::new(),
            version: 0,
        }
    }

    /// The snapshot of `room` with these `people` (each once): all counted, the first
    /// [`LISTED`] listed in order.
    pub fn listing(room: RoomName, mut people: Vec<OnlineUser>) -> Self {
        Self::sort(&mut people);
        let count = people.len();
        people.truncate(LISTED);
        Presence {
            room,
            count,
            online: people,
            version: 0,
        }
    }

    /// Sorts `people` in list order: by name ignoring case, then by id.
    pub fn sort(people: &mut [OnlineUser]) {
        people.sort_by_cached_key(|user| Self::order(&user.name, &user.id));
    }

    /// Where someone called `name` goes in the list.
    pub fn order(name: &str, id: &UserId) -> (String, UserId) {
        (name.to_lowercase(), id.clone())
    }

    /// What turns this snapshot into `next` (whose version the change takes), or `None` when
    /// they show the same.
    pub fn change_to(&self, next: &Presence) -> Option<PresenceChange> {
        let before: HashMap<&UserId, &str> = self
            .online
            .iter()
            .map(|user| (&user.id, user.name.as_str()))
            .collect();
        let after: HashMap<&UserId, &str> = next
            .online
            .iter()
            .map(|user| (&user.id, user.name.as_str()))
            .collect();
        let listed: Vec<OnlineUser> = next
            .online
            .iter()
            .filter(|user| before.get(&user.id) != Some(&user.name.as_str()))
            .cloned()
            .collect();
        let unlisted: Vec<UserId> = self
            .online
            .iter()
            .filter(|user| !after.contains_key(&user.id))
            .map(|user| user.id.clone())
            .collect();
        if listed.is_empty() && unlisted.is_empty() && self.count == next.count {
            return None;
        }
        Some(PresenceChange {
            room: next.room.clone(),
            version: next.version,
            count: next.count,
            listed,
            unlisted,
        })
    }

    /// Applies `change` if it is newer than this snapshot (an older one is already in it).
    /// Answers whether it was applied.
    pub fn apply(&mut self, change: &PresenceChange) -> bool {
        if change.version <= self.version {
            return false;
        }
        self.online.retain(|user| {
            !change.unlisted.contains(&user.id)
                && !change.listed.iter().any(|new| new.id == user.id)
        });
        self.online.extend(change.listed.iter().cloned());
        Self::sort(&mut self.online);
        self.online.truncate(LISTED);
        self.count = change.count;
        self.version = change.version;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(version: u64, count: usize, people: &[(u128, &str)]) -> Presence {
        let mut online: Vec<OnlineUser> = people
            .iter()
            .map(|(n, name)| OnlineUser::sample(*n, name))
            .collect();
        Presence::sort(&mut online);
        Presence {
            room: RoomName::lobby(),
            count,
            online,
            version,
        }
    }

    #[test]
    fn a_change_turns_the_snapshot_before_into_the_one_after() {
        let before = snapshot(1, 3, &[(1, "Ann"), (2, "bob"), (3, "Cy")]);
        let after = snapshot(2, 3, &[(1, "Ann"), (3, "Cyrus"), (4, "Al")]);
        let change = before.change_to(&after).expect("they differ");
        assert_eq!(change.unlisted, [UserId::from_random(2)]);
        assert_eq!(change.listed.len(), 2, "the newcomer and the new name");
        let mut held = before.clone();
        assert!(held.apply(&change));
        assert_eq!(held, after);
    }

    #[test]
    fn an_old_or_repeated_change_is_ignored() {
        let before = snapshot(4, 1, &[(1, "Ann")]);
        let after = snapshot(5, 2, &[(1, "Ann"), (2, "Bob")]);
        let change = before.change_to(&after).expect("they differ");
        let mut held = after.clone();
        assert!(!held.apply(&change), "already in the snapshot");
        assert_eq!(held, after);
    }

    #[test]
    fn the_same_people_make_no_change_but_a_new_count_does() {
        let before = snapshot(1, 150, &[(1, "Ann")]);
        assert_eq!(before.change_to(&snapshot(2, 150, &[(1, "Ann")])), None);
        let change = before
            .change_to(&snapshot(2, 151, &[(1, "Ann")]))
            .expect("the count changed");
        assert!(change.listed.is_empty() && change.unlisted.is_empty());
        assert_eq!(change.count, 151);
    }

    #[test]
    fn a_full_list_stays_the_first_listed_through_arrivals_and_departures() {
        let everyone: Vec<(u128, String)> = (0..300u128)
            .map(|n| (n, format!("Guest {:03}", (n * 7919) % 1000)))
            .collect();
        let first = |people: &[(u128, String)], version| {
            let online = people
                .iter()
                .map(|(n, name)| OnlineUser::sample(*n, name))
                .collect();
            Presence {
                version,
                ..Presence::listing(RoomName::lobby(), online)
            }
        };
        let mut held = first(&everyone[..150], 1);
        let mut shown = held.clone();
        for (version, end) in (2..).zip([200, 120, 300, 10, 0]) {
            let next = first(&everyone[300 - end..], version);
            if let Some(change) = shown.change_to(&next) {
                assert!(change.listed.len() <= LISTED && change.unlisted.len() <= LISTED);
                assert!(held.apply(&change));
            }
            assert_eq!(held.online, next.online);
            assert_eq!(held.count, next.count);
            shown = next;
        }
    }
}
