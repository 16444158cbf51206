//! The error every server function returns, typed so the UI can match on it and the HTTP
//! layer can give it the right status code.

use crate::domain::DomainError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong with a server function call, in words a person can act on.
///
/// Internal failures carry no detail: the server logs the cause once and the browser only
/// learns that it was not its fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ChatError {
    /// The input broke one of the domain rules.
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// The request could not be read at all: a field missing, or a body that is not text.
    #[error("The request could not be read: {0}")]
    Malformed(String),
    /// The store does not answer; trying again later may work.
    #[error("The chat is unavailable right now. Please try again in a moment.")]
    Unavailable,
    /// A bug or an unexpected failure on the server.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The browser could not reach the server (offline, server restarting).
    #[error("Could not reach the server. Check your connection and try again.")]
    Network,
}

impl ChatError {
    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            ChatError::Invalid(_) => 422,
            ChatError::Malformed(_) => 400,
            ChatError::Unavailable => 503,
            ChatError::Internal => 500,
            ChatError::Network => 502,
        }
    }
}

impl FromServerFnError for ChatError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(detail)
            | ServerFnErrorErr::MissingArg(detail)
            | ServerFnErrorErr::Deserialization(detail) => ChatError::Malformed(detail),
            ServerFnErrorErr::Request(_) => ChatError::Network,
            _ => ChatError::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_arguments_are_the_callers_fault() {
        let err = ChatError::from_server_fn_error(ServerFnErrorErr::Args(
            "missing field `body`".into(),
        ));
        assert_eq!(err.status_code(), 400);
        assert!(err.to_string().contains("missing field `body`"));
    }

    #[test]
    fn domain_errors_keep_their_message() {
        let err = ChatError::from(DomainError::EmptyMessage);
        assert_eq!(err.status_code(), 422);
        assert_eq!(err.to_string(), "Write something before sending.");
    }

    #[test]
    fn internal_failures_say_nothing_about_the_backend() {
        let err = ChatError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "database is locked".into(),
        ));
        assert_eq!(err, ChatError::Internal);
        assert!(!err.to_string().contains("database"));
    }
}
