//! Probes for load balancers and orchestrators.
//!
//! - `GET /livez`: the process runs and serves requests: 200, always. A liveness probe must
//!   not fail for what a restart cannot fix (a Redis outage, a full disk).
//! - `GET /readyz` (and `GET /healthz`, its older name): 200 when this node can serve chat —
//!   the store answers, writes work (the SQLite writer's last commit or probe succeeded),
//!   with Redis the node receives the rooms' announcements, and it is not shutting down —
//!   503 otherwise. The JSON body names each check, so an operator sees why
//!   (`{"status":"unavailable","checks":{"writes":"the disk … is full (for 12 s)", …}}`).

use crate::server::node::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use std::collections::BTreeMap;

/// What each check found: `"ok"` or why not.
#[derive(Debug, Serialize)]
pub struct Health {
    status: &'static str,
    checks: BTreeMap<&'static str, String>,
}

/// Is the process alive? Answers without looking at anything else.
pub async fn livez() -> Json<Health> {
    Json(Health {
        status: "ok",
        checks: BTreeMap::new(),
    })
}

/// For load balancers and orchestrators: is this node able to serve chat?
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let mut checks = BTreeMap::new();
    let mut ready = true;
    let mut check = |name, problem: Option<String>| {
        ready &= problem.is_none();
        checks.insert(name, problem.unwrap_or_else(|| "ok".to_owned()));
    };

    let store = state.store.ping().await.err().map(|error| {
        tracing::warn!(%error, "health check: store unavailable");
        "the store does not answer".to_owned()
    });
    check("store", store);
    if let Some(health) = state.store.write_health() {
        check("writes", health.trouble().map(|trouble| trouble.describe()));
    }
    if let Some(receiving) = state.fanout.receiving().await {
        check(
            "relay",
            (!receiving).then(|| "not receiving live events".to_owned()),
        );
    }

    check(
        "shutdown",
        state
            .drain
            .is_draining()
            .then(|| "shutting down: ending streams".to_owned()),
    );

    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let health = Health {
        status: if ready { "ok" } else { "unavailable" },
        checks,
    };
    (status, Json(health))
}
