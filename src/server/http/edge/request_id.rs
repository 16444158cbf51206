//! A request id on every request: the client's `x-request-id` when it sent a short, plain
//! one (a proxy's, say), else a new UUID. It is in the span of every log line of that
//! request (`request_id`) and in the response's `x-request-id`, so an operator can find a
//! person's request in the logs.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

pub const HEADER: &str = "x-request-id";

/// The longest id kept from a client.
const MAX_LEN: usize = 64;

/// Drops a client's id that is too long or holds more than letters, digits and `-_.:`,
/// so that what reaches the logs is a plain token (a new id is made instead).
pub async fn keep_only_plain(mut request: Request, next: Next) -> Response {
    let plain = request.headers().get(HEADER).is_none_or(is_plain);
    if !plain {
        request.headers_mut().remove(HEADER);
    }
    next.run(request).await
}

fn is_plain(id: &HeaderValue) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_LEN
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
}

/// The id of `request`, for its span (empty if none, which the layers prevent).
pub fn of<B>(request: &axum::http::Request<B>) -> &str {
    request
        .headers()
        .get(HEADER)
        .and_then(|id| id.to_str().ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_tokens_are_kept() {
        for kept in [
            "abc-123",
            "7f0c1a2e-9d3b-4f5e-8a6b-1c2d3e4f5a6b",
            "lb:42.7_x",
        ] {
            assert!(is_plain(&HeaderValue::from_static(kept)), "{kept}");
        }
        let long = "a".repeat(65);
        for dropped in ["", "a b", "a\"b", "{\"json\":1}", long.as_str()] {
            let value = HeaderValue::from_str(dropped).expect("a header value");
            assert!(!is_plain(&value), "{dropped}");
        }
    }
}
