//! Private rooms: created with a name, listed nowhere, open to their members only; people
//! join with the invite link, which the creator can replace (revoking the old one).

use crate::error::ChatError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A room just created, or a private room's new invite link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedRoom {
    pub room: String,
    pub private: bool,
    /// The invite link's path (private rooms): whoever opens it can join the room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<String>,
}

/// What a room page shows of a private room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateRoom {
    /// The invite link's path, for its creator only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<String>,
}

/// Creates room `name` ("Rust Help" becomes `rust-help`). With `private=true` it is a
/// private room of the session's person, its first member: the name must be unused (no
/// message, no member), else 422; the answer carries the invite link. A public room needs
/// no creating (it exists with its first message): the answer only names it. A form posted
/// without JavaScript is sent on to the room.
#[server(endpoint = "create_room")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "create_room", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn create_room(name: String, private: Option<String>) -> Result<CreatedRoom, ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::domain::RoomName;
    use crate::server::access::limits::Action;
    use crate::server::delivery::hub::Kick;
    use crate::server::http::routes::invites;
    use crate::server::store::Privacy;

    let Call { state, session } = Call::acting(Action::Write)?;
    let room = RoomName::from_user_input(&name)?;
    if room.is_direct() {
        return Err(crate::domain::DomainError::DirectRoomName.into());
    }
    let private = match private.as_deref().map(str::trim) {
        None | Some("" | "false" | "off" | "0") => false,
        Some("true" | "on" | "1") => true,
        Some(_) => return Err(ChatError::Invalid("private is true or false.".into())),
    };
    let created = if private {
        let creator = session.as_online_user();
        if !state
            .store
            .create_private(&room, &creator, now_millis())
            .await?
        {
            return Err(ChatError::Invalid(
                "A room of that name exists already: choose another name.".into(),
            ));
        }
        // Streams opened on the unused name (anyone may watch any name) end now, on every
        // node; only members get back in.
        state.fanout.kick(&room, Kick::Everyone).await;
        let invite = invites::path(state.sessions.signer(), &room, 1);
        CreatedRoom {
            room: room.to_string(),
            private: true,
            invite: Some(invite),
        }
    } else {
        // A private room of that name: its members are told so (its creator gets the
        // link); anyone else gets the same 403 as everywhere else.
        match state.access.privacy(&room).await? {
            Privacy::Private {
                creator,
                invite_version,
                ..
            } => {
                state.access.check(&session.user_id, &room).await?;
                CreatedRoom {
                    room: room.to_string(),
                    private: true,
                    invite: (creator == session.user_id)
                        .then(|| invites::path(state.sessions.signer(), &room, invite_version)),
                }
            }
            Privacy::Public { .. } => CreatedRoom {
                room: room.to_string(),
                private: false,
                invite: None,
            },
        }
    };
    send_forms_to(&format!("/r/{room}"));
    Ok(created)
}

/// A new invite link for private `room`, which only its creator may ask for: every older
/// link stops working. 403 for anyone else.
#[server(endpoint = "renew_invite")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "renew_invite", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn renew_invite(room: String) -> Result<CreatedRoom, ChatError> {
    use super::server_context::Call;
    use crate::server::access::limits::Action;

    let Call { state, session } = Call::acting(Action::Write)?;
    let refusal = "Only the room's creator can make a new link.";
    let room = creators_room(&state, &session, &room, refusal).await?;
    new_link(&state, &room, refusal).await
}

/// The creator of private `room` removes `user` (their id) from it: the person's open
/// streams of the room end at once, on every node, and the room refuses them from then on.
/// The invite link is replaced too (the old one would let them back in): the answer
/// carries the new one. 403 for anyone but the creator; 422 for the creator naming
/// themselves (leaving is for that).
#[server(endpoint = "remove_member")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "remove_member", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn remove_member(room: String, user: String) -> Result<CreatedRoom, ChatError> {
    use super::server_context::Call;
    use crate::domain::UserId;
    use crate::server::access::limits::Action;
    use crate::server::delivery::hub::Kick;

    let Call { state, session } = Call::acting(Action::Write)?;
    let refusal = "Only the room's creator can remove its members.";
    let room = creators_room(&state, &session, &room, refusal).await?;
    let user = UserId::parse(user.trim())
        .ok_or_else(|| ChatError::Invalid("user is a person's id.".into()))?;
    if user == session.user_id {
        return Err(ChatError::Invalid(
            "You created this room: leave it instead of removing yourself.".into(),
        ));
    }
    // The link first: until it is replaced, the removed person could join again with it.
    let created = new_link(&state, &room, refusal).await?;
    state.store.leave_room(&user, &room).await?;
    state.fanout.kick(&room, Kick::Person(user)).await;
    Ok(created)
}

/// `raw` as a private room the session's person created, or 403 with `refusal`.
#[cfg(feature = "ssr")]
async fn creators_room(
    state: &crate::server::node::state::AppState,
    session: &crate::server::access::session::Session,
    raw: &str,
    refusal: &str,
) -> Result<crate::domain::RoomName, ChatError> {
    use crate::server::store::Privacy;
    let room = super::server_context::open_room(state, session, raw).await?;
    match state.access.privacy(&room).await? {
        // A direct-message room has no invite link and nobody to remove: it is two people's.
        Privacy::Private { creator, .. } if creator == session.user_id && !room.is_direct() => {
            Ok(room)
        }
        _ => Err(ChatError::Forbidden(refusal.into())),
    }
}

/// A new invite link for private `room` (every older one stops working), as the answer;
/// a form posted without JavaScript goes on to the room.
#[cfg(feature = "ssr")]
async fn new_link(
    state: &crate::server::node::state::AppState,
    room: &crate::domain::RoomName,
    refusal: &str,
) -> Result<CreatedRoom, ChatError> {
    let version = state
        .store
        .renew_invite(room)
        .await?
        .ok_or_else(|| ChatError::Forbidden(refusal.into()))?;
    send_forms_to(&format!("/r/{room}"));
    Ok(CreatedRoom {
        room: room.to_string(),
        private: true,
        invite: Some(crate::server::http::routes::invites::path(
            state.sessions.signer(),
            room,
            version,
        )),
    })
}

/// A form posted by a browser without JavaScript (it asks for HTML) goes on to `path`;
/// scripts and the hydrated page get the JSON.
#[cfg(feature = "ssr")]
pub(super) fn send_forms_to(path: &str) {
    let wants_html = use_context::<axum::http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    });
    if wants_html {
        leptos_axum::redirect(path);
    }
}
