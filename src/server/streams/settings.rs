//! How an SSE stream is tuned.

use std::time::Duration;

/// Tuning of an SSE stream.
#[derive(Debug, Clone, Copy)]
pub struct StreamSettings {
    /// The least `retry:` a stream tells the browser to wait before reconnecting.
    pub retry: Duration,
    /// How much longer at most, drawn per connection.
    pub retry_spread: Duration,
    /// How often the node's heartbeat clock beats.
    pub heartbeat: Duration,
    /// The most rooms one browser-wide stream carries.
    pub max_rooms: usize,
    /// How many bytes of stored events a live stream may have to catch up on, without
    /// catching up, before it is ended.
    pub max_behind: usize,
}

impl StreamSettings {
    /// The `retry:` of one connection: at least `retry`, plus a random part of the spread,
    /// so that streams dropped together do not reconnect together.
    pub fn retry_for_a_connection(&self) -> Duration {
        let spread = u64::try_from(self.retry_spread.as_millis()).unwrap_or(u64::MAX);
        self.retry + Duration::from_millis(rand::random_range(0..=spread))
    }
}
