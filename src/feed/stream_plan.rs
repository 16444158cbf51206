//! Which rooms the leader's one stream carries, and from which cursor each resumes.
//!
//! Every tab says which rooms it wants and how far it has each (its cursor). The stream
//! carries every room some tab wants; it resumes each from how far it has delivered it, or
//! from further back when a tab has less (a tab that just opened, one whose messages were
//! lost on the way): the other tabs drop what they already have by seq, so going back is
//! never wrong, and going forward past what a tab has would be.

use crate::domain::{RoomName, Seq};
use std::collections::BTreeMap;

/// The most rooms one stream asks for: the server's default `CHAT_STREAM_MAX_ROOMS`.
pub const MAX_ROOMS: usize = 50;

#[derive(Debug, Clone, Default)]
pub struct StreamPlan {
    /// Each tab's rooms, with how far that tab has each.
    wants: BTreeMap<String, BTreeMap<RoomName, Seq>>,
    /// Each carried room: how far the stream has delivered it (where it resumes).
    cursors: BTreeMap<RoomName, Seq>,
}

impl StreamPlan {
    /// `tab` now wants `rooms`, having each up to its seq. `true` when the stream must be
    /// opened again: a room was added or dropped, or must be resumed from further back.
    pub fn want(&mut self, tab: &str, rooms: BTreeMap<RoomName, Seq>) -> bool {
        let mut reopen = false;
        for (room, &cursor) in &rooms {
            match self.cursors.get(room) {
                Some(&delivered) if delivered <= cursor => {}
                _ => {
                    self.cursors.insert(room.clone(), cursor);
                    reopen = true;
                }
            }
        }
        self.wants.insert(tab.to_owned(), rooms);
        self.drop_unwanted() || reopen
    }

    /// `tab` went away. `true` when a room is no longer wanted by any tab.
    pub fn gone(&mut self, tab: &str) -> bool {
        self.wants.remove(tab);
        self.drop_unwanted()
    }

    /// The stream delivered `seq` of `room`.
    pub fn delivered(&mut self, room: &RoomName, seq: Seq) {
        if let Some(cursor) = self.cursors.get_mut(room) {
            if *cursor < seq {
                *cursor = seq;
            }
        }
    }

    /// How far the stream has `room`, when it carries it.
    pub fn cursor(&self, room: &RoomName) -> Option<Seq> {
        self.cursors.get(room).copied()
    }

    /// The `rooms=` of the stream to open (`lobby:41,rust-help:7`), or `None` when no tab
    /// wants any room. Past [`MAX_ROOMS`], the rooms first by name.
    pub fn query(&self) -> Option<String> {
        if self.cursors.is_empty() {
            return None;
        }
        let pairs: Vec<String> = self
            .cursors
            .iter()
            .take(MAX_ROOMS)
            .map(|(room, cursor)| format!("{room}:{}", cursor.get()))
            .collect();
        Some(pairs.join(","))
    }

    fn drop_unwanted(&mut self) -> bool {
        let before = self.cursors.len();
        let wants = &self.wants;
        self.cursors
            .retain(|room, _| wants.values().any(|rooms| rooms.contains_key(room)));
        self.cursors.len() != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(name: &str) -> RoomName {
        RoomName::parse(name).expect("a room name")
    }

    fn rooms(pairs: &[(&str, u64)]) -> BTreeMap<RoomName, Seq> {
        pairs
            .iter()
            .map(|(name, seq)| (room(name), Seq(*seq)))
            .collect()
    }

    #[test]
    fn the_stream_carries_every_wanted_room_from_the_furthest_back_any_tab_needs() {
        let mut plan = StreamPlan::default();
        assert_eq!(plan.query(), None, "no tab, no stream");
        assert!(plan.want("a", rooms(&[("lobby", 5)])));
        plan.delivered(&room("lobby"), Seq(9));
        assert!(
            !plan.want("b", rooms(&[("lobby", 9)])),
            "a tab as far along as the stream changes nothing"
        );
        assert!(plan.want("c", rooms(&[("lobby", 7), ("rust", 2)])));
        assert_eq!(plan.query().as_deref(), Some("lobby:7,rust:2"), "back to 7");
        plan.delivered(&room("lobby"), Seq(9));
        plan.delivered(&room("lobby"), Seq(8));
        assert_eq!(plan.cursor(&room("lobby")), Some(Seq(9)), "never backwards");
    }

    #[test]
    fn a_room_stays_while_any_tab_wants_it() {
        let mut plan = StreamPlan::default();
        plan.want("a", rooms(&[("lobby", 1)]));
        plan.want("b", rooms(&[("lobby", 1), ("rust", 1)]));
        assert!(plan.gone("b"), "rust: no one wants it");
        assert_eq!(plan.query().as_deref(), Some("lobby:1"));
        assert!(!plan.gone("nobody"));
        assert!(
            plan.want("a", BTreeMap::new()),
            "a navigated away from the lobby"
        );
        assert_eq!(plan.query(), None);
    }

    #[test]
    fn no_more_rooms_than_a_stream_may_carry() {
        let mut plan = StreamPlan::default();
        let many: BTreeMap<RoomName, Seq> = (0..60)
            .map(|n| (room(&format!("r{n:02}")), Seq(0)))
            .collect();
        plan.want("a", many);
        let query = plan.query().expect("rooms");
        assert_eq!(query.split(',').count(), MAX_ROOMS);
        assert!(query.starts_with("r00:0,"));
    }
}
