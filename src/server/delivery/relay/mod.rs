//! With Redis: this node's one pub/sub connection, subscribed to the announcement channel of
//! each room a stream here follows (`follows.rs`), handing what arrives to the node's hub;
//! and what the nodes announce (`announce.rs`).
//! One connection per node, not one per browser. When the connection is lost, every open
//! stream on the node ends, so browsers reconnect and resume from their `Last-Event-ID`:
//! nothing announced meanwhile is missed.

mod announce;
mod follows;
mod subscription;

pub use announce::{Announcement, RedisFanout};
pub use follows::Follows;

use crate::domain::{EventKind, RoomName, Seq, UserId};
use crate::server::access::session::SessionBook;
use crate::server::delivery::hub::Hub;
use crate::server::store::redis_client::RedisClient;
use crate::server::store::redis_keys::Keyspace;
use crate::server::store::Store;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use subscription::{Heard, Hearing, Subscriber};
use tokio_util::sync::CancellationToken;

/// The most announcements delivered together.
const MAX_BATCH: usize = 256;
/// How long connecting may take before trying again.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where announcements lead on this node.
pub struct Targets {
    pub hub: Arc<Hub>,
    /// Announced log events are read from here.
    pub store: Arc<dyn Store>,
    /// Told when a node's roster of a room changed.
    pub presence: Arc<dyn RosterNews>,
    /// The rooms this node subscribes to.
    pub follows: Arc<Follows>,
    /// Told when a session ended on any node.
    pub sessions: Arc<SessionBook>,
}

/// What hears that another node's roster of a room changed (presence, which stands above
/// delivery: it is handed in, not imported).
pub trait RosterNews: Send + Sync {
    fn roster_changed(&self, room: &RoomName);
}

/// How the relay reaches Redis.
pub struct Source {
    pub client: RedisClient,
    pub keys: Keyspace,
    /// How often rooms no stream here watches any more are unfollowed.
    pub sweep_every: Duration,
}

/// Connects and follows the rooms, then relays until `shutdown` in the background,
/// reconnecting with a growing delay. Fails when the first connection does, so a node never
/// serves streams it could not feed.
pub async fn start(
    from: Source,
    to: Targets,
    shutdown: CancellationToken,
) -> redis::RedisResult<()> {
    let first = connect(&from, &to).await?;
    tokio::spawn(run(from, to, first, shutdown));
    Ok(())
}

async fn run(from: Source, to: Targets, first: Hearing, shutdown: CancellationToken) {
    let mut next = Some(first);
    let mut delay = Duration::from_millis(200);
    loop {
        let attempt = async {
            let messages = match next.take() {
                Some(messages) => messages,
                None => connect(&from, &to).await?,
            };
            relay(&from, &to, messages).await
        };
        tokio::select! {
            () = shutdown.cancelled() => return,
            result = attempt => {
                if let Err(error) = result {
                    tracing::warn!(%error, "lost the Redis subscription");
                }
            }
        }
        to.follows.detach().await;
        to.hub.close_all();
        crate::server::metrics::relay_reconnected();
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}

/// A new subscribing connection; streams follow their rooms on it as they open.
async fn connect(from: &Source, to: &Targets) -> redis::RedisResult<Hearing> {
    let globals = from.keys.global();
    let channels = [globals.sessions_ended(), globals.reads()];
    let (sink, hearing) = tokio::time::timeout(
        CONNECT_TIMEOUT,
        Subscriber::connect(&from.client, &channels),
    )
    .await
    .map_err(|_| redis::RedisError::from((redis::ErrorKind::Io, "timed out connecting")))??;
    // Whatever ended while this node was not listening is read again from the store.
    to.sessions.forget_all();
    to.follows.attach(sink).await;
    tracing::info!("relaying room events from Redis");
    Ok(hearing)
}

/// Relays until the connection is lost.
async fn relay(from: &Source, to: &Targets, hearing: Hearing) -> redis::RedisResult<()> {
    let mut sweep = tokio::time::interval(from.sweep_every);
    // Whatever arrived while the last batch was delivered is delivered together.
    let mut batches = hearing.ready_chunks(MAX_BATCH);
    let lost = |why: &'static str| redis::RedisError::from((redis::ErrorKind::Io, why));
    loop {
        tokio::select! {
            batch = batches.next() => {
                let Some(batch) = batch else { break };
                let mut messages = Vec::with_capacity(batch.len());
                let mut trouble = None;
                for heard in batch {
                    match heard {
                        Heard::Message(message) => messages.push(message),
                        Heard::Lost => trouble = Some("a Redis node's connection closed"),
                        Heard::Unsubscribed(channel) => {
                            // Still followed: not the sweep's doing.
                            if let Some(room) = from.keys.room_of_channel(&channel) {
                                if to.follows.follows(&room).await {
                                    trouble = Some("Redis dropped a room's subscription (its slot moved)");
                                }
                            }
                        }
                    }
                }
                deliver(&from.keys, to, &messages).await?;
                if let Some(why) = trouble {
                    return Err(lost(why));
                }
            },
            _ = sweep.tick() => to.follows.sweep(&to.hub).await?,
        }
    }
    Err(lost("subscription closed"))
}

/// Hands a batch of announcements to the hub, skipping rooms no stream here follows. A
/// room's log events are announced in seq order, so one read per room covers all of its
/// announced events in the batch, read once for every stream on this node.
async fn deliver(keys: &Keyspace, to: &Targets, batch: &[redis::Msg]) -> redis::RedisResult<()> {
    // Per room, in order of first mention: the lowest and highest seq announced.
    let mut logged: Vec<(RoomName, Seq, Seq)> = Vec::new();
    let sessions_ended = keys.global().sessions_ended();
    let reads = keys.global().reads();
    for message in batch {
        if message.get_channel_name() == sessions_ended {
            let id: String = message.get_payload()?;
            to.sessions.ended(&id);
            continue;
        }
        if message.get_channel_name() == reads {
            let payload: String = message.get_payload()?;
            match serde_json::from_str::<announce::PersonsRead>(&payload) {
                Ok(read) => match UserId::parse(&read.user) {
                    Some(user) => to.hub.reads.publish(&user, read.mark),
                    None => tracing::warn!("a read mark of no valid person"),
                },
                Err(error) => tracing::warn!(%error, "unreadable read mark"),
            }
            continue;
        }
        let Some(room) = room_of(keys, message) else {
            continue;
        };
        if !to.hub.is_watched(&room) {
            continue; // unfollowed at the next sweep
        }
        let payload: String = message.get_payload()?;
        match serde_json::from_str::<Announcement>(&payload) {
            Ok(Announcement::Presence) => to.presence.roster_changed(&room),
            Ok(kick @ Announcement::Kick { .. }) => match kick.kick() {
                Some(kick) => to.hub.kick(&room, kick),
                None => tracing::warn!("a kick naming no valid person"),
            },
            Ok(Announcement::Logged { seq }) => {
                let seq = Seq(seq);
                match logged.iter_mut().find(|(r, _, _)| *r == room) {
                    Some((_, first, last)) => {
                        *first = (*first).min(seq);
                        *last = (*last).max(seq);
                    }
                    None => logged.push((room, seq, seq)),
                }
            }
            Ok(Announcement::Ephemeral { name, data }) => match EventKind::from_name(&name) {
                Some(kind) => to.hub.publish_raw(&room, kind, &data),
                None => tracing::warn!(%name, "announcement of an unknown kind of event"),
            },
            Err(error) => tracing::warn!(%error, "unreadable announcement"),
        }
    }
    for (room, first, last) in logged {
        let after = Seq(first.get().saturating_sub(1));
        let count = u32::try_from(last.get() - after.get()).unwrap_or(u32::MAX);
        match to.store.read_after(&room, after, count).await {
            Ok(events) => {
                for event in events.iter().filter(|event| event.seq() <= last) {
                    to.hub.publish_event(event);
                }
            }
            Err(error) => tracing::warn!(%error, "could not read announced events"),
        }
    }
    Ok(())
}

/// The room whose channel a message came on.
fn room_of(keys: &Keyspace, message: &redis::Msg) -> Option<RoomName> {
    keys.room_of_channel(message.get_channel_name())
}
