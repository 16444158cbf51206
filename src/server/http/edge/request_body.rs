//! Reads every request body whole before any handler sees it, within a size limit and a
//! deadline, so each way a body can go wrong gets its own answer: over the limit 413 (also a
//! chunked body with no `Content-Length`), too slow 408, unreadable 400 — each as the usual
//! `{"error", "message"}` JSON. Bodies here are small forms (at most 64 KiB), so holding one
//! in memory costs less than a slow client holding a handler. An upload's body is the one
//! exception ([`STREAMED`]): its route reads it as it arrives, under limits of its own.

use crate::error::ChatError;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use std::time::Duration;

/// How large and how slow a body may be.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub max_bytes: usize,
    pub timeout: Duration,
}

/// The routes whose bodies are streamed to their handler instead.
pub const STREAMED: [&str; 1] = [crate::domain::UPLOAD_PATH];

/// Middleware (`from_fn_with_state`) over the whole router.
pub async fn read_whole(
    State(limits): State<BodyLimits>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || STREAMED.contains(&request.uri().path())
    {
        return next.run(request).await;
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limits.max_bytes) {
        return ChatError::TooLarge.into_response();
    }
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(limits.timeout, collect(body, limits.max_bytes)).await;
    match read {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(error)) => error.into_response(),
        Err(_) => {
            tracing::info!(path = %parts.uri.path(), "request body too slow");
            ChatError::TimedOut.into_response()
        }
    }
}

async fn collect(body: Body, max_bytes: usize) -> Result<Bytes, ChatError> {
    let mut stream = body.into_data_stream();
    let mut collected = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|_| ChatError::Malformed("the request body was cut off".into()))?;
        if collected.len() + chunk.len() > max_bytes {
            return Err(ChatError::TooLarge);
        }
        collected.extend_from_slice(&chunk);
    }
    Ok(collected.into())
}
