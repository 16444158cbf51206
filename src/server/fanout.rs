//! Where ephemeral events (typing) go. With the embedded store there is one node: straight
//! to its hub. With Redis, every node must see every event: it is announced on the room's
//! Redis channel, and each node's relay (`relay/`), the sender's included, hands it to its
//! own hub. One path for all nodes means no node publishes an event twice.
//!
//! Log events (messages, edits, deletes) never pass here: the store publishes them as it
//! commits them, in seq order (SQLite's writer to the hub, Redis' write scripts to the
//! room's channel).

use crate::domain::{EventKind, RoomName, UserId};
use crate::server::hub::{Hub, Kick};
use crate::server::redis_keys;
use redis::aio::ConnectionManager;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How events leave the node that produced them.
#[derive(Clone)]
pub enum Fanout {
    /// One node: publish to the local hub.
    Local(Arc<Hub>),
    /// Several nodes: announce on Redis; the relays publish.
    Redis {
        conn: ConnectionManager,
        prefix: String,
    },
}

/// What goes over the Redis channel of a room.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Announcement {
    /// A log event with this seq is stored: read it from the store.
    Logged { seq: u64 },
    /// An ephemeral event, carried whole.
    Ephemeral { name: String, data: String },
    /// A node's presence roster of the room changed: read them all again.
    Presence,
    /// Streams of the room lost access: `user`'s, or everyone's when absent.
    Kick {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
    },
}

impl Announcement {
    /// The kick this announces, if it is one.
    pub fn kick(&self) -> Option<Kick> {
        match self {
            Announcement::Kick { user: None } => Some(Kick::Everyone),
            Announcement::Kick { user: Some(user) } => UserId::parse(user).map(Kick::Person),
            _ => None,
        }
    }
}

impl Fanout {
    /// An ephemeral event (typing).
    pub async fn ephemeral(&self, room: &RoomName, kind: EventKind, data: &impl Serialize) {
        match self {
            Fanout::Local(hub) => hub.publish_ephemeral(room, kind, data),
            Fanout::Redis { .. } => {
                let data = serde_json::to_string(data).unwrap_or_default();
                let name = kind.name().to_owned();
                self.announce(room, &Announcement::Ephemeral { name, data })
                    .await;
            }
        }
    }

    /// Ends at once, on every node, the open streams of `room` that `kick` names (they
    /// lost access to it). Streams check access before each write anyway; this makes
    /// them end now rather than at the room's next event.
    pub async fn kick(&self, room: &RoomName, kick: Kick) {
        match self {
            Fanout::Local(hub) => hub.kick(room, kick),
            Fanout::Redis { .. } => {
                let user = match kick {
                    Kick::Everyone => None,
                    Kick::Person(user) => Some(user.as_str().to_owned()),
                };
                self.announce(room, &Announcement::Kick { user }).await;
            }
        }
    }

    async fn announce(&self, room: &RoomName, announcement: &Announcement) {
        let Fanout::Redis { conn, prefix } = self else {
            return;
        };
        let payload = serde_json::to_string(announcement).unwrap_or_default();
        let mut conn = conn.clone();
        // A lost announcement delays delivery, never loses it: streams catch up from the
        // store at the next event, and a lost relay connection ends every stream.
        if let Err(error) = conn
            .publish::<_, _, i64>(redis_keys::room(prefix, room).channel(), payload)
            .await
        {
            tracing::warn!(%error, room = %room, "could not announce an event");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_write_scripts_announcement_is_a_logged_event() {
        // append.lua and change.lua build this text themselves.
        let parsed: Announcement =
            serde_json::from_str(r#"{"type":"logged","seq":42}"#).expect("parses");
        assert!(matches!(parsed, Announcement::Logged { seq: 42 }));
    }
}
