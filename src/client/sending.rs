//! Sending from the composer without reloading: validate, keep (`kept_outbox`), show as
//! pending, send one at a time in the order written, then confirm, wait for the network,
//! retry or hand the text back.

use super::kept_outbox;
use super::now_ms;
use crate::api::send_message;
use crate::domain::{ClientId, MessageBody, UserId};
use crate::error::ChatError;
use crate::room::{attachment_ids, meant, ConnectionState, Pending, RoomState, Status};
use leptos::html::Textarea;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::BeforeUnloadEvent;
use send_wrapper::SendWrapper;
use std::time::Duration;

/// Asks before the page is left while a message is still to be sent and the browser could
/// not keep it: leaving would drop it.
pub fn guard_unload(state: RoomState) {
    let listener = Closure::<dyn Fn(BeforeUnloadEvent)>::new(move |event: BeforeUnloadEvent| {
        if state.outbox.sending() && !kept_outbox::works() {
            event.prevent_default();
            event.set_return_value("A message is still being sent.");
        }
    });
    let _ = window()
        .add_event_listener_with_callback("beforeunload", listener.as_ref().unchecked_ref());
    let listener = SendWrapper::new(listener);
    on_cleanup(move || {
        let _ = window()
            .remove_event_listener_with_callback("beforeunload", listener.as_ref().unchecked_ref());
    });
}

/// The composer is on the page: what this person wrote here on an earlier visit and the
/// server never answered for goes first, what waited for the network goes again as soon as
/// the live feed is back, and a message refused for good comes back to the text box (unless
/// after anything being written there) with the reason.
pub fn start(state: RoomState, body: NodeRef<Textarea>, error: RwSignal<Option<String>>) {
    spawn_local(async move {
        // The page may have come from the service worker's cache, with the `client_id` it
        // was rendered with: a new one, so no two loads of it share their first message's.
        state.client_id.set(random_client_id());
        let author = state.viewer.get_untracked().id;
        let kept = kept_outbox::waiting(&state.room(), &author).await;
        if !kept.is_empty() {
            state.outbox.restore(kept);
            pump(state);
        }
    });
    Effect::new(move |_| {
        if state.outbox.refused().is_none() {
            return;
        }
        let Some(refused) = state.outbox.take_refused() else {
            return;
        };
        // Never over what is being written: after it, on a line of its own.
        if let Some(textarea) = body.get_untracked() {
            let now = textarea.value();
            match now.trim().is_empty() {
                true => textarea.set_value(&refused.body),
                false => textarea.set_value(&format!("{now}\n{}", refused.body)),
            }
        }
        error.set(Some(refused.reason));
    });
    Effect::new(move |_| {
        if state.connection.get() == ConnectionState::Live {
            state.outbox.back_online();
            pump(state);
        }
    });
}

/// Sends what the text box holds. A body that breaks a rule is refused right here with the
/// same words the server would use; otherwise the text moves to the outbox at once.
pub fn submit(state: RoomState, body: NodeRef<Textarea>, error: RwSignal<Option<String>>) {
    let Some(textarea) = body.get_untracked() else {
        return;
    };
    let attachments = match state.attaching.ready() {
        Ok(files) => files,
        Err(not_ready) => {
            error.set(Some(not_ready.reason().to_owned()));
            return;
        }
    };
    // The outbox holds the text as the server will store it, to recognise it coming back.
    // A message of files may have no words.
    let parsed = match attachments.is_empty() {
        true => MessageBody::parse(&textarea.value()),
        false => MessageBody::parse_beside_attachments(&textarea.value()),
    };
    let text = match parsed {
        Ok(body) => body.into_inner(),
        Err(refused) => {
            error.set(Some(refused.to_string()));
            return;
        }
    };
    state.attaching.clear();
    error.set(None);
    textarea.set_value("");
    let client_id = state.client_id.get_untracked();
    state.client_id.set(random_client_id());
    // The reply and the mentions go with this message; the composer is free for the next.
    let reply_to = state.replying.get_untracked().map(|(seq, _)| seq);
    state.replying.set(None);
    let mentions = state
        .picked
        .with_untracked(|picked| meant(&text, picked, &state.known_people()));
    state.picked.set(Vec::new());
    let pending = state.outbox.push(Pending {
        client_id,
        body: text,
        reply_to,
        mentions,
        attachments,
        written_at: now_ms(),
        status: Status::Queued,
    });
    let author = state.viewer.get_untracked().id;
    spawn_local(async move {
        // Kept before it leaves: a reload from here on sends it again, never loses it.
        kept_outbox::keep(&state.room(), &author, &pending).await;
        pump(state);
    });
    // A browser whose storage hangs does not hold the message back for long (the unload
    // guard covers it until it is kept).
    set_timeout(move || pump(state), KEEP_AT_MOST);
}

/// Takes a failed message back into the text box, to change it or let it go.
pub fn take_back(state: RoomState, client_id: String) {
    state
        .outbox
        .refuse(&client_id, "Not sent: it is back in the text box.".into());
    spawn_local(async move {
        kept_outbox::forget(&client_id).await;
        pump(state);
    });
}

/// Sends a failed message again, under its original `client_id`.
pub fn retry(state: RoomState, client_id: String) {
    if state.outbox.retry(&client_id) {
        pump(state);
    }
}

/// How long a message that found no network (or a server that could not take it just
/// then) waits before it tries again by itself, when the live feed did not come back first.
const OFFLINE_RETRY: Duration = Duration::from_secs(5);
/// How long a message waits for the browser to keep it before it leaves anyway.
const KEEP_AT_MOST: Duration = Duration::from_secs(1);

/// Sends the outbox's next message, if it may go now, and the one after it once answered.
fn pump(state: RoomState) {
    let Some(pending) = state.outbox.next_to_send() else {
        return;
    };
    let Pending {
        client_id,
        body: text,
        reply_to,
        mentions,
        attachments,
        ..
    } = pending;
    let mentions = (!mentions.is_empty()).then(|| {
        let ids: Vec<&str> = mentions.iter().map(UserId::as_str).collect();
        ids.join(",")
    });
    spawn_local(async move {
        let answer = send_message(
            state.room(),
            text,
            Some(client_id.clone()),
            reply_to,
            mentions,
            attachment_ids(&attachments),
        )
        .await;
        match answer {
            Ok(message) => {
                state.outbox.remove(&client_id);
                state.timeline.insert(message);
            }
            // Nothing was stored and trying again will not help: give the text back.
            Err(
                refused @ (ChatError::Invalid(_)
                | ChatError::Malformed(_)
                | ChatError::Forbidden(_)
                | ChatError::NotFound(_)),
            ) => state.outbox.refuse(&client_id, refused.to_string()),
            // Too fast: the message waits in the outbox, saying why, and goes again by
            // itself once the server said it would be accepted (same `client_id`).
            // Too fast, or the server is busy: the message waits in the outbox, saying why,
            // and goes again by itself once it may (same `client_id`).
            Err(
                busy @ (ChatError::RateLimited { retry_after }
                | ChatError::Overloaded { retry_after }),
            ) => {
                state.outbox.fail(&client_id, busy.to_string());
                let wait = Duration::from_secs(u64::from(retry_after));
                set_timeout(move || retry(state, client_id), wait);
                return;
            }
            Err(busy @ (ChatError::Unavailable | ChatError::TimedOut)) => {
                state.outbox.fail(&client_id, busy.to_string());
                set_timeout(move || retry(state, client_id), OFFLINE_RETRY);
                return;
            }
            // No network (or the answer was lost on the way): it waits, kept, and goes
            // again under the same `client_id`, so it is stored once whatever happened.
            Err(ChatError::Network) => {
                state.outbox.offline(&client_id);
                set_timeout(
                    move || {
                        state.outbox.back_online();
                        pump(state);
                    },
                    OFFLINE_RETRY,
                );
                return;
            }
            Err(failed) => {
                state.outbox.fail(&client_id, failed.to_string());
                return;
            }
        }
        kept_outbox::forget(&client_id).await;
        pump(state);
    });
}

fn random_client_id() -> String {
    let mut bits: u128 = 0;
    for _ in 0..4 {
        // Math.random gives 52 random bits; 32 per round are plenty for a key that only has
        // to be unique among one sender's messages.
        bits = (bits << 32) | (js_sys::Math::random() * f64::from(u32::MAX)) as u128;
    }
    ClientId::from_random(bits).as_str().to_owned()
}
