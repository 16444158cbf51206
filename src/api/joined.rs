//! The rooms a person has joined (the sidebar): opening a room joins it and marks it read;
//! `mark_read` moves the mark as new messages are seen; `leave_room` takes a room off the
//! list. Remembered by the store for the session's person, so it survives a reload and a
//! restart.

use crate::domain::{NotifyLevel, Seq};
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
    /// Those of them that mention the person (0 when the room notifies of nothing).
    #[serde(default)]
    pub mentions: u32,
    #[serde(default)]
    pub notify: NotifyLevel,
    /// For a direct-message room: the other person's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<String>,
}

/// Every room `user` joined, with its unread count, for the page about to be shown.
#[cfg(feature = "ssr")]
pub(super) async fn joined_rooms(
    store: &dyn crate::server::store::Store,
    user: &crate::domain::UserId,
) -> Result<Vec<JoinedRoom>, ChatError> {
    use crate::domain::LogEvent;

    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let mut rooms = Vec::new();
    for membership in store.joined_rooms(user).await? {
        let newest = store.last_seq(&membership.room).await?;
        let (mut unread, mut mentions) = (0, 0);
        if newest > membership.read {
            let after = store
                .read_after(&membership.room, membership.read, MAX_UNREAD + 1)
                .await?;
            let from_others: Vec<_> = after
                .iter()
                .filter_map(|event| match event {
                    LogEvent::Message(m) if &m.author_id != user && !m.deleted => Some(m),
                    _ => None,
                })
                .collect();
            unread = count(from_others.len());
            if membership.notify.counts_mentions() {
                mentions = count(
                    from_others
                        .iter()
                        .filter(|m| m.mentions_person(user))
                        .count(),
                );
            }
        }
        let with = match membership.room.is_direct() {
            true => store
                .members(&membership.room, 2)
                .await?
                .into_iter()
                .find(|member| &member.id != user)
                .map(|member| member.name),
            false => None,
        };
        rooms.push(JoinedRoom {
            name: membership.room.to_string(),
            newest,
            unread,
            mentions,
            notify: membership.notify,
            with,
        });
    }
    Ok(rooms)
}

/// The person has seen `room` up to `seq` (joining it if they had not): on every device
/// of theirs, live.
#[server(endpoint = "mark_read")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "mark_read", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn mark_read(room: String, seq: Seq) -> Result<(), ChatError> {
    use super::server_context::Call;
    use crate::server::access::limits::Action;

    let (Call { state, session }, room) = Call::acting(Action::Typing)?.in_room(&room).await?;
    state
        .store
        .mark_read(&session.as_online_user(), &room, seq)
        .await?;
    // The account's other devices clear the room too (a guest has only this browser,
    // whose tabs heard it already).
    if session.signed_in.is_some() {
        let mark = crate::domain::ReadMark { room, seq };
        state.fanout.read(&session.user_id, mark).await;
    }
    Ok(())
}

/// What `room` (joined) notifies the person of: `every` message, `mentions` (the default)
/// or `nothing`. A room not joined answers 404.
#[server(endpoint = "set_notify")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "set_notify", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn set_notify(room: String, notify: String) -> Result<NotifyLevel, ChatError> {
    use super::server_context::Call;
    use crate::domain::RoomName;
    use crate::server::access::limits::Action;

    let Call { state, session } = Call::acting(Action::Typing)?;
    let room = RoomName::parse(&room)?;
    let level = NotifyLevel::parse(&notify)?;
    if !state
        .store
        .set_notify(&session.user_id, &room, level)
        .await?
    {
        return Err(ChatError::NotFound("You have not joined this room.".into()));
    }
    Ok(level)
}

/// The person leaves `room`: it is no longer listed (opening it again joins it again). A
/// private room is given up: their open streams of it end at once, on every node.
#[server(endpoint = "leave_room")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "leave_room", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn leave_room(room: String) -> Result<(), ChatError> {
    use super::server_context::Call;
    use crate::domain::RoomName;
    use crate::server::access::limits::Action;
    use crate::server::delivery::hub::Kick;
    use crate::server::store::Privacy;

    let Call { state, session } = Call::acting(Action::Typing)?;
    let room = RoomName::parse(&room)?;
    state.store.leave_room(&session.user_id, &room).await?;
    if let Privacy::Private { .. } = state.access.privacy(&room).await? {
        let kick = Kick::Person(session.user_id.clone());
        state.fanout.kick(&room, kick).await;
    }
    Ok(())
}
