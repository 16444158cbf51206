//! The vocabulary of a room's live feed, shared by the server, which writes each event under
//! its name, and the browser, which listens for these names and decodes the data here.

use super::Seq;
use super::{
    ChatMessage, LogEvent, MessageDelete, MessageEdit, Pin, Presence, PresenceChange, Reaction,
    RoomName, Typing,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The name of each kind of event on the feed (the SSE `event:` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A new message (a log event: it has a seq and is replayed on resume).
    Message,
    /// A message's new text (a log event).
    Edit,
    /// A message deleted (a log event).
    Delete,
    /// A reaction added to or removed from a message (a log event).
    Reaction,
    /// A message pinned to the room's header or unpinned (a log event).
    Pin,
    /// Who is online (ephemeral: no seq, never replayed): a snapshot.
    Presence,
    /// Who is online: what changed since the last snapshot or change (ephemeral).
    PresenceChange,
    /// Someone is typing (ephemeral).
    Typing,
    /// The server no longer has the history the subscriber holds: start over.
    Reset,
    /// The browser-wide stream is alive, and each of its rooms' newest seq (ephemeral).
    Heartbeat,
    /// The person read a room up to a seq, on some device (ephemeral, to their own
    /// streams only).
    Read,
}

impl EventKind {
    pub const ALL: [EventKind; 11] = [
        EventKind::Message,
        EventKind::Edit,
        EventKind::Delete,
        EventKind::Reaction,
        EventKind::Pin,
        EventKind::Presence,
        EventKind::PresenceChange,
        EventKind::Typing,
        EventKind::Reset,
        EventKind::Heartbeat,
        EventKind::Read,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EventKind::Message => "message",
            EventKind::Edit => "edit",
            EventKind::Delete => "delete",
            EventKind::Reaction => "reaction",
            EventKind::Pin => "pin",
            EventKind::Presence => "presence",
            EventKind::PresenceChange => "presence_change",
            EventKind::Typing => "typing",
            EventKind::Reset => "reset",
            EventKind::Heartbeat => "heartbeat",
            EventKind::Read => "read",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// The data of a `reset` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reset {
    pub room: RoomName,
}

/// The data of a `heartbeat` event (browser-wide stream only): the newest seq of each of
/// its rooms, as far as the node knows, so an idle client can tell it missed something,
/// and how often beats come, so it can tell a stream that died without a word.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Heartbeat {
    pub rooms: BTreeMap<RoomName, Seq>,
    /// The interval between beats, in milliseconds (0: not said).
    #[serde(default)]
    pub every_ms: u64,
}

/// The data of a `read` event: the stream's own person has read `room` up to `seq` (on
/// this device or another), so its unread count and mentions clear everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadMark {
    pub room: RoomName,
    pub seq: Seq,
}

/// One event of the feed, decoded. (Log events, messages mostly, are the large and the
/// common case; a decoded event lives for one handler call, so it is not boxed.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedEvent {
    Log(LogEvent),
    Presence(Presence),
    PresenceChange(PresenceChange),
    Typing(Typing),
    Reset(Reset),
    Heartbeat(Heartbeat),
    Read(ReadMark),
}

impl FeedEvent {
    /// The event of kind `kind` whose JSON data is `data`.
    pub fn decode(kind: EventKind, data: &str) -> Result<Self, serde_json::Error> {
        Ok(match kind {
            EventKind::Message => FeedEvent::Log(LogEvent::Message(serde_json::from_str::<
                ChatMessage,
            >(data)?)),
            EventKind::Edit => {
                FeedEvent::Log(LogEvent::Edit(serde_json::from_str::<MessageEdit>(data)?))
            }
            EventKind::Delete => FeedEvent::Log(LogEvent::Delete(serde_json::from_str::<
                MessageDelete,
            >(data)?)),
            EventKind::Reaction => {
                FeedEvent::Log(LogEvent::Reaction(serde_json::from_str::<Reaction>(data)?))
            }
            EventKind::Pin => FeedEvent::Log(LogEvent::Pin(serde_json::from_str::<Pin>(data)?)),
            EventKind::Presence => FeedEvent::Presence(serde_json::from_str(data)?),
            EventKind::PresenceChange => FeedEvent::PresenceChange(serde_json::from_str(data)?),
            EventKind::Typing => FeedEvent::Typing(serde_json::from_str(data)?),
            EventKind::Reset => FeedEvent::Reset(serde_json::from_str(data)?),
            EventKind::Heartbeat => FeedEvent::Heartbeat(serde_json::from_str(data)?),
            EventKind::Read => FeedEvent::Read(serde_json::from_str(data)?),
        })
    }

    /// The room it belongs to (a heartbeat speaks for the whole stream).
    pub fn room(&self) -> Option<&RoomName> {
        match self {
            FeedEvent::Log(event) => Some(event.room()),
            FeedEvent::Presence(presence) => Some(&presence.room),
            FeedEvent::PresenceChange(change) => Some(&change.room),
            FeedEvent::Typing(typing) => Some(&typing.room),
            FeedEvent::Reset(reset) => Some(&reset.room),
            FeedEvent::Heartbeat(_) => None,
            FeedEvent::Read(mark) => Some(&mark.room),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OnlineUser;

    #[test]
    fn every_name_reads_back_as_its_kind() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(EventKind::from_name("open"), None);
        assert_eq!(EventKind::from_name("Message"), None);
    }

    #[test]
    fn each_kind_decodes_what_the_server_encodes() {
        let message = ChatMessage::sample(7);
        let json = serde_json::to_string(&message).expect("json");
        assert_eq!(
            FeedEvent::decode(EventKind::Message, &json).expect("decodes"),
            FeedEvent::Log(LogEvent::Message(message))
        );
        let typing = Typing {
            room: RoomName::lobby(),
            user: OnlineUser::sample(1, "ann"),
        };
        let json = serde_json::to_string(&typing).expect("json");
        assert_eq!(
            FeedEvent::decode(EventKind::Typing, &json).expect("decodes"),
            FeedEvent::Typing(typing)
        );
        let change = PresenceChange {
            room: RoomName::lobby(),
            version: 3,
            count: 2,
            listed: vec![OnlineUser::sample(2, "bob")],
            unlisted: Vec::new(),
        };
        let json = serde_json::to_string(&change).expect("json");
        assert_eq!(
            FeedEvent::decode(EventKind::PresenceChange, &json).expect("decodes"),
            FeedEvent::PresenceChange(change)
        );
        let beat = r#"{"rooms":{"lobby":41}}"#;
        assert_eq!(
            FeedEvent::decode(EventKind::Heartbeat, beat).expect("decodes"),
            FeedEvent::Heartbeat(Heartbeat {
                rooms: [(RoomName::lobby(), Seq(41))].into(),
                every_ms: 0,
            })
        );
        let read = r#"{"room":"lobby","seq":12}"#;
        assert_eq!(
            FeedEvent::decode(EventKind::Read, read).expect("decodes"),
            FeedEvent::Read(ReadMark {
                room: RoomName::lobby(),
                seq: Seq(12),
            })
        );
        let reset = r#"{"room":"lobby"}"#;
        assert_eq!(
            FeedEvent::decode(EventKind::Reset, reset).expect("decodes"),
            FeedEvent::Reset(Reset {
                room: RoomName::lobby()
            })
        );
    }

    #[test]
    fn data_of_another_kind_is_refused_not_misread() {
        let typing = r#"{"room":"lobby","user":{"id":"x","name":"ann"}}"#;
        assert!(FeedEvent::decode(EventKind::Message, typing).is_err());
        assert!(FeedEvent::decode(EventKind::Presence, "not json").is_err());
    }
}
