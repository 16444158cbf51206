use crate::domain::{Attachment, Seq, UserId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A message the person sent that the server has not confirmed yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// The idempotency key: a retry reuses it, so it can never store a second copy.
    pub client_id: String,
    pub body: String,
    /// The message it answers, if it is a reply (a retry answers it too).
    pub reply_to: Option<Seq>,
    /// The people it mentions (a retry mentions them too).
    pub mentions: Vec<UserId>,
    /// The files it carries (a retry carries them too).
    pub attachments: Vec<Attachment>,
    /// When it was written (ms on the browser's clock): the outbox sends in this order.
    pub written_at: f64,
    /// Where it stands; a message read back from the browser's storage is `Queued`.
    #[serde(skip)]
    pub status: Status,
}

/// Where an unconfirmed message stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Status {
    /// Waiting for the messages written before it.
    #[default]
    Queued,
    /// On its way to the server.
    Sending,
    /// The network was gone: it goes by itself once the live feed is back.
    Offline,
    /// The server did not take it (for now), saying why; a retry sends it again.
    Failed(String),
}

/// A message the server refused for good, handed back to the composer with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub body: String,
    pub reason: String,
}

/// The person's unconfirmed messages, shown below the confirmed ones. They go to the server
/// one at a time, in the order they were written: the next leaves once the one before it was
/// answered, and none leaves while an older one is offline or failed, so a room never shows
/// them out of order.
#[derive(Debug, Clone, Copy)]
pub struct Outbox {
    items: RwSignal<Vec<Pending>>,
    refused: RwSignal<Option<Refused>>,
}

impl Default for Outbox {
    fn default() -> Self {
        Self {
            items: RwSignal::new(Vec::new()),
            refused: RwSignal::new(None),
        }
    }
}

impl Outbox {
    pub fn items(self) -> Vec<Pending> {
        self.items.get()
    }

    /// The last message refused for good, until the composer takes it back.
    pub fn refused(self) -> Option<Refused> {
        self.refused.get()
    }

    pub fn take_refused(self) -> Option<Refused> {
        self.refused.try_update(Option::take).flatten()
    }

    /// The server will never take `client_id` as it is: it leaves the outbox, and its text
    /// goes back to the composer with `reason`.
    pub fn refuse(self, client_id: &str, reason: String) {
        let body = self.items.with_untracked(|items| {
            items
                .iter()
                .find(|p| p.client_id == client_id)
                .map(|p| p.body.clone())
        });
        self.remove(client_id);
        if let Some(body) = body {
            self.refused.set(Some(Refused { body, reason }));
        }
    }

    /// Whether a message is still to go (a failed one shows it was not sent): leaving now
    /// would drop it, unless the browser keeps it.
    pub fn sending(self) -> bool {
        self.items
            .with_untracked(|items| items.iter().any(|p| !matches!(p.status, Status::Failed(_))))
    }

    /// A message joins the end of the queue, written after everything in it (a clock that
    /// went back or stood still does not reorder them); returns it as queued.
    pub fn push(self, pending: Pending) -> Pending {
        let mut queued = Pending {
            status: Status::Queued,
            ..pending
        };
        self.items.update(|items| {
            if let Some(last) = items.last() {
                if queued.written_at <= last.written_at {
                    queued.written_at = last.written_at + 0.001;
                }
            }
            items.push(queued.clone());
        });
        queued
    }

    /// Messages written on an earlier visit (kept by the browser), oldest first: they go
    /// before anything written on this one. One already here is not added twice.
    pub fn restore(self, mut kept: Vec<Pending>) {
        kept.sort_by(|a, b| a.written_at.total_cmp(&b.written_at));
        self.items.update(|items| {
            let mut later = std::mem::take(items);
            // The one on its way stays first: it cannot be called back.
            let leaving = match later.first() {
                Some(first) if first.status == Status::Sending => Some(later.remove(0)),
                _ => None,
            };
            items.extend(leaving);
            items.extend(
                kept.into_iter()
                    .filter(|old| !later.iter().any(|p| p.client_id == old.client_id))
                    .map(|old| Pending {
                        status: Status::Queued,
                        ..old
                    }),
            );
            items.extend(later);
        });
    }

    /// The message to send now, marked as sending: the oldest, if it is queued. `None`
    /// while one is on its way, the oldest is held back (offline, failed), or there is
    /// nothing to send.
    pub fn next_to_send(self) -> Option<Pending> {
        let mut next = None;
        self.items.update(|items| {
            if items.iter().any(|p| p.status == Status::Sending) {
                return;
            }
            if let Some(first) = items.first_mut() {
                if first.status == Status::Queued {
                    first.status = Status::Sending;
                    next = Some(first.clone());
                }
            }
        });
        next
    }

    /// The server confirmed (or refused) it: it leaves the outbox.
    pub fn remove(self, client_id: &str) {
        self.items
            .update(|items| items.retain(|p| p.client_id != client_id));
    }

    pub fn fail(self, client_id: &str, reason: String) {
        self.set_status(client_id, Status::Failed(reason));
    }

    /// The network was gone when it went.
    pub fn offline(self, client_id: &str) {
        self.set_status(client_id, Status::Offline);
    }

    /// A failed message is to go again, as it was; `false` if there is no such message, or
    /// it is not failed (a second retry of one already on its way would send it twice).
    pub fn retry(self, client_id: &str) -> bool {
        let failed = self.items.with_untracked(|items| {
            items
                .iter()
                .any(|p| p.client_id == client_id && matches!(p.status, Status::Failed(_)))
        });
        failed && self.set_status(client_id, Status::Queued)
    }

    /// The network is back: what waited for it is queued again.
    pub fn back_online(self) {
        self.items.update(|items| {
            for pending in items.iter_mut() {
                if pending.status == Status::Offline {
                    pending.status = Status::Queued;
                }
            }
        });
    }

    fn set_status(self, client_id: &str, status: Status) -> bool {
        let mut found = false;
        self.items.update(|items| {
            if let Some(pending) = items.iter_mut().find(|p| p.client_id == client_id) {
                pending.status = status;
                found = true;
            }
        });
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(client_id: &str, at: f64) -> Pending {
        Pending {
            client_id: client_id.into(),
            body: format!("message {client_id}"),
            reply_to: None,
            mentions: Vec::new(),
            attachments: Vec::new(),
            written_at: at,
            status: Status::Failed("ignored".into()),
        }
    }

    #[test]
    fn a_failed_message_keeps_its_text_and_key_for_the_retry() {
        Owner::new().with(|| {
            let outbox = Outbox::default();
            let bob = UserId::from_random(2);
            let hello = Pending {
                body: "hello @Bob".into(),
                reply_to: Some(Seq(3)),
                mentions: vec![bob],
                ..written("k1", 1.0)
            };
            outbox.push(hello.clone());
            assert!(outbox.sending(), "leaving now would lose it");
            assert_eq!(
                outbox.next_to_send().map(|p| p.body),
                Some(hello.body.clone())
            );
            outbox.fail("k1", "too fast".into());
            assert!(!outbox.sending());
            assert_eq!(outbox.items()[0].status, Status::Failed("too fast".into()));
            assert!(outbox.retry("k1"));
            assert_eq!(
                outbox.next_to_send(),
                Some(Pending {
                    status: Status::Sending,
                    ..hello
                }),
                "still a reply, still mentioning Bob"
            );
            assert!(!outbox.retry("k1"), "on its way already: not sent twice");
            outbox.remove("k1");
            assert!(outbox.items().is_empty());
            assert!(!outbox.retry("k1"), "nothing to retry once confirmed");
        });
    }

    #[test]
    fn messages_go_one_at_a_time_in_the_order_they_were_written() {
        Owner::new().with(|| {
            let outbox = Outbox::default();
            outbox.push(written("a", 1.0));
            outbox.push(written("b", 2.0));
            let first = outbox.next_to_send().map(|p| p.client_id);
            assert_eq!(first.as_deref(), Some("a"));
            assert_eq!(outbox.next_to_send(), None, "b waits for a's answer");
            outbox.remove("a");
            let second = outbox.next_to_send().map(|p| p.client_id);
            assert_eq!(second.as_deref(), Some("b"));
        });
    }

    #[test]
    fn nothing_overtakes_a_message_held_back() {
        Owner::new().with(|| {
            let outbox = Outbox::default();
            outbox.push(written("a", 1.0));
            outbox.push(written("b", 2.0));
            outbox.next_to_send();
            outbox.offline("a");
            assert_eq!(outbox.next_to_send(), None, "b would arrive before a");
            assert!(
                outbox.sending(),
                "waiting for the network: leaving would drop it"
            );
            outbox.back_online();
            let again = outbox.next_to_send().map(|p| p.client_id);
            assert_eq!(again.as_deref(), Some("a"));
            outbox.fail("a", "the server is busy".into());
            assert_eq!(outbox.next_to_send(), None, "a failed: b still waits");
            outbox.back_online();
            assert_eq!(outbox.next_to_send(), None, "a failed is not a's network");
        });
    }

    #[test]
    fn messages_kept_from_an_earlier_visit_go_first_in_their_order_and_once() {
        Owner::new().with(|| {
            let outbox = Outbox::default();
            outbox.push(written("typed-now", 10.0));
            outbox.restore(vec![written("second", 2.0), written("first", 1.0)]);
            outbox.restore(vec![written("first", 1.0)]);
            let order: Vec<String> = outbox.items().into_iter().map(|p| p.client_id).collect();
            assert_eq!(order, ["first", "second", "typed-now"]);
            // One on its way when the kept ones are read back stays first.
            let busy = Outbox::default();
            busy.push(written("typed-now", 10.0));
            busy.next_to_send();
            busy.restore(vec![written("kept", 1.0)]);
            let order: Vec<String> = busy.items().into_iter().map(|p| p.client_id).collect();
            assert_eq!(order, ["typed-now", "kept"]);
            assert!(outbox.items().iter().all(|p| p.status == Status::Queued));
        });
    }

    #[test]
    fn a_clock_that_stood_still_or_went_back_does_not_reorder_what_was_written() {
        Owner::new().with(|| {
            let outbox = Outbox::default();
            let first = outbox.push(written("a", 5.0));
            let same_ms = outbox.push(written("b", 5.0));
            let went_back = outbox.push(written("c", 1.0));
            assert!(first.written_at < same_ms.written_at);
            assert!(same_ms.written_at < went_back.written_at);
            // As the browser keeps them: read back in any order, restored in this one.
            let fresh = Outbox::default();
            fresh.restore(vec![went_back, first, same_ms]);
            let order: Vec<String> = fresh.items().into_iter().map(|p| p.client_id).collect();
            assert_eq!(order, ["a", "b", "c"]);
        });
    }

    #[test]
    fn a_refused_message_leaves_and_its_text_goes_back_once() {
        Owner::new().with(|| {
            let outbox = Outbox::default();
            outbox.push(written("a", 1.0));
            outbox.push(written("b", 2.0));
            outbox.next_to_send();
            outbox.refuse("a", "This room is locked.".into());
            let back = Refused {
                body: "message a".into(),
                reason: "This room is locked.".into(),
            };
            assert_eq!(outbox.take_refused(), Some(back));
            assert_eq!(outbox.take_refused(), None);
            let next = outbox.next_to_send().map(|p| p.client_id);
            assert_eq!(
                next.as_deref(),
                Some("b"),
                "a refusal does not hold the rest back"
            );
        });
    }
}
