use crate::domain::{ChatMessage, Seq};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The messages a room page shows, keyed by seq: whichever way a message arrives (first
/// render, SSE, the send's own answer, a replay after reconnecting), it is shown once and in
/// seq order.
#[derive(Debug, Clone, Copy)]
pub struct Timeline(RwSignal<BTreeMap<Seq, ChatMessage>>);

impl Timeline {
    pub fn new(messages: Vec<ChatMessage>) -> Self {
        Self(RwSignal::new(
            messages.into_iter().map(|m| (m.seq, m)).collect(),
        ))
    }

    /// Adds a message unless one with its seq is already shown.
    pub fn insert(self, message: ChatMessage) {
        let known = self.0.with_untracked(|m| m.contains_key(&message.seq));
        if !known {
            self.0.update(|messages| {
                messages.insert(message.seq, message);
            });
        }
    }

    /// The messages in seq order.
    pub fn messages(self) -> Vec<ChatMessage> {
        self.0.with(|m| m.values().cloned().collect())
    }

    pub fn is_empty(self) -> bool {
        self.0.with(BTreeMap::is_empty)
    }

    /// The newest seq shown, tracked: an effect reading it runs again on every new message.
    pub fn newest(self) -> Seq {
        self.0
            .with(|m| m.keys().next_back().copied())
            .unwrap_or(Seq::ZERO)
    }

    /// The newest seq shown, the cursor to resume from (not tracked).
    pub fn last_seq(self) -> Seq {
        self.0
            .with_untracked(|m| m.keys().next_back().copied())
            .unwrap_or(Seq::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_show_once_in_seq_order_whatever_order_they_arrive_in() {
        let owner = Owner::new();
        owner.with(|| {
            let timeline = Timeline::new(vec![ChatMessage::sample(1), ChatMessage::sample(2)]);
            for seq in [4, 3, 2, 4, 5, 1] {
                timeline.insert(ChatMessage::sample(seq));
            }
            let seqs: Vec<u64> = timeline.messages().iter().map(|m| m.seq.get()).collect();
            assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
            assert_eq!(timeline.last_seq(), Seq(5));
        });
    }
}
