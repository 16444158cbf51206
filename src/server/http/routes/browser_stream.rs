//! `GET /api/events?rooms=lobby:41,rust-help:7`: one stream for a whole browser, carrying
//! every room it names, each resumed from its own cursor (`room` alone: from the next
//! event). Each room is the same subscription a room's own stream is (subscribe first,
//! then backlog, no gap, no duplicate, lag caught up from the store), merged into one
//! response; every event's data names its room, and log events keep their seq as `id:`.
//!
//! `Last-Event-ID` is not used here: one id cannot hold a cursor per room. The browser
//! reconnects itself with the cursors it holds; should its `EventSource` reconnect on its
//! own, the URL's cursors are older than what it holds, so nothing is missed, and the page
//! drops what it already has by seq.
//!
//! A signed-in person's stream also carries `event: read` (`{"room","seq"}`) when they
//! read one of its rooms on another device (`delivery/read_feeds.rs`).
//!
//! Heartbeats are `event: heartbeat` with each room's newest seq and the interval
//! (`{"rooms":{"lobby":41},"every_ms":15000}`): one as the stream opens, then at most one per
//! heartbeat interval, so an idle client can tell it missed something, or that the stream
//! died without a word (nothing heard for 2.5 intervals). The
//! stream ends as soon as one of its rooms' parts ends (shutdown, a store failure, a room
//! too far behind): the browser then reconnects with its cursors.

use crate::domain::{EventKind, Heartbeat, ReadMark, RoomName, Seq};
use crate::server::access::session::{NewVisitor, Session};
use crate::server::delivery::room_window::RoomWindow;
use crate::server::delivery::sse_frame;
use crate::server::http::api_error::ApiError;
use crate::server::http::routes::room_stream::{
    event_stream_response, not_banned, open_room, stream_permit, until_session_ends,
};
use crate::server::metrics::{OpenStream, Transport};
use crate::server::node::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, Extension, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::broadcast::{self, error::RecvError};

/// The query string of a browser-wide stream.
#[derive(Debug, Deserialize)]
pub struct BrowserEventsQuery {
    rooms: String,
}

/// Opens the browser-wide stream of the rooms in `?rooms=`.
#[tracing::instrument(name = "sse_browser", skip_all, fields(user = %session.user_id))]
pub async fn browser_events(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    new_visitor: Option<Extension<NewVisitor>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Query(query): Query<BrowserEventsQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    not_banned(&state, &session)?;
    let rooms = parse_rooms(&query.rooms, state.streams.max_rooms)?;
    // One room the person may not read refuses the whole stream (403), naming none.
    let mut admitted = Vec::with_capacity(rooms.len());
    for (room, cursor) in rooms {
        let gate = state.access.admit(&session.user_id, &room).await?;
        admitted.push((room, gate, cursor));
    }
    let permit = stream_permit(&state, &session, peer, &headers)?;
    let person = new_visitor.is_none().then(|| session.as_online_user());
    let drain = state.drain.ticket();
    let mut parts = Vec::with_capacity(admitted.len());
    let mut windows = Vec::with_capacity(admitted.len());
    for (room, gate, cursor) in admitted {
        let (subscription, window) = open_room(
            &state,
            (room.clone(), gate),
            cursor,
            person.as_ref(),
            drain.clone(),
        )
        .await?;
        windows.push((room, window));
        // `None` marks where a part ended.
        let part = subscription.without_retry().into_stream().map(Some);
        parts.push(part.chain(futures::stream::once(async { None })).boxed());
    }
    if session.signed_in.is_some() {
        // The person's read marks on their other devices, for the rooms carried here.
        let carried = windows.iter().map(|(room, _)| room.clone()).collect();
        let marks = state.hub.reads.follow(&session.user_id);
        parts.push(read_marks(marks, carried).map(Some).boxed());
    }
    let retry = sse_frame::preamble(state.streams.retry_for_a_connection());
    let mut beats = Beats::new(windows, state.streams.heartbeat);
    // A beat at once: the client learns the interval and each room's newest seq.
    let first = beats.beat(Instant::now());
    let merged = futures::stream::select_all(parts)
        .take_while(|part| std::future::ready(part.is_some()))
        .filter_map(move |part| {
            let chunk = part.and_then(|chunk| chunk.ok());
            std::future::ready(chunk.and_then(|chunk| beats.translate(chunk)))
        })
        .map(Ok::<_, std::convert::Infallible>);
    let stream = futures::stream::iter([Ok(retry), Ok(first)]).chain(merged);
    // The permit is given back, and the stream counted closed, when the body is dropped.
    let open = OpenStream::new(Transport::Browser);
    let stream = stream.map(move |chunk| {
        let _holding = (&permit, &open);
        chunk
    });
    let stream = until_session_ends(stream, &state, &session);
    Ok(event_stream_response(Body::from_stream(stream)))
}

/// `marks` of the rooms `carried`, as `read` frames; it never ends of itself (the rooms'
/// parts end the stream).
fn read_marks<E>(
    marks: broadcast::Receiver<ReadMark>,
    carried: Vec<RoomName>,
) -> impl futures::Stream<Item = Result<Bytes, E>> + Send + 'static {
    futures::stream::unfold((marks, carried), |(mut marks, carried)| async move {
        loop {
            match marks.recv().await {
                Ok(mark) if carried.contains(&mark.room) => {
                    let frame = sse_frame::ephemeral_frame(EventKind::Read, &mark);
                    return Some((Ok(frame), (marks, carried)));
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return None,
            }
        }
    })
}

/// `lobby:41,rust-help:7` (or `lobby` without a cursor): each room once, at most `max`.
fn parse_rooms(raw: &str, max: usize) -> Result<Vec<(RoomName, Option<Seq>)>, ApiError> {
    let mut rooms: Vec<(RoomName, Option<Seq>)> = Vec::new();
    for pair in raw.split(',').filter(|pair| !pair.trim().is_empty()) {
        let (name, cursor) = match pair.split_once(':') {
            Some((name, cursor)) => (
                name,
                Some(Seq::parse_cursor(cursor).ok_or(ApiError::BadCursor("rooms"))?),
            ),
            None => (pair, None),
        };
        let room = RoomName::parse(name.trim())?;
        if rooms.iter().any(|(seen, _)| *seen == room) {
            return Err(ApiError::BadRooms(format!("{room} is named twice.")));
        }
        rooms.push((room, cursor));
        if rooms.len() > max {
            return Err(ApiError::BadRooms(format!(
                "One stream carries at most {max} rooms."
            )));
        }
    }
    if rooms.is_empty() {
        return Err(ApiError::BadRooms("Name at least one room.".into()));
    }
    Ok(rooms)
}

/// Turns the rooms' keep-alive comments into one `heartbeat` event per interval.
struct Beats {
    windows: Vec<(RoomName, Arc<RoomWindow>)>,
    every: std::time::Duration,
    last: Option<Instant>,
}

impl Beats {
    fn new(windows: Vec<(RoomName, Arc<RoomWindow>)>, every: std::time::Duration) -> Self {
        Self {
            windows,
            every,
            last: None,
        }
    }

    /// The chunk as it goes out: a keep-alive becomes a heartbeat event, or nothing when
    /// another room's keep-alive of the same beat already did.
    fn translate(&mut self, chunk: Bytes) -> Option<Bytes> {
        if chunk != sse_frame::HEARTBEAT {
            return Some(chunk);
        }
        let now = Instant::now();
        if self.last.is_some_and(|last| now - last < self.every / 2) {
            return None;
        }
        Some(self.beat(now))
    }

    /// A heartbeat event as of `now`.
    fn beat(&mut self, now: Instant) -> Bytes {
        self.last = Some(now);
        let rooms = self
            .windows
            .iter()
            .filter_map(|(room, window)| Some((room.clone(), window.newest()?)))
            .collect();
        let every_ms = u64::try_from(self.every.as_millis()).unwrap_or(u64::MAX);
        sse_frame::ephemeral_frame(EventKind::Heartbeat, &Heartbeat { rooms, every_ms })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_come_with_or_without_cursors_each_once_and_not_too_many() {
        let rooms = parse_rooms("lobby:41,rust-help,other:0", 3).expect("valid");
        assert_eq!(rooms[0], (RoomName::lobby(), Some(Seq(41))));
        assert_eq!(rooms[1].1, None);
        assert!(parse_rooms("lobby,lobby:3", 5).is_err(), "twice");
        assert!(parse_rooms("a,b,c,d", 3).is_err(), "too many");
        assert!(parse_rooms("", 3).is_err(), "none");
        assert!(parse_rooms("lobby:x", 3).is_err(), "a bad cursor");
        assert!(parse_rooms("Not A Room!:1", 3).is_err(), "a bad name");
    }
}
