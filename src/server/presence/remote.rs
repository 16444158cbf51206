//! Remote presence, through Redis: each node keeps its roster (its people) of every room in
//! one Redis hash per room (`P:{room}:presence`, one field per node, stamped with Redis'
//! clock), rewrites it when it changes and refreshes it every `refresh`. A node that stops
//! refreshing (it died) drops out of everyone's view once its roster is older than `stale`.

use crate::domain::{OnlineUser, RoomName};
use crate::server::delivery::relay::Announcement;
use crate::server::store::redis_batch::Batch;
use crate::server::store::redis_connection::Connection;
use crate::server::store::redis_keys::Keyspace;
use crate::server::store::StoreError;
use redis::{Cmd, RedisResult, Script};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// This node's window on every node's rosters of every room.
#[derive(Clone)]
pub struct RemoteRosters {
    conn: Connection,
    keys: Keyspace,
    /// This node's field in every presence hash.
    node: String,
    /// Rosters older than this belong to a node that stopped refreshing them.
    stale: Duration,
    write: Arc<Script>,
}

impl fmt::Debug for RemoteRosters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteRosters")
            .field("keys", &self.keys)
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

impl RemoteRosters {
    /// A window for a new node (a fresh random id), whose rosters count as stale after
    /// `stale` without a refresh.
    pub fn new(conn: Connection, keys: &Keyspace, stale: Duration) -> Self {
        Self {
            conn,
            keys: keys.clone(),
            node: format!("{:032x}", rand::random::<u128>()),
            stale,
            write: Arc::new(Script::new(include_str!("write.lua"))),
        }
    }

    fn key(&self, room: &RoomName) -> String {
        self.keys.room(room).presence()
    }

    /// Stores this node's roster of `room` (empty: withdraws it). With `announce`, every
    /// node is told to refresh the room's presence.
    pub async fn write(
        &self,
        room: &RoomName,
        roster: &[OnlineUser],
        announce: bool,
    ) -> RedisResult<()> {
        let value = if roster.is_empty() {
            String::new()
        } else {
            serde_json::to_string(roster).unwrap_or_default()
        };
        let (channel, announcement) = if announce {
            let announcement = serde_json::to_string(&Announcement::Presence).unwrap_or_default();
            (self.keys.room(room).channel(), announcement)
        } else {
            (String::new(), String::new())
        };
        // The hash outlives its freshest roster a little, so rooms nobody visits any more
        // leave nothing behind.
        let lifetime = u64::try_from(self.stale.as_millis() * 2).unwrap_or(u64::MAX);
        let mut conn = self.conn.clone();
        self.write
            .key(self.key(room))
            .arg(&self.node)
            .arg(value)
            .arg(lifetime)
            .arg(channel)
            .arg(announcement)
            .arg(self.keys.room_publish())
            .invoke_async::<i64>(&mut conn)
            .await?;
        Ok(())
    }

    /// Everyone online in each of `rooms` on the other live nodes (this node's own people
    /// are better read from its local presence): Redis' clock, then every room's hash
    /// together (one round trip on one Redis; each room's shard at once in a cluster).
    pub async fn read_others(
        &self,
        rooms: &[RoomName],
    ) -> Result<Vec<Vec<OnlineUser>>, StoreError> {
        if rooms.is_empty() {
            return Ok(Vec::new());
        }
        let mut read = Batch::new();
        read.add(redis::cmd("TIME"));
        for room in rooms {
            read.add(Cmd::hgetall(self.key(room)));
        }
        let mut answers: Vec<redis::Value> = read.query(&self.conn).await?;
        if answers.is_empty() {
            return Err(StoreError::Failed("empty answer to a presence read".into()));
        }
        let hashes = answers.split_off(1);
        let unreadable = |e: redis::ParsingError| StoreError::Failed(Box::new(e));
        let time: (u64, u64) =
            redis::from_redis_value(answers.swap_remove(0)).map_err(unreadable)?;
        let hashes: Vec<HashMap<String, String>> = hashes
            .into_iter()
            .map(redis::from_redis_value)
            .collect::<Result<_, _>>()
            .map_err(unreadable)?;
        let now_ms = time.0 * 1000 + time.1 / 1000;
        let oldest = now_ms.saturating_sub(u64::try_from(self.stale.as_millis()).unwrap_or(0));
        Ok(hashes
            .into_iter()
            .map(|hash| {
                hash.into_iter()
                    .filter(|(node, _)| *node != self.node)
                    .filter_map(|(_, value)| fresh_roster(&value, oldest))
                    .flatten()
                    .collect()
            })
            .collect())
    }
}

/// The roster in a hash value (`{stamp}|{json}`), unless it was written before `oldest`.
fn fresh_roster(value: &str, oldest: u64) -> Option<Vec<OnlineUser>> {
    let (stamp, json) = value.split_once('|')?;
    let stamp: u64 = stamp.parse().ok()?;
    if stamp < oldest {
        return None;
    }
    match serde_json::from_str(json) {
        Ok(roster) => Some(roster),
        Err(error) => {
            tracing::warn!(%error, "unreadable presence roster");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UserId;

    #[test]
    fn a_roster_is_read_back_unless_it_is_stale() {
        let roster = vec![OnlineUser {
            id: UserId::from_random(7),
            name: "Ann".into(),
        }];
        let value = format!("1000|{}", serde_json::to_string(&roster).expect("json"));
        assert_eq!(fresh_roster(&value, 1000), Some(roster));
        assert_eq!(
            fresh_roster(&value, 1001),
            None,
            "written before the cut-off"
        );
        assert_eq!(fresh_roster("garbage", 0), None);
    }
}
