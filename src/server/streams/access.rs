//! A stream's access check before each write (see `access::rooms::StreamGate`).

use super::Subscription;
use crate::server::delivery::sse_frame;
use bytes::Bytes;

impl Subscription {
    /// Whether the stream's person may still read what `chunk` carries of the room, asked
    /// after it was obtained. A room public for good, and a heartbeat (which carries nothing
    /// of it), cost nothing.
    pub(super) async fn may_send(&mut self, chunk: &Bytes) -> bool {
        let Some(gate) = self.gate.as_mut().filter(|gate| !gate.is_open()) else {
            return true;
        };
        if chunk == sse_frame::HEARTBEAT {
            return true;
        }
        match gate.may_send(&self.room).await {
            Ok(true) => true,
            Ok(false) => {
                tracing::info!(room = %self.room, user = %gate.user(), "ending a stream: its person may no longer read the room");
                false
            }
            Err(error) => {
                tracing::warn!(room = %self.room, %error, "ending a stream: could not check access");
                false
            }
        }
    }
}
