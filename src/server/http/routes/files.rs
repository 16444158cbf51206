//! `GET /api/files/{id}` and `GET /api/files/{id}/thumb`: an uploaded file's bytes, and an
//! image's thumbnail. Whoever may read the message's room may fetch them (403 otherwise,
//! as for its history); before it is sent, only its uploader; never once its message is
//! deleted (404). Served with the type the server found, `nosniff`, a policy that runs
//! nothing, and `Content-Disposition: attachment` for anything but the images shown
//! inline (never SVG or HTML). A `Range` of the file is answered 206 (a large download
//! resumes); one past its end 416. `DELETE /api/files/{id}` takes an unsent file back.

use crate::domain::{shown_inline, UploadId};
use crate::error::ChatError;
use crate::server::access::session::Session;
use crate::server::files::{sniff, Variant};
use crate::server::http::api_error::ApiError;
use crate::server::http::routes::room_stream::not_banned;
use crate::server::node::state::AppState;
use crate::server::store::StoredUpload;
use axum::body::Body;
use axum::extract::{Extension, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use std::ops::Range;

pub async fn original(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let upload = readable(&state, &session, &id).await?;
    let etag = format!("\"{}\"", upload.file.id);
    if let Some(not_modified) = unchanged(&headers, &etag) {
        return Ok(not_modified);
    }
    let size = upload.file.size;
    let range = match requested_range(&headers, size) {
        Asked::Whole => None,
        Asked::Part(range) => Some(range),
        Asked::PastTheEnd => {
            let mut refused = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            insert(
                refused.headers_mut(),
                header::CONTENT_RANGE,
                &format!("bytes */{size}"),
            );
            return Ok(refused);
        }
    };
    let got = state
        .files
        .get(&upload.file.id, Variant::Original, range.clone())
        .await
        .map_err(unavailable)?;
    // Fused: a compressed answer (a text file, say) is asked once more after its end.
    let body = Body::from_stream(futures::StreamExt::fuse(got.into_stream()));
    let mut response = match &range {
        Some(range) => {
            let mut partial = (StatusCode::PARTIAL_CONTENT, body).into_response();
            let content_range = format!("bytes {}-{}/{size}", range.start, range.end - 1);
            insert(partial.headers_mut(), header::CONTENT_RANGE, &content_range);
            partial
        }
        None => body.into_response(),
    };
    let length = range.map_or(size, |r| r.end - r.start);
    let headers = response.headers_mut();
    insert(headers, header::CONTENT_LENGTH, &length.to_string());
    insert(headers, header::ACCEPT_RANGES, "bytes");
    insert(headers, header::ETAG, &etag);
    file_headers(headers, &upload.file.content_type, &upload.file.name);
    Ok(response)
}

pub async fn thumbnail(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let upload = readable(&state, &session, &id).await?;
    if upload.file.thumb_url.is_none() {
        return Err(not_found().into());
    }
    let etag = format!("\"{}-thumb\"", upload.file.id);
    if let Some(not_modified) = unchanged(&headers, &etag) {
        return Ok(not_modified);
    }
    let got = state
        .files
        .get(&upload.file.id, Variant::Thumbnail, None)
        .await
        .map_err(unavailable)?;
    // A thumbnail is small: read whole, its type told by its bytes.
    let mut bytes = Vec::new();
    let mut stream = got.into_stream();
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk.map_err(|e| unavailable(e.into()))?);
    }
    let content_type = sniff::image_type(&bytes).unwrap_or("application/octet-stream");
    let mut response = bytes.into_response();
    file_headers(response.headers_mut(), content_type, "thumbnail");
    insert(response.headers_mut(), header::ETAG, &etag);
    Ok(response)
}

/// `DELETE /api/files/{id}`: its uploader takes a file back before sending it (the
/// composer's ×). 204, and its bytes go with the janitor's next sweep; 404 for a file that
/// is not theirs, sent already, or gone.
pub async fn withdraw(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = UploadId::parse(&id).ok_or_else(not_found)?;
    let at = crate::server::access::session::now_millis();
    if state
        .store
        .withdraw_upload(&id, &session.user_id, at)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found().into())
    }
}

/// 304 when the browser's copy is this file's (`If-None-Match`), after the access check.
fn unchanged(headers: &HeaderMap, etag: &str) -> Option<Response> {
    let asked = headers.get(header::IF_NONE_MATCH)?.to_str().ok()?;
    asked.split(',').any(|tag| tag.trim() == etag).then(|| {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        insert(response.headers_mut(), header::ETAG, etag);
        insert(
            response.headers_mut(),
            header::CACHE_CONTROL,
            "private, no-cache",
        );
        response
    })
}

/// Upload `raw` if `session`'s person may fetch it.
async fn readable(
    state: &AppState,
    session: &Session,
    raw: &str,
) -> Result<StoredUpload, ApiError> {
    not_banned(state, session)?;
    let id = UploadId::parse(raw).ok_or_else(not_found)?;
    let upload = state.store.upload(&id).await?.ok_or_else(not_found)?;
    if upload.removed {
        return Err(not_found().into());
    }
    match upload.message {
        // Not sent yet: its uploader's preview only.
        None if upload.owner != session.user_id => Err(not_found().into()),
        None => Ok(upload),
        Some(_) => {
            state.access.check(&session.user_id, &upload.room).await?;
            Ok(upload)
        }
    }
}

/// What of a file a request asks for.
#[derive(Debug, PartialEq, Eq)]
enum Asked {
    /// All of it: no `Range`, several ranges, or another unit.
    Whole,
    /// One span of it, within its size.
    Part(Range<u64>),
    /// A `bytes` range past its end (416).
    PastTheEnd,
}

fn requested_range(headers: &HeaderMap, size: u64) -> Asked {
    let Some(asked) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Asked::Whole;
    };
    let validated = http_range_header::parse_range_header(asked).and_then(|r| r.validate(size));
    match validated {
        Ok(ranges) if ranges.len() == 1 => {
            let range = &ranges[0];
            Asked::Part(*range.start()..range.end() + 1)
        }
        Ok(_) => Asked::Whole,
        Err(_) if asked.trim_start().starts_with("bytes=") && size > 0 => Asked::PastTheEnd,
        Err(_) => Asked::Whole,
    }
}

/// What every served file carries: its type, no sniffing, a policy that runs nothing, and
/// whether a browser shows it or saves it, under its name.
fn file_headers(headers: &mut HeaderMap, content_type: &str, name: &str) {
    insert(headers, header::CONTENT_TYPE, content_type);
    insert(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    insert(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    );
    // Asked again each time (a 304 when unchanged): once its message is deleted, or its
    // reader removed from the room, a file is no longer served from a cache either.
    insert(headers, header::CACHE_CONTROL, "private, no-cache");
    // Never loaded by another site.
    insert(
        headers,
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    let disposition = if shown_inline(content_type) {
        "inline"
    } else {
        "attachment"
    };
    insert(
        headers,
        header::CONTENT_DISPOSITION,
        &format!("{disposition}; {}", disposition_name(name)),
    );
}

/// `filename="…"` (ASCII, quotes and backslashes replaced) and `filename*=UTF-8''…`
/// (RFC 5987), so every browser saves it under its name.
fn disposition_name(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    let encoded =
        percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string();
    format!("filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

fn insert(headers: &mut HeaderMap, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

fn not_found() -> ChatError {
    ChatError::NotFound("There is no such file.".into())
}

fn unavailable(error: crate::server::files::FilesError) -> ApiError {
    if error.is_not_found() {
        tracing::warn!(%error, "a recorded file's bytes are missing");
        return not_found().into();
    }
    tracing::error!(%error, "a file could not be read");
    ChatError::Unavailable.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(value: &str, size: u64) -> Asked {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_str(value).expect("header"));
        requested_range(&headers, size)
    }

    #[test]
    fn one_range_is_served_several_or_another_unit_get_the_whole_and_past_the_end_416() {
        assert_eq!(range("bytes=0-99", 1000), Asked::Part(0..100));
        assert_eq!(range("bytes=900-", 1000), Asked::Part(900..1000));
        assert_eq!(range("bytes=-100", 1000), Asked::Part(900..1000));
        assert_eq!(range("bytes=0-1,5-6", 1000), Asked::Whole);
        assert_eq!(range("items=0-1", 1000), Asked::Whole);
        assert_eq!(range("bytes=5000-", 1000), Asked::PastTheEnd);
    }

    #[test]
    fn a_saved_file_keeps_its_name_and_only_listed_images_show_inline() {
        let mut headers = HeaderMap::new();
        file_headers(&mut headers, "image/svg+xml", "a \"b\" é.svg");
        let disposition = headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("ascii");
        assert!(
            disposition.starts_with("attachment; filename=\"a _b_ _.svg\""),
            "{disposition}"
        );
        assert!(disposition.contains("filename*=UTF-8''a%20%22b%22%20%C3%A9%2Esvg"));
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        file_headers(&mut headers, "image/png", "p.png");
        assert!(headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("ascii")
            .starts_with("inline"));
    }
}
