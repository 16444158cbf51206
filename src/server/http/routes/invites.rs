//! Invite links to a private room: `/invite/{room}.{version}.{tag}`, the tag an HMAC of the
//! room and its invite version under the session keys. A link is good while its version is
//! the room's current one: making a new link bumps the version and revokes the old ones.
//!
//! Opening a link changes nothing (`GET` shows the invitation, with a Join button): a page
//! of another site that links or embeds it cannot make its visitors join a room. The button
//! posts the form back (`POST`, origin-checked like every write), which joins.

use super::plain_page::page;
use crate::domain::RoomName;
use crate::server::access::session::{Session, Signer};
use crate::server::http::edge::compression;
use crate::server::node::state::AppState;
use crate::server::store::Privacy;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// The invite link (a path) to `room` at `version`. The page or server function answering
/// with it is marked as carrying a secret: never compressed (`compression.rs`).
pub fn path(signer: &Signer, room: &RoomName, version: u64) -> String {
    compression::carries_secret();
    let tag = signer.sign(&payload(room, version));
    format!("/invite/{room}.{version}.{tag}")
}

/// The room and version a token was signed for, if the server signed it.
pub fn open(signer: &Signer, token: &str) -> Option<(RoomName, u64)> {
    let (rest, tag) = token.rsplit_once('.')?;
    let (room, version) = rest.rsplit_once('.')?;
    // A direct-message room has no invite link.
    let room = RoomName::parse(room)
        .ok()
        .filter(|room| !room.is_direct())?;
    let version: u64 = version.parse().ok()?;
    signer.verify(&payload(&room, version), tag)?;
    Some((room, version))
}

/// `GET /invite/{token}`: a good link shows the invitation (the room's name and a Join
/// button), changing nothing; a revoked, forged or broken one answers 403 and names nothing.
#[tracing::instrument(name = "invite", skip_all)]
pub async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some((room, version)) = open(state.sessions.signer(), &token) else {
        return refused();
    };
    match state.access.privacy(&room).await {
        Ok(Privacy::Private { invite_version, .. }) if invite_version == version => {
            compression::mark_secret(invitation(&room, &token))
        }
        Ok(_) => refused(),
        Err(error) => crate::error::ChatError::from(error).into_response(),
    }
}

/// The invitation page: the room's name and the Join button, a plain form.
fn invitation(room: &RoomName, token: &str) -> Response {
    let token = encode(token);
    page(
        StatusCode::OK,
        &format!("Join {room}"),
        &format!(
            "<h1>You are invited to {room}</h1>\
             <p>A private room: only its members can read it.</p>\
             <form method=\"post\" action=\"/invite/{token}\">\
             <button type=\"submit\">Join {room}</button></form>\
             <p><a href=\"/\">All rooms</a></p>"
        ),
    )
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// `POST /invite/{token}` (the invitation's button): a good link makes the session's person
/// a member of the room and sends them there (303); a revoked, forged or broken one answers
/// 403 and names nothing.
#[tracing::instrument(name = "invite_accept", skip_all, fields(user = %session.user_id))]
pub async fn accept(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(token): Path<String>,
) -> Response {
    let Some((room, version)) = open(state.sessions.signer(), &token) else {
        return refused();
    };
    // A banned person joins nothing; with guests off, a guest neither.
    let guest_refused = session.is_guest() && !state.sessions.guests_may_write();
    if state.restrictions.is_banned(&session.user_id) || guest_refused {
        return refused();
    }
    match state
        .store
        .join_by_invite(&session.as_online_user(), &room, version)
        .await
    {
        Ok(true) => Redirect::to(&format!("/r/{room}")).into_response(),
        Ok(false) => refused(),
        Err(error) => crate::error::ChatError::from(error).into_response(),
    }
}

fn refused() -> Response {
    page(
        StatusCode::FORBIDDEN,
        "Invite",
        "<h1>This invite link does not work</h1><p>It may have been replaced by a new \
         one: ask for the current link.</p><p><a href=\"/\">All rooms</a></p>",
    )
}

fn payload(room: &RoomName, version: u64) -> String {
    format!("invite.v1.{room}.{version}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn signer(key: &[u8]) -> Signer {
        Signer::new(Arc::from(vec![key.to_vec()]))
    }

    #[test]
    fn a_link_opens_only_as_signed() {
        let (ours, theirs) = (signer(b"ours"), signer(b"theirs"));
        let room = RoomName::parse("secret-plans").expect("room");
        let link = path(&ours, &room, 3);
        let token = link.strip_prefix("/invite/").expect("path");
        assert_eq!(open(&ours, token), Some((room.clone(), 3)));
        assert_eq!(open(&theirs, token), None, "another key");
        let forged = token.replacen(".3.", ".4.", 1);
        assert_eq!(open(&ours, &forged), None, "another version");
        let elsewhere = token.replacen("secret-plans", "lobby", 1);
        assert_eq!(open(&ours, &elsewhere), None, "another room");
        assert_eq!(open(&ours, "garbage"), None);
    }
}
