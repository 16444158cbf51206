//! An event stream answered on its connection's socket, without hyper (`first_request.rs`
//! says when): the router answers the request as it answers any other, through every
//! middleware; its head is written here, then each piece of its body as it comes (chunked),
//! with nothing kept beyond the piece being written. The head says the connection closes,
//! and it does once the body ends. A client that closes, or sends anything more, ends it.

use super::outgoing::{head, Framing, Out};
use axum::body::{Body, Bytes, HttpBody};
use axum::http::{header, Request, Version};
use axum::response::Response;
use axum::Router;
use std::convert::Infallible;
use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tower::ServiceExt;

/// Answers `request` (read by `first_request.rs`) on `io` through `router`, then closes `io`.
///
/// The router's answer is awaited in a box of its own: the future a stream's task keeps
/// holds only the socket and the body, not the middleware's states it went through.
pub fn serve<S>(
    mut io: S,
    request: Request<Body>,
    router: Router,
) -> impl Future<Output = io::Result<()>> + Send
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let version = request.version();
    let answering = Box::pin(router.oneshot(request));
    async move {
        let answer = answering
            .await
            .unwrap_or_else(|never: Infallible| match never {});
        let mut sending = Sending::new(&mut io, version, answer);
        poll_fn(|cx| sending.poll(cx)).await?;
        // The body (the stream, and what it holds) goes before the goodbye.
        drop(sending);
        io.shutdown().await
    }
}

/// The body being written.
struct Sending<'a, S> {
    io: &'a mut S,
    body: Body,
    framing: Framing,
    /// What a `Content-Length` body has still to carry.
    length_left: u64,
    out: Out,
    /// The body has ended (what ends it may still be in `out`).
    ended: bool,
}

impl<'a, S> Sending<'a, S> {
    /// The answer's head queued, its body to follow.
    fn new(io: &'a mut S, version: Version, answer: Response) -> Self {
        let (parts, body) = answer.into_parts();
        let framing = Framing::of(version, &parts);
        let length_left = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|length| length.to_str().ok()?.parse().ok())
            .unwrap_or(0);
        Self {
            io,
            body,
            framing,
            length_left,
            out: Out::head(head(version, &parts, framing)),
            ended: framing == Framing::None,
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Sending<'_, S> {
    /// Writes what there is, then the body's next piece, until the body ends.
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            self.poll_client(cx)?;
            if !self.out.is_empty() {
                let written =
                    ready!(Pin::new(&mut *self.io).poll_write_vectored(cx, &self.out.slices()))?;
                if written == 0 {
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                self.out.advance(written);
                continue;
            }
            ready!(Pin::new(&mut *self.io).poll_flush(cx))?;
            if self.ended {
                return Poll::Ready(Ok(()));
            }
            match ready!(Pin::new(&mut self.body).poll_frame(cx)) {
                Some(Ok(frame)) => {
                    if let Ok(piece) = frame.into_data() {
                        self.take(piece)?;
                    }
                }
                Some(Err(error)) => return Poll::Ready(Err(io::Error::other(error))),
                None if self.framing == Framing::Length && self.length_left > 0 => {
                    return Poll::Ready(Err(io::Error::other(
                        "the body ended short of its length",
                    )));
                }
                None => {
                    self.out.end(self.framing);
                    self.ended = true;
                }
            }
        }
    }

    /// Queues the body's next piece; an error if it runs past the length the head said.
    fn take(&mut self, piece: Bytes) -> io::Result<()> {
        if self.framing == Framing::Length {
            let length = u64::try_from(piece.len()).unwrap_or(u64::MAX);
            self.length_left = self
                .length_left
                .checked_sub(length)
                .ok_or_else(|| io::Error::other("the body ran past its length"))?;
        }
        self.out.piece(piece, self.framing);
        Ok(())
    }

    /// An error once the client has closed its side or sent more (it was told the
    /// connection closes after this answer); watches it otherwise.
    fn poll_client(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        let mut scratch = [0u8; 16];
        let mut read = ReadBuf::new(&mut scratch);
        match Pin::new(&mut *self.io).poll_read(cx, &mut read) {
            Poll::Pending => Ok(()),
            Poll::Ready(Ok(())) if read.filled().is_empty() => Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the client closed the connection",
            )),
            Poll::Ready(Ok(())) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the client sent more on a connection that closes after its answer",
            )),
            Poll::Ready(Err(error)) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tokio::io::AsyncReadExt;

    /// The raw answer of `router` to a `GET /` over HTTP/`version`.
    async fn raw_answer(router: Router, version: Version) -> String {
        let (mut client, server) = tokio::io::duplex(4);
        let request = Request::get("/")
            .version(version)
            .body(Body::empty())
            .expect("request");
        let serving = tokio::spawn(serve(server, request, router));
        let mut answer = String::new();
        client.read_to_string(&mut answer).await.expect("read");
        serving.await.expect("join").expect("served");
        answer
    }

    fn pieces() -> Router {
        Router::new().route(
            "/",
            get(|| async {
                let pieces = ["a".repeat(17), String::new(), "bc".into()];
                Body::from_stream(futures::stream::iter(pieces.map(Ok::<_, Infallible>)))
            }),
        )
    }

    #[tokio::test]
    async fn a_body_of_pieces_goes_out_chunked_and_the_connection_closes_after_it() {
        let answer = raw_answer(pieces(), Version::HTTP_11).await;
        let (head, body) = answer.split_once("\r\n\r\n").expect("a head");
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head.contains("transfer-encoding: chunked"), "{head}");
        assert!(head.contains("connection: close"), "{head}");
        assert!(head.contains("date: "), "{head}");
        assert_eq!(
            body,
            format!("11\r\n{}\r\n2\r\nbc\r\n0\r\n\r\n", "a".repeat(17))
        );
    }

    #[tokio::test]
    async fn over_http_1_0_the_body_ends_where_the_connection_does() {
        let answer = raw_answer(pieces(), Version::HTTP_10).await;
        let (head, body) = answer.split_once("\r\n\r\n").expect("a head");
        assert!(head.starts_with("HTTP/1.0 200 OK\r\n"), "{head}");
        assert!(!head.contains("transfer-encoding"), "{head}");
        assert_eq!(body, format!("{}bc", "a".repeat(17)));
    }

    #[tokio::test]
    async fn an_answer_of_known_length_keeps_it() {
        let router = Router::new().route(
            "/",
            get(|| async { (axum::http::StatusCode::FORBIDDEN, "no") }),
        );
        let answer = raw_answer(router, Version::HTTP_11).await;
        assert!(answer.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{answer}");
        assert!(answer.contains("content-length: 2\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\nno"), "{answer}");
    }

    #[tokio::test]
    async fn a_body_longer_than_its_length_is_cut_off_there() {
        let router = Router::new().route(
            "/",
            get(|| async {
                let mut answer = Response::new(Body::from("far too long"));
                answer.headers_mut().insert(
                    header::CONTENT_LENGTH,
                    header::HeaderValue::from_static("3"),
                );
                answer
            }),
        );
        let (mut client, server) = tokio::io::duplex(1024);
        let request = Request::get("/").body(Body::empty()).expect("request");
        let served = serve(server, request, router).await;
        assert!(served.is_err(), "{served:?}");
        drop(served);
        let mut answer = String::new();
        client.read_to_string(&mut answer).await.expect("read");
        assert!(!answer.contains("far"), "{answer}");
    }

    #[tokio::test]
    async fn a_client_that_closes_ends_a_body_that_never_ends() {
        let router = Router::new().route(
            "/",
            get(|| async {
                Body::from_stream(futures::stream::pending::<Result<Bytes, Infallible>>())
            }),
        );
        let (mut client, server) = tokio::io::duplex(1024);
        let request = Request::get("/").body(Body::empty()).expect("request");
        let serving = tokio::spawn(serve(server, request, router));
        let mut head = [0u8; 64];
        let n = client.read(&mut head).await.expect("read");
        assert!(head[..n].starts_with(b"HTTP/1.1 200 OK"));
        drop(client);
        let ended = tokio::time::timeout(std::time::Duration::from_secs(5), serving)
            .await
            .expect("the stream ended when its client left")
            .expect("join");
        assert!(ended.is_err());
    }
}
