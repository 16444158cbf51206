use crate::domain::{ChatMessage, LogEvent, Seq, UserId};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The messages a room page shows, keyed by seq: whichever way a message arrives (first
/// render, the live feed, the send's own answer, a replay after reconnecting, an older
/// page), it is shown once and in seq order; edits and deletes change it in place.
#[derive(Debug, Clone, Copy)]
pub struct Timeline {
    messages: RwSignal<BTreeMap<Seq, ChatMessage>>,
    /// The newest log event applied: where the live feed resumes from.
    cursor: RwSignal<Seq>,
    has_older: RwSignal<bool>,
    /// Opened at a permalink and not yet read on to the newest: the last message of the
    /// loaded window. Messages after it (arriving live meanwhile) wait, hidden, until the
    /// pages between are loaded, so the list never shows a gap.
    window_end: RwSignal<Option<Seq>>,
}

/// A message as the list shows it: `continued` when it follows a message by the same
/// author within a few minutes, so the name and time are not repeated; `previous_sent_at`,
/// the time of the message shown before it, to tell where a new day starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub message: ChatMessage,
    pub continued: bool,
    pub previous_sent_at: Option<i64>,
}

/// Messages by one author closer together than this are grouped.
const GROUP_WINDOW_MS: i64 = 5 * 60 * 1000;

impl Timeline {
    pub fn new(messages: Vec<ChatMessage>, cursor: Seq, has_older: bool) -> Self {
        Self {
            messages: RwSignal::new(messages.into_iter().map(|m| (m.seq, m)).collect()),
            cursor: RwSignal::new(cursor),
            has_older: RwSignal::new(has_older),
            window_end: RwSignal::new(None),
        }
    }

    /// Opened at a permalink with more messages after the window: they load page by page.
    pub fn ends_before_newest(self) {
        let last = self
            .messages
            .with_untracked(|m| m.keys().next_back().copied());
        self.window_end.set(last);
    }

    /// Whether newer messages wait to be loaded (tracked).
    pub fn has_newer(self) -> bool {
        self.window_end.with(Option::is_some)
    }

    /// Where the next newer page starts (not tracked).
    pub fn window_end(self) -> Option<Seq> {
        self.window_end.get_untracked()
    }

    /// Adds a newer page after the window; `has_newer`: more wait after it.
    pub fn append_newer(self, newer: Vec<ChatMessage>, has_newer: bool) {
        let last = newer.last().map(|m| m.seq);
        self.messages.update(|messages| {
            for message in newer {
                messages.entry(message.seq).or_insert(message);
            }
        });
        self.window_end.set(if has_newer {
            last.or(self.window_end())
        } else {
            None
        });
    }

    /// Applies a log event from the live feed (or a replay), as `viewer` sees it, and moves
    /// the cursor past it.
    pub fn apply(self, event: LogEvent, viewer: &UserId) {
        let seq = event.seq();
        if self.cursor.get_untracked() < seq {
            self.cursor.set(seq);
        }
        match event {
            LogEvent::Message(message) => self.insert(message),
            ref change => self.update(change, viewer),
        }
    }

    /// Adds a message unless one with its seq is already shown.
    pub fn insert(self, message: ChatMessage) {
        let known = self
            .messages
            .with_untracked(|m| m.contains_key(&message.seq));
        if !known {
            self.messages.update(|messages| {
                messages.insert(message.seq, message);
            });
        }
    }

    /// A change to a shown message, or to one that shown replies quote. A change to a
    /// message not loaded (older than the first page) shows up when that page is loaded,
    /// since pages carry the current state.
    fn update(self, event: &LogEvent, viewer: &UserId) {
        let Some(target) = event.target() else {
            return;
        };
        let concerned = |m: &ChatMessage| m.seq == target || m.reply_to == Some(target);
        if self.messages.with_untracked(|m| m.values().any(concerned)) {
            self.messages.update(|messages| {
                messages
                    .values_mut()
                    .filter(|m| concerned(m))
                    .for_each(|m| m.apply(event, viewer));
            });
        }
    }

    /// Adds an older page (scroll-back).
    pub fn prepend(self, older: Vec<ChatMessage>, has_older: bool) {
        self.messages.update(|messages| {
            for message in older {
                messages.entry(message.seq).or_insert(message);
            }
        });
        self.has_older.set(has_older);
    }

    /// The messages in seq order (up to the window's end), grouped by author.
    pub fn shown(self) -> Vec<Shown> {
        let end = self.window_end.get().unwrap_or(Seq(u64::MAX));
        self.messages.with(|messages| {
            let mut previous: Option<&ChatMessage> = None;
            messages
                .range(..=end)
                .map(|(_, message)| message)
                .map(|message| {
                    let continued = previous.is_some_and(|p| {
                        p.author_id == message.author_id
                            && p.author == message.author
                            && !p.deleted
                            && message.sent_at - p.sent_at < GROUP_WINDOW_MS
                    });
                    let previous_sent_at = previous.map(|p| p.sent_at);
                    previous = Some(message);
                    Shown {
                        message: message.clone(),
                        continued,
                        previous_sent_at,
                    }
                })
                .collect()
        })
    }

    /// Message `seq`, if it is shown (not tracked).
    pub fn message(self, seq: Seq) -> Option<ChatMessage> {
        self.messages.with_untracked(|m| m.get(&seq).cloned())
    }

    pub fn is_empty(self) -> bool {
        self.messages.with(BTreeMap::is_empty)
    }

    pub fn has_older(self) -> bool {
        self.has_older.get()
    }

    /// The oldest seq shown: where the next older page ends.
    pub fn oldest(self) -> Option<Seq> {
        self.messages.with_untracked(|m| m.keys().next().copied())
    }

    /// The newest message seq shown, tracked: an effect reading it runs again on every new
    /// message shown.
    pub fn newest(self) -> Seq {
        let end = self.window_end.get().unwrap_or(Seq(u64::MAX));
        self.messages
            .with(|m| m.range(..=end).next_back().map(|(seq, _)| *seq))
            .unwrap_or(Seq::ZERO)
    }

    /// The newest message seq, not tracked.
    pub fn newest_untracked(self) -> Seq {
        self.messages
            .with_untracked(|m| m.keys().next_back().copied())
            .unwrap_or(Seq::ZERO)
    }

    /// How many messages after `after` were written by authors `counts` accepts (not tracked).
    pub fn count_after(self, after: Seq, counts: impl Fn(&UserId) -> bool) -> usize {
        self.messages.with_untracked(|messages| {
            messages
                .range(after.next()..)
                .filter(|(_, m)| counts(&m.author_id))
                .count()
        })
    }

    /// The resume cursor (not tracked).
    pub fn cursor(self) -> Seq {
        self.cursor.get_untracked()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{MessageDelete, MessageEdit, RoomName};

    fn seqs(timeline: Timeline) -> Vec<u64> {
        timeline
            .shown()
            .iter()
            .map(|s| s.message.seq.get())
            .collect()
    }

    #[test]
    fn messages_show_once_in_seq_order_whatever_order_they_arrive_in() {
        Owner::new().with(|| {
            let timeline = Timeline::new(
                vec![ChatMessage::sample(1), ChatMessage::sample(2)],
                Seq(2),
                false,
            );
            for seq in [4, 3, 2, 4, 5, 1] {
                timeline.apply(
                    LogEvent::Message(ChatMessage::sample(seq)),
                    &UserId::sample(),
                );
            }
            assert_eq!(seqs(timeline), vec![1, 2, 3, 4, 5]);
            assert_eq!(timeline.cursor(), Seq(5));
        });
    }

    #[test]
    fn edits_and_deletes_change_the_message_in_place_and_move_the_cursor() {
        Owner::new().with(|| {
            let timeline = Timeline::new(vec![ChatMessage::sample(1)], Seq(1), false);
            timeline.apply(
                LogEvent::Edit(MessageEdit {
                    seq: Seq(2),
                    room: RoomName::lobby(),
                    target: Seq(1),
                    body: "better".into(),
                    edited_at: 5,
                }),
                &UserId::sample(),
            );
            assert_eq!(timeline.shown()[0].message.body, "better");
            timeline.apply(
                LogEvent::Delete(MessageDelete {
                    seq: Seq(3),
                    room: RoomName::lobby(),
                    target: Seq(1),
                    deleted_at: 6,
                }),
                &UserId::sample(),
            );
            assert!(timeline.shown()[0].message.deleted);
            assert_eq!(timeline.cursor(), Seq(3));
            assert_eq!(seqs(timeline), vec![1], "edits are not messages");
        });
    }

    #[test]
    fn a_window_opened_at_a_permalink_hides_what_arrives_after_it_until_read_on_to() {
        Owner::new().with(|| {
            let timeline = Timeline::new(
                vec![ChatMessage::sample(10), ChatMessage::sample(11)],
                Seq(40),
                true,
            );
            timeline.ends_before_newest();
            assert!(timeline.has_newer());
            timeline.apply(
                LogEvent::Message(ChatMessage::sample(41)),
                &UserId::sample(),
            );
            assert_eq!(seqs(timeline), vec![10, 11], "no gap shown");
            assert_eq!(timeline.newest(), Seq(11));
            timeline.append_newer(vec![ChatMessage::sample(12)], true);
            assert_eq!(timeline.window_end(), Some(Seq(12)));
            timeline.append_newer((13..=40).map(ChatMessage::sample).collect(), false);
            assert!(!timeline.has_newer());
            assert_eq!(seqs(timeline).len(), 32, "10 to 41, the live one too");
            assert_eq!(timeline.shown()[1].previous_sent_at, Some(0));
        });
    }

    #[test]
    fn consecutive_messages_by_one_author_are_grouped() {
        Owner::new().with(|| {
            let mut other = ChatMessage::sample(3);
            other.author = "bob".into();
            let timeline = Timeline::new(
                vec![
                    ChatMessage::sample(1),
                    ChatMessage::sample(2),
                    other,
                    ChatMessage::sample(4),
                ],
                Seq(4),
                true,
            );
            let continued: Vec<bool> = timeline.shown().iter().map(|s| s.continued).collect();
            assert_eq!(continued, vec![false, true, false, false]);
            timeline.prepend(vec![ChatMessage::sample(0)], false);
            assert_eq!(timeline.oldest(), Some(Seq(0)));
            assert!(!timeline.has_older());
        });
    }
}
