//! The client's address: the TCP peer, or — behind a trusted reverse proxy — the address the
//! proxy names in a configured header (and only then: a header a client could set itself is
//! never trusted unless the operator says a proxy sets it).

use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};

/// `header` is the operator's `CHAT_CLIENT_IP_HEADER` (e.g. `x-forwarded-for`, `x-real-ip`).
/// For a list (`X-Forwarded-For: client, proxy1`), the last entry is the one the trusted
/// proxy added. Without the header on a request, the peer is used.
pub fn client_address(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    header: Option<&str>,
) -> Option<IpAddr> {
    let from_proxy = header
        .and_then(|name| headers.get_all(name).iter().next_back())
        .and_then(|value| value.to_str().ok())
        .and_then(|list| list.rsplit(',').next())
        .and_then(|last| last.trim().parse().ok());
    from_proxy.or_else(|| peer.map(|peer| peer.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn peer() -> Option<SocketAddr> {
        "192.0.2.1:5000".parse().ok()
    }

    #[test]
    fn without_a_configured_header_the_peer_counts_whatever_the_request_says() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        assert_eq!(
            client_address(&headers, peer(), None),
            "192.0.2.1".parse().ok()
        );
    }

    #[test]
    fn behind_a_proxy_the_entry_it_added_counts() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.7, 203.0.113.9"),
        );
        assert_eq!(
            client_address(&headers, peer(), Some("x-forwarded-for")),
            "203.0.113.9".parse().ok()
        );
        assert_eq!(
            client_address(&HeaderMap::new(), peer(), Some("x-forwarded-for")),
            "192.0.2.1".parse().ok(),
            "no header: the peer"
        );
    }
}
