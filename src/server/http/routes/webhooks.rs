//! `POST /hooks/{token}`: a script posts a message to the webhook's room, shown from the
//! webhook's name (or the post's `username`) and marked as a bot's. The body is JSON
//! `{"text", "username"}`, or Slack's form `payload={"text", "username"}`. The same limits
//! as a person's send; a revoked or made-up token 404, a locked room 403.

use crate::domain::{MessageBody, Nickname, UserId};
use crate::error::ChatError;
use crate::server::access::limits::Action;
use crate::server::access::tokens::{opens, split};
use crate::server::http::edge::compression;
use crate::server::node::state::AppState;
use crate::server::store::{NewMessage, StoredToken, TokenKind};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Extension, Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Json, Response};
use serde::Deserialize;
use std::net::SocketAddr;

/// The URL (a path) of a webhook's token. The answer carrying it is never compressed
/// (`compression.rs`).
pub fn path(token: &str) -> String {
    compression::carries_secret();
    format!("/hooks/{token}")
}

/// What a script posts.
#[derive(Debug, Deserialize)]
struct Post {
    text: String,
    #[serde(default)]
    username: Option<String>,
}

/// Slack's form: the JSON in a `payload` field.
#[derive(Debug, Deserialize)]
struct SlackForm {
    payload: String,
}

#[tracing::instrument(name = "webhook", skip_all)]
pub async fn post(
    State(state): State<AppState>,
    Path(token): Path<String>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match store_post(&state, &token, peer.map(|info| info.0 .0), &headers, &body).await {
        Ok(message) => Json(message).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn store_post(
    state: &AppState,
    token: &str,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<crate::domain::ChatMessage, ChatError> {
    let hook = webhook(state, token).await?;
    let room = hook.room.clone().ok_or(ChatError::Internal)?;
    // The webhook's id is its author id: its messages are told apart from anyone's.
    let author_id = UserId::parse(&hook.id).ok_or(ChatError::Internal)?;
    state
        .limits
        .check(Action::Write, &author_id, state.addresses.of(headers, peer))?;
    if state.restrictions.is_banned(&hook.user_id) {
        return Err(ChatError::Forbidden(
            "Whoever made this webhook is banned.".into(),
        ));
    }
    if state.restrictions.is_locked(&room) {
        return Err(ChatError::Forbidden("This room is locked.".into()));
    }
    let post = parse(headers, body)?;
    let author = match post.username.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => Nickname::parse(name)?,
        _ => Nickname::parse(&hook.name)?,
    };
    let now = crate::server::access::session::now_millis();
    let appended = state
        .store
        .append(NewMessage {
            room: room.clone(),
            author_id,
            author,
            body: MessageBody::parse(&post.text)?,
            sent_at: now,
            client_id: None,
            reply_to: None,
            mentions: Vec::new(),
            // Made by who moderates the room, for it: no member's rights to look up.
            recheck_access: false,
            bot: true,
            attachments: Vec::new(),
        })
        .await??;
    if let Err(error) = state.store.touch_token(&hook.id, now).await {
        tracing::warn!(%error, "could not note a webhook's use");
    }
    tracing::info!(room = %room, "a webhook posted");
    Ok(appended.into_message())
}

/// The webhook `token` opens; 404 for a revoked or made-up one.
async fn webhook(state: &AppState, token: &str) -> Result<StoredToken, ChatError> {
    let not_found = || ChatError::NotFound("There is no such webhook.".into());
    let (id, secret) = split(token).ok_or_else(not_found)?;
    let now = crate::server::access::session::now_millis();
    state
        .store
        .token(id)
        .await?
        .filter(|hook| opens(hook, TokenKind::Webhook, secret, now))
        .ok_or_else(not_found)
}

/// The post, as JSON or as Slack's `payload=` form; 422 for anything else.
fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Post, ChatError> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|kind| kind.to_str().ok())
        .is_some_and(|kind| kind.starts_with("application/x-www-form-urlencoded"));
    let json = if form {
        let slack: SlackForm = serde_urlencoded::from_bytes(body).map_err(|_| invalid())?;
        slack.payload.into_bytes()
    } else {
        body.to_vec()
    };
    serde_json::from_slice(&json).map_err(|_| invalid())
}

fn invalid() -> ChatError {
    ChatError::Invalid(
        "Post JSON {\"text\": \"…\"} (and perhaps \"username\"), or a form with payload={…}."
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::parse;
    use axum::http::{HeaderMap, HeaderValue};

    fn typed(kind: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static(kind));
        headers
    }

    #[test]
    fn json_and_slack_forms_are_read() {
        let json = parse(
            &typed("application/json"),
            br#"{"text":"deployed","username":"ci"}"#,
        )
        .expect("json");
        assert_eq!(
            (json.text.as_str(), json.username.as_deref()),
            ("deployed", Some("ci"))
        );
        let slack = parse(
            &typed("application/x-www-form-urlencoded"),
            b"payload=%7B%22text%22%3A%22build+green%22%7D",
        )
        .expect("slack");
        assert_eq!((slack.text.as_str(), slack.username), ("build green", None));
        assert!(parse(&typed("application/json"), b"{}").is_err());
        assert!(parse(&typed("application/x-www-form-urlencoded"), b"text=hi").is_err());
        assert!(parse(&HeaderMap::new(), b"not json").is_err());
    }
}
