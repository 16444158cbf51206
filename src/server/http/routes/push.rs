//! Web Push's routes: `GET /api/push/key`, the VAPID public key a browser subscribes with
//! (`{"public_key"}`; 404 when pushes are off); `POST /api/push/subscribe`, a browser's
//! `PushSubscription.toJSON()` (`endpoint`, `keys.p256dh`, `keys.auth`), kept for the
//! person (400 for an endpoint pushes may not go to: not `https`, not public; 422 past 10
//! browsers); and
//! `POST /api/push/unsubscribe` with `{"endpoint"}`.

use crate::error::ChatError;
use crate::server::access::limits::Action;
use crate::server::access::session::Session;
use crate::server::http::api_error::ApiError;
use crate::server::http::routes::room_stream::not_banned;
use crate::server::node::state::AppState;
use crate::server::store::{PushSubscription, MAX_PUSH_SUBSCRIPTIONS};
use axum::extract::{ConnectInfo, Extension, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

#[derive(Serialize)]
pub struct PublicKey {
    public_key: String,
}

fn off() -> ChatError {
    ChatError::NotFound("Push notifications are not set up on this chat.".into())
}

pub async fn key(State(state): State<AppState>) -> Result<Json<PublicKey>, ApiError> {
    let public_key = state.push.public_key().ok_or_else(off)?.to_owned();
    Ok(Json(PublicKey { public_key }))
}

#[tracing::instrument(name = "push_subscribe", skip_all, fields(user = %session.user_id))]
pub async fn subscribe(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Json(subscription): Json<PushSubscription>,
) -> Result<StatusCode, ApiError> {
    not_banned(&state, &session)?;
    let endpoints = state.push.endpoints().ok_or_else(off)?;
    let address = state
        .addresses
        .of(&headers, peer.map(|Extension(ConnectInfo(addr))| addr));
    // Counted with name changes: a setting of one's own, made now and then.
    state
        .limits
        .check(Action::Rename, &session.user_id, address)?;
    endpoints
        .check(&subscription.endpoint)
        .await
        .map_err(|refused| ChatError::Malformed(refused.to_string()))?;
    let keys = &subscription.keys;
    if keys.p256dh.len() > 200 || keys.auth.len() > 100 {
        return Err(ChatError::Malformed("the subscription's keys are not keys".into()).into());
    }
    let kept = state
        .store
        .add_push_subscription(
            &session.user_id,
            session.signed_in.as_ref().map(|s| s.session_id.as_str()),
            &subscription,
        )
        .await?;
    if !kept {
        return Err(ChatError::Invalid(format!(
            "Push notifications can go to at most {MAX_PUSH_SUBSCRIPTIONS} browsers: turn them \
             off on one first."
        ))
        .into());
    }
    Ok(StatusCode::OK)
}

#[derive(Deserialize)]
pub struct Unsubscribe {
    endpoint: String,
}

pub async fn unsubscribe(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Json(unsubscribe): Json<Unsubscribe>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .remove_push_subscription(&session.user_id, &unsubscribe.endpoint)
        .await?;
    Ok(StatusCode::OK)
}
