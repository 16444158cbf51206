//! The bytes of the SSE wire format. An event's frame is built once, when it is published,
//! and shared by every open stream.

use crate::domain::{EventKind, LogEvent};
use bytes::{Bytes, BytesMut};
use serde::Serialize;
use std::time::Duration;

/// A comment line: keeps proxies and the browser from timing the stream out.
pub const HEARTBEAT: &[u8] = b": keep-alive\n\n";

/// A log event (`message`, `edit`, `delete`): `id:` is its seq, `data:` one line of JSON.
/// JSON escapes newlines, so no text in it can start another SSE field or event.
pub fn log_frame(event: &LogEvent) -> Bytes {
    let json = match event {
        LogEvent::Message(message) => serde_json::to_string(message),
        LogEvent::Edit(edit) => serde_json::to_string(edit),
        LogEvent::Delete(delete) => serde_json::to_string(delete),
        LogEvent::Reaction(reaction) => serde_json::to_string(reaction),
        LogEvent::Pin(pin) => serde_json::to_string(pin),
    };
    frame(Some(event.seq().get()), event.kind(), json)
}

/// An ephemeral event (`presence`, `typing`): no `id:`, so it never moves the resume cursor.
pub fn ephemeral_frame(kind: EventKind, data: &impl Serialize) -> Bytes {
    frame(None, kind, serde_json::to_string(data))
}

fn frame(id: Option<u64>, kind: EventKind, json: serde_json::Result<String>) -> Bytes {
    raw_frame(id, kind, &json.unwrap_or_else(|_| String::from("{}")))
}

/// A frame around JSON encoded elsewhere; it must be one line (serde_json's output is).
pub fn raw_frame(id: Option<u64>, kind: EventKind, json: &str) -> Bytes {
    let json: std::borrow::Cow<str> = if json.contains(['\n', '\r']) {
        json.replace(['\n', '\r'], " ").into()
    } else {
        json.into()
    };
    let mut frame = BytesMut::with_capacity(json.len() + 48);
    if let Some(id) = id {
        frame.extend_from_slice(b"id: ");
        frame.extend_from_slice(id.to_string().as_bytes());
        frame.extend_from_slice(b"\n");
    }
    frame.extend_from_slice(b"event: ");
    frame.extend_from_slice(kind.name().as_bytes());
    frame.extend_from_slice(b"\ndata: ");
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
    use crate::domain::{ChatMessage, Presence, RoomName};

    fn text(frame: &Bytes) -> &str {
        std::str::from_utf8(frame).unwrap_or_default()
    }

    #[test]
    fn a_message_is_one_event_with_its_seq_as_id() {
        let frame = log_frame(&LogEvent::Message(ChatMessage::sample(7)));
        assert!(text(&frame).starts_with("id: 7\nevent: message\ndata: {"));
        assert!(text(&frame).ends_with("}\n\n"));
    }

    #[test]
    fn newlines_in_a_body_cannot_inject_fields_or_events() {
        let mut message = ChatMessage::sample(7);
        message.body = "a\n\nid: 99\nevent: message\ndata: x\r\nretry: 1".into();
        let frame = log_frame(&LogEvent::Message(message));
        assert_eq!(text(&frame).matches('\n').count(), 4, "{}", text(&frame));
        assert_eq!(text(&frame).matches("\n\n").count(), 1);
    }

    #[test]
    fn ephemeral_events_have_no_id() {
        let presence = Presence::empty(RoomName::lobby());
        let frame = ephemeral_frame(EventKind::Presence, &presence);
        assert!(text(&frame).starts_with("event: presence\ndata: {"));
    }
}
