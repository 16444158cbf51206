//! The error every server function returns, typed so the UI can match on it and the HTTP
//! layer can give it the right status code.

use crate::domain::DomainError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong with a server function call, in words a person can act on.
///
/// Internal failures carry no detail: the server logs the cause once and the browser only
/// learns that it was not its fault. On the wire it is `{"error": kind, "message": text}`,
/// so scripts get the same sentence the UI shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(into = "ErrorBody", try_from = "ErrorBody")]
pub enum ChatError {
    /// The input broke one of the domain rules; the text says which.
    #[error("{0}")]
    Invalid(String),
    /// The request could not be read at all: a field missing, or a body that is not text.
    #[error("The request could not be read: {0}")]
    Malformed(String),
    /// The request is not allowed for this person (another user's message, another site).
    #[error("{0}")]
    Forbidden(String),
    /// What the request names does not exist (any more).
    #[error("{0}")]
    NotFound(String),
    /// The request needs someone signed in, or the credentials given are wrong.
    #[error("{0}")]
    Unauthorized(String),
    /// What the request would create exists already (a taken name).
    #[error("{0}")]
    Conflict(String),
    /// The request body was larger than the server accepts.
    #[error("The request is too large: a message may be at most 4,000 characters.")]
    TooLarge,
    /// A file larger than the server keeps; the text says how large one may be.
    #[error("{0}")]
    FileTooLarge(String),
    /// The files the chat keeps have reached their bound: no more are taken for now.
    #[error(
        "The chat has no room for more files right now. Ask its operator, or try again later."
    )]
    StorageFull,
    /// The request body did not arrive in time.
    #[error("The request took too long to arrive. Please try again.")]
    TimedOut,
    /// Too many requests of this kind from this person or address; `retry_after` seconds
    /// from now one will be accepted again.
    #[error("You are going too fast. Please wait {retry_after} s and try again.")]
    RateLimited { retry_after: u32 },
    /// This person or address has as many live connections open as allowed.
    #[error("Too many live connections are open from this browser or network. Close some tabs and try again in {retry_after} s.")]
    TooManyStreams { retry_after: u32 },
    /// The server is at its capacity; another try in `retry_after` seconds may find room.
    #[error("The chat is busy right now. Please try again in {retry_after} s.")]
    Overloaded { retry_after: u32 },
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

impl From<DomainError> for ChatError {
    fn from(error: DomainError) -> Self {
        ChatError::Invalid(error.to_string())
    }
}

/// The JSON form of a `ChatError`.
#[derive(Serialize, Deserialize)]
struct ErrorBody {
    error: String,
    message: String,
    /// Seconds until trying again may succeed (rate limits and capacity only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after: Option<u32>,
}

impl From<ChatError> for ErrorBody {
    fn from(error: ChatError) -> Self {
        ErrorBody {
            error: error.kind().to_owned(),
            message: error.to_string(),
            retry_after: error.retry_after(),
        }
    }
}

impl TryFrom<ErrorBody> for ChatError {
    type Error = String;

    fn try_from(body: ErrorBody) -> Result<Self, String> {
        Ok(match body.error.as_str() {
            "invalid_input" => ChatError::Invalid(body.message),
            "malformed_request" => ChatError::Malformed(
                body.message
                    .strip_prefix("The request could not be read: ")
                    .map(str::to_owned)
                    .unwrap_or(body.message),
            ),
            "forbidden" => ChatError::Forbidden(body.message),
            "not_found" => ChatError::NotFound(body.message),
            "unauthorized" => ChatError::Unauthorized(body.message),
            "conflict" => ChatError::Conflict(body.message),
            "too_large" => ChatError::TooLarge,
            "file_too_large" => ChatError::FileTooLarge(body.message),
            "storage_full" => ChatError::StorageFull,
            "timeout" => ChatError::TimedOut,
            "rate_limited" => ChatError::RateLimited {
                retry_after: body.retry_after.unwrap_or(1),
            },
            "too_many_streams" => ChatError::TooManyStreams {
                retry_after: body.retry_after.unwrap_or(1),
            },
            "overloaded" => ChatError::Overloaded {
                retry_after: body.retry_after.unwrap_or(1),
            },
            "unavailable" => ChatError::Unavailable,
            "internal" => ChatError::Internal,
            "network" => ChatError::Network,
            other => return Err(format!("unknown error kind {other:?}")),
        })
    }
}

impl ChatError {
    /// The refusal of a private room to someone who is not a member, the same for every
    /// such room (it says nothing of the room).
    pub fn private_room() -> Self {
        ChatError::Forbidden("This room is private: only its members can open it.".into())
    }

    /// Its kind on the wire (`"error"` of its JSON).
    pub fn kind(&self) -> &'static str {
        match self {
            ChatError::Invalid(_) => "invalid_input",
            ChatError::Malformed(_) => "malformed_request",
            ChatError::Forbidden(_) => "forbidden",
            ChatError::NotFound(_) => "not_found",
            ChatError::Unauthorized(_) => "unauthorized",
            ChatError::Conflict(_) => "conflict",
            ChatError::TooLarge => "too_large",
            ChatError::FileTooLarge(_) => "file_too_large",
            ChatError::StorageFull => "storage_full",
            ChatError::TimedOut => "timeout",
            ChatError::RateLimited { .. } => "rate_limited",
            ChatError::TooManyStreams { .. } => "too_many_streams",
            ChatError::Overloaded { .. } => "overloaded",
            ChatError::Unavailable => "unavailable",
            ChatError::Internal => "internal",
            ChatError::Network => "network",
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            ChatError::Invalid(_) => 422,
            ChatError::Malformed(_) => 400,
            ChatError::Forbidden(_) => 403,
            ChatError::NotFound(_) => 404,
            ChatError::Unauthorized(_) => 401,
            ChatError::Conflict(_) => 409,
            ChatError::TimedOut => 408,
            ChatError::TooLarge | ChatError::FileTooLarge(_) => 413,
            ChatError::StorageFull => 507,
            ChatError::RateLimited { .. } | ChatError::TooManyStreams { .. } => 429,
            ChatError::Overloaded { .. } => 503,
            ChatError::Unavailable => 503,
            ChatError::Internal => 500,
            ChatError::Network => 502,
        }
    }
}

impl ChatError {
    /// Why the request was refused, as the `reason` of the rejected-requests metric; `None`
    /// when the server failed rather than refused (counted as a store error).
    pub fn rejection(&self) -> Option<&'static str> {
        match self {
            ChatError::Invalid(_)
            | ChatError::Malformed(_)
            | ChatError::TimedOut
            | ChatError::TooLarge
            | ChatError::FileTooLarge(_) => Some("bad_input"),
            ChatError::StorageFull => Some("storage_full"),
            ChatError::Forbidden(_) => Some("forbidden"),
            ChatError::NotFound(_) => Some("not_found"),
            ChatError::Unauthorized(_) => Some("unauthorized"),
            ChatError::Conflict(_) => Some("conflict"),
            ChatError::RateLimited { .. } => Some("rate_limit"),
            ChatError::TooManyStreams { .. } => Some("too_many_streams"),
            ChatError::Overloaded { .. } => Some("overloaded"),
            ChatError::Unavailable | ChatError::Internal | ChatError::Network => None,
        }
    }

    /// Seconds until the same request may be accepted, for a `Retry-After` header.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            ChatError::RateLimited { retry_after }
            | ChatError::TooManyStreams { retry_after }
            | ChatError::Overloaded { retry_after } => Some(*retry_after),
            _ => None,
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
        let err =
            ChatError::from_server_fn_error(ServerFnErrorErr::Args("missing field `body`".into()));
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
    fn the_wire_form_carries_the_sentence_and_round_trips() {
        let err = ChatError::from(DomainError::EmptyMessage);
        let json = serde_json::to_string(&err).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"error":"invalid_input","message":"Write something before sending."}"#
        );
        assert_eq!(serde_json::from_str::<ChatError>(&json).ok(), Some(err));
        let malformed = ChatError::Malformed("missing field `room`".into());
        let json = serde_json::to_string(&malformed).unwrap_or_default();
        assert_eq!(
            serde_json::from_str::<ChatError>(&json).ok(),
            Some(malformed)
        );
    }

    #[test]
    fn a_rate_limit_says_when_to_try_again_and_round_trips() {
        let err = ChatError::RateLimited { retry_after: 3 };
        assert_eq!(err.status_code(), 429);
        let json = serde_json::to_string(&err).unwrap_or_default();
        assert!(json.contains(r#""retry_after":3"#), "{json}");
        assert!(err.to_string().contains("3 s"));
        assert_eq!(serde_json::from_str::<ChatError>(&json).ok(), Some(err));
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
