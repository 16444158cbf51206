//! Reacting without reloading: the server's answer (the logged event) is applied at once;
//! the same event arriving over the feed changes nothing more.

use crate::api::{add_reaction, remove_reaction};
use crate::domain::{LogEvent, Seq};
use crate::room::RoomState;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Adds (or, `add` false, takes back) `emoji` on message `seq`; a refusal shows in `error`.
pub fn react(
    state: RoomState,
    seq: Seq,
    emoji: String,
    add: bool,
    error: RwSignal<Option<String>>,
) {
    error.set(None);
    spawn_local(async move {
        let answer = if add {
            add_reaction(state.room(), seq, emoji).await
        } else {
            remove_reaction(state.room(), seq, emoji).await
        };
        match answer {
            Ok(Some(reaction)) => state.apply(LogEvent::Reaction(reaction)),
            Ok(None) => {}
            Err(refused) => error.set(Some(refused.to_string())),
        }
    });
}
