//! What each write asks of the store and what it answers: the requests, built from inputs
//! that passed every domain rule, and their outcomes.

use crate::domain::{
    ChatMessage, ClientId, Emoji, Mention, MessageBody, Nickname, OnlineUser, Pin, Reaction,
    ReactionLimit, ReactionOp, RoomName, Seq, UploadId, UserId, MAX_PINS_PER_ROOM,
};
use crate::error::ChatError;

/// A message that has passed every domain rule and waits for its seq.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub room: RoomName,
    pub author_id: UserId,
    pub author: Nickname,
    pub body: MessageBody,
    pub sent_at: i64,
    /// The sender's idempotency key: the same key in the same room stores one message.
    pub client_id: Option<ClientId>,
    /// The message (same room) it answers.
    pub reply_to: Option<Seq>,
    /// The members it mentions (checked against the room's members and the body).
    pub mentions: Vec<Mention>,
    /// Whether the store must check, in the write itself, that the author may write the
    /// room: the sender's check may be a moment old when the room could change under it
    /// (an empty public room can become private; a member can leave). A public room with
    /// messages never can, and skips it.
    pub recheck_access: bool,
    /// Posted by a webhook: shown as a bot's.
    pub bot: bool,
    /// The uploads it carries, in order: the store checks each is the author's, uploaded
    /// to this room and not sent before, and refuses the message otherwise.
    pub attachments: Vec<UploadId>,
}

/// `by` asks to change the text of message `target`.
#[derive(Debug, Clone)]
pub struct EditRequest {
    pub room: RoomName,
    pub target: Seq,
    pub by: UserId,
    pub body: MessageBody,
    pub at: i64,
}

/// `by` asks to delete message `target`.
#[derive(Debug, Clone)]
pub struct DeleteRequest {
    pub room: RoomName,
    pub target: Seq,
    pub by: UserId,
    pub at: i64,
    /// `by` moderates the room: anyone's message may go (the caller checked).
    pub as_moderator: bool,
}

/// `by` adds or takes back their `emoji` on message `target`.
#[derive(Debug, Clone)]
pub struct ReactionRequest {
    pub room: RoomName,
    pub target: Seq,
    pub by: OnlineUser,
    pub emoji: Emoji,
    pub op: ReactionOp,
    pub at: i64,
}

impl ReactionRequest {
    /// The event this request logs with seq `seq`.
    pub fn logged(&self, seq: Seq) -> Reaction {
        Reaction {
            seq,
            room: self.room.clone(),
            target: self.target,
            emoji: self.emoji.as_str().to_owned(),
            user: self.by.clone(),
            op: self.op,
            at: self.at,
        }
    }
}

/// What `react` did: logged the change, or found nothing to change (the reaction was
/// already there, or not there to take back), which logs nothing.
pub type Reacted = Result<Option<Reaction>, Refusal>;

/// `by` pins message `target` to the room's header, or (`pinned: false`) unpins it.
#[derive(Debug, Clone)]
pub struct PinRequest {
    pub room: RoomName,
    pub target: Seq,
    pub by: OnlineUser,
    pub pinned: bool,
    pub at: i64,
}

impl PinRequest {
    /// The event this request logs with seq `seq`, about `message` as it reads now.
    pub fn logged(&self, seq: Seq, message: &ChatMessage) -> Pin {
        Pin {
            seq,
            room: self.room.clone(),
            target: self.target,
            pinned: self.pinned,
            by: self.by.clone(),
            at: self.at,
            message: (self.pinned && !message.deleted).then(|| {
                Box::new(ChatMessage {
                    pinned: true,
                    ..message.without_reactions()
                })
            }),
        }
    }
}

/// What `pin` did: logged the change, or found the message pinned (or unpinned) already,
/// which logs nothing.
pub type Pinned = Result<Option<Pin>, Refusal>;

/// What `append` did: stored a new message, or found the one stored earlier under the same
/// `client_id` (which must not be broadcast again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    New(ChatMessage),
    Duplicate(ChatMessage),
}

impl Appended {
    pub fn message(&self) -> &ChatMessage {
        match self {
            Appended::New(m) | Appended::Duplicate(m) => m,
        }
    }

    pub fn into_message(self) -> ChatMessage {
        match self {
            Appended::New(m) | Appended::Duplicate(m) => m,
        }
    }
}

/// Why an edit, delete or reaction changed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A private room, and the author is not (or no longer) its member.
    Private,
    NotFound,
    NotYours,
    Deleted,
    TooMany(ReactionLimit),
    /// The room has [`MAX_PINS_PER_ROOM`] pinned messages already.
    TooManyPins,
    /// An attachment is missing, someone else's, another room's, or sent already.
    BadAttachment,
}

impl From<Refusal> for ChatError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Private => ChatError::private_room(),
            Refusal::NotFound => {
                ChatError::NotFound("There is no such message in this room.".into())
            }
            Refusal::NotYours => {
                ChatError::Forbidden("You can only change your own messages.".into())
            }
            Refusal::Deleted => ChatError::NotFound("This message was deleted.".into()),
            Refusal::TooMany(ReactionLimit::TooManyEmoji) => ChatError::Invalid(format!(
                "This message has {} different reactions already.",
                crate::domain::MAX_EMOJI_PER_MESSAGE
            )),
            Refusal::TooMany(ReactionLimit::TooManyOfYours) => ChatError::Invalid(format!(
                "You can add at most {} reactions to one message.",
                crate::domain::MAX_REACTIONS_PER_PERSON
            )),
            Refusal::BadAttachment => ChatError::Invalid(
                "An attachment cannot be sent: upload it again, to this room.".into(),
            ),
            Refusal::TooManyPins => ChatError::Invalid(format!(
                "This room has {MAX_PINS_PER_ROOM} pinned messages already: unpin one first."
            )),
        }
    }
}
