//! With Redis: one subscription per node to every room's announcements, handed to the
//! node's hub (one Redis connection per node, not per browser). When the subscription is
//! lost, every open stream on the node ends, so browsers reconnect and resume from their
//! `Last-Event-ID`: nothing announced meanwhile is missed.

use crate::domain::{RoomName, Seq};
use crate::server::fanout::Announcement;
use crate::server::hub::Hub;
use crate::server::presence::Presences;
use crate::server::store::Store;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Where announcements lead on this node.
pub struct Targets {
    pub hub: Arc<Hub>,
    /// Announced log events are read from here.
    pub store: Arc<dyn Store>,
    /// Told when a node's roster of a room changed.
    pub presence: Presences,
}

/// Runs until `shutdown`, reconnecting with a growing delay.
pub fn spawn(client: redis::Client, prefix: String, to: Targets, shutdown: CancellationToken) {
    tokio::spawn(async move {
        let mut delay = Duration::from_millis(200);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                result = relay(&client, &prefix, &to) => {
                    if let Err(error) = result {
                        tracing::warn!(%error, "lost the Redis subscription");
                    }
                }
            }
            to.hub.close_all();
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(delay) => {}
            }
            delay = (delay * 2).min(Duration::from_secs(2));
        }
    });
}

async fn relay(client: &redis::Client, prefix: &str, to: &Targets) -> redis::RedisResult<()> {
    let (hub, store) = (to.hub.as_ref(), to.store.as_ref());
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.psubscribe(format!("{prefix}:*:notify")).await?;
    tracing::info!("relaying room events from Redis");
    catch_up(hub, store).await;
    let mut messages = pubsub.on_message();
    while let Some(message) = messages.next().await {
        let channel = message.get_channel_name();
        let Some(room) = channel
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix(':'))
            .and_then(|rest| rest.strip_suffix(":notify"))
            .and_then(|room| RoomName::parse(room).ok())
        else {
            continue;
        };
        if !hub.is_watched(&room) {
            continue; // no stream on this node follows the room
        }
        let payload: String = message.get_payload()?;
        match serde_json::from_str::<Announcement>(&payload) {
            Ok(Announcement::Presence) => to.presence.announced(&room),
            Ok(Announcement::Logged { seq }) => {
                // Read once per node, then shared by all of its streams.
                match store.read_after(&room, Seq(seq.saturating_sub(1)), 1).await {
                    Ok(events) => {
                        for event in events.iter().filter(|e| e.seq() == Seq(seq)) {
                            hub.publish_event(event);
                        }
                    }
                    Err(error) => tracing::warn!(%error, "could not read an announced event"),
                }
            }
            Ok(Announcement::Ephemeral { name, data }) => hub.publish_raw(&room, &name, &data),
            Err(error) => tracing::warn!(%error, "unreadable announcement"),
        }
    }
    Err(redis::RedisError::from((
        redis::ErrorKind::IoError,
        "subscription closed",
    )))
}

/// Announcements made while this node was not subscribed are lost; a stream notices a
/// missing seq only when a later event arrives. So, once subscribed, hand each followed
/// room's newest event to the hub: streams behind it read what they missed from the store,
/// streams already past it skip it.
async fn catch_up(hub: &Hub, store: &dyn Store) {
    for room in hub.watched_rooms() {
        let newest = match store.last_seq(&room).await {
            Ok(seq) if seq > Seq::ZERO => seq,
            Ok(_) => continue,
            Err(error) => {
                tracing::warn!(%error, "could not catch up after subscribing");
                return;
            }
        };
        if let Ok(events) = store.read_after(&room, Seq(newest.get() - 1), 1).await {
            for event in &events {
                hub.publish_event(event);
            }
        }
    }
}
