//! Web Push: telling people of a message while no tab of theirs shows its room. A browser
//! subscribes with the chat's VAPID public key (`keys.rs`), and hands the server its push
//! service's endpoint (checked by `endpoint.rs`) to keep (`store::PushSubscriptions`). When
//! a message is stored, the node that stored it queues it here ([`Push::message_sent`]:
//! never waits, and a full queue drops it, counted), so each push goes once however many
//! nodes there are. A worker then decides who is told (`audience.rs`: the people it
//! mentions, those who asked for every message of the room and, in a direct-message room,
//! the other person; not its author, not anyone whose room notifies them of nothing, not
//! anyone online in the room on any node), and
//! sends each of their browsers the payload (`payload.rs`) through `sender.rs`.
//!
//! May import: `store`, `access` (the key file), `presence`, `settings`, `metrics`.

mod audience;
pub mod endpoint;
pub mod keys;
pub mod payload;
pub mod sender;
pub mod settings;

use crate::domain::{ChatMessage, RoomName, UserId};
use crate::server::access::restrictions::Restrictions;
use crate::server::presence::Presences;
use crate::server::store::Store;
use audience::Audience;
use endpoint::Endpoints;
use keys::VapidKeys;
use payload::PushPayload;
use sender::{Sender, Urgency};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};

/// Messages waiting for their pushes to be worked out; past this, new ones are dropped.
const QUEUE: usize = 10_000;
/// Pushes under way at once (each tries at most three times, see `sender.rs`).
const AT_ONCE: usize = 4_096;
/// The most messages the worker takes in one round.
const ROUND: usize = 1_000;
/// How long the worker lets messages gather after a round that was not full.
const GATHER: Duration = Duration::from_millis(10);

/// The chat's pushes: off when it has no key pair.
#[derive(Debug, Clone, Default)]
pub struct Push {
    on: Option<Arc<PushOn>>,
}

#[derive(Debug)]
struct PushOn {
    keys: Arc<VapidKeys>,
    endpoints: Endpoints,
    queue: mpsc::Sender<ChatMessage>,
}

impl Push {
    /// Pushes signed with `keys`, sent by a worker of their own.
    pub fn start(
        keys: VapidKeys,
        subject: &str,
        endpoints: Endpoints,
        store: Arc<dyn Store>,
        presence: Presences,
        restrictions: Arc<Restrictions>,
    ) -> Result<Self, reqwest::Error> {
        let keys = Arc::new(keys);
        let sender = Sender::new(keys.clone(), subject, endpoints.clone(), store.clone())?;
        let (queue, waiting) = mpsc::channel(QUEUE);
        let audience = Audience {
            store,
            presence,
            restrictions,
        };
        tokio::spawn(work(waiting, sender, audience));
        Ok(Self {
            on: Some(Arc::new(PushOn {
                keys,
                endpoints,
                queue,
            })),
        })
    }

    /// The VAPID public key browsers subscribe with (base64url), if pushes are on.
    pub fn public_key(&self) -> Option<&str> {
        self.on.as_ref().map(|on| on.keys.public.as_str())
    }

    /// Where subscriptions may point, if pushes are on.
    pub fn endpoints(&self) -> Option<&Endpoints> {
        self.on.as_ref().map(|on| &on.endpoints)
    }

    /// `message` was stored on this node: its pushes go out soon. Never waits.
    pub fn message_sent(&self, message: &ChatMessage) {
        let Some(on) = &self.on else {
            return;
        };
        if on.queue.try_send(message.clone()).is_err() {
            crate::server::metrics::push(crate::server::metrics::PushOutcome::Dropped);
        }
    }
}

/// Works out who is told of each queued message and sends their pushes. Messages are
/// taken as they have gathered, grouped by room, so a room's side of the answer is read once
/// for all of them; after a round that was not full the worker lets the next ones gather
/// for [`GATHER`] (a push waits that much longer, besides the round's other rooms; a flood
/// of sends costs a read per room per round instead of one per message).
async fn work(mut waiting: mpsc::Receiver<ChatMessage>, sender: Sender, audience: Audience) {
    let at_once = Arc::new(Semaphore::new(AT_ONCE));
    let mut gathered = Vec::with_capacity(ROUND);
    loop {
        let taken = waiting.recv_many(&mut gathered, ROUND).await;
        if taken == 0 {
            return;
        }
        for (room, messages) in by_room(gathered.drain(..)) {
            // A round may hold many of the room's messages: one failed read is tried again
            // before their pushes are given up.
            let read = match audience.of_room(&room).await {
                Ok(read) => Ok(read),
                Err(_) => audience.of_room(&room).await,
            };
            let room_audience = match read {
                Ok(room_audience) => room_audience,
                Err(error) => {
                    tracing::warn!(%error, messages = messages.len(), "who to push a room's messages to could not be read");
                    continue;
                }
            };
            for message in messages {
                let told = match audience.told(&room_audience, &message).await {
                    Ok(told) => told,
                    Err(error) => {
                        tracing::warn!(%error, "who to push a message to could not be read");
                        continue;
                    }
                };
                if !push_to(told, &message, &sender, &audience, &at_once).await {
                    return;
                }
            }
        }
        // A full round means more are waiting already.
        if taken < ROUND {
            tokio::time::sleep(GATHER).await;
        }
    }
}

/// `messages` grouped by room, each room's in the order they came.
fn by_room(messages: impl Iterator<Item = ChatMessage>) -> BTreeMap<RoomName, Vec<ChatMessage>> {
    let mut rooms: BTreeMap<RoomName, Vec<ChatMessage>> = BTreeMap::new();
    for message in messages {
        rooms.entry(message.room.clone()).or_default().push(message);
    }
    rooms
}

/// Sends `message`'s push to every browser of the people `told`. False once the worker is
/// shutting down.
async fn push_to(
    told: Vec<UserId>,
    message: &ChatMessage,
    sender: &Sender,
    audience: &Audience,
    at_once: &Arc<Semaphore>,
) -> bool {
    for person in told {
        let subscriptions = match audience.store.push_subscriptions(&person).await {
            Ok(subscriptions) => subscriptions,
            Err(error) => {
                tracing::warn!(%error, "push subscriptions could not be read");
                continue;
            }
        };
        let mention = message.mentions_person(&person);
        let urgency = if mention || message.room.is_direct() {
            Urgency::High
        } else {
            Urgency::Normal
        };
        let payload = match serde_json::to_vec(&PushPayload::of(message, mention)) {
            Ok(payload) => Arc::new(payload),
            Err(_) => continue,
        };
        for subscription in subscriptions {
            let Ok(slot) = at_once.clone().acquire_owned().await else {
                return false;
            };
            let (sender, person, payload) = (sender.clone(), person.clone(), payload.clone());
            tokio::spawn(async move {
                sender.send(&person, &subscription, &payload, urgency).await;
                drop(slot);
            });
        }
    }
    true
}
