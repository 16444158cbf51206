use super::{EventKind, RoomName, Seq, UserId};
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

/// One entry of a room's log: what is replayed, in seq order, to a client that resumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEvent {
    Message(ChatMessage),
    Edit(MessageEdit),
    Delete(MessageDelete),
}

impl LogEvent {
    pub fn seq(&self) -> Seq {
        match self {
            LogEvent::Message(m) => m.seq,
            LogEvent::Edit(e) => e.seq,
            LogEvent::Delete(d) => d.seq,
        }
    }

    pub fn room(&self) -> &RoomName {
        match self {
            LogEvent::Message(m) => &m.room,
            LogEvent::Edit(e) => &e.room,
            LogEvent::Delete(d) => &d.room,
        }
    }

    /// Its kind on the feed (the SSE `event:` name).
    pub fn kind(&self) -> EventKind {
        match self {
            LogEvent::Message(_) => EventKind::Message,
            LogEvent::Edit(_) => EventKind::Edit,
            LogEvent::Delete(_) => EventKind::Delete,
        }
    }
}

impl ChatMessage {
    /// Applies a later edit or delete of this message.
    pub fn apply(&mut self, event: &LogEvent) {
        match event {
            LogEvent::Edit(edit) if edit.target == self.seq => {
                self.body.clone_from(&edit.body);
                self.edited_at = Some(edit.edited_at);
            }
            LogEvent::Delete(delete) if delete.target == self.seq => {
                self.body.clear();
                self.deleted = true;
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
        message.apply(&LogEvent::Edit(MessageEdit {
            seq: Seq(4),
            room: room.clone(),
            target: Seq(9),
            body: "not mine".into(),
            edited_at: 1,
        }));
        assert_eq!(message.body, "m3");
        message.apply(&LogEvent::Edit(MessageEdit {
            seq: Seq(5),
            room: room.clone(),
            target: Seq(3),
            body: "fixed typo".into(),
            edited_at: 2,
        }));
        assert_eq!(
            (message.body.as_str(), message.edited_at),
            ("fixed typo", Some(2))
        );
        message.apply(&LogEvent::Delete(MessageDelete {
            seq: Seq(6),
            room,
            target: Seq(3),
            deleted_at: 3,
        }));
        assert!(message.deleted);
        assert!(message.body.is_empty(), "a deleted message keeps no text");
    }
}
