//! What server functions read from the request being served. Every one opens with one
//! line that gives the node's state, the caller's session (into the span), applies the rate
//! limits and, given a room, parses it and checks access:
//! `let Call { state, session } = Call::acting(Action::Write)?;`, or
//! `let (Call { state, session }, room) = Call::acting(Action::Write)?.in_room(&room).await?;`
//! (`Call::reading()` for what the limits do not count).

use crate::error::ChatError;
use crate::server::access::session::Session;
use crate::server::node::state::AppState;
use axum::http::request::Parts;
use leptos::prelude::use_context;

/// The node's state and the caller's session, for one server function.
pub struct Call {
    pub state: AppState,
    pub session: Session,
}

impl Call {
    /// For what the rate limits do not count (reading). A banned person gets 403.
    pub fn reading() -> Result<Self, ChatError> {
        let call = Call {
            state: app_state()?,
            session: session()?,
        };
        if call.state.restrictions.is_banned(&call.session.user_id) {
            return Err(banned());
        }
        Ok(call)
    }

    /// For one `action` of the caller, which passes the rate limits first (else 429). With
    /// guests off (`CHAT_GUESTS=off`), only an account may act (else 401).
    pub fn acting(action: crate::server::access::limits::Action) -> Result<Self, ChatError> {
        let call = Self::reading()?;
        if call.session.is_guest() && !call.state.sessions.guests_may_write() {
            return Err(ChatError::Unauthorized(
                "Sign in (or sign up) to write here.".into(),
            ));
        }
        within_limits(&call.state, &call.session, action)?;
        Ok(call)
    }

    /// For signing up or in: an `action` within the rate limits, guests welcome whatever
    /// `CHAT_GUESTS` says (that is how they stop being guests).
    pub fn signing_in(action: crate::server::access::limits::Action) -> Result<Self, ChatError> {
        let call = Self::reading()?;
        within_limits(&call.state, &call.session, action)?;
        Ok(call)
    }

    /// With `raw` as a room the caller may read and write: 422 for a bad name, 403 for a
    /// private room they are not a member of.
    pub async fn in_room(self, raw: &str) -> Result<(Self, crate::domain::RoomName), ChatError> {
        let room = open_room(&self.state, &self.session, raw).await?;
        Ok((self, room))
    }

    /// The same, to write in it (send, edit, delete, react, type): a locked room also
    /// answers 403, but to who moderates it.
    pub async fn in_room_to_write(
        self,
        raw: &str,
    ) -> Result<(Self, crate::domain::RoomName), ChatError> {
        let (call, room) = self.in_room(raw).await?;
        if call.state.restrictions.is_locked(&room) {
            let role = call.session.signed_in.as_ref().map(|s| s.role);
            if !call
                .state
                .access
                .moderates(&call.session.user_id, role, &room)
                .await?
            {
                return Err(ChatError::Forbidden(
                    "This room is locked: only its moderators can write in it.".into(),
                ));
            }
        }
        Ok((call, room))
    }
}

/// The answer to everything a banned person asks.
pub fn banned() -> ChatError {
    ChatError::Forbidden("You are banned from this chat.".into())
}

pub fn app_state() -> Result<AppState, ChatError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function's context");
        ChatError::Internal
    })
}

/// The session the `session::attach` middleware put on the request; its user id goes into
/// the server function's span (`user`).
pub fn session() -> Result<Session, ChatError> {
    let session = use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<Session>().cloned())
        .ok_or_else(|| {
            tracing::error!("no session on the request: is session::attach installed?");
            ChatError::Internal
        })?;
    tracing::Span::current().record("user", session.user_id.as_str());
    Ok(session)
}

/// The request's client address, as the limits key it.
pub fn client_address(state: &AppState) -> Option<std::net::IpAddr> {
    let parts = use_context::<Parts>()?;
    state.addresses.of(&parts.headers, peer(&parts))
}

/// The request's client's own address (not keyed as limits key it).
pub fn client_ip(state: &AppState) -> Option<std::net::IpAddr> {
    let parts = use_context::<Parts>()?;
    state.addresses.client(&parts.headers, peer(&parts))
}

/// The TCP peer of the request.
fn peer(parts: &Parts) -> Option<std::net::SocketAddr> {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0)
}

/// Lets one `action` of the session's person through the rate limits, or answers 429.
pub fn within_limits(
    state: &AppState,
    session: &Session,
    action: crate::server::access::limits::Action,
) -> Result<(), ChatError> {
    use crate::server::access::limits::Action;
    let parts = use_context::<Parts>();
    let address = parts
        .as_ref()
        .and_then(|parts| state.addresses.of(&parts.headers, peer(parts)));
    // A write by a session minted for this request (no cookie came) also costs its
    // address a new session's share: dropping the cookie gives no fresh allowance.
    let minted = parts.as_ref().is_some_and(|parts| {
        parts
            .extensions
            .get::<crate::server::access::session::NewVisitor>()
            .is_some()
    });
    if minted && action == Action::Write {
        state
            .limits
            .check(Action::NewSession, &session.user_id, address)?;
    }
    state.limits.check(action, &session.user_id, address)?;
    if action == Action::Write {
        // Where people write from, so a ban can cover it.
        if let Some(ip) = client_ip(state) {
            state.restrictions.note_address(&session.user_id, ip);
        }
    }
    Ok(())
}

pub use crate::server::access::session::now_millis;

/// `raw` as a room the session's person may read and write: 422 for a bad name, 403 for a
/// private room they are not a member of.
pub async fn open_room(
    state: &AppState,
    session: &Session,
    raw: &str,
) -> Result<crate::domain::RoomName, ChatError> {
    let room = crate::domain::RoomName::parse(raw)?;
    state.access.check(&session.user_id, &room).await?;
    Ok(room)
}
