//! The one value every handler, page and server function shares.

use crate::server::access::accounts::SignInGuard;
use crate::server::access::limits::{AddressRule, Limits};
use crate::server::access::restrictions::Restrictions;
use crate::server::access::rooms::RoomAccess;
use crate::server::access::session::Sessions;
use crate::server::delivery::drain::Drain;
use crate::server::delivery::fanout::Fanout;
use crate::server::delivery::hub::Hub;
use crate::server::files::Files;
use crate::server::presence::Presences;
use crate::server::store::Store;
use crate::server::streams::StreamSettings;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Shared state, handed to axum and provided to Leptos as context. A clone is one
/// reference count: axum's handlers and middleware and Leptos' context clone it several
/// times for every request.
#[derive(Clone)]
pub struct AppState(Arc<NodeState>);

impl AppState {
    pub fn new(state: NodeState) -> Self {
        Self(Arc::new(state))
    }
}

impl std::ops::Deref for AppState {
    type Target = NodeState;

    fn deref(&self) -> &NodeState {
        &self.0
    }
}

/// What Leptos' handlers take from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// What the node's handlers share, behind [`AppState`].
pub struct NodeState {
    pub leptos_options: LeptosOptions,
    pub store: Arc<dyn Store>,
    /// Who may read and write each room (private rooms: members only).
    pub access: Arc<RoomAccess>,
    pub hub: Arc<Hub>,
    /// Where ephemeral events and kicks go (this node's hub, or every node through Redis),
    /// and how this node makes sure it receives a room's events.
    pub fanout: Arc<dyn Fanout>,
    /// Who is online, on this node and (with Redis) the others.
    pub presence: Presences,
    pub sessions: Sessions,
    pub streams: StreamSettings,
    /// Rate limits and stream caps.
    pub limits: Limits,
    /// How a request's client address is found (a trusted proxy's header) and keyed.
    pub addresses: AddressRule,
    /// On shutdown, ends the open SSE streams spread over the drain window.
    pub drain: Arc<Drain>,
    /// Failed sign-ins lately, per name and address.
    pub sign_ins: Arc<SignInGuard>,
    /// Who is banned, and which rooms are locked.
    pub restrictions: Arc<Restrictions>,
    /// Where uploaded files' bytes are kept.
    pub files: Files,
    /// Web Push (off without a key pair).
    pub push: crate::server::push::Push,
}
