//! `GET /metrics`, in Prometheus' text format, and every metric's name and meaning in one
//! place. The rest of the server records through the functions here, never by name.
//!
//! | metric | type | what |
//! |---|---|---|
//! | `chat_open_streams{transport}` | gauge | open SSE streams: `room` (`/api/rooms/{room}/events`) or `browser` (`/api/events`) |
//! | `chat_events_delivered_total` | counter | events handed to open streams (one per stream per event) |
//! | `chat_store_catchups_total` | counter | streams that fell behind live and caught up from the store |
//! | `chat_send_seconds` | histogram | how long a send took to be stored, from the server function's start |
//! | `chat_rejected_requests_total{reason}` | counter | refused requests: `bad_input`, `rate_limit`, `too_many_streams`, `overloaded`, `forbidden`, `not_found`, `origin` |
//! | `chat_store_errors_total` | counter | store operations that failed (unavailable or failed) |
//! | `chat_relay_reconnects_total` | counter | times the Redis relay lost its subscription and connected again |
//! | `chat_presence_flushes_total` | counter | presence flushes (one per `presence_interval`) |
//! | `chat_uploads_total` | counter | files uploaded and kept |
//! | `chat_upload_bytes_total` | counter | their bytes |
//! | `chat_files_removed_total` | counter | files whose bytes were removed (their message deleted, or never sent) |
//! | `chat_pushes_total{outcome}` | counter | Web Push messages: `sent`, `gone` (the subscription was removed), `failed` (given up after retries), `dropped` (the queue was full) |

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

const OPEN_STREAMS: &str = "chat_open_streams";
const DELIVERED: &str = "chat_events_delivered_total";
const CATCHUPS: &str = "chat_store_catchups_total";
const SEND_SECONDS: &str = "chat_send_seconds";
const REJECTED: &str = "chat_rejected_requests_total";
const STORE_ERRORS: &str = "chat_store_errors_total";
const RELAY_RECONNECTS: &str = "chat_relay_reconnects_total";
const PRESENCE_FLUSHES: &str = "chat_presence_flushes_total";
const UPLOADS: &str = "chat_uploads_total";
const UPLOAD_BYTES: &str = "chat_upload_bytes_total";
const FILES_REMOVED: &str = "chat_files_removed_total";
const PUSHES: &str = "chat_pushes_total";

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process' recorder, installed on first use (every node in one process shares it:
/// the integration tests run many).
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(SEND_SECONDS.to_owned()),
                &[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
                ],
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed: /metrics stays empty");
        }
        describe();
        handle
    })
}

fn describe() {
    describe_gauge!(
        OPEN_STREAMS,
        "Open SSE streams, by transport (room, browser)."
    );
    describe_counter!(DELIVERED, "Events handed to open streams.");
    describe_counter!(
        CATCHUPS,
        "Streams that fell behind and caught up from the store."
    );
    describe_histogram!(
        SEND_SECONDS,
        metrics::Unit::Seconds,
        "Time to store a sent message."
    );
    describe_counter!(REJECTED, "Refused requests, by reason.");
    describe_counter!(STORE_ERRORS, "Store operations that failed.");
    describe_counter!(RELAY_RECONNECTS, "Redis relay reconnections.");
    describe_counter!(PRESENCE_FLUSHES, "Presence flushes.");
    describe_counter!(UPLOADS, "Files uploaded and kept.");
    describe_counter!(UPLOAD_BYTES, "Bytes of the files uploaded and kept.");
    describe_counter!(FILES_REMOVED, "Files whose bytes were removed.");
    describe_counter!(PUSHES, "Web Push messages, by outcome.");
}

/// `GET /metrics`.
pub async fn render() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
        .into_response()
}

/// Which endpoint a stream came through.
#[derive(Debug, Clone, Copy)]
pub enum Transport {
    Room,
    Browser,
}

/// Counts a stream as open until dropped.
#[derive(Debug)]
pub struct OpenStream(Transport);

impl OpenStream {
    pub fn new(transport: Transport) -> Self {
        gauge!(OPEN_STREAMS, "transport" => transport.label()).increment(1.0);
        Self(transport)
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        gauge!(OPEN_STREAMS, "transport" => self.0.label()).decrement(1.0);
    }
}

impl Transport {
    fn label(self) -> &'static str {
        match self {
            Transport::Room => "room",
            Transport::Browser => "browser",
        }
    }
}

/// An event was handed to `streams` open streams.
pub fn delivered(streams: usize) {
    if streams > 0 {
        counter!(DELIVERED).increment(streams as u64);
    }
}

pub fn caught_up_from_store() {
    counter!(CATCHUPS).increment(1);
}

pub fn send_took(took: Duration) {
    histogram!(SEND_SECONDS).record(took.as_secs_f64());
}

pub fn upload_kept(bytes: u64) {
    counter!(UPLOADS).increment(1);
    counter!(UPLOAD_BYTES).increment(bytes);
}

/// What became of a Web Push message.
#[derive(Debug, Clone, Copy)]
pub enum PushOutcome {
    Sent,
    Gone,
    Failed,
    Dropped,
}

pub fn push(outcome: PushOutcome) {
    let outcome = match outcome {
        PushOutcome::Sent => "sent",
        PushOutcome::Gone => "gone",
        PushOutcome::Failed => "failed",
        PushOutcome::Dropped => "dropped",
    };
    counter!(PUSHES, "outcome" => outcome).increment(1);
}

pub fn file_removed() {
    counter!(FILES_REMOVED).increment(1);
}

pub fn store_error() {
    counter!(STORE_ERRORS).increment(1);
}

pub fn relay_reconnected() {
    counter!(RELAY_RECONNECTS).increment(1);
}

pub fn presence_flushed() {
    counter!(PRESENCE_FLUSHES).increment(1);
}

/// Why a response refused its request, put in the response's extensions where the refusal
/// is made; counted once, by `count_rejections`.
#[derive(Debug, Clone, Copy)]
pub struct Rejected(pub &'static str);

/// Middleware over the whole router: counts each refused request by its reason.
pub async fn count_rejections(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if let Some(Rejected(reason)) = response.extensions().get::<Rejected>() {
        counter!(REJECTED, "reason" => *reason).increment(1);
    }
    response
}
