//! Several nodes sharing Redis: what goes over a room's channel ([`Announcement`]), and the
//! [`Fanout`] that announces there ([`RedisFanout`]). Every node's relay, the announcer's
//! included, hands what it hears to its own hub.

use super::Follows;
use crate::domain::{EventKind, ReadMark, RoomName, UserId};
use crate::server::delivery::fanout::Fanout;
use crate::server::delivery::hub::Kick;
use crate::server::store::redis_connection::Connection;
use crate::server::store::redis_keys::Keyspace;
use crate::server::store::StoreError;
use async_trait::async_trait;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

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

/// What goes over the read marks' channel: whose mark it is.
#[derive(Debug, Serialize, Deserialize)]
pub struct PersonsRead {
    pub user: String,
    #[serde(flatten)]
    pub mark: ReadMark,
}

/// Events leave through Redis, and arrive through this node's relay.
pub struct RedisFanout {
    pub conn: Connection,
    pub keys: Keyspace,
    /// The rooms this node's relay subscribes to.
    pub follows: Arc<Follows>,
}

impl RedisFanout {
    async fn announce(&self, room: &RoomName, announcement: &Announcement) {
        let payload = serde_json::to_string(announcement).unwrap_or_default();
        let mut conn = self.conn.clone();
        // A lost announcement delays delivery, never loses it: streams catch up from the
        // store at the next event, and a lost relay connection ends every stream.
        let published = redis::cmd(self.keys.room_publish())
            .arg(self.keys.room(room).channel())
            .arg(payload)
            .query_async::<i64>(&mut conn)
            .await;
        if let Err(error) = published {
            tracing::warn!(%error, room = %room, "could not announce an event");
        }
    }
}

#[async_trait]
impl Fanout for RedisFanout {
    async fn ephemeral_json(&self, room: &RoomName, kind: EventKind, json: String) {
        let name = kind.name().to_owned();
        self.announce(room, &Announcement::Ephemeral { name, data: json })
            .await;
    }

    async fn read(&self, user: &UserId, mark: ReadMark) {
        let channel = self.keys.global().reads();
        let note = PersonsRead {
            user: user.as_str().to_owned(),
            mark,
        };
        let payload = serde_json::to_string(&note).unwrap_or_default();
        let mut conn = self.conn.clone();
        // Lost, the other devices clear the room when they next open it.
        if let Err(error) = conn.publish::<_, _, i64>(channel, payload).await {
            tracing::warn!(%error, "could not announce a read mark");
        }
    }

    async fn kick(&self, room: &RoomName, kick: Kick) {
        let user = match kick {
            Kick::Everyone => None,
            Kick::Person(user) => Some(user.as_str().to_owned()),
        };
        self.announce(room, &Announcement::Kick { user }).await;
    }

    async fn follow(&self, room: &RoomName) -> Result<(), StoreError> {
        self.follows.follow(room).await
    }

    async fn receiving(&self) -> Option<bool> {
        Some(self.follows.is_attached().await)
    }

    async fn session_ended(&self, id: &str) {
        let channel = self.keys.global().sessions_ended();
        let mut conn = self.conn.clone();
        // Lost, the session still stops working within `FRESH_FOR` on every node (its
        // cookie is read again); only streams elsewhere would stay open.
        if let Err(error) = conn.publish::<_, _, i64>(channel, id).await {
            tracing::warn!(%error, "could not announce an ended session");
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
