//! Compression of what the node answers: brotli or gzip, whichever the browser accepts, for
//! pages, JSON, exports and files. Not for event streams: each would keep a compressor of
//! its own, hundreds of KiB, and compress every event once per stream (docs/benchmarks.md);
//! their routes are not even inside the layer, whose body wrapper alone costs a stream
//! 5.7 KiB (`startup/router.rs`). Text only: not images, archives or other files that are
//! compressed already (precompressed assets carry their `Content-Encoding`), nor bodies too
//! small to gain.
//!
//! Nor for a response that carries a secret next to text someone else chose: a private room's
//! invite link on the page of its messages, an invitation or a device link. Compressed, its
//! length tells whoever can watch the traffic when their guess of the secret matches (BREACH).
//! Such a response is marked ([`carries_secret`], [`mark_secret`]); the mark keeps it
//! uncompressed and is removed before it leaves ([`drop_mark`]).

use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// The mark of a response that must stay uncompressed. Never sent.
const SECRET: HeaderName = HeaderName::from_static("x-chat-carries-secret");

/// Brotli's level for answers made on the fly: 4 compresses a page nearly as well as 11 at a
/// small part of the CPU (the static assets are compressed once, at build time, at 11).
const LEVEL: i32 = 4;

/// Compressing layer: text only (below), nothing under 32 bytes, nothing encoded already,
/// and no response marked as carrying a secret.
pub fn layer() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Precise(LEVEL))
        .compress_when(SizeAbove::new(32).and(Text).and(NoSecret))
}

/// Text: pages, styles, scripts, JSON (and JSON lines), XML, Markdown, plain text. Files
/// of other kinds (archives, PDFs, video, images) are mostly compressed already: another
/// pass would spend the CPU for nothing, on files anyone may upload.
#[derive(Clone, Copy)]
struct Text;

impl Predicate for Text {
    fn should_compress<B>(&self, response: &axum::http::Response<B>) -> bool
    where
        B: axum::body::HttpBody,
    {
        let Some(kind) = response
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|kind| kind.to_str().ok())
        else {
            return false;
        };
        let kind = kind.to_ascii_lowercase();
        (kind.starts_with("text/") && !kind.starts_with("text/event-stream"))
            || ["json", "javascript", "xml"]
                .iter()
                .any(|text| kind.contains(text))
    }
}

#[derive(Clone, Copy)]
struct NoSecret;

impl Predicate for NoSecret {
    fn should_compress<B>(&self, response: &axum::http::Response<B>) -> bool
    where
        B: axum::body::HttpBody,
    {
        !response.headers().contains_key(SECRET)
    }
}

/// Marks the response of the page or server function being answered (Leptos' response
/// options) as carrying a secret.
pub fn carries_secret() {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(SECRET, HeaderValue::from_static("1"));
    }
}

/// `response`, marked as carrying a secret.
pub fn mark_secret(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(SECRET, HeaderValue::from_static("1"));
    response
}

/// Removes the mark before the response leaves (outside the compressing layer).
pub async fn drop_mark(mut response: Response) -> Response {
    response.headers_mut().remove(SECRET);
    response
}
