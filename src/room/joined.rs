//! The sidebar's rooms: the ones the person joined, each with its unread count. Counts come
//! from the server with the page, then move with the browser-wide stream (which carries
//! every joined room) and with what this person reads in any tab.

use crate::api::JoinedRoom;
use crate::domain::{NotifyLevel, RoomName, Seq};
use leptos::prelude::*;
use std::collections::BTreeMap;

fn mentions_in(rooms: &[JoinedRoom]) -> u32 {
    rooms.iter().map(|room| room.mentions).sum()
}

/// How a message reached the sidebar.
#[derive(Debug, Clone, Copy, Default)]
pub struct Arrival {
    /// The person sent it.
    pub from_me: bool,
    /// It is in the room the person is looking at, in a visible tab.
    pub seen_now: bool,
    /// It mentions the person.
    pub mentions_me: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct JoinedRooms {
    rooms: RwSignal<Vec<JoinedRoom>>,
}

impl JoinedRooms {
    pub fn new(rooms: Vec<JoinedRoom>) -> Self {
        Self {
            rooms: RwSignal::new(rooms),
        }
    }

    /// The rooms, by name (tracked).
    pub fn list(self) -> Vec<JoinedRoom> {
        self.rooms.get()
    }

    /// Unread messages over every room (tracked).
    pub fn total_unread(self) -> u32 {
        self.rooms
            .with(|rooms| rooms.iter().map(|room| room.unread).sum())
    }

    /// Mentions of the person over every room (tracked).
    pub fn total_mentions(self) -> u32 {
        self.rooms.with(|rooms| mentions_in(rooms))
    }

    /// The same, untracked.
    pub fn total_mentions_untracked(self) -> u32 {
        self.rooms.with_untracked(|rooms| mentions_in(rooms))
    }

    /// A message `seq` arrived in `room`. It counts as unread (and as a mention, when it
    /// mentions the person and the room's level counts mentions) unless it is the person's
    /// own or they are looking at that room now; one already counted (a replay) does not.
    /// Answers the room's level when the message counted: the caller may notify.
    pub fn message(self, room: &RoomName, seq: Seq, arrival: Arrival) -> Option<NotifyLevel> {
        let counts = self.rooms.with_untracked(|rooms| {
            rooms
                .iter()
                .any(|joined| joined.name == room.as_str() && joined.newest < seq)
        });
        if !counts {
            return None;
        }
        let mut level = None;
        self.rooms.update(|rooms| {
            if let Some(joined) = rooms.iter_mut().find(|joined| joined.name == room.as_str()) {
                joined.newest = seq;
                if !arrival.from_me && !arrival.seen_now {
                    joined.unread = joined.unread.saturating_add(1);
                    if arrival.mentions_me && joined.notify.counts_mentions() {
                        joined.mentions = joined.mentions.saturating_add(1);
                    }
                    level = Some(joined.notify);
                }
            }
        });
        level
    }

    /// The person chose what `room` notifies them of.
    pub fn set_notify(self, room: &RoomName, level: NotifyLevel) {
        self.rooms.update(|rooms| {
            if let Some(joined) = rooms.iter_mut().find(|joined| joined.name == room.as_str()) {
                joined.notify = level;
                if !level.counts_mentions() {
                    joined.mentions = 0;
                }
            }
        });
    }

    /// What `room` notifies the person of (untracked; the default if not joined).
    pub fn notify_level(self, room: &RoomName) -> NotifyLevel {
        self.rooms.with_untracked(|rooms| {
            rooms
                .iter()
                .find(|joined| joined.name == room.as_str())
                .map(|joined| joined.notify)
                .unwrap_or_default()
        })
    }

    /// A log event that is not a message (an edit, a delete, a reaction) arrived in `room`:
    /// nothing unread, but the room is known up to `seq`, so a stream opened again resumes
    /// after it instead of replaying it.
    pub fn passed(self, room: &RoomName, seq: Seq) {
        let behind = self.rooms.with_untracked(|rooms| {
            rooms
                .iter()
                .any(|joined| joined.name == room.as_str() && joined.newest < seq)
        });
        if behind {
            self.rooms.update(|rooms| {
                if let Some(joined) = rooms.iter_mut().find(|joined| joined.name == room.as_str()) {
                    joined.newest = seq;
                }
            });
        }
    }

    /// The person has seen `room` up to `seq` (in this tab or another): read, and listed.
    pub fn read(self, room: &RoomName, seq: Seq) {
        self.rooms.update(|rooms| {
            match rooms.iter_mut().find(|joined| joined.name == room.as_str()) {
                Some(joined) if seq >= joined.newest => {
                    joined.newest = seq;
                    joined.unread = 0;
                    joined.mentions = 0;
                }
                Some(_) => {}
                None => {
                    rooms.push(JoinedRoom {
                        name: room.to_string(),
                        newest: seq,
                        unread: 0,
                        mentions: 0,
                        notify: NotifyLevel::default(),
                        with: None,
                    });
                    rooms.sort_by(|a, b| a.name.cmp(&b.name));
                }
            }
        });
    }

    /// The person left `room`.
    pub fn leave(self, room: &RoomName) {
        self.rooms
            .update(|rooms| rooms.retain(|joined| joined.name != room.as_str()));
    }

    /// Every joined room, from the newest seq known: what the browser's stream must carry.
    pub fn wants(self) -> BTreeMap<RoomName, Seq> {
        self.rooms.with_untracked(|rooms| {
            rooms
                .iter()
                .filter_map(|joined| Some((RoomName::parse(&joined.name).ok()?, joined.newest)))
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(name: &str) -> RoomName {
        RoomName::parse(name).expect("a room name")
    }

    fn joined(name: &str, newest: u64, unread: u32) -> JoinedRoom {
        JoinedRoom {
            name: name.into(),
            newest: Seq(newest),
            unread,
            mentions: 0,
            notify: NotifyLevel::Mentions,
            with: None,
        }
    }

    const FROM_OTHERS: Arrival = Arrival {
        from_me: false,
        seen_now: false,
        mentions_me: false,
    };
    const MINE: Arrival = Arrival {
        from_me: true,
        ..FROM_OTHERS
    };
    const IN_VIEW: Arrival = Arrival {
        seen_now: true,
        ..FROM_OTHERS
    };
    const MENTION: Arrival = Arrival {
        mentions_me: true,
        ..FROM_OTHERS
    };

    #[test]
    fn a_mention_raises_the_badge_once_unless_the_room_notifies_nothing() {
        Owner::new().with(|| {
            let rooms = JoinedRooms::new(vec![joined("lobby", 4, 0), joined("quiet", 1, 0)]);
            assert_eq!(
                rooms.message(&room("lobby"), Seq(5), MENTION),
                Some(NotifyLevel::Mentions)
            );
            assert_eq!(
                rooms.message(&room("lobby"), Seq(5), MENTION),
                None,
                "a replay"
            );
            assert_eq!(rooms.message(&room("lobby"), Seq(6), IN_VIEW), None);
            assert_eq!(rooms.total_mentions(), 1);
            rooms.set_notify(&room("quiet"), NotifyLevel::Nothing);
            assert_eq!(
                rooms.message(&room("quiet"), Seq(2), MENTION),
                Some(NotifyLevel::Nothing)
            );
            assert_eq!(rooms.total_mentions(), 1, "a muted room raises no badge");
            assert_eq!(rooms.total_unread(), 2, "but counts as unread");
            rooms.read(&room("lobby"), Seq(6));
            assert_eq!(rooms.total_mentions(), 0, "reading clears the badge");
        });
    }

    #[test]
    fn other_log_events_move_the_cursor_without_counting_as_unread() {
        Owner::new().with(|| {
            let rooms = JoinedRooms::new(vec![joined("lobby", 4, 1)]);
            rooms.passed(&room("lobby"), Seq(6));
            rooms.passed(&room("lobby"), Seq(5));
            assert_eq!(rooms.list(), [joined("lobby", 6, 1)]);
            assert_eq!(
                rooms.wants()[&room("lobby")],
                Seq(6),
                "resume after the reaction"
            );
            rooms.message(&room("lobby"), Seq(6), FROM_OTHERS);
            assert_eq!(rooms.list(), [joined("lobby", 6, 1)], "not counted twice");
        });
    }

    #[test]
    fn messages_from_others_in_rooms_not_in_view_count_once_each() {
        Owner::new().with(|| {
            let rooms = JoinedRooms::new(vec![joined("lobby", 4, 1), joined("rust", 2, 0)]);
            rooms.message(&room("lobby"), Seq(5), FROM_OTHERS);
            rooms.message(&room("lobby"), Seq(5), FROM_OTHERS);
            rooms.message(&room("lobby"), Seq(3), FROM_OTHERS);
            rooms.message(&room("lobby"), Seq(6), MINE);
            rooms.message(&room("rust"), Seq(3), IN_VIEW);
            rooms.message(&room("elsewhere"), Seq(9), FROM_OTHERS);
            assert_eq!(
                rooms.list(),
                [joined("lobby", 6, 2), joined("rust", 3, 0)],
                "a replay, one's own and a room in view count nothing; an unjoined room is not listed"
            );
            assert_eq!(rooms.total_unread(), 2);
        });
    }

    #[test]
    fn reading_clears_a_room_up_to_the_mark_and_lists_a_room_joined_elsewhere() {
        Owner::new().with(|| {
            let rooms = JoinedRooms::new(vec![joined("lobby", 6, 2)]);
            rooms.read(&room("lobby"), Seq(5));
            assert_eq!(
                rooms.list(),
                [joined("lobby", 6, 2)],
                "read less than arrived"
            );
            rooms.read(&room("lobby"), Seq(6));
            assert_eq!(rooms.list(), [joined("lobby", 6, 0)]);
            rooms.read(&room("a-new-room"), Seq(1));
            assert_eq!(
                rooms.list()[0],
                joined("a-new-room", 1, 0),
                "listed by name"
            );
            assert_eq!(
                rooms.wants(),
                [(room("a-new-room"), Seq(1)), (room("lobby"), Seq(6))].into()
            );
            rooms.leave(&room("lobby"));
            assert_eq!(rooms.list(), [joined("a-new-room", 1, 0)]);
        });
    }
}
