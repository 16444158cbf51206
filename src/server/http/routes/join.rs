//! `GET /join?room=…`: the room list's "create or join" form. A room exists as soon as it
//! has a message, so joining is going there.

use crate::domain::RoomName;
use axum::extract::Query;
use axum::response::Redirect;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct JoinQuery {
    #[serde(default)]
    room: String,
}

/// Redirects to the room, or back to the list with the refused name, whose reason the list
/// page works out itself (so a link can never make it show text of its own).
pub async fn join(Query(query): Query<JoinQuery>) -> Redirect {
    match RoomName::from_user_input(&query.room) {
        Ok(room) => Redirect::to(&format!("/r/{room}")),
        Err(_) => Redirect::to(&format!("/?refused={}", url_encode(&query.room))),
    }
}

fn url_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
