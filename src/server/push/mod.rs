//! Web Push: telling people of a message while no tab of theirs shows its room. A browser
//! subscribes with the chat's VAPID public key (`keys.rs`), and hands the server its push
//! service's endpoint (checked by `endpoint.rs`) to keep (`store::PushSubscriptions`). When
//! a message is stored, the node that stored it queues it here ([`Push::message_sent`]:
//! never waits, and a full queue drops it, counted), so each push goes once however many
//! nodes there are. A worker then decides who is told (`who_is_told`: the people it
//! mentions, those who asked for every message of the room and, in a direct-message room,
//! the other person; not its author, not anyone whose room notifies them of nothing, not
//! anyone online in the room on any node), and
//! sends each of their browsers the payload (`payload.rs`) through `sender.rs`.
//!
//! May import: `store`, `access` (the key file), `presence`, `settings`, `metrics`.

pub mod endpoint;
pub mod keys;
pub mod payload;
pub mod sender;
pub mod settings;

use crate::domain::{ChatMessage, NotifyLevel, UserId};
use crate::server::access::restrictions::Restrictions;
use crate::server::presence::Presences;
use crate::server::store::Store;
use endpoint::Endpoints;
use keys::VapidKeys;
use payload::PushPayload;
use sender::{Sender, Urgency};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::{mpsc, Semaphore};

/// Messages waiting for their pushes to be worked out; past this, new ones are dropped.
const QUEUE: usize = 10_000;
/// Pushes under way at once (each tries at most three times, see `sender.rs`).
const AT_ONCE: usize = 4_096;
/// The most people of one room told of every message.
const TOLD_OF_EVERYTHING: u32 = 1_000;

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

/// What deciding who is told reads.
struct Audience {
    store: Arc<dyn Store>,
    presence: Presences,
    restrictions: Arc<Restrictions>,
}

async fn work(mut waiting: mpsc::Receiver<ChatMessage>, sender: Sender, audience: Audience) {
    let Audience {
        store,
        presence,
        restrictions,
    } = &audience;
    let at_once = Arc::new(Semaphore::new(AT_ONCE));
    while let Some(message) = waiting.recv().await {
        let told = who_is_told(store.as_ref(), presence, restrictions, &message).await;
        let told = match told {
            Ok(told) => told,
            Err(error) => {
                tracing::warn!(%error, "who to push a message to could not be read");
                continue;
            }
        };
        for person in told {
            let subscriptions = match store.push_subscriptions(&person).await {
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
            let payload = match serde_json::to_vec(&PushPayload::of(&message, mention)) {
                Ok(payload) => Arc::new(payload),
                Err(_) => continue,
            };
            for subscription in subscriptions {
                let Ok(slot) = at_once.clone().acquire_owned().await else {
                    return;
                };
                let (sender, person, payload) = (sender.clone(), person.clone(), payload.clone());
                tokio::spawn(async move {
                    sender.send(&person, &subscription, &payload, urgency).await;
                    drop(slot);
                });
            }
        }
    }
}

/// Who is told of `message` by a push: the people it mentions, the room's people who asked
/// for every message (up to [`TOLD_OF_EVERYTHING`]) and, in a direct-message room, the
/// other person. Never its author, anyone banned, anyone online in the room on any node
/// (they see it there), anyone no longer a member of the room, or anyone whose room
/// notifies them of nothing.
pub async fn who_is_told(
    store: &dyn Store,
    presence: &Presences,
    restrictions: &Restrictions,
    message: &ChatMessage,
) -> Result<Vec<UserId>, crate::server::store::StoreError> {
    // The people named: their membership and level are read for each (a few at most).
    let mut named: Vec<UserId> = message.mentions.iter().map(|m| m.id.clone()).collect();
    if message.room.is_direct() {
        let members = store.members(&message.room, 2).await?;
        named.extend(members.into_iter().map(|member| member.id));
    }
    // Members whose level is "every message" already.
    let everything = store
        .notified_of_everything(&message.room, TOLD_OF_EVERYTHING)
        .await?;
    let online: HashSet<UserId> = presence
        .snapshot(&message.room)
        .await
        .online
        .into_iter()
        .map(|user| user.id)
        .collect();
    let left_out = |person: &UserId, told: &HashSet<UserId>| {
        *person == message.author_id
            || online.contains(person)
            || restrictions.is_banned(person)
            || told.contains(person)
    };
    let mut told = HashSet::new();
    for person in named {
        if left_out(&person, &told) {
            continue;
        }
        let level = store
            .joined_rooms(&person)
            .await?
            .into_iter()
            .find(|membership| membership.room == message.room)
            .map(|membership| membership.notify);
        if matches!(level, Some(NotifyLevel::Every | NotifyLevel::Mentions)) {
            told.insert(person);
        }
    }
    for person in everything {
        if !left_out(&person, &told) {
            told.insert(person);
        }
    }
    Ok(told.into_iter().collect())
}
