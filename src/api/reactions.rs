//! Reacting to a message with an emoji, and taking the reaction back. Each change is a log
//! event (`reaction`) with its own seq, delivered to every stream of the room and replayed
//! on resume.

use crate::domain::{Reaction, Seq};
use crate::error::ChatError;
use leptos::prelude::*;

/// Adds the session's person's `emoji` to message `seq` of `room`. Answers the logged event,
/// or `null` when they had reacted so already (nothing is logged then).
#[server(endpoint = "add_reaction")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "add_reaction", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn add_reaction(
    room: String,
    seq: Seq,
    emoji: String,
) -> Result<Option<Reaction>, ChatError> {
    react(room, seq, emoji, crate::domain::ReactionOp::Add).await
}

/// Takes back the session's person's `emoji` on message `seq` of `room`. Answers the logged
/// event, or `null` when they had not reacted so (nothing is logged then).
#[server(endpoint = "remove_reaction")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "remove_reaction", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn remove_reaction(
    room: String,
    seq: Seq,
    emoji: String,
) -> Result<Option<Reaction>, ChatError> {
    react(room, seq, emoji, crate::domain::ReactionOp::Remove).await
}

#[cfg(feature = "ssr")]
async fn react(
    room: String,
    seq: Seq,
    emoji: String,
    op: crate::domain::ReactionOp,
) -> Result<Option<Reaction>, ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::domain::Emoji;
    use crate::server::access::limits::Action;
    use crate::server::store::ReactionRequest;

    let (Call { state, session }, room) =
        Call::acting(Action::Write)?.in_room_to_write(&room).await?;
    let request = ReactionRequest {
        room,
        target: seq,
        by: session.as_online_user(),
        emoji: Emoji::parse(&emoji)?,
        op,
        at: now_millis(),
    };
    Ok(state.store.react(request).await??)
}
