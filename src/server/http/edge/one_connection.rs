//! One connection's life, in two phases: opening (the TLS handshake, if any, and for
//! HTTP/1 the first request's head, read by `first_request.rs`), then serving (an event
//! stream answered on the socket by `direct_stream.rs`, or hyper's HTTP/1 or HTTP/2).
//!
//! Each phase is a future boxed on its own: a task's memory is the size of its largest
//! state for as long as it lives, and an event stream lives for hours, so what a stream
//! holds must not be sized by a TLS handshake or a request head it has long finished with.

use crate::server::http::edge::connections::Activity;
use crate::server::http::edge::direct_stream;
use crate::server::http::edge::first_request::{self, FirstRequest};
use crate::server::http::edge::stall_guard::StallGuard;
use crate::server::http::edge::tls::H2;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::response::Response;
use axum::Router;
use futures::TryFutureExt;
use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper::service::Service;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::graceful::GracefulConnection;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// What every connection of a node is served with.
pub struct Node {
    pub router: Router,
    pub http1: http1::Builder,
    pub http2: http2::Builder<TokioExecutor>,
    /// How long the TLS handshake, and then the first request's head, may take.
    pub header_read_timeout: Duration,
    /// An HTTP/2 connection with nothing under way this long is closed.
    pub idle_timeout: Duration,
    /// Cancelled when the node shuts down: each connection is then asked to finish.
    pub shutdown: CancellationToken,
}

/// A connection's second phase.
type Serving = Pin<Box<dyn Future<Output = ()> + Send>>;

impl Node {
    /// Serves `io` from `peer` (over TLS with `tls`) to its end.
    pub async fn serve(
        self: Arc<Self>,
        io: StallGuard<TcpStream>,
        peer: SocketAddr,
        tls: Option<TlsAcceptor>,
    ) {
        let opened = Box::pin(self.open(io, peer, tls)).await;
        if let Some(serving) = opened {
            serving.await;
        }
    }

    /// The first phase: what serving the connection takes, or nothing (the client left,
    /// or took too long).
    async fn open(
        self: Arc<Self>,
        io: StallGuard<TcpStream>,
        peer: SocketAddr,
        tls: Option<TlsAcceptor>,
    ) -> Option<Serving> {
        let timeout = self.header_read_timeout;
        let Some(acceptor) = tls else {
            return self.serving_http1(first_request::read(io, peer, timeout).await, peer);
        };
        let stream = match tokio::time::timeout(timeout, acceptor.accept(io)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(error)) => {
                tracing::debug!(%peer, %error, "TLS handshake failed");
                return None;
            }
            Err(_) => {
                tracing::debug!(%peer, "TLS handshake timed out");
                return None;
            }
        };
        if stream.get_ref().1.alpn_protocol() == Some(H2) {
            return Some(Box::pin(self.http2(stream, peer)));
        }
        self.serving_http1(first_request::read(stream, peer, timeout).await, peer)
    }

    /// How an HTTP/1 connection is served after its first request: an event stream on
    /// the socket, anything else by hyper.
    fn serving_http1<S>(
        self: &Arc<Self>,
        first: FirstRequest<S>,
        peer: SocketAddr,
    ) -> Option<Serving>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        match first {
            FirstRequest::Gone => None,
            FirstRequest::EventStream(io, request) => {
                let answer = direct_stream::serve(io, *request, self.router.clone());
                Some(Box::pin(finish(answer, peer)))
            }
            FirstRequest::Other(io) => {
                let service = routed(&self.router, peer);
                let connection = self.http1.serve_connection(TokioIo::new(io), service);
                Some(Box::pin(finish(
                    until_shutdown(connection, self.shutdown.clone()),
                    peer,
                )))
            }
        }
    }

    /// An HTTP/2 connection, closed once nothing is under way on it for the idle timeout.
    async fn http2<S>(self: Arc<Self>, io: S, peer: SocketAddr)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let activity = Arc::new(Activity::default());
        let service = routed_tracking(&self.router, peer, &activity);
        let connection = self.http2.serve_connection(TokioIo::new(io), service);
        tokio::select! {
            () = finish(until_shutdown(connection, self.shutdown.clone()), peer) => {}
            // Nothing under way, by definition: dropping it loses nothing.
            () = activity.idle_for(self.idle_timeout) => {
                tracing::debug!(%peer, "closed an idle HTTP/2 connection");
            }
        }
    }
}

/// `connection`, asked to finish (the response under way, then close) once `shutdown` is
/// cancelled.
async fn until_shutdown<C: GracefulConnection>(
    connection: C,
    shutdown: CancellationToken,
) -> Result<(), C::Error> {
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        ended = connection.as_mut() => ended,
        () = shutdown.cancelled() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    }
}

/// The router as a connection's service: each request carries the peer's address.
fn routed(
    router: &Router,
    peer: SocketAddr,
) -> impl Service<Request<Incoming>, Response = Response, Error = Infallible, Future: Send> + Clone
{
    let router = router.clone();
    hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(request.map(Body::new))
    })
}

/// The same, each response counted in `activity` as under way until its body ends (an
/// HTTP/2 connection is idle when none is).
fn routed_tracking(
    router: &Router,
    peer: SocketAddr,
    activity: &Arc<Activity>,
) -> impl Service<Request<Incoming>, Response = Response, Error = Infallible, Future: Send> + Clone
{
    let (router, activity) = (router.clone(), activity.clone());
    hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let activity = activity.clone();
        router
            .clone()
            .oneshot(request.map(Body::new))
            .map_ok(move |response| activity.track(response))
    })
}

/// Runs one connection to its end.
async fn finish<E: std::fmt::Display>(
    connection: impl Future<Output = Result<(), E>>,
    peer: SocketAddr,
) {
    if let Err(error) = connection.await {
        tracing::debug!(%peer, %error, "connection ended with an error");
    }
}
