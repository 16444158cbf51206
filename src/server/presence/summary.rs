//! From the people online in a room (on one node or several) to its presence snapshot: each
//! person once, sorted by name, the list capped at `LISTED` with the full `count`.
//!
//! Changes are not broadcast one by one: with N people arriving in a room, an event per
//! arrival would cost O(N²). The flusher posts one snapshot per changed room per interval,
//! and streams get only its difference from the last (`board.rs`).

use crate::domain::{OnlineUser, Presence, RoomName, UserId};
use std::collections::BTreeMap;

/// The presence of `room` for these people. A person listed more than once (tabs on two
/// nodes) counts once, under the first name given.
pub fn summarize(room: &RoomName, people: impl IntoIterator<Item = OnlineUser>) -> Presence {
    let mut unique: BTreeMap<UserId, String> = BTreeMap::new();
    for user in people {
        unique.entry(user.id).or_insert(user.name);
    }
    let people = unique
        .into_iter()
        .map(|(id, name)| OnlineUser { id, name })
        .collect();
    Presence::listing(room.clone(), people)
}

/// How many different people these are.
pub fn count(people: impl IntoIterator<Item = OnlineUser>) -> usize {
    let mut ids: Vec<UserId> = people.into_iter().map(|user| user.id).collect();
    ids.sort();
    ids.dedup();
    ids.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(presence: &Presence) -> Vec<&str> {
        presence.online.iter().map(|u| u.name.as_str()).collect()
    }

    #[test]
    fn the_list_is_sorted_by_name_ignoring_case() {
        let presence = summarize(
            &RoomName::lobby(),
            [OnlineUser::sample(1, "zed"), OnlineUser::sample(2, "Amy")],
        );
        assert_eq!(names(&presence), ["Amy", "zed"]);
        assert_eq!(presence.count, 2);
    }

    #[test]
    fn a_person_on_two_nodes_counts_once() {
        let people = [
            OnlineUser::sample(1, "Ann"),
            OnlineUser::sample(2, "Bob"),
            OnlineUser::sample(1, "Ann"),
        ];
        let presence = summarize(&RoomName::lobby(), people.clone());
        assert_eq!(names(&presence), ["Ann", "Bob"]);
        assert_eq!(presence.count, 2);
        assert_eq!(count(people), 2);
    }

    #[test]
    fn a_full_room_lists_the_first_names_and_counts_everyone() {
        let people = (0..500).map(|n| OnlineUser::sample(n, &format!("user {n:03}")));
        let presence = summarize(&RoomName::lobby(), people);
        assert_eq!(presence.count, 500);
        assert_eq!(
            presence.online.len(),
            crate::domain::LISTED,
            "the list is capped"
        );
        assert_eq!(presence.online[0].name, "user 000");
    }
}
