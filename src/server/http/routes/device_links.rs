//! Device links: `/link/{token}`, made by `POST /api/link_device` for a signed-in person.
//!
//! Opening a link changes nothing (`GET` asks "Sign in as NAME on this device?", with a
//! button): a page of another site that links or embeds it cannot sign its visitors in to
//! someone else's account. The button posts the form back (`POST`, origin-checked like every
//! write), which uses the link up and signs this browser in. A used, revoked, expired or
//! made-up link signs nobody in and names nobody.

use super::plain_page::{escape, page};
use crate::error::ChatError;
use crate::server::access::accounts::{open_session, SigningIn};
use crate::server::access::tokens::{opens, split};
use crate::server::http::edge::compression;
use crate::server::node::state::AppState;
use crate::server::store::{Account, StoreError, TokenKind};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// The link (a path) of a device-link token. The answer carrying it is never compressed
/// (`compression.rs`).
pub fn path(token: &str) -> String {
    compression::carries_secret();
    format!("/link/{token}")
}

/// The QR code of `url`, as an SVG document.
pub fn qr_code(url: &str) -> Result<String, ChatError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|error| {
        tracing::error!(%error, "could not draw a QR code");
        ChatError::Internal
    })?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// `GET /link/{token}`: a good link shows whose account it signs in to, and the button.
#[tracing::instrument(name = "device_link", skip_all)]
pub async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match account_of(&state, &token).await {
        Ok(Some(account)) => {
            let name = escape(&account.name);
            let token = escape(&token);
            let page = page(
                StatusCode::OK,
                "Sign in on this device",
                &format!(
                    "<h1>Sign in as {name} on this device?</h1>\
                     <p>This browser will be signed in to {name}'s account, with their \
                     rooms and messages. The link works once.</p>\
                     <form method=\"post\" action=\"/link/{token}\">\
                     <button type=\"submit\">Sign in as {name}</button></form>\
                     <p><a href=\"/\">Not now</a></p>"
                ),
            );
            compression::mark_secret(page)
        }
        Ok(None) => refused(),
        Err(error) => ChatError::from(error).into_response(),
    }
}

/// `POST /link/{token}` (the button): uses the link up and signs this browser in to the
/// account (a cookie, then to the rooms).
#[tracing::instrument(name = "device_link_use", skip_all)]
pub async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    match sign_in(&state, &token, &headers).await {
        Ok(Some(cookie)) => {
            let mut response = Redirect::to("/").into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Ok(None) => refused(),
        Err(error) => error.into_response(),
    }
}

async fn sign_in(
    state: &AppState,
    token: &str,
    headers: &HeaderMap,
) -> Result<Option<axum::http::HeaderValue>, ChatError> {
    if account_of(state, token).await?.is_none() {
        return Ok(None);
    }
    let Some((id, secret)) = split(token) else {
        return Ok(None);
    };
    // Checked again on what was taken: of two uses at once, one signs in.
    let now = crate::server::access::session::now_millis();
    let Some(taken) = state
        .store
        .take_token(id)
        .await?
        .filter(|taken| opens(taken, TokenKind::DeviceLink, secret, now))
    else {
        return Ok(None);
    };
    let Some(account) = state.store.account(&taken.user_id).await? else {
        return Ok(None);
    };
    let who = SigningIn {
        user_id: &account.user_id,
        name: &account.name,
        role: account.role,
        headers: Some(headers),
        now,
    };
    tracing::info!(user = %account.user_id, "a device link signed a browser in");
    let opened = open_session(state.store.as_ref(), &state.sessions, who).await?;
    for id in &opened.ended {
        state.fanout.session_ended(id).await;
    }
    Ok(Some(opened.cookie))
}

/// The account a good link signs in to: `None` for a bad, used, expired or revoked link,
/// or a banned account.
async fn account_of(state: &AppState, token: &str) -> Result<Option<Account>, StoreError> {
    let Some((id, secret)) = split(token) else {
        return Ok(None);
    };
    let now = crate::server::access::session::now_millis();
    let Some(stored) = state
        .store
        .token(id)
        .await?
        .filter(|stored| opens(stored, TokenKind::DeviceLink, secret, now))
    else {
        return Ok(None);
    };
    if state.restrictions.is_banned(&stored.user_id) {
        return Ok(None);
    }
    state.store.account(&stored.user_id).await
}

fn refused() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Sign in on this device",
        "<h1>This link does not work</h1><p>A device link works once, for ten minutes. \
         Make a new one on the device that is signed in (Account, then \
         “Sign in on another device”).</p><p><a href=\"/\">All rooms</a></p>",
    )
}
