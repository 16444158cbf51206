//! What a push carries to the browser's service worker (decrypted there): the room, the
//! message's seq, its author's name, the start of its text, and the permalink a click
//! opens. JSON, and short: push services take at most about 4 KB.

use crate::domain::ChatMessage;
use serde::{Deserialize, Serialize};

/// The most characters of the message a push shows.
const EXCERPT_CHARS: usize = 140;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushPayload {
    pub room: String,
    pub seq: u64,
    pub author: String,
    /// The message's first line, cut at [`EXCERPT_CHARS`] ("" for files alone).
    pub body: String,
    /// Where a click leads: the message in its room.
    pub url: String,
    /// It mentions the person it went to.
    pub mention: bool,
}

impl PushPayload {
    pub fn of(message: &ChatMessage, mention: bool) -> Self {
        let first_line = message.body.lines().next().unwrap_or_default();
        let mut body: String = first_line.chars().take(EXCERPT_CHARS).collect();
        if first_line.chars().count() > EXCERPT_CHARS || message.body.lines().nth(1).is_some() {
            body.push('…');
        }
        if body.is_empty() && !message.attachments.is_empty() {
            body = format!("📎 {}", message.attachments[0].name);
        }
        Self {
            room: message.room.to_string(),
            seq: message.seq.get(),
            author: message.author.clone(),
            body,
            url: format!("/r/{}?at={}", message.room, message.seq.get()),
            mention,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_push_shows_the_first_line_cut_short_and_leads_to_the_message() {
        let mut message = ChatMessage::sample(7);
        message.body = format!("{}\nsecond line", "é".repeat(200));
        let payload = PushPayload::of(&message, true);
        assert_eq!(payload.body.chars().count(), EXCERPT_CHARS + 1);
        assert!(payload.body.ends_with('…'));
        assert_eq!(payload.url, format!("/r/{}?at=7", message.room));
        assert!(payload.mention);
        let json = serde_json::to_vec(&payload).expect("json");
        assert!(json.len() < 1024, "{} bytes", json.len());
    }
}
