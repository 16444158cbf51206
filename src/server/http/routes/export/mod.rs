//! `GET /api/rooms/{room}/export?format=jsonl|md`: a room's whole history as a file, oldest
//! first, streamed a page at a time, so a room of a million messages never sits in memory.
//! Pages are sized to about [`CHUNK_BYTES`] of file each, whatever the messages weigh, so an
//! export whose reader is slow holds about that; only so many run at once per person,
//! address and node (`Limits::export_place`); one whose reader takes nothing for a while is
//! cut off with its connection (`stall_guard.rs`).

mod format;
mod markdown_body;

use self::format::ExportFormat;
use crate::domain::{ChatMessage, RoomName, Seq};
use crate::error::ChatError;
use crate::server::access::limits::Action;
use crate::server::access::session::Session;
use crate::server::http::api_error::ApiError;
use crate::server::node::state::AppState;
use crate::server::store::Store;
use axum::body::Body;
use axum::extract::{ConnectInfo, Extension, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::StreamExt;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

/// About how much of the file each step prepares.
const CHUNK_BYTES: usize = 64 * 1024;
/// Messages read by the first step, and the most any step reads.
const FIRST_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

/// Where the export has got to.
struct Progress {
    store: Arc<dyn Store>,
    room: RoomName,
    format: ExportFormat,
    after: Seq,
    previous_sent_at: Option<i64>,
    done: bool,
    /// Messages the next step reads: as many as filled about [`CHUNK_BYTES`] last time.
    page: u32,
}

#[tracing::instrument(name = "export", skip_all, fields(room = %room, user = %session.user_id))]
pub async fn export(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Path(room): Path<String>,
    Query(query): Query<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    crate::server::http::routes::room_stream::not_banned(&state, &session)?;
    let room = RoomName::parse(&room)?;
    state.access.check(&session.user_id, &room).await?;
    let address = state
        .addresses
        .of(&headers, peer.map(|Extension(ConnectInfo(addr))| addr));
    state
        .limits
        .check(Action::Export, &session.user_id, address)?;
    let place = state.limits.export_place(&session.user_id, address)?;
    let format = ExportFormat::parse(query.format.as_deref()).ok_or(ApiError::BadQuery(
        "format must be jsonl (JSON lines) or md (Markdown).",
    ))?;
    // The first page is read before answering, so a store that is down answers 503
    // instead of an empty file.
    let mut progress = Progress {
        store: state.store.clone(),
        room: room.clone(),
        format,
        after: Seq::ZERO,
        previous_sent_at: None,
        done: false,
        page: FIRST_PAGE,
    };
    let first = progress.next_chunk().await.map_err(ChatError::from)?;
    let header = Bytes::from(format.header(&room));
    let rest = futures::stream::unfold(progress, |mut progress| async move {
        if progress.done {
            return None;
        }
        match progress.next_chunk().await {
            Ok(chunk) => Some((Ok::<Bytes, std::io::Error>(chunk), progress)),
            Err(error) => {
                // The headers are gone: all that is left is to end the file early.
                tracing::warn!(%error, "export ended early");
                progress.done = true;
                Some((Err(std::io::Error::other(error.to_string())), progress))
            }
        }
    });
    // The place is given back when the body is dropped (finished, or its connection gone).
    // Fused: the compressing layer asks once more after the end, which an `unfold` would
    // answer with a panic.
    let body = futures::stream::iter([Ok(header), Ok(first)])
        .chain(rest)
        .map(move |chunk| {
            let _place = &place;
            chunk
        })
        .fuse();
    let mut response = Body::from_stream(body.boxed()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    let filename = format!("attachment; filename=\"{room}.{}\"", format.extension());
    if let Ok(value) = HeaderValue::from_str(&filename) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

impl Progress {
    /// The next page, formatted; an empty chunk marks the end.
    async fn next_chunk(&mut self) -> Result<Bytes, crate::server::store::StoreError> {
        let asked = self.page;
        let page: Vec<ChatMessage> = self
            .store
            .after(&self.room, self.after, asked, None)
            .await?;
        if page.len() < asked as usize {
            self.done = true;
        }
        let mut chunk = String::new();
        for message in &page {
            chunk.push_str(&self.format.message(message, self.previous_sent_at));
            self.previous_sent_at = Some(message.sent_at);
            self.after = message.seq;
        }
        if let Some(per_message) = chunk.len().checked_div(page.len()) {
            let fits = CHUNK_BYTES / per_message.max(1);
            self.page = u32::try_from(fits).unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
        }
        Ok(Bytes::from(chunk))
    }
}
