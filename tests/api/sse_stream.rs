//! The client side of an SSE response, parsing frames as the browser does.

use crate::helpers::WAIT;
use bytes::Bytes;
use chat::domain::{ChatMessage, Presence, PresenceChange};
use futures::{Stream, StreamExt};
use std::pin::Pin;

/// One parsed SSE event.
#[derive(Debug, Clone, Default)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
}

type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, ()>> + Send>>;

/// A client side of an SSE response, parsing frames as the browser does.
pub struct SseStream {
    body: ByteStream,
    buffer: String,
    pub comments: Vec<String>,
    pub retries: Vec<String>,
    /// Events without an `id:` (presence, typing), in arrival order.
    pub ephemeral: Vec<SseEvent>,
    /// Who is online as the stream tells it: its last `presence` snapshot with every
    /// `presence_change` since applied, as the browser does.
    pub presence: Option<Presence>,
}

impl SseStream {
    /// Reads SSE from any byte stream (an HTTP body, or a `Subscription` directly).
    pub fn new<E>(body: impl Stream<Item = Result<Bytes, E>> + Send + 'static) -> Self {
        Self {
            body: Box::pin(body.map(|chunk| chunk.map_err(|_| ()))),
            buffer: String::new(),
            comments: Vec::new(),
            retries: Vec::new(),
            ephemeral: Vec::new(),
            presence: None,
        }
    }

    /// The next event (comments and `retry:` lines are recorded, not returned); `None` when
    /// the stream ends. Panics after `WAIT` without one.
    pub async fn next_event(&mut self) -> Option<SseEvent> {
        tokio::time::timeout(WAIT, self.next_event_inner())
            .await
            .expect("no event within the time limit")
    }

    /// The next event within `limit`: `Err` when none came, `Ok(None)` when the stream
    /// ended.
    pub async fn next_event_within(
        &mut self,
        limit: std::time::Duration,
    ) -> Result<Option<SseEvent>, tokio::time::error::Elapsed> {
        tokio::time::timeout(limit, self.next_event_inner()).await
    }

    async fn next_event_inner(&mut self) -> Option<SseEvent> {
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = self.parse_block(&block) {
                    return Some(event);
                }
            }
            match self.body.next().await {
                Some(Ok(chunk)) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                Some(Err(_)) | None => return None,
            }
        }
    }

    fn parse_block(&mut self, block: &str) -> Option<SseEvent> {
        let mut event = SseEvent::default();
        let mut has_data = false;
        for line in block.lines() {
            if let Some(comment) = line.strip_prefix(':') {
                self.comments.push(comment.trim().to_owned());
            } else if let Some(value) = line.strip_prefix("retry: ") {
                self.retries.push(value.to_owned());
            } else if let Some(value) = line.strip_prefix("id: ") {
                event.id = Some(value.to_owned());
            } else if let Some(value) = line.strip_prefix("event: ") {
                event.event = Some(value.to_owned());
            } else if let Some(value) = line.strip_prefix("data: ") {
                if has_data {
                    event.data.push('\n');
                }
                event.data.push_str(value);
                has_data = true;
            } else if !line.is_empty() {
                panic!("unexpected SSE line: {line:?}");
            }
        }
        has_data.then_some(event)
    }

    /// The next log event (one with an `id:`); ephemeral ones met on the way are kept in
    /// `ephemeral`.
    pub async fn next_log_event(&mut self) -> SseEvent {
        loop {
            let event = self
                .next_event()
                .await
                .expect("stream ended before a log event");
            if event.id.is_some() {
                return event;
            }
            self.ephemeral.push(event);
        }
    }

    /// The next ephemeral event named `name` (skipping log events), as JSON.
    pub async fn next_ephemeral(&mut self, name: &str) -> serde_json::Value {
        let event = self.next_ephemeral_of(&[name]).await;
        serde_json::from_str(&event.data).expect("event JSON")
    }

    /// The next ephemeral event named one of `names`, skipping log events.
    async fn next_ephemeral_of(&mut self, names: &[&str]) -> SseEvent {
        let named = |event: &SseEvent| names.iter().any(|n| event.event.as_deref() == Some(*n));
        if let Some(index) = self.ephemeral.iter().position(named) {
            return self.ephemeral.remove(index);
        }
        loop {
            let event = self.next_event().await.expect("stream ended");
            if event.id.is_none() && named(&event) {
                return event;
            }
        }
    }

    /// Reads the next presence event (the snapshot, or a change, which must follow one),
    /// applies it to `presence`, and answers who is online now, as JSON.
    pub async fn next_presence(&mut self) -> serde_json::Value {
        let event = self
            .next_ephemeral_of(&["presence", "presence_change"])
            .await;
        if event.event.as_deref() == Some("presence") {
            self.presence = Some(serde_json::from_str(&event.data).expect("presence JSON"));
        } else {
            let change: PresenceChange =
                serde_json::from_str(&event.data).expect("presence_change JSON");
            self.presence
                .as_mut()
                .expect("a presence_change before any snapshot")
                .apply(&change);
        }
        serde_json::to_value(&self.presence).expect("JSON")
    }

    /// The next log event, which must be a chat message whose `id:` is its seq.
    pub async fn next_message(&mut self) -> ChatMessage {
        let event = self.next_log_event().await;
        assert_eq!(event.event.as_deref(), Some("message"));
        let message: ChatMessage = serde_json::from_str(&event.data).expect("message JSON");
        assert_eq!(
            event.id,
            Some(message.seq.to_string()),
            "id: must be the seq"
        );
        message
    }

    /// Reads presence events until the people online are exactly `names`, unless they are
    /// already (presence is flushed periodically, so earlier states may come first); panics
    /// after `WAIT`.
    pub async fn presence_until(&mut self, names: &[&str]) -> serde_json::Value {
        let wanted: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let now = serde_json::to_value(&self.presence).expect("JSON");
        if self.presence.is_some() && Self::names(&now) == wanted {
            return now;
        }
        tokio::time::timeout(WAIT, async {
            loop {
                let presence = self.next_presence().await;
                if Self::names(&presence) == wanted {
                    return presence;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("presence never became {names:?}"))
    }

    /// The names of online people in a presence snapshot.
    pub fn names(presence: &serde_json::Value) -> Vec<String> {
        presence["online"]
            .as_array()
            .map(|people| {
                people
                    .iter()
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Messages until (and including) seq `last`, asserting nothing beyond it arrives first.
    pub async fn messages_through(&mut self, last: u64) -> Vec<ChatMessage> {
        let mut messages = Vec::new();
        while messages.last().map(|m: &ChatMessage| m.seq.get()) != Some(last) {
            let message = self.next_message().await;
            assert!(
                message.seq.get() <= last,
                "got seq {} past {last}",
                message.seq
            );
            messages.push(message);
        }
        messages
    }

    /// Reads until the stream ends; panics if it does not end within `WAIT`.
    pub async fn until_end(&mut self) {
        tokio::time::timeout(WAIT, async {
            while self.next_event_inner().await.is_some() {}
        })
        .await
        .expect("stream did not end");
    }
}

/// The seqs of `messages`, for order and uniqueness assertions.
pub fn seqs(messages: &[ChatMessage]) -> Vec<u64> {
    messages.iter().map(|m| m.seq.get()).collect()
}
