//! `GET /api/rooms/{room}/events`: the room's live feed as Server-Sent Events, resumable from
//! `Last-Event-ID` or `?after=`.

use crate::domain::{OnlineUser, RoomName, Seq};
use crate::server::access::limits::StreamPermit;
use crate::server::access::rooms::StreamGate;
use crate::server::access::session::{NewVisitor, Session};
use crate::server::delivery::drain::DrainTicket;
use crate::server::delivery::room_window::RoomWindow;
use crate::server::http::api_error::ApiError;
use crate::server::metrics::{OpenStream, Transport};
use crate::server::node::state::AppState;
use crate::server::presence::PresenceGuard;
use crate::server::streams::Subscription;
use axum::body::Body;
use axum::extract::{ConnectInfo, Extension, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

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
    not_banned(&state, &session)?;
    let room = RoomName::parse(&room)?;
    let gate = state.access.admit(&session.user_id, &room).await?;
    let cursor = match headers.get("last-event-id") {
        Some(value) => Some(parse_cursor(value.to_str().ok(), "Last-Event-ID")?),
        None => query
            .after
            .as_deref()
            .map(|after| parse_cursor(Some(after), "after"))
            .transpose()?,
    };

    let permit = stream_permit(&state, &session, peer, &headers)?;
    // The viewer is online while the stream is open (a known session only).
    let person = new_visitor.is_none().then(|| session.as_online_user());
    let (subscription, _) = open_room(
        &state,
        (room, gate),
        cursor,
        person.as_ref(),
        state.drain.ticket(),
    )
    .await?;
    let open = OpenStream::new(Transport::Room);
    let stream = subscription
        .holding(permit)
        .into_stream()
        .map(move |chunk| {
            // Counted as open until the body (and the stream) is dropped.
            let _open = &open;
            chunk
        });
    let stream = until_session_ends(stream, &state, &session);
    Ok(event_stream_response(Body::from_stream(stream)))
}

/// `stream`, ended when its account's session ends (signed out, ended from another
/// device) or its person is banned, on whichever node that happens.
pub(crate) fn until_session_ends<S: futures::Stream + Send + 'static>(
    stream: S,
    state: &AppState,
    session: &Session,
) -> futures::stream::BoxStream<'static, S::Item> {
    let Some(book) = state.sessions.book() else {
        return stream.boxed();
    };
    let person = book.watch(&person_key(&session.user_id));
    let device = session
        .signed_in
        .as_ref()
        .map(|signed_in| book.watch(&signed_in.session_id));
    let ended = async move {
        match device {
            Some(device) => {
                futures::future::select(Box::pin(person.ended()), Box::pin(device.ended())).await;
            }
            None => person.ended().await,
        }
    };
    stream.take_until(ended).boxed()
}

/// What ends every open stream of `user` (a ban) when it is announced as ended.
pub fn person_key(user: &crate::domain::UserId) -> String {
    format!("user:{user}")
}

/// Refuses a banned person's stream (403).
pub(crate) fn not_banned(state: &AppState, session: &Session) -> Result<(), ApiError> {
    if state.restrictions.is_banned(&session.user_id) {
        return Err(
            crate::error::ChatError::Forbidden("You are banned from this chat.".into()).into(),
        );
    }
    Ok(())
}

/// A place under the stream caps for this session and address, or the refusal.
pub(crate) fn stream_permit(
    state: &AppState,
    session: &Session,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
) -> Result<StreamPermit, ApiError> {
    let address = state
        .addresses
        .of(headers, peer.map(|Extension(ConnectInfo(addr))| addr));
    Ok(state.limits.streams.open(&session.user_id, address)?)
}

/// A `text/event-stream` answer that no proxy buffers.
pub(crate) fn event_stream_response(body: Body) -> Response {
    (
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
        body,
    )
        .into_response()
}

/// One room's part of a stream: `person` (if any) online in it while the stream is open,
/// every event after `cursor` (or, without one, from the next), and the room's presence
/// first, each write let through by `gate` (the admission's). Subscribes before reading
/// anything, so nothing published meanwhile is missed. Also answers the room's window of
/// newest frames.
pub(crate) async fn open_room(
    state: &AppState,
    (room, gate): (RoomName, StreamGate),
    cursor: Option<Seq>,
    person: Option<&OnlineUser>,
    drain: DrainTicket,
) -> Result<(Subscription, Arc<RoomWindow>), ApiError> {
    let presence = person.map(|person| {
        PresenceGuard::join(state.presence.on_this_node().clone(), room.clone(), person)
    });
    // Subscribe first (with Redis, this node to the room's channel too), then read the
    // store: nothing published in between is missed.
    let (live, window) = state.hub.follow(&room);
    state.fanout.follow(&room).await?;
    // The room's newest seq from this node's window; the store is read only when the window
    // does not know it yet (once per room, however many streams open at once).
    let newest = window
        .newest_or_read(|| state.store.last_seq(&room))
        .await?;
    let (after, lost) = match cursor {
        // Seqs only grow, so a cursor past the newest one comes from a history the store
        // lost (Redis without AOF, a database restored from a backup): start over.
        Some(after) if after > newest => {
            tracing::warn!(room = %room, %after, %newest, "resume cursor past the store's newest event");
            (Seq::ZERO, true)
        }
        // A cursor below where retention cut the room (asked only when the resume reads
        // the store anyway): what the client holds is partly gone, start over too. (From
        // zero, it holds nothing.)
        Some(after)
            if after > Seq::ZERO
                && after < newest
                && !window.covers(after)
                && after < state.store.log_cut(&room).await? =>
        {
            tracing::info!(room = %room, %after, "resume cursor older than the room's retention");
            (Seq::ZERO, true)
        }
        Some(after) => (after, false),
        None => (newest, false),
    };
    tracing::debug!(room = %room, %after, "stream opened");

    // Presence: the stream reads the room's snapshot after subscribing (every change after
    // it is then on the feed); the first stream of a room on this node posts it first.
    state.presence.prepare_opening(&room).await;
    let mut subscription =
        Subscription::new(room, state.store.clone(), live, after, state.streams, drain);
    if lost {
        subscription = subscription.starting_over();
    }
    let subscription = subscription
        .gated(gate)
        .with_window(window.clone())
        .with_presence(presence, state.presence.board().clone());
    Ok((subscription, window))
}

fn parse_cursor(raw: Option<&str>, name: &'static str) -> Result<Seq, ApiError> {
    raw.and_then(Seq::parse_cursor)
        .ok_or(ApiError::BadCursor(name))
}
