//! Sending from the composer without reloading: validate, show as pending, send, then
//! confirm, retry or hand the text back.

use crate::api::send_message;
use crate::domain::{ClientId, MessageBody, UserId};
use crate::error::ChatError;
use crate::room::{attachment_ids, meant, Pending, RoomState};
use leptos::html::Textarea;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::BeforeUnloadEvent;
use send_wrapper::SendWrapper;

/// Asks before the page is left while a message is still being sent: leaving would drop it.
pub fn guard_unload(state: RoomState) {
    let listener = Closure::<dyn Fn(BeforeUnloadEvent)>::new(move |event: BeforeUnloadEvent| {
        if state.outbox.sending() {
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
    let pending = Pending {
        client_id,
        body: text,
        reply_to,
        mentions,
        attachments,
        failed: None,
    };
    state.outbox.push(pending.clone());
    send(state, pending, Some((body, error)));
}

/// Sends a failed message again, under its original `client_id`.
pub fn retry(state: RoomState, client_id: String) {
    if let Some(pending) = state.outbox.retry(&client_id) {
        send(state, pending, None);
    }
}

/// Where to hand a refused message back: the text box and its error line.
type ComposerFields = (NodeRef<Textarea>, RwSignal<Option<String>>);

fn send(state: RoomState, pending: Pending, composer: Option<ComposerFields>) {
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
        match send_message(
            state.room(),
            text.clone(),
            Some(client_id.clone()),
            reply_to,
            mentions,
            attachment_ids(&attachments),
        )
        .await
        {
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
            ) => {
                state.outbox.remove(&client_id);
                if let Some((body, error)) = composer {
                    if let Some(textarea) = body.get_untracked() {
                        if textarea.value().is_empty() {
                            textarea.set_value(&text);
                        }
                    }
                    error.set(Some(refused.to_string()));
                }
            }
            // Too fast: the message waits in the outbox, saying why, and goes again by
            // itself once the server said it would be accepted (same `client_id`).
            Err(limited @ ChatError::RateLimited { retry_after }) => {
                state.outbox.fail(&client_id, limited.to_string());
                let wait = std::time::Duration::from_secs(u64::from(retry_after));
                set_timeout(move || retry(state, client_id), wait);
            }
            Err(failed) => state.outbox.fail(&client_id, failed.to_string()),
        }
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
