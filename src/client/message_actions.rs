//! Editing and deleting one's own messages, and pinning anyone's.

use crate::api::{delete_message, edit_message, pin_message};
use crate::domain::{LogEvent, MessageBody, Seq};
use crate::room::RoomState;
use leptos::html::Textarea;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Saves the editor's text as the new body of message `seq`.
pub fn save_edit(
    state: RoomState,
    seq: Seq,
    text: NodeRef<Textarea>,
    editing: RwSignal<bool>,
    error: RwSignal<Option<String>>,
) {
    let Some(textarea) = text.get_untracked() else {
        return;
    };
    let body = textarea.value();
    if let Err(refused) = MessageBody::parse(&body) {
        error.set(Some(refused.to_string()));
        return;
    }
    spawn_local(async move {
        match edit_message(state.room(), seq, body).await {
            Ok(edit) => {
                // Close the editor first: applying the edit re-renders the message.
                editing.set(false);
                state.apply(LogEvent::Edit(edit));
            }
            Err(refused) => error.set(Some(refused.to_string())),
        }
    });
}

/// Deletes message `seq`.
pub fn delete(state: RoomState, seq: Seq) {
    spawn_local(async move {
        match delete_message(state.room(), seq).await {
            Ok(deleted) => state.apply(LogEvent::Delete(deleted)),
            Err(error) => leptos::logging::warn!("delete failed: {error}"),
        }
    });
}

/// Pins message `seq` (or, `pinned: false`, unpins it); a refusal shows in `error`.
pub fn pin(state: RoomState, seq: Seq, pinned: bool, error: RwSignal<Option<String>>) {
    spawn_local(async move {
        match pin_message(state.room(), seq, pinned).await {
            Ok(Some(pin)) => state.apply(LogEvent::Pin(pin)),
            // Pinned (or unpinned) already: the feed brings that event, if it has not yet.
            Ok(None) => {}
            Err(refused) => error.set(Some(refused.to_string())),
        }
    });
}
