//! The first request of a new HTTP/1 connection, read before hyper is given the connection.
//!
//! An event stream is most of what a node holds open, and hyper keeps two buffers of 8 KiB
//! for every connection it serves (one to read into, one to write from) for as long as the
//! connection lives. So when the first request is a plain `GET` of an event stream, the
//! connection is not given to hyper: `direct_stream.rs` answers it on the socket and closes
//! it when the stream ends. Anything else (and an event stream asked for later on a
//! connection kept alive, which hyper reads itself) goes to hyper with the bytes read so far.

use super::rewind::Rewind;
use crate::server::streams::WRITE_BYTES;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderName, HeaderValue, Method, Request, Uri, Version};
use bytes::BytesMut;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// The longest head read here, and the most header lines: hyper's own limits (its read
/// buffer's most, set in `serve.rs`, and its default), so that a head too large or too long
/// here is refused by hyper at once, from the bytes read here, not after a wait of its own.
const HEAD_BYTES: usize = WRITE_BYTES;
const HEAD_LINES: usize = 100;
/// What one read asks the socket for; a browser's request head fits.
const READ_BYTES: usize = 2048;

/// What the first request on a connection is.
pub enum FirstRequest<S> {
    /// A `GET` of an event stream, its head read whole and nothing after it.
    EventStream(S, Box<Request<Body>>),
    /// Anything else: hyper reads it, the bytes read here first.
    Other(Rewind<S>),
    /// The client closed, failed, or sent no whole head within the time allowed.
    Gone,
}

/// Reads the first request's head from `io`, for at most `timeout`: only as much as it
/// takes to tell whether it is a stream's; anything else goes to hyper as soon as its
/// request line shows it.
pub async fn read<S: AsyncRead + Unpin>(
    mut io: S,
    peer: SocketAddr,
    timeout: Duration,
) -> FirstRequest<S> {
    let mut read = BytesMut::with_capacity(READ_BYTES);
    let sorted = tokio::time::timeout(timeout, async {
        loop {
            if read.capacity() - read.len() < READ_BYTES / 4 {
                read.reserve(READ_BYTES);
            }
            match io.read_buf(&mut read).await {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
            match sort(&read, peer) {
                Sorted::Unknown if read.len() < HEAD_BYTES => continue,
                Sorted::Unknown | Sorted::Other => return Some(None),
                Sorted::EventStream(request) => return Some(Some(request)),
            }
        }
    })
    .await;
    match sorted {
        Ok(Some(Some(request))) => FirstRequest::EventStream(io, request),
        Ok(Some(None)) => FirstRequest::Other(Rewind::new(read.freeze(), io)),
        Ok(None) | Err(_) => FirstRequest::Gone,
    }
}

enum Sorted {
    /// Not enough read yet to tell.
    Unknown,
    Other,
    EventStream(Box<Request<Body>>),
}

/// What `read` (the bytes so far) is.
fn sort(read: &[u8], peer: SocketAddr) -> Sorted {
    // Most requests are told apart by their first bytes, the rest by their request line.
    let begins = &STREAM_PATHS_BEGIN[..read.len().min(STREAM_PATHS_BEGIN.len())];
    if !read.starts_with(begins) {
        return Sorted::Other;
    }
    if let Some(end) = read.iter().position(|&byte| byte == b'\n') {
        if !is_stream_request_line(&read[..end]) {
            return Sorted::Other;
        }
    }
    let mut lines = [httparse::EMPTY_HEADER; HEAD_LINES];
    let mut head = httparse::Request::new(&mut lines);
    match head.parse(read) {
        Ok(httparse::Status::Partial) => Sorted::Unknown,
        // Something follows the head (a body, a pipelined request): hyper's.
        Ok(httparse::Status::Complete(length)) if length != read.len() => Sorted::Other,
        Ok(httparse::Status::Complete(_)) => match stream_request(&head, peer) {
            Some(request) => Sorted::EventStream(Box::new(request)),
            None => Sorted::Other,
        },
        // Malformed, or too many lines: hyper answers it.
        Err(_) => Sorted::Other,
    }
}

/// How every stream's request line begins.
const STREAM_PATHS_BEGIN: &[u8] = b"GET /api/";

/// `GET /api/events…` or `GET /api/rooms/{room}/events…`, over HTTP/1.x.
fn is_stream_request_line(line: &[u8]) -> bool {
    let Some(target) = line.strip_prefix(b"GET ") else {
        return false;
    };
    let path = target
        .split(|&byte| byte == b' ' || byte == b'?')
        .next()
        .unwrap_or_default();
    if path == b"/api/events" {
        return true;
    }
    path.strip_prefix(b"/api/rooms/")
        .and_then(|rest| rest.strip_suffix(b"/events"))
        .is_some_and(|room| !room.is_empty() && !room.contains(&b'/'))
}

/// The request as the router takes it, unless something in it is for hyper to handle: a
/// body, an upgrade, an `Expect`, a header that is not valid.
fn stream_request(head: &httparse::Request<'_, '_>, peer: SocketAddr) -> Option<Request<Body>> {
    let version = match head.version? {
        0 => Version::HTTP_10,
        1 => Version::HTTP_11,
        _ => return None,
    };
    let uri: Uri = head.path?.parse().ok()?;
    let mut request = Request::builder()
        .method(Method::GET)
        .uri(uri)
        .version(version)
        .body(Body::empty())
        .ok()?;
    let headers = request.headers_mut();
    for line in head.headers.iter() {
        let name = HeaderName::from_bytes(line.name.as_bytes()).ok()?;
        if is_for_hyper(&name) {
            return None;
        }
        headers.append(name, HeaderValue::from_bytes(line.value).ok()?);
    }
    request.extensions_mut().insert(ConnectInfo(peer));
    Some(request)
}

/// Headers that ask for more than a stream's plain `GET`.
fn is_for_hyper(name: &HeaderName) -> bool {
    use axum::http::header::{CONTENT_LENGTH, EXPECT, TRANSFER_ENCODING, UPGRADE};
    [CONTENT_LENGTH, TRANSFER_ENCODING, UPGRADE, EXPECT].contains(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEER: SocketAddr =
        SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 40000);

    fn sorted(head: &str) -> &'static str {
        match sort(head.as_bytes(), PEER) {
            Sorted::Unknown => "unknown",
            Sorted::Other => "other",
            Sorted::EventStream(_) => "stream",
        }
    }

    #[test]
    fn a_stream_s_get_is_told_once_its_head_is_whole() {
        let head = "GET /api/rooms/lobby/events?after=3 HTTP/1.1\r\nHost: chat\r\nAccept: text/event-stream\r\n\r\n";
        assert_eq!(sorted(head), "stream");
        assert_eq!(sorted(&head[..head.len() - 2]), "unknown");
        assert_eq!(sorted("GET /api/rooms/lo"), "unknown");
        assert_eq!(sorted("GET /api/events HTTP/1.0\r\n\r\n"), "stream");
    }

    #[test]
    fn anything_else_goes_to_hyper_as_soon_as_its_request_line_shows_it() {
        assert_eq!(sorted("GET / HTTP/1.1\r\nHost: ch"), "other");
        assert_eq!(sorted("POST"), "other");
        assert_eq!(sorted("GET /index"), "other");
        assert_eq!(sorted("GET /ap"), "unknown");
        assert_eq!(sorted("POST /api/events HTTP/1.1\r\n"), "other");
        assert_eq!(sorted("GET /api/rooms/a/b/events HTTP/1.1\r\n"), "other");
        assert_eq!(sorted("GET /api/rooms//events HTTP/1.1\r\n"), "other");
        assert_eq!(sorted("GET /api/rooms/lobby/export HTTP/1.1\r\n"), "other");
        assert_eq!(sorted("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), "other");
    }

    #[test]
    fn a_stream_s_get_asking_for_more_than_a_get_goes_to_hyper() {
        for extra in [
            "Content-Length: 3\r\n\r\nabc",
            "Content-Length: 0\r\n\r\n",
            "Transfer-Encoding: chunked\r\n\r\n",
            "Upgrade: websocket\r\n\r\n",
            "Expect: 100-continue\r\n\r\n",
            "\r\nGET / HTTP/1.1\r\n\r\n",
            "Bad Header: x\r\n\r\n",
        ] {
            let head = format!("GET /api/events HTTP/1.1\r\nHost: chat\r\n{extra}");
            assert_eq!(sorted(&head), "other", "{extra:?}");
        }
    }

    #[test]
    fn the_request_keeps_its_target_headers_and_peer() {
        let head = b"GET /api/events?rooms=a,b HTTP/1.1\r\nHost: chat\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n";
        let Sorted::EventStream(request) = sort(head, PEER) else {
            panic!("not a stream");
        };
        assert_eq!(request.uri(), "/api/events?rooms=a,b");
        assert_eq!(request.version(), Version::HTTP_11);
        assert_eq!(request.headers().get_all("cookie").iter().count(), 2);
        assert_eq!(
            request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
            Some(PEER)
        );
    }
}
