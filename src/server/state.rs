//! The one value every handler, page and server function shares.

use crate::server::drain::Drain;
use crate::server::fanout::Fanout;
use crate::server::hub::Hub;
use crate::server::limits::{AddressRule, Limits};
use crate::server::presence::Presences;
use crate::server::relay::Follows;
use crate::server::room_access::RoomAccess;
use crate::server::session::Sessions;
use crate::server::store::Store;
use crate::server::subscription::StreamSettings;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Shared state, handed to axum and provided to Leptos as context.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Arc<dyn Store>,
    /// Who may read and write each room (private rooms: members only).
    pub access: Arc<RoomAccess>,
    pub hub: Arc<Hub>,
    /// Where published events go: this node's hub, or every node through Redis.
    pub fanout: Fanout,
    /// Who is online, on this node and (with Redis) the others.
    pub presence: Presences,
    /// With Redis: the rooms this node receives announcements of.
    pub follows: Option<Arc<Follows>>,
    pub sessions: Sessions,
    pub streams: StreamSettings,
    /// Rate limits and stream caps.
    pub limits: Limits,
    /// How a request's client address is found (a trusted proxy's header) and keyed.
    pub addresses: AddressRule,
    /// On shutdown, ends the open SSE streams spread over the drain window.
    pub drain: Arc<Drain>,
}
