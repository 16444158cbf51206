use leptos::prelude::*;

/// A message the person sent that the server has not confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The idempotency key: a retry reuses it, so it can never store a second copy.
    pub client_id: String,
    pub body: String,
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

    pub fn push(self, client_id: String, body: String) {
        self.0.update(|items| {
            items.push(Pending {
                client_id,
                body,
                failed: None,
            })
        });
    }

    /// The server confirmed (or refused) it: it leaves the outbox.
    pub fn remove(self, client_id: &str) {
        self.0
            .update(|items| items.retain(|p| p.client_id != client_id));
    }

    /// One's own message came back over the live feed, possibly before the answer to the
    /// send: the oldest pending message with its text is confirmed.
    pub fn confirm_by_body(self, body: &str) {
        let pending = self.0.with_untracked(|items| {
            items
                .iter()
                .position(|p| p.failed.is_none() && p.body == body)
        });
        if let Some(index) = pending {
            self.0.update(|items| {
                items.remove(index);
            });
        }
    }

    pub fn fail(self, client_id: &str, reason: String) {
        self.set_failed(client_id, Some(reason));
    }

    /// Marks a failed message as sending again; returns its text.
    pub fn retry(self, client_id: &str) -> Option<String> {
        self.set_failed(client_id, None);
        self.0.with_untracked(|items| {
            items
                .iter()
                .find(|p| p.client_id == client_id)
                .map(|p| p.body.clone())
        })
    }

    fn set_failed(self, client_id: &str, failed: Option<String>) {
        self.0.update(|items| {
            if let Some(pending) = items.iter_mut().find(|p| p.client_id == client_id) {
                pending.failed = failed;
            }
        });
    }
}
