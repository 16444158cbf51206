//! `GET /api/rooms/{room}/pins`: the room's pinned messages, `{"pins": [messages]}`, the
//! most recently pinned first. A private room answers 403 to whoever may not read it, as
//! its history does.

use crate::domain::{ChatMessage, RoomName};
use crate::server::access::session::Session;
use crate::server::http::api_error::ApiError;
use crate::server::http::routes::room_stream::not_banned;
use crate::server::node::state::AppState;
use axum::extract::{Extension, Path, State};
use axum::Json;
use serde::Serialize;

#[derive(Serialize)]
pub struct Pins {
    pins: Vec<ChatMessage>,
}

#[tracing::instrument(name = "pins", skip_all, fields(room = %room, user = %session.user_id))]
pub async fn list(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(room): Path<String>,
) -> Result<Json<Pins>, ApiError> {
    not_banned(&state, &session)?;
    let room = RoomName::parse(&room)?;
    state.access.check(&session.user_id, &room).await?;
    let pins = state.store.pins(&room, Some(&session.user_id)).await?;
    Ok(Json(Pins { pins }))
}
