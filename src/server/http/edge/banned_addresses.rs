//! Refuses every request from a network banned along with someone (403), but the health
//! checks: the banned can neither sign in, nor post, nor open a page or a stream, whoever
//! they claim to be.

use crate::error::ChatError;
use crate::server::node::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// The paths a banned address may still ask for: what load balancers and scrapers poll.
const ALWAYS_OPEN: [&str; 4] = ["/livez", "/readyz", "/healthz", "/metrics"];

/// Middleware over the whole router.
pub async fn refuse(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let banned = state
        .addresses
        .client(request.headers(), peer)
        .is_some_and(|ip| state.restrictions.is_address_banned(ip));
    if banned && !ALWAYS_OPEN.contains(&request.uri().path()) {
        tracing::info!("refused a request from a banned address");
        let mut response =
            ChatError::Forbidden("You are banned from this chat.".into()).into_response();
        response
            .extensions_mut()
            .insert(crate::server::metrics::Rejected("banned_address"));
        return response;
    }
    next.run(request).await
}
