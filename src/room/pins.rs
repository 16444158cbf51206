//! The room header's pinned messages as the page knows them: the room's list when the page
//! was made, then every pin, unpin, edit and delete from the live feed, the most recently
//! pinned first.

use crate::domain::{ChatMessage, LogEvent, UserId};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy)]
pub struct Pins(RwSignal<Vec<ChatMessage>>);

impl Pins {
    pub fn new(pins: Vec<ChatMessage>) -> Self {
        Self(RwSignal::new(pins))
    }

    /// The pinned messages, the most recently pinned first (tracked).
    pub fn list(self) -> Vec<ChatMessage> {
        self.0.get()
    }

    /// How many (tracked).
    pub fn count(self) -> usize {
        self.0.with(Vec::len)
    }

    /// A log event from the live feed (or a replay, or an answer of the page's own): a pin
    /// puts its message first (once), an unpin or delete takes it out, an edit changes its
    /// text. Anything else, or about a message not pinned, changes nothing.
    pub fn apply(self, event: &LogEvent, viewer: &UserId) {
        let Some(target) = event.target() else {
            return;
        };
        let listed = self
            .0
            .with_untracked(|pins| pins.iter().any(|m| m.seq == target));
        match event {
            LogEvent::Pin(pin) => self.0.update(|pins| {
                pins.retain(|m| m.seq != target);
                if let Some(message) = pin.message.as_deref().filter(|_| pin.pinned) {
                    pins.insert(0, message.clone());
                }
            }),
            LogEvent::Edit(_) | LogEvent::Delete(_) if listed => self.0.update(|pins| {
                pins.iter_mut()
                    .filter(|m| m.seq == target)
                    .for_each(|m| m.apply(event, viewer));
                pins.retain(|m| !m.deleted);
            }),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{MessageDelete, MessageEdit, OnlineUser, Pin, RoomName, Seq};

    fn pin(seq: u64, target: u64, pinned: bool) -> LogEvent {
        LogEvent::Pin(Pin {
            seq: Seq(seq),
            room: RoomName::lobby(),
            target: Seq(target),
            pinned,
            by: OnlineUser::sample(2, "bob"),
            at: 0,
            message: pinned.then(|| Box::new(ChatMessage::sample(target))),
        })
    }

    fn seqs(pins: Pins) -> Vec<u64> {
        pins.list().iter().map(|m| m.seq.get()).collect()
    }

    #[test]
    fn the_newest_pin_comes_first_once_and_unpins_edits_and_deletes_follow() {
        Owner::new().with(|| {
            let viewer = UserId::sample();
            let pins = Pins::new(vec![ChatMessage::sample(2)]);
            pins.apply(&pin(10, 5, true), &viewer);
            pins.apply(&pin(10, 5, true), &viewer);
            assert_eq!(seqs(pins), [5, 2], "newest first, once");
            pins.apply(&pin(11, 2, true), &viewer);
            assert_eq!(seqs(pins), [2, 5], "pinned again: first");
            pins.apply(
                &LogEvent::Edit(MessageEdit {
                    seq: Seq(12),
                    room: RoomName::lobby(),
                    target: Seq(5),
                    body: "new words".into(),
                    edited_at: 1,
                }),
                &viewer,
            );
            assert_eq!(pins.list()[1].body, "new words");
            pins.apply(&pin(13, 2, false), &viewer);
            assert_eq!(seqs(pins), [5]);
            pins.apply(
                &LogEvent::Delete(MessageDelete {
                    seq: Seq(14),
                    room: RoomName::lobby(),
                    target: Seq(5),
                    deleted_at: 2,
                }),
                &viewer,
            );
            assert!(
                pins.list().is_empty(),
                "a deleted message is no longer pinned"
            );
        });
    }
}
