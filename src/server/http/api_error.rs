//! Errors as HTTP answers. Every error the server answers itself (plain routes such as the
//! SSE feed, and the HTTP layer: body limits, rate limits, cross-site refusals) is the same
//! `{"error": kind, "message": sentence}` JSON that server functions answer, with
//! `Retry-After` where waiting helps. Internal causes are logged once, never sent.

use crate::domain::DomainError;
use crate::error::ChatError;
use crate::server::metrics::Rejected;
use crate::server::store::StoreError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

impl IntoResponse for ChatError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        json_error(status, &self)
    }
}

fn json_error(status: StatusCode, error: &ChatError) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(error).unwrap_or_default(),
    )
        .into_response();
    if let Some(secs) = error.retry_after() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    if let Some(reason) = error.rejection() {
        response.extensions_mut().insert(Rejected(reason));
    }
    response
}

/// Everything a plain route can answer with instead of success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error("{0} must be the number of the last event received (a whole number ≥ 0).")]
    BadCursor(&'static str),
    /// The rooms of a browser-wide stream: none, one twice, or too many.
    #[error("{0}")]
    BadRooms(String),
    /// Another query parameter that is not one of its allowed values.
    #[error("{0}")]
    BadQuery(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Refused(#[from] ChatError),
}

impl ApiError {
    /// The refusal as the chat's error (a store failure is logged by the conversion).
    pub fn into_chat_error(self) -> ChatError {
        match self {
            ApiError::Invalid(_)
            | ApiError::BadCursor(_)
            | ApiError::BadRooms(_)
            | ApiError::BadQuery(_) => ChatError::Invalid(self.to_string()),
            ApiError::Store(error) => error.into(),
            ApiError::Refused(error) => error,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            // A bad room name or cursor in the URL: the request itself is wrong.
            ApiError::Invalid(_)
            | ApiError::BadCursor(_)
            | ApiError::BadRooms(_)
            | ApiError::BadQuery(_) => json_error(
                StatusCode::BAD_REQUEST,
                &ChatError::Invalid(self.to_string()),
            ),
            // Logged once by the conversion.
            ApiError::Store(error) => ChatError::from(error).into_response(),
            ApiError::Refused(error) => error.into_response(),
        }
    }
}
