//! The writer's jobs: each write with its own typed reply, and its result kept between the
//! write and the commit.

use crate::domain::{LogEvent, MessageDelete, MessageEdit};
use crate::server::store::{
    Appended, DeleteRequest, EditRequest, NewMessage, PinRequest, Pinned, Reacted, ReactionRequest,
    Refusal, StoreError,
};
use tokio::sync::oneshot;

/// A write and where its answer goes, typed per kind of write: an answer of the wrong kind
/// cannot be sent. The result is kept here between the write and the commit.
pub(super) struct Pending<W, T> {
    pub(super) write: W,
    reply: oneshot::Sender<Result<T, StoreError>>,
    pub(super) result: Option<T>,
}

pub(super) type AppendResult = Result<Appended, Refusal>;
pub(super) type EditResult = Result<MessageEdit, Refusal>;
pub(super) type DeleteResult = Result<MessageDelete, Refusal>;

pub(super) enum Job {
    Append(Box<Pending<NewMessage, AppendResult>>),
    Edit(Pending<EditRequest, EditResult>),
    Delete(Pending<DeleteRequest, DeleteResult>),
    React(Pending<ReactionRequest, Reacted>),
    Pin(Box<Pending<PinRequest, Pinned>>),
}

impl Job {
    /// The log event this write added, once applied, if it added one.
    pub(super) fn event(&self) -> Option<LogEvent> {
        match self {
            Job::Append(p) => match p.result.as_ref()? {
                Ok(Appended::New(message)) => Some(LogEvent::Message(message.clone())),
                Ok(Appended::Duplicate(_)) | Err(_) => None,
            },
            Job::Edit(p) => p
                .result
                .as_ref()?
                .as_ref()
                .ok()
                .cloned()
                .map(LogEvent::Edit),
            Job::Delete(p) => p
                .result
                .as_ref()?
                .as_ref()
                .ok()
                .cloned()
                .map(LogEvent::Delete),
            Job::React(p) => match p.result.as_ref()? {
                Ok(Some(reaction)) => Some(LogEvent::Reaction(reaction.clone())),
                _ => None,
            },
            Job::Pin(p) => match p.result.as_ref()? {
                Ok(Some(pin)) => Some(LogEvent::Pin(pin.clone())),
                _ => None,
            },
        }
    }

    /// Committed: the sender gets its result.
    pub(super) fn answer(self) {
        match self {
            Job::Append(p) => p.answer(),
            Job::Edit(p) => p.answer(),
            Job::Delete(p) => p.answer(),
            Job::React(p) => p.answer(),
            Job::Pin(p) => p.answer(),
        }
    }

    /// Not committed: the sender gets the error.
    pub(super) fn fail(self, error: StoreError) {
        match self {
            Job::Append(p) => p.fail(error),
            Job::Edit(p) => p.fail(error),
            Job::Delete(p) => p.fail(error),
            Job::React(p) => p.fail(error),
            Job::Pin(p) => p.fail(error),
        }
    }
}

impl<W, T> Pending<W, T> {
    pub(super) fn new(write: W) -> (Self, oneshot::Receiver<Result<T, StoreError>>) {
        let (reply, answer) = oneshot::channel();
        let pending = Self {
            write,
            reply,
            result: None,
        };
        (pending, answer)
    }

    fn answer(self) {
        let answer = self.result.ok_or_else(|| {
            StoreError::Failed("the SQLite writer committed a write it had not applied".into())
        });
        let _ = self.reply.send(answer);
    }

    fn fail(self, error: StoreError) {
        let _ = self.reply.send(Err(error));
    }
}
