use crate::domain::{Attachment, Seq, UserId};
use leptos::prelude::*;

/// A message the person sent that the server has not confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// `None` while sending; the reason once it failed (it can then be retried).
    pub failed: Option<String>,
}

/// The person's unconfirmed messages, shown below the confirmed ones.
#[derive(Debug, Clone, Copy)]
pub struct Outbox(RwSignal<Vec<Pending>>);

impl Default for Outbox {
    fn default() -> Self {
        Self(RwSignal::new(Vec::new()))
    }
}

impl Outbox {
    pub fn items(self) -> Vec<Pending> {
        self.0.get()
    }

    /// Whether a message is on its way (not failed): leaving now would lose it.
    pub fn sending(self) -> bool {
        self.0
            .with_untracked(|items| items.iter().any(|p| p.failed.is_none()))
    }

    /// A message starts its way to the server (`failed` is ignored: it is sending).
    pub fn push(self, pending: Pending) {
        self.0.update(|items| {
            items.push(Pending {
                failed: None,
                ..pending
            })
        });
    }

    /// The server confirmed (or refused) it: it leaves the outbox.
    pub fn remove(self, client_id: &str) {
        self.0
            .update(|items| items.retain(|p| p.client_id != client_id));
    }

    pub fn fail(self, client_id: &str, reason: String) {
        self.set_failed(client_id, Some(reason));
    }

    /// Marks a failed message as sending again; returns it, to send again as it was.
    pub fn retry(self, client_id: &str) -> Option<Pending> {
        self.set_failed(client_id, None);
        self.0
            .with_untracked(|items| items.iter().find(|p| p.client_id == client_id).cloned())
    }

    fn set_failed(self, client_id: &str, failed: Option<String>) {
        self.0.update(|items| {
            if let Some(pending) = items.iter_mut().find(|p| p.client_id == client_id) {
                pending.failed = failed;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_message_keeps_its_text_and_key_for_the_retry() {
        Owner::new().with(|| {
            let outbox = Outbox::default();
            let bob = UserId::from_random(2);
            let hello = Pending {
                client_id: "k1".into(),
                body: "hello @Bob".into(),
                reply_to: Some(Seq(3)),
                mentions: vec![bob],
                attachments: Vec::new(),
                failed: Some("ignored".into()),
            };
            outbox.push(hello.clone());
            assert!(outbox.sending(), "leaving now would lose it");
            outbox.fail("k1", "offline".into());
            assert!(!outbox.sending());
            assert_eq!(outbox.items()[0].failed.as_deref(), Some("offline"));
            assert_eq!(
                outbox.retry("k1"),
                Some(Pending {
                    failed: None,
                    ..hello
                }),
                "still a reply, still mentioning Bob"
            );
            assert_eq!(outbox.items()[0].failed, None);
            outbox.remove("k1");
            assert!(outbox.items().is_empty());
            assert_eq!(outbox.retry("k1"), None, "nothing to retry once confirmed");
        });
    }
}
