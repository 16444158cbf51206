//! Server functions: the only way the UI changes or reads state. Each has a fixed endpoint
//! under `/api/` because scripts, tests and benchmarks call them too.

use crate::domain::{ChatMessage, OptionalField};
use crate::error::ChatError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// How many of the newest messages a room page shows when it is first rendered.
pub const FIRST_PAGE: u32 = 50;

/// What a room page needs to render: its newest messages and the viewer's composer defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomSnapshot {
    pub room: String,
    /// The newest messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// The display name this browser used last, or a fresh guest name.
    pub viewer_name: String,
    /// An idempotency key for the composer's first message.
    pub client_id: String,
}

/// Stores a message in `room` and broadcasts it to every open stream of the room.
///
/// `author` is the display name (remembered in a cookie for next time); without it the name
/// remembered earlier, or a guest name, is used. Sending twice with the same `client_id`
/// stores one message and answers both times with it.
#[server(endpoint = "send_message")]
pub async fn send_message(
    room: String,
    body: String,
    #[server(default)] author: OptionalField,
    client_id: Option<String>,
) -> Result<ChatMessage, ChatError> {
    use self::ssr::*;

    let state = app_state()?;
    let room = RoomName::parse(&room)?;
    let body = MessageBody::parse(&body)?;
    let client_id = ClientId::parse_optional(client_id.as_deref())?;
    let headers = request_headers();
    let author = match author.sent() {
        Some(raw) => {
            let name = Nickname::parse(raw)?;
            remember(&name);
            name
        }
        None => identity::remembered_name(&headers).unwrap_or_else(identity::guest_name),
    };

    let appended = state
        .store
        .append(NewMessage {
            room,
            author,
            body,
            sent_at: now_millis(),
            client_id,
        })
        .await?;
    if let Appended::New(message) = &appended {
        state.hub.publish(message);
        tracing::debug!(room = %message.room, seq = %message.seq, "message stored");
    }
    Ok(appended.into_message())
}

/// The newest messages of `room` and the viewer's composer defaults.
#[server(endpoint = "room", input = GetUrl)]
pub async fn get_room(room: String) -> Result<RoomSnapshot, ChatError> {
    use self::ssr::*;

    let state = app_state()?;
    let room = RoomName::parse(&room)?;
    let messages = state.store.latest(&room, FIRST_PAGE).await?;
    let viewer_name =
        identity::remembered_name(&request_headers()).unwrap_or_else(identity::guest_name);
    Ok(RoomSnapshot {
        room: room.to_string(),
        messages,
        viewer_name: viewer_name.to_string(),
        client_id: identity::fresh_client_id().as_str().to_owned(),
    })
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::domain::Nickname as Name;
    pub use crate::domain::{ClientId, MessageBody, Nickname, RoomName};
    use crate::error::ChatError;
    pub use crate::server::identity;
    use crate::server::state::AppState;
    pub use crate::server::store::{Appended, NewMessage};
    use axum::http::{header, HeaderMap};
    use leptos::prelude::use_context;

    pub fn app_state() -> Result<AppState, ChatError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the server function's context");
            ChatError::Internal
        })
    }

    /// The headers of the request being served (empty outside a request).
    pub fn request_headers() -> HeaderMap {
        use_context::<axum::http::request::Parts>()
            .map(|parts| parts.headers)
            .unwrap_or_default()
    }

    /// Asks the browser to remember the display name for its next visit.
    pub fn remember(name: &Name) {
        if let (Some(options), Some(cookie)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            identity::remember_name(name),
        ) {
            options.append_header(header::SET_COOKIE, cookie);
        }
    }

    pub fn now_millis() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or_default()
    }
}
