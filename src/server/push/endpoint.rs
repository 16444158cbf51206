//! Which push endpoints the chat will POST to. An endpoint is a URL a browser hands over,
//! so anyone can name any address: only `https` on public addresses is taken (checked when
//! subscribing, and again for every push by the resolver the sender's client uses, so a
//! name that later resolves to a private address reaches nothing), and redirects are never
//! followed. Origins listed in `CHAT_PUSH_ALLOW_ORIGINS` are taken as they are (tests).

use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// The longest endpoint taken.
const MAX_ENDPOINT_BYTES: usize = 1024;

/// Why an endpoint is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("the endpoint is not a URL")]
    NotAUrl,
    #[error("the endpoint must be https")]
    NotHttps,
    #[error("the endpoint's address is not public")]
    NotPublic,
    #[error("the endpoint's host does not resolve")]
    Unresolved,
}

/// The endpoints pushes may go to.
#[derive(Debug, Clone, Default)]
pub struct Endpoints {
    allowed: Arc<Vec<String>>,
}

impl Endpoints {
    /// Public `https` endpoints, and those of `allowed` origins (`scheme://host:port`).
    pub fn new(allowed: Vec<String>) -> Self {
        Self {
            allowed: Arc::new(allowed),
        }
    }

    /// The host names of the allowed origins.
    pub fn allowed_hosts(&self) -> Vec<String> {
        self.allowed
            .iter()
            .filter_map(|origin| Url::parse(origin).ok())
            .filter_map(|url| url.host_str().map(str::to_owned))
            .collect()
    }

    /// Whether `url`'s origin is one of the allowed ones.
    pub fn is_allowed_origin(&self, url: &Url) -> bool {
        let origin = url.origin().ascii_serialization().to_ascii_lowercase();
        self.allowed.contains(&origin)
    }

    /// `raw`, parsed, if pushes may go there now (its name resolved to public addresses).
    pub async fn check(&self, raw: &str) -> Result<Url, EndpointError> {
        let url = self.shape(raw)?;
        if self.is_allowed_origin(&url) {
            return Ok(url);
        }
        match url.host() {
            Some(url::Host::Ipv4(ip)) if is_public(IpAddr::V4(ip)) => Ok(url),
            Some(url::Host::Ipv6(ip)) if is_public(IpAddr::V6(ip)) => Ok(url),
            Some(url::Host::Domain(name)) => {
                let port = url.port_or_known_default().unwrap_or(443);
                public_addresses(name, port).await.map(|_| url)
            }
            _ => Err(EndpointError::NotPublic),
        }
    }

    /// `raw` as a URL an endpoint may be: short, `https` (or of an allowed origin), with a
    /// host and no credentials.
    fn shape(&self, raw: &str) -> Result<Url, EndpointError> {
        if raw.len() > MAX_ENDPOINT_BYTES {
            return Err(EndpointError::NotAUrl);
        }
        let url = Url::parse(raw).map_err(|_| EndpointError::NotAUrl)?;
        if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
            return Err(EndpointError::NotAUrl);
        }
        if url.scheme() != "https" && !self.is_allowed_origin(&url) {
            return Err(EndpointError::NotHttps);
        }
        Ok(url)
    }
}

/// The addresses `name` resolves to, all public (one that is not refuses the name).
pub async fn public_addresses(name: &str, port: u16) -> Result<Vec<SocketAddr>, EndpointError> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((name, port))
        .await
        .map_err(|_| EndpointError::Unresolved)?
        .collect();
    if found.is_empty() {
        return Err(EndpointError::Unresolved);
    }
    if found.iter().any(|address| !is_public(address.ip())) {
        return Err(EndpointError::NotPublic);
    }
    Ok(found)
}

/// Whether `ip` is a public unicast address (not loopback, private, link-local, shared,
/// documentation, multicast or otherwise special).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(ip),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Shared (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0.0/24; benchmarking, 198.18.0.0/15.
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        // Reserved, 240.0.0.0/4.
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    let first = segments[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // ::/64: IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d) and the
        // like; no public host lives there (IPv4-mapped ones were checked as IPv4 above).
        || segments[..4] == [0; 4]
        // Discard-only, 100::/64; Teredo, 2001::/32; site-local, fec0::/10.
        || segments[..4] == [0x0100, 0, 0, 0]
        || (first == 0x2001 && segments[1] == 0)
        || (first & 0xffc0) == 0xfec0
        // Unique local, fc00::/7; link-local, fe80::/10; documentation, 2001:db8::/32.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // NAT64 and 6to4 wrap IPv4 addresses that may be private: refused whole.
        || first == 0x0064
        || first == 0x2002)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_unicast_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "::169.254.169.254",
            "::ffff:0:a00:1",
            "2001::1",
            "fec0::1",
            "100::1",
        ] {
            let ip: IpAddr = private.parse().expect("ip");
            assert!(!is_public(ip), "{private} is not public");
        }
        for public in [
            "8.8.8.8",
            "142.250.1.1",
            "2a00:1450:4001::1",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = public.parse().expect("ip");
            assert!(is_public(ip), "{public} is public");
        }
    }

    #[tokio::test]
    async fn endpoints_must_be_public_https_unless_their_origin_is_allowed() {
        let endpoints = Endpoints::new(vec!["http://127.0.0.1:9999".into()]);
        let check = |raw: &'static str| {
            let endpoints = endpoints.clone();
            async move { endpoints.check(raw).await }
        };
        assert_eq!(
            check("http://8.8.8.8/push").await,
            Err(EndpointError::NotHttps)
        );
        assert_eq!(
            check("https://127.0.0.1/push").await,
            Err(EndpointError::NotPublic)
        );
        assert_eq!(
            check("https://[::1]/push").await,
            Err(EndpointError::NotPublic)
        );
        assert_eq!(
            check("https://169.254.169.254/").await,
            Err(EndpointError::NotPublic)
        );
        assert_eq!(
            check("https://localhost/push").await,
            Err(EndpointError::NotPublic)
        );
        assert_eq!(
            check("https://user:pw@8.8.8.8/").await,
            Err(EndpointError::NotAUrl)
        );
        assert_eq!(check("not a url").await, Err(EndpointError::NotAUrl));
        assert!(check("https://8.8.8.8/push/abc").await.is_ok());
        assert!(
            check("http://127.0.0.1:9999/push/abc").await.is_ok(),
            "allowed"
        );
        assert_eq!(
            check("http://127.0.0.1:9998/push").await,
            Err(EndpointError::NotHttps),
            "another port is another origin"
        );
    }
}
