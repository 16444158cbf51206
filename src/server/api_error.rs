//! The error of the plain axum routes (SSE, health): user errors keep their 4xx and message,
//! internal ones are logged once and answered with a generic text.

use crate::domain::DomainError;
use crate::server::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Everything a plain route can answer with instead of success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error("{0} must be the number of the last event received (a whole number ≥ 0).")]
    BadCursor(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, text) = match &self {
            ApiError::Invalid(_) | ApiError::BadCursor(_) => {
                (StatusCode::BAD_REQUEST, self.to_string())
            }
            ApiError::Store(StoreError::Unavailable(_)) => {
                tracing::warn!(error = %self, "store unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The chat is unavailable right now. Please try again in a moment.".to_owned(),
                )
            }
            ApiError::Store(StoreError::Failed(_)) => {
                tracing::error!(error = %self, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on our side. Please try again.".to_owned(),
                )
            }
        };
        (status, text).into_response()
    }
}
