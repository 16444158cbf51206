//! The HTTP server loop: accepts connections and serves the router on each, with the limits
//! `axum::serve` does not offer: a header-read timeout (a client that trickles its request
//! head is cut off), each request carrying the peer's address (for per-address limits), and
//! a graceful shutdown that is bounded — after `grace`, whatever is still open (a half-sent
//! request, a client that never reads) is closed and `serve` returns.
//!
//! Plain connections speak HTTP/1.1 only (a TLS-terminating proxy in front may speak HTTP/2
//! or 3 to browsers): hyper-util's auto-detecting connection keeps a larger state per
//! connection than hyper's HTTP/1 one. With TLS (`tls.rs`),
//! ALPN picks HTTP/2 or HTTP/1.1 for each connection; the handshake has the header-read
//! timeout to finish in. An HTTP/2 connection is pinged (a dead peer is dropped) and closed
//! once idle for `idle_timeout`; without a trusted proxy in front, each client address may
//! hold at most `per_address` connections (more are closed as they come).
//!
//! Each connection is served by `one_connection.rs`: an HTTP/1 connection whose first
//! request asks for an event stream is not given to hyper, the stream is answered on the
//! socket (`first_request.rs`, `direct_stream.rs`), which spares the 16 KiB of buffers
//! hyper keeps for each connection it serves (an idle stream holds 3.5–5 KiB so, against
//! 19 KiB through hyper: docs/benchmarks.md).

use crate::server::access::limits::AddressRule;
use crate::server::http::edge::connections::PerAddress;
use crate::server::http::edge::one_connection::Node;
use crate::server::http::edge::stall_guard::StallGuard;
use crate::server::streams::WRITE_BYTES;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::server::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

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
        header_read_timeout: limits.header_read_timeout,
        idle_timeout: limits.idle_timeout,
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
        let serving = node.clone().serve(stream, peer, tls.clone());
        connections.spawn(async move {
            let _place = place;
            serving.await;
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

/// The peer address of a request served by `serve` (absent in router tests without one).
pub fn peer(request: &Request<Body>) -> Option<SocketAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr)
}
