//! What the tabs of one browser say to each other over their `BroadcastChannel`, as JSON.

use crate::domain::{RoomName, Seq};
use crate::room::ConnectionState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TabMessage {
    /// A tab wants these rooms, having each up to its seq (sent when its rooms change, and
    /// in answer to `WhoIsThere`).
    Want {
        tab: String,
        rooms: BTreeMap<RoomName, Seq>,
    },
    /// A tab is going away.
    Gone { tab: String },
    /// A tab just became the leader: every tab says what it wants.
    WhoIsThere,
    /// The leader passes on one event of its stream, as the server wrote it.
    Event {
        room: RoomName,
        kind: String,
        data: String,
    },
    /// The state of the leader's stream, shown by every tab.
    Connection { state: ConnectionState },
    /// The person read a room up to `seq` in one tab (or opened it: joined), or left it.
    Mark { room: RoomName, mark: Mark },
}

/// What the person did with a joined room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Read(Seq),
    Left,
}

impl TabMessage {
    pub fn encode(&self) -> String {
        // A derived `Serialize` of strings, maps and enums cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn decode(json: &str) -> Option<Self> {
        serde_json::from_str(json).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_reads_back_as_itself_and_anything_else_is_ignored() {
        let messages = [
            TabMessage::Want {
                tab: "t1".into(),
                rooms: [(RoomName::lobby(), Seq(4))].into(),
            },
            TabMessage::Gone { tab: "t1".into() },
            TabMessage::WhoIsThere,
            TabMessage::Event {
                room: RoomName::lobby(),
                kind: "message".into(),
                data: r#"{"seq":5}"#.into(),
            },
            TabMessage::Connection {
                state: ConnectionState::Reconnecting,
            },
            TabMessage::Mark {
                room: RoomName::lobby(),
                mark: Mark::Read(Seq(9)),
            },
            TabMessage::Mark {
                room: RoomName::lobby(),
                mark: Mark::Left,
            },
        ];
        for message in messages {
            assert_eq!(TabMessage::decode(&message.encode()), Some(message));
        }
        assert_eq!(TabMessage::decode(r#"{"type":"steal"}"#), None);
        assert_eq!(TabMessage::decode("not json"), None);
    }
}
