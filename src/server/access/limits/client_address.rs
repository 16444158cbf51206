//! The client's address: the TCP peer, or — behind a trusted reverse proxy — the address the
//! proxy names in a configured header (and only then: a header a client could set itself is
//! never trusted unless the operator says a proxy sets it).
//!
//! Limits key an address as a client's network: an IPv4 address whole (an IPv4-mapped IPv6
//! address as the IPv4 one), an IPv6 address by its first `CHAT_IPV6_PREFIX` bits (64 by
//! default, what one home line gets: it could otherwise take a new address per request).

use axum::http::HeaderMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// How a request's client address is found and keyed.
#[derive(Debug, Clone)]
pub struct AddressRule {
    /// The operator's `CHAT_CLIENT_IP_HEADER` (e.g. `x-forwarded-for`, `x-real-ip`).
    pub header: Option<Arc<str>>,
    /// How many leading bits of an IPv6 address name one client (`CHAT_IPV6_PREFIX`).
    pub ipv6_prefix: u8,
}

impl AddressRule {
    /// The client's own address (bans count it by their own rule).
    pub fn client(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<IpAddr> {
        client_address(headers, peer, self.header.as_deref())
    }

    /// The client's address as limits key it.
    pub fn of(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<IpAddr> {
        client_address(headers, peer, self.header.as_deref()).map(|ip| self.key(ip))
    }

    /// `ip` as limits key it: IPv4 whole, IPv6 by its network prefix.
    pub fn key(&self, ip: IpAddr) -> IpAddr {
        match ip {
            IpAddr::V4(_) => ip,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let bits = u32::from(self.ipv6_prefix.min(128));
                    let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                    IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
                }
            },
        }
    }
}

/// `header` is the operator's `CHAT_CLIENT_IP_HEADER`. For a list (`X-Forwarded-For:
/// client, proxy1`), the last entry is the one the trusted proxy added. Without the header
/// on a request, the peer is used.
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
    fn ipv6_is_keyed_by_its_network_and_mapped_ipv4_as_ipv4() {
        let rule = AddressRule {
            header: None,
            ipv6_prefix: 64,
        };
        let key = |raw: &str| rule.key(raw.parse().expect("address"));
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:192.0.2.7"), key("192.0.2.7"));
        assert_ne!(key("192.0.2.7"), key("192.0.2.8"), "IPv4 whole");
        let whole = AddressRule {
            header: None,
            ipv6_prefix: 128,
        };
        assert_ne!(
            whole.key("2001:db8::1".parse().expect("a")),
            whole.key("2001:db8::2".parse().expect("b"))
        );
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
