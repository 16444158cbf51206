//! Read marks, per person: what a person read on one device reaches the browser streams
//! of their other devices, and nobody else's. One broadcast channel per person with an
//! open browser-wide stream on this node; a mark for someone with none here costs a
//! lookup. (A room's channel would wake every stream of the room for each mark.)

use crate::domain::{ReadMark, UserId};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::broadcast;

/// How many marks a stream may fall behind (it then skips to the newest: a later mark
/// says all the earlier one did).
const BEHIND: usize = 16;

#[derive(Debug, Default)]
pub struct ReadFeeds {
    people: Mutex<HashMap<UserId, broadcast::Sender<ReadMark>>>,
}

impl ReadFeeds {
    /// The marks of `user` from now on.
    pub fn follow(&self, user: &UserId) -> broadcast::Receiver<ReadMark> {
        let mut people = self.people.lock().unwrap_or_else(|e| e.into_inner());
        people
            .entry(user.clone())
            .or_insert_with(|| broadcast::channel(BEHIND).0)
            .subscribe()
    }

    /// `user` read `mark.room` up to `mark.seq`: to their streams on this node.
    pub fn publish(&self, user: &UserId, mark: ReadMark) {
        let mut people = self.people.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = people.get(user) {
            if sender.send(mark).is_err() {
                // Nobody of theirs listens any more.
                people.remove(user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{RoomName, Seq};

    #[test]
    fn a_mark_reaches_its_persons_streams_only() {
        let feeds = ReadFeeds::default();
        let (ann, bob) = (
            UserId::parse(&"a".repeat(32)).expect("id"),
            UserId::parse(&"b".repeat(32)).expect("id"),
        );
        let mut anns = feeds.follow(&ann);
        let mut bobs = feeds.follow(&bob);
        let mark = ReadMark {
            room: RoomName::lobby(),
            seq: Seq(7),
        };
        feeds.publish(&ann, mark.clone());
        assert_eq!(anns.try_recv().ok(), Some(mark));
        assert!(bobs.try_recv().is_err());
    }
}
