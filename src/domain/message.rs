use super::{RoomName, Seq};
use serde::{Deserialize, Serialize};

/// A stored chat message as every client sees it: the JSON `data` of an SSE `message` event
/// and the answer of `send_message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub seq: Seq,
    pub room: RoomName,
    pub author: String,
    pub body: String,
    /// Milliseconds since the Unix epoch, as the server's clock read them when storing.
    pub sent_at: i64,
}

#[cfg(test)]
impl ChatMessage {
    /// A message in the lobby with this seq, for tests.
    pub(crate) fn sample(seq: u64) -> Self {
        ChatMessage {
            seq: Seq(seq),
            room: RoomName::lobby(),
            author: "ann".into(),
            body: format!("m{seq}"),
            sent_at: 0,
        }
    }
}
