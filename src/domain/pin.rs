//! Pins: messages kept at hand in the room's header. Each pin or unpin is a log event with
//! its own seq (`pin`), so a resumed stream replays them in order, once.

use super::{ChatMessage, OnlineUser, RoomName, Seq};
use serde::{Deserialize, Serialize};

/// The most messages one room keeps pinned.
pub const MAX_PINS_PER_ROOM: usize = 50;

/// A `pin` event: `by` pinned (or, `pinned: false`, unpinned) message `target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    pub seq: Seq,
    pub room: RoomName,
    pub target: Seq,
    pub pinned: bool,
    pub by: OnlineUser,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    /// The message as it reads now, without its reactions, when it is pinned and not
    /// deleted: the header lists it without loading it (left out otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Box<ChatMessage>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EventKind, FeedEvent, LogEvent, MessageDelete, UserId};

    fn pin(seq: u64, target: u64, pinned: bool) -> Pin {
        Pin {
            seq: Seq(seq),
            room: RoomName::lobby(),
            target: Seq(target),
            pinned,
            by: OnlineUser::sample(2, "bob"),
            at: 5,
            message: pinned.then(|| Box::new(ChatMessage::sample(target))),
        }
    }

    #[test]
    fn a_pin_event_reads_back_as_the_server_wrote_it() {
        let event = pin(9, 3, true);
        let json = serde_json::to_string(&event).expect("json");
        assert_eq!(
            FeedEvent::decode(EventKind::Pin, &json).expect("decodes"),
            FeedEvent::Log(LogEvent::Pin(event))
        );
        let unpin = serde_json::to_string(&pin(10, 3, false)).expect("json");
        assert!(!unpin.contains("message"), "an unpin carries no message");
    }

    #[test]
    fn pins_change_their_message_only_and_a_deleted_message_is_no_longer_pinned() {
        let viewer = UserId::sample();
        let mut message = ChatMessage::sample(3);
        message.apply(&LogEvent::Pin(pin(9, 4, true)), &viewer);
        assert!(!message.pinned, "another message's pin");
        message.apply(&LogEvent::Pin(pin(9, 3, true)), &viewer);
        assert!(message.pinned);
        message.apply(&LogEvent::Pin(pin(10, 3, false)), &viewer);
        assert!(!message.pinned);
        message.apply(&LogEvent::Pin(pin(11, 3, true)), &viewer);
        message.apply(
            &LogEvent::Delete(MessageDelete {
                seq: Seq(12),
                room: RoomName::lobby(),
                target: Seq(3),
                deleted_at: 6,
            }),
            &viewer,
        );
        assert!(!message.pinned && message.deleted);
    }
}
