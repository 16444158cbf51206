//! `GET /healthz`: 200 when the store answers (and, with Redis, this node receives the
//! rooms' announcements), 503 otherwise.

use crate::server::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// For load balancers and orchestrators: is this node able to serve chat?
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if let Err(error) = state.store.ping().await {
        tracing::warn!(%error, "health check failed");
        return (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n");
    }
    if let Some(follows) = &state.follows {
        if !follows.is_attached().await {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "not receiving live events\n",
            );
        }
    }
    (StatusCode::OK, "ok\n")
}
