//! Where what is not logged goes, and how a node makes sure it receives a room's events.
//! Two ways, chosen once at start-up (`src/startup/`): one node ([`OneNode`]: straight to its
//! hub), or several sharing Redis (`relay::RedisFanout`: announced on the room's channel,
//! and each node's relay, the sender's included, hands it to its own hub, so no node
//! publishes an event twice). Nothing else asks which.
//!
//! Log events (messages, edits, deletes, reactions) never pass here: the store publishes
//! them as it commits them, in seq order (SQLite's writer to the hub, Redis' write scripts
//! to the room's channel).

use crate::domain::{EventKind, ReadMark, RoomName, UserId};
use crate::server::access::session::SessionBook;
use crate::server::delivery::hub::{Hub, Kick};
use crate::server::store::StoreError;
use async_trait::async_trait;
use serde::Serialize;
use std::sync::Arc;

/// How events leave the node that produced them, and reach it from the others.
#[async_trait]
pub trait Fanout: Send + Sync {
    /// An ephemeral event (typing), its data encoded as JSON.
    async fn ephemeral_json(&self, room: &RoomName, kind: EventKind, json: String);

    /// `user` read a room up to a seq: their browser streams on every node hear it (their
    /// other devices clear the room's count). Nobody else's do.
    async fn read(&self, user: &UserId, mark: ReadMark);

    /// Ends at once, on every node, the open streams of `room` that `kick` names (they
    /// lost access to it). Streams check access before each write anyway; this makes
    /// them end now rather than at the room's next event.
    async fn kick(&self, room: &RoomName, kick: Kick);

    /// Makes sure this node receives `room`'s events from now on, before a stream of it
    /// reads its backlog.
    async fn follow(&self, room: &RoomName) -> Result<(), StoreError>;

    /// Whether events from the other nodes are arriving: `None` when there are none.
    async fn receiving(&self) -> Option<bool>;

    /// Session `id` ended: every node forgets it and ends its open streams.
    async fn session_ended(&self, id: &str);
}

impl dyn Fanout {
    /// An ephemeral event (typing).
    pub async fn ephemeral(&self, room: &RoomName, kind: EventKind, data: &impl Serialize) {
        match serde_json::to_string(data) {
            Ok(json) => self.ephemeral_json(room, kind, json).await,
            Err(error) => tracing::warn!(%error, "an ephemeral event did not encode"),
        }
    }
}

/// One node: everything goes to its hub, and it receives every room's events already.
pub struct OneNode {
    pub hub: Arc<Hub>,
    pub sessions: Arc<SessionBook>,
}

#[async_trait]
impl Fanout for OneNode {
    async fn ephemeral_json(&self, room: &RoomName, kind: EventKind, json: String) {
        self.hub.publish_raw(room, kind, &json);
    }

    async fn read(&self, user: &UserId, mark: ReadMark) {
        self.hub.reads.publish(user, mark);
    }

    async fn kick(&self, room: &RoomName, kick: Kick) {
        self.hub.kick(room, kick);
    }

    async fn follow(&self, _room: &RoomName) -> Result<(), StoreError> {
        Ok(())
    }

    async fn receiving(&self) -> Option<bool> {
        None
    }

    async fn session_ended(&self, id: &str) {
        self.sessions.ended(id);
    }
}
