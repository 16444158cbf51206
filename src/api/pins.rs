//! Pinning a message to the room's header, and unpinning it. Each change is a log event
//! (`pin`) with its own seq, delivered to every stream of the room and replayed on resume.
//! The room's pins are listed by `GET /api/rooms/{room}/pins` and with the room's page.

use crate::domain::{Pin, Seq};
use crate::error::ChatError;
use leptos::prelude::*;

/// Pins message `seq` of `room` (`pinned: true`) or unpins it, for anyone who may write
/// the room. Answers the logged event, or `null` when it was so already (nothing logged).
#[server(endpoint = "pin_message")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "pin_message", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn pin_message(room: String, seq: Seq, pinned: bool) -> Result<Option<Pin>, ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::server::access::limits::Action;
    use crate::server::store::PinRequest;

    let (Call { state, session }, room) =
        Call::acting(Action::Write)?.in_room_to_write(&room).await?;
    let request = PinRequest {
        room,
        target: seq,
        by: session.as_online_user(),
        pinned,
        at: now_millis(),
    };
    Ok(state.store.pin(request).await??)
}
