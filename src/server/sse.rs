//! `GET /api/rooms/{room}/events`: the room's live feed as Server-Sent Events, resumable from
//! `Last-Event-ID` or `?after=`.

use crate::domain::{RoomName, Seq};
use crate::server::api_error::ApiError;
use crate::server::limits::client_address;
use crate::server::presence::PresenceGuard;
use crate::server::session::{NewVisitor, Session};
use crate::server::state::AppState;
use crate::server::subscription::Subscription;
use axum::body::Body;
use axum::extract::{ConnectInfo, Extension, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::net::SocketAddr;

/// The query string of an events request.
#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    after: Option<String>,
}

/// Opens a room's event stream. `Last-Event-ID` (sent by the browser when it reconnects on
/// its own) wins over `?after=`, which a page uses for its first connection; with neither,
/// the stream starts with the next event. A cursor past the room's newest event starts
/// with a `reset` event and replays the room from the beginning. The viewer counts as
/// online in the room while the stream is open; the stream starts with the room's presence.
#[tracing::instrument(name = "sse", skip_all, fields(room = %room, user = %session.user_id))]
pub async fn room_events(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    new_visitor: Option<Extension<NewVisitor>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Path(room): Path<String>,
    Query(query): Query<EventsQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let room = RoomName::parse(&room)?;
    let cursor = match headers.get("last-event-id") {
        Some(value) => Some(parse_cursor(value.to_str().ok(), "Last-Event-ID")?),
        None => query
            .after
            .as_deref()
            .map(|after| parse_cursor(Some(after), "after"))
            .transpose()?,
    };

    let address = client_address(
        &headers,
        peer.map(|Extension(ConnectInfo(addr))| addr),
        state.client_ip_header.as_deref(),
    );
    let permit = state.limits.streams.open(&session.user_id, address)?;

    // The viewer is online while the stream is open (a known session only).
    let presence = new_visitor.is_none().then(|| {
        PresenceGuard::join(
            state.presence.on_this_node().clone(),
            room.clone(),
            &session.as_online_user(),
        )
    });
    // Subscribe first (with Redis, this node to the room's channel too), then read the
    // store: nothing published in between is missed.
    let (live, window) = state.hub.follow(&room);
    if let Some(follows) = &state.follows {
        follows.follow(&room).await?;
    }
    // The room's newest seq from this node's window; the store is read only when the window
    // does not know it yet (once per room, however many streams open at once).
    let newest = window
        .newest_or_read(|| state.store.last_seq(&room))
        .await?;
    let (after, lost) = match cursor {
        // Seqs only grow, so a cursor past the newest one comes from a history the store
        // lost (Redis without AOF, a database restored from a backup): start over.
        Some(after) if after > newest => {
            tracing::warn!(%after, %newest, "resume cursor past the store's newest event");
            (Seq::ZERO, true)
        }
        Some(after) => (after, false),
        None => (newest, false),
    };
    tracing::debug!(%after, "stream opened");

    // Presence: the stream reads the room's snapshot after subscribing (every change after
    // it is then on the feed); the first stream of a room on this node posts it first.
    state.presence.prepare_opening(&room).await;
    let mut subscription = Subscription::new(
        room,
        state.store.clone(),
        live,
        after,
        state.streams,
        state.drain.ticket(),
    );
    if lost {
        subscription = subscription.starting_over();
    }
    let stream = subscription
        .with_window(window)
        .with_presence(presence, state.presence.board().clone())
        .holding(permit)
        .into_stream();

    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            // Tells nginx-like proxies not to buffer the stream.
            (
                header::HeaderName::from_static("x-accel-buffering"),
                HeaderValue::from_static("no"),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

fn parse_cursor(raw: Option<&str>, name: &'static str) -> Result<Seq, ApiError> {
    raw.and_then(Seq::parse_cursor)
        .ok_or(ApiError::BadCursor(name))
}
