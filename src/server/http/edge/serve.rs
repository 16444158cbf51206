//! The HTTP server loop: accepts connections and serves the router on each, with the limits
//! `axum::serve` does not offer: a header-read timeout (a client that trickles its request
//! head is cut off), each request carrying the peer's address (for per-address limits), and
//! a graceful shutdown that is bounded — after `grace`, whatever is still open (a half-sent
//! request, a client that never reads) is closed and `serve` returns.
//!
//! Plain connections speak HTTP/1.1 only (a TLS-terminating proxy in front may speak HTTP/2
//! or 3 to browsers): an HTTP/1-only connection costs an idle stream about 15 KiB instead of
//! 22 (hyper-util's auto-detecting connection keeps a larger state per connection; measured
//! with `STREAMS=4000 MESSAGES=5 BURST=0` on the fan-out benchmark). With TLS (`tls.rs`),
//! ALPN picks HTTP/2 or HTTP/1.1 for each connection; the handshake has the header-read
//! timeout to finish in. An HTTP/2 connection is pinged (a dead peer is dropped) and closed
//! once idle for `idle_timeout`; without a trusted proxy in front, each client address may
//! hold at most `per_address` connections (more are closed as they come).
//!
//! An HTTP/1 connection whose first request asks for an event stream is not given to
//! hyper: the stream is answered on the socket (`first_request.rs`, `direct_stream.rs`),
//! which spares the 16 KiB of buffers hyper keeps for each connection it serves.

use crate::server::access::limits::AddressRule;
use crate::server::http::edge::connections::{Activity, PerAddress};
use crate::server::http::edge::direct_stream;
use crate::server::http::edge::first_request::{self, FirstRequest};
use crate::server::http::edge::stall_guard::StallGuard;
use crate::server::http::edge::tls::H2;
use crate::server::streams::WRITE_BYTES;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::response::Response;
use axum::Router;
use futures::TryFutureExt;
use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper::service::Service;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulConnection;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// How often an HTTP/2 connection is pinged, and how long the answer may take.
const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(20);
const KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(10);

/// Connection-level limits.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// How long a client may take to send a request's head (each request, keep-alive too).
    pub header_read_timeout: Duration,
    /// How long shutdown waits for open connections before closing them.
    pub shutdown_grace: Duration,
    /// An HTTP/2 connection with nothing under way this long is closed.
    pub idle_timeout: Duration,
    /// A connection whose writes could not go on for this long is closed (its client
    /// stopped reading).
    pub write_stall: Duration,
    /// The most connections one client address may hold (`None`: behind a trusted proxy,
    /// where every connection comes from the proxy).
    pub per_address: Option<(usize, u8)>,
}

/// Serves `router` on `listener` (over TLS with `tls`) until `shutdown` is cancelled, then
/// stops accepting, lets open connections finish for at most `limits.shutdown_grace`, and
/// closes the rest.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    tls: Option<TlsAcceptor>,
    shutdown: CancellationToken,
) {
    let mut http1 = http1::Builder::new();
    http1
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        // What a connection buffers of a response before it stops asking the body for more
        // (and the longest request head it reads): with a stream's own writes of at most
        // `WRITE_BYTES`, a reader that is slow costs about twice that.
        .max_buf_size(WRITE_BYTES);
    let mut http2 = http2::Builder::new(TokioExecutor::new());
    http2
        .timer(TokioTimer::new())
        // Per stream, the same bound on what a slow reader holds buffered.
        .max_send_buf_size(WRITE_BYTES)
        // A peer that stopped answering (a laptop closed mid-stream) is found and dropped.
        .keep_alive_interval(Some(KEEP_ALIVE_INTERVAL))
        .keep_alive_timeout(KEEP_ALIVE_TIMEOUT);
    let node = Arc::new(Node {
        router,
        http1,
        http2,
        limits,
        shutdown: shutdown.clone(),
    });
    let per_address = Arc::new(PerAddress::default());
    let mut connections = JoinSet::new();

    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        // Forget connections that have finished.
        while connections.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors, or a connection reset before it was accepted:
                // wait a moment rather than spin.
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let place = match limits.per_address {
            None => None,
            Some((cap, ipv6_prefix)) => {
                let rule = AddressRule {
                    header: None,
                    ipv6_prefix,
                };
                match per_address.admit(rule.key(peer.ip()), cap) {
                    Some(place) => Some(place),
                    None => {
                        tracing::info!(%peer, cap, "closed a connection: its address holds its most");
                        continue;
                    }
                }
            }
        };
        let stream = StallGuard::new(stream, limits.write_stall);
        let node = node.clone();
        let tls = tls.clone();
        connections.spawn(async move {
            let _place = place;
            match tls {
                None => node.http1(stream, peer).await,
                Some(acceptor) => Box::pin(node.tls(acceptor, stream, peer)).await,
            }
        });
    }

    drop(listener);
    let open = connections.len();
    let all_finished = async { while connections.join_next().await.is_some() {} };
    match tokio::time::timeout(limits.shutdown_grace, all_finished).await {
        Ok(()) => tracing::debug!(open, "every connection finished"),
        Err(_) => tracing::warn!(
            still_open = connections.len(),
            grace = ?limits.shutdown_grace,
            "closing connections still open after the shutdown grace period"
        ),
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

/// What every connection of a node is served with.
struct Node {
    router: Router,
    http1: http1::Builder,
    http2: http2::Builder<TokioExecutor>,
    limits: ConnectionLimits,
    /// Cancelled when the node shuts down: each connection is then asked to finish.
    shutdown: CancellationToken,
}

impl Node {
    /// An HTTP/1 connection: an event stream asked for first is answered on the socket
    /// (`first_request.rs`); anything else is hyper's. Each part is boxed, so that a
    /// connection's task holds only what its own kind needs for as long as it lives.
    async fn http1<S>(&self, io: S, peer: SocketAddr)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let first = Box::pin(first_request::read(io, peer, self.limits.header_read_timeout));
        match first.await {
            FirstRequest::Gone => {}
            FirstRequest::EventStream(io, request) => {
                let answer = direct_stream::serve(io, request, self.router.clone());
                finish(Box::pin(answer), peer).await;
            }
            FirstRequest::Other(io) => {
                let service = routed(&self.router, peer);
                let connection = self.http1.serve_connection(TokioIo::new(io), service);
                finish(Box::pin(self.until_shutdown(connection)), peer).await;
            }
        }
    }

    /// A TLS connection: the handshake within the header-read timeout, then HTTP/2 or
    /// HTTP/1.1 as ALPN chose.
    async fn tls(&self, acceptor: TlsAcceptor, io: StallGuard<TcpStream>, peer: SocketAddr) {
        let handshake = tokio::time::timeout(self.limits.header_read_timeout, acceptor.accept(io));
        let stream = match handshake.await {
            Ok(Ok(stream)) => stream,
            Ok(Err(error)) => return tracing::debug!(%peer, %error, "TLS handshake failed"),
            Err(_) => return tracing::debug!(%peer, "TLS handshake timed out"),
        };
        if stream.get_ref().1.alpn_protocol() != Some(H2) {
            return Box::pin(self.http1(stream, peer)).await;
        }
        let activity = Arc::new(Activity::default());
        let service = routed_tracking(&self.router, peer, &activity);
        let connection = self.http2.serve_connection(TokioIo::new(stream), service);
        tokio::select! {
            () = finish(Box::pin(self.until_shutdown(connection)), peer) => {}
            // Nothing under way, by definition: dropping it loses nothing.
            () = activity.idle_for(self.limits.idle_timeout) => {
                tracing::debug!(%peer, "closed an idle HTTP/2 connection");
            }
        }
    }

    /// `connection`, asked to finish (the response under way, then close) once the node
    /// shuts down.
    async fn until_shutdown<C: GracefulConnection>(&self, connection: C) -> Result<(), C::Error> {
        let mut connection = std::pin::pin!(connection);
        tokio::select! {
            ended = connection.as_mut() => ended,
            () = self.shutdown.cancelled() => {
                connection.as_mut().graceful_shutdown();
                connection.await
            }
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

/// The peer address of a request served by `serve` (absent in router tests without one).
pub fn peer(request: &Request<Body>) -> Option<SocketAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr)
}
