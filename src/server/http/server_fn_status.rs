//! Gives failed server-function calls the status their error deserves.
//!
//! server_fn answers every error with 500, including arguments it could not read, before our
//! code runs. This layer reads the `ChatError` back from the body and uses its own status
//! code (and `Retry-After` where waiting helps), so a missing field is a 400, a rule broken
//! a 422 and a rate limit a 429, in one place.

use crate::error::ChatError;
use crate::server::metrics::Rejected;
use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

/// Error bodies are small JSON values; anything bigger is not ours to rewrite.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Middleware (`axum::middleware::map_response`) over the whole router.
pub async fn set_error_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<ChatError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(secs) = error.retry_after() {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(reason) = error.rejection() {
            parts.extensions.insert(Rejected(reason));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
