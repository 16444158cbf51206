//! The bytes of the SSE wire format. A message's frame is built once, when it is published,
//! and shared by every open stream.

use crate::domain::ChatMessage;
use bytes::{Bytes, BytesMut};
use std::time::Duration;

/// A comment line: keeps proxies and the browser from timing the stream out.
pub const HEARTBEAT: &[u8] = b": keep-alive\n\n";

/// The `message` event for one chat message: `id:` is the seq, `data:` is one line of JSON
/// (JSON escapes newlines, so a message body can never start another SSE field or event).
pub fn message_frame(message: &ChatMessage) -> Bytes {
    let json = serde_json::to_string(message).unwrap_or_else(|_| String::from("{}"));
    let mut frame = BytesMut::with_capacity(json.len() + 48);
    frame.extend_from_slice(b"id: ");
    frame.extend_from_slice(message.seq.to_string().as_bytes());
    frame.extend_from_slice(b"\nevent: message\ndata: ");
    frame.extend_from_slice(json.as_bytes());
    frame.extend_from_slice(b"\n\n");
    frame.freeze()
}

/// The first bytes of every stream: how long the browser waits before reconnecting.
pub fn preamble(retry: Duration) -> Bytes {
    Bytes::from(format!("retry: {}\n\n", retry.as_millis()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{RoomName, Seq};

    fn message(body: &str) -> ChatMessage {
        ChatMessage {
            seq: Seq(7),
            room: RoomName::lobby(),
            author: "ann".into(),
            body: body.into(),
            sent_at: 1,
        }
    }

    #[test]
    fn a_message_is_one_event_with_its_seq_as_id() {
        let frame = message_frame(&message("hi"));
        let text = std::str::from_utf8(&frame).unwrap_or_default();
        assert!(text.starts_with("id: 7\nevent: message\ndata: {"));
        assert!(text.ends_with("}\n\n"));
    }

    #[test]
    fn newlines_in_a_body_cannot_inject_fields_or_events() {
        let frame = message_frame(&message("a\n\nid: 99\nevent: message\ndata: x\r\nretry: 1"));
        let text = std::str::from_utf8(&frame).unwrap_or_default();
        assert_eq!(text.matches('\n').count(), 4, "{text}");
        assert_eq!(text.matches("\n\n").count(), 1);
    }
}
