//! The rooms a person has joined (the sidebar): opening a room joins it and marks it read;
//! `mark_read` moves the mark as new messages are seen; `leave_room` takes a room off the
//! list. Remembered by the store for the session's person, so it survives a reload and a
//! restart.

use crate::domain::Seq;
use crate::error::ChatError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Unread counts stop here ("99+").
pub const MAX_UNREAD: u32 = 99;

/// A joined room as the sidebar shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinedRoom {
    pub name: String,
    /// The room's newest seq when read.
    pub newest: Seq,
    /// Messages from others after the person's read mark (at most `MAX_UNREAD + 1`).
    pub unread: u32,
}

/// Every room `user` joined, with its unread count, for the page about to be shown.
#[cfg(feature = "ssr")]
pub(super) async fn joined_rooms(
    store: &dyn crate::server::store::Store,
    user: &crate::domain::UserId,
) -> Result<Vec<JoinedRoom>, ChatError> {
    use crate::domain::LogEvent;

    let mut rooms = Vec::new();
    for (room, read) in store.joined_rooms(user).await? {
        let newest = store.last_seq(&room).await?;
        let unread = if newest > read {
            let after = store.read_after(&room, read, MAX_UNREAD + 1).await?;
            let from_others = after.iter().filter(
                |event| matches!(event, LogEvent::Message(m) if &m.author_id != user && !m.deleted),
            );
            u32::try_from(from_others.count()).unwrap_or(u32::MAX)
        } else {
            0
        };
        rooms.push(JoinedRoom {
            name: room.to_string(),
            newest,
            unread,
        });
    }
    Ok(rooms)
}

/// The person has seen `room` up to `seq` (joining it if they had not).
#[server(endpoint = "mark_read")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "mark_read", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn mark_read(room: String, seq: Seq) -> Result<(), ChatError> {
    use super::server_context::{app_state, session, within_limits};
    use crate::domain::RoomName;
    use crate::server::limits::Action;

    let state = app_state()?;
    let session = session()?;
    within_limits(&state, &session, Action::Typing)?;
    let room = RoomName::parse(&room)?;
    state.store.mark_read(&session.user_id, &room, seq).await?;
    Ok(())
}

/// The person leaves `room`: it is no longer listed (opening it again joins it again).
#[server(endpoint = "leave_room")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "leave_room", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn leave_room(room: String) -> Result<(), ChatError> {
    use super::server_context::{app_state, session, within_limits};
    use crate::domain::RoomName;
    use crate::server::limits::Action;

    let state = app_state()?;
    let session = session()?;
    within_limits(&state, &session, Action::Typing)?;
    let room = RoomName::parse(&room)?;
    state.store.leave_room(&session.user_id, &room).await?;
    Ok(())
}
