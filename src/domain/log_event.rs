//! A room's log entries: what a stream delivers with an `id:` and replays, in seq order,
//! to a client that resumes.

use super::{ChatMessage, EventKind, MessageDelete, MessageEdit, Pin, Reaction, RoomName, Seq};

/// One entry of a room's log: what is replayed, in seq order, to a client that resumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEvent {
    Message(ChatMessage),
    Edit(MessageEdit),
    Delete(MessageDelete),
    Reaction(Reaction),
    Pin(Pin),
}

impl LogEvent {
    pub fn seq(&self) -> Seq {
        match self {
            LogEvent::Message(m) => m.seq,
            LogEvent::Edit(e) => e.seq,
            LogEvent::Delete(d) => d.seq,
            LogEvent::Reaction(r) => r.seq,
            LogEvent::Pin(p) => p.seq,
        }
    }

    pub fn room(&self) -> &RoomName {
        match self {
            LogEvent::Message(m) => &m.room,
            LogEvent::Edit(e) => &e.room,
            LogEvent::Delete(d) => &d.room,
            LogEvent::Reaction(r) => &r.room,
            LogEvent::Pin(p) => &p.room,
        }
    }

    /// Its kind on the feed (the SSE `event:` name).
    pub fn kind(&self) -> EventKind {
        match self {
            LogEvent::Message(_) => EventKind::Message,
            LogEvent::Edit(_) => EventKind::Edit,
            LogEvent::Delete(_) => EventKind::Delete,
            LogEvent::Reaction(_) => EventKind::Reaction,
            LogEvent::Pin(_) => EventKind::Pin,
        }
    }

    /// The message it changes (`None` for a new message).
    pub fn target(&self) -> Option<Seq> {
        match self {
            LogEvent::Message(_) => None,
            LogEvent::Edit(e) => Some(e.target),
            LogEvent::Delete(d) => Some(d.target),
            LogEvent::Reaction(r) => Some(r.target),
            LogEvent::Pin(p) => Some(p.target),
        }
    }
}
