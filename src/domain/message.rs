use super::{Attachment, LogEvent, Mention, Quote, Reactions, RoomName, Seq, UserId};
use serde::{Deserialize, Serialize};

/// A chat message as every client sees it: the JSON `data` of an SSE `message` event, the
/// answer of `send_message`, and an entry of a history page. Edits and deletes change it in
/// place: a deleted message keeps its place but loses its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub seq: Seq,
    pub room: RoomName,
    /// Who sent it: the session's user id, to tell one's own messages apart.
    pub author_id: UserId,
    pub author: String,
    pub body: String,
    /// Milliseconds since the Unix epoch, as the server's clock read them when storing.
    pub sent_at: i64,
    /// When it was last edited, if it was (left out of the JSON when it was not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<i64>,
    /// Left out of the JSON when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// The message (same room) this one answers, if it is a reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<Seq>,
    /// How the answered message reads now (absent when it is no longer stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Quote>,
    /// Who reacted with what, as counts and a few names (left out when nobody did).
    #[serde(default, skip_serializing_if = "Reactions::is_empty")]
    pub reactions: Reactions,
    /// The seq of the newest `reaction` event `reactions` counts (left out when none): a
    /// page applies only later ones, so none counts twice.
    #[serde(default, skip_serializing_if = "Seq::is_zero")]
    pub reactions_at: Seq,
    /// The people it mentions, by id, with the name it calls them (left out when none). An
    /// edit keeps them; one whose `@name` the edit took out is no longer highlighted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Mention>,
    /// Posted by a webhook (its name is `author`), not by a person (left out when false).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bot: bool,
    /// Pinned to the room's header (left out when false).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// The files it carries (left out when none; a deleted message has none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

impl ChatMessage {
    /// This message without its reactions, as it was sent: for what does not show them (an
    /// edit, delete or reaction event about it), and for a `message` event, which a page
    /// follows with the reaction events that came after it.
    pub fn without_reactions(&self) -> ChatMessage {
        ChatMessage {
            seq: self.seq,
            room: self.room.clone(),
            author_id: self.author_id.clone(),
            author: self.author.clone(),
            body: self.body.clone(),
            sent_at: self.sent_at,
            edited_at: self.edited_at,
            deleted: self.deleted,
            reply_to: self.reply_to,
            quote: self.quote.clone(),
            reactions: Reactions::default(),
            reactions_at: Seq::ZERO,
            mentions: self.mentions.clone(),
            bot: self.bot,
            pinned: self.pinned,
            attachments: self.attachments.clone(),
        }
    }
}

/// An `edit` event: the message `target` now reads `body`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageEdit {
    pub seq: Seq,
    pub room: RoomName,
    pub target: Seq,
    pub body: String,
    pub edited_at: i64,
}

/// A `delete` event: the message `target` is gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDelete {
    pub seq: Seq,
    pub room: RoomName,
    pub target: Seq,
    pub deleted_at: i64,
}

impl ChatMessage {
    /// What a search matches: its text, and its files' names.
    pub fn searchable_text(&self) -> std::borrow::Cow<'_, str> {
        if self.attachments.is_empty() {
            return self.body.as_str().into();
        }
        let names: Vec<&str> = self.attachments.iter().map(|f| f.name.as_str()).collect();
        format!("{} {}", self.body, names.join(" ")).into()
    }

    /// Whether it mentions `person` (and still names them, and is not deleted).
    pub fn mentions_person(&self, person: &UserId) -> bool {
        !self.deleted
            && self.mentions.iter().any(|mention| {
                &mention.id == person && super::mention::names(&self.body, &mention.name)
            })
    }

    /// Applies a later event about this message, or about the message it answers (whose
    /// quote follows its edits and deletion), as `viewer` sees it.
    pub fn apply(&mut self, event: &LogEvent, viewer: &UserId) {
        let about_me = event.target() == Some(self.seq);
        let about_quoted = self.reply_to.is_some() && event.target() == self.reply_to;
        match event {
            LogEvent::Edit(edit) if about_me => {
                self.body.clone_from(&edit.body);
                self.edited_at = Some(edit.edited_at);
            }
            LogEvent::Delete(_) if about_me => {
                self.body.clear();
                self.deleted = true;
                self.reactions = Reactions::default();
                self.pinned = false;
                self.attachments.clear();
            }
            LogEvent::Pin(pin) if about_me => self.pinned = pin.pinned,
            LogEvent::Reaction(reaction) if about_me && reaction.seq > self.reactions_at => {
                self.reactions.apply(reaction, viewer);
                self.reactions_at = reaction.seq;
            }
            LogEvent::Edit(edit) if about_quoted => {
                if let Some(quote) = &mut self.quote {
                    quote.edited(&edit.body);
                }
            }
            LogEvent::Delete(_) if about_quoted => {
                if let Some(quote) = &mut self.quote {
                    quote.deleted();
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
impl ChatMessage {
    /// A message in the lobby with this seq, for tests.
    pub(crate) fn sample(seq: u64) -> Self {
        ChatMessage {
            seq: Seq(seq),
            room: RoomName::lobby(),
            author_id: UserId::sample(),
            author: "ann".into(),
            body: format!("m{seq}"),
            sent_at: 0,
            edited_at: None,
            deleted: false,
            reply_to: None,
            quote: None,
            reactions: Reactions::default(),
            reactions_at: Seq::ZERO,
            mentions: Vec::new(),
            bot: false,
            pinned: false,
            attachments: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_and_deletes_apply_only_to_their_target() {
        let mut message = ChatMessage::sample(3);
        let room = RoomName::lobby();
        message.apply(
            &LogEvent::Edit(MessageEdit {
                seq: Seq(4),
                room: room.clone(),
                target: Seq(9),
                body: "not mine".into(),
                edited_at: 1,
            }),
            &UserId::sample(),
        );
        assert_eq!(message.body, "m3");
        message.apply(
            &LogEvent::Edit(MessageEdit {
                seq: Seq(5),
                room: room.clone(),
                target: Seq(3),
                body: "fixed typo".into(),
                edited_at: 2,
            }),
            &UserId::sample(),
        );
        assert_eq!(
            (message.body.as_str(), message.edited_at),
            ("fixed typo", Some(2))
        );
        message.apply(
            &LogEvent::Delete(MessageDelete {
                seq: Seq(6),
                room,
                target: Seq(3),
                deleted_at: 3,
            }),
            &UserId::sample(),
        );
        assert!(message.deleted);
        assert!(message.body.is_empty(), "a deleted message keeps no text");
    }

    #[test]
    fn a_reply_shows_its_original_as_it_is_now() {
        let original = ChatMessage::sample(3);
        let mut reply = ChatMessage::sample(5);
        reply.reply_to = Some(Seq(3));
        reply.quote = Some(Quote::of(&original));
        let room = RoomName::lobby();
        reply.apply(
            &LogEvent::Edit(MessageEdit {
                seq: Seq(6),
                room: room.clone(),
                target: Seq(3),
                body: "new words".into(),
                edited_at: 2,
            }),
            &UserId::sample(),
        );
        assert_eq!(reply.body, "m5", "the reply's own text stays");
        let quote = reply.quote.clone().expect("quote");
        assert_eq!((quote.excerpt.as_str(), quote.edited), ("new words", true));
        reply.apply(
            &LogEvent::Delete(MessageDelete {
                seq: Seq(7),
                room,
                target: Seq(3),
                deleted_at: 3,
            }),
            &UserId::sample(),
        );
        assert!(!reply.deleted);
        assert!(reply.quote.expect("quote").deleted);
    }
}

#[cfg(test)]
mod reaction_tests {
    use super::*;
    use crate::domain::{OnlineUser, Reaction, ReactionOp};

    fn reaction(seq: u64, op: ReactionOp) -> LogEvent {
        LogEvent::Reaction(Reaction {
            seq: Seq(seq),
            room: RoomName::lobby(),
            target: Seq(3),
            emoji: "👍".into(),
            user: OnlineUser::sample(8, "bob"),
            op,
            at: 0,
        })
    }

    #[test]
    fn a_reaction_event_counts_once_and_only_after_what_the_message_counts() {
        let me = UserId::sample();
        let mut message = ChatMessage::sample(3);
        message.apply(&reaction(4, ReactionOp::Add), &me);
        message.apply(&reaction(4, ReactionOp::Add), &me);
        assert_eq!(
            (message.reactions.0[0].count, message.reactions_at),
            (1, Seq(4))
        );
        message.apply(&reaction(5, ReactionOp::Remove), &me);
        assert!(message.reactions.is_empty());
        message.apply(&reaction(4, ReactionOp::Add), &me);
        assert!(
            message.reactions.is_empty(),
            "an event the message counts already"
        );
    }
}
