//! The rooms this node follows on Redis: one subscription per room with an open stream on
//! this node, all on the node's one pub/sub connection. A stream follows its room before it
//! reads the backlog, so nothing announced after that read is missed; rooms nobody here
//! watches any more are unfollowed by a periodic sweep.

use super::subscription::Subscriber;
use crate::domain::RoomName;
use crate::server::delivery::hub::Hub;
use crate::server::store::redis_keys::Keyspace;
use crate::server::store::StoreError;
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::Mutex;

/// How long a (un)subscribe may take before Redis counts as unreachable.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(2);

/// This node's subscriptions.
pub struct Follows {
    keys: Keyspace,
    /// One lock for both, so a follow and a sweep of the same room never interleave.
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The live subscribing connection; `None` while the relay reconnects.
    sink: Option<Subscriber>,
    rooms: HashSet<RoomName>,
}

impl std::fmt::Debug for Follows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follows").finish_non_exhaustive()
    }
}

impl Follows {
    /// Subscriptions to the channels of rooms in `keys`.
    pub fn new(keys: &Keyspace) -> Self {
        Self {
            keys: keys.clone(),
            state: Mutex::default(),
        }
    }

    /// Makes sure this node receives `room`'s announcements; returns once Redis confirmed.
    pub async fn follow(&self, room: &RoomName) -> Result<(), StoreError> {
        let mut state = self.state.lock().await;
        if state.rooms.contains(room) {
            return Ok(());
        }
        let Some(sink) = state.sink.as_mut() else {
            return Err(StoreError::Unavailable(
                "not connected to Redis for announcements".into(),
            ));
        };
        match tokio::time::timeout(ANSWER_TIMEOUT, sink.follow(self.keys.room(room).channel()))
            .await
        {
            Ok(Ok(())) => {
                state.rooms.insert(room.clone());
                Ok(())
            }
            Ok(Err(error)) => Err(StoreError::Unavailable(Box::new(error))),
            Err(elapsed) => Err(StoreError::Unavailable(Box::new(elapsed))),
        }
    }

    /// A new connection, following nothing yet: every stream ended with the last one, and
    /// none could follow a room in between (they were refused, 503).
    pub(super) async fn attach(&self, sink: Subscriber) {
        *self.state.lock().await = State {
            sink: Some(sink),
            rooms: HashSet::new(),
        };
    }

    /// The connection is gone: following must wait for the next one.
    pub(super) async fn detach(&self) {
        *self.state.lock().await = State::default();
    }

    /// Unfollows the rooms no stream on this node watches any more.
    pub(super) async fn sweep(&self, hub: &Hub) -> redis::RedisResult<()> {
        let mut state = self.state.lock().await;
        let idle: Vec<RoomName> = state
            .rooms
            .iter()
            .filter(|room| !hub.is_listened(room))
            .cloned()
            .collect();
        if idle.is_empty() {
            return Ok(());
        }
        if let Some(sink) = state.sink.as_mut() {
            let channels: Vec<String> = idle
                .iter()
                .map(|room| self.keys.room(room).channel())
                .collect();
            sink.unfollow(channels).await?;
        }
        for room in &idle {
            state.rooms.remove(room);
        }
        tracing::debug!(rooms = idle.len(), "unfollowed idle rooms");
        Ok(())
    }

    /// Whether this node follows `room` (its subscription is wanted).
    pub(super) async fn follows(&self, room: &RoomName) -> bool {
        self.state.lock().await.rooms.contains(room)
    }

    /// Whether the relay is connected, so new streams can follow their rooms.
    pub async fn is_attached(&self) -> bool {
        self.state.lock().await.sink.is_some()
    }
}
