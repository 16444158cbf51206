//! `GET /healthz`: 200 when the store answers, 503 when it does not.

use crate::server::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// For load balancers and orchestrators: is this node able to serve chat?
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(error) => {
            tracing::warn!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n")
        }
    }
}
