//! The limits' settings, with defaults meant not to hurt a real person typing fast.

use super::{Rate, StreamCaps};
use crate::server::settings::{parse, ConfigError};

/// Rate limits of each kind of request, per session; an address gets `address_factor`
/// times as much (several people may share one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub writes: Rate,
    pub typing: Rate,
    pub renames: Rate,
    pub exports: Rate,
    pub searches: Rate,
    pub uploads: Rate,
    pub address_factor: u32,
}

/// Every limit of the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitSettings {
    /// `None`: rate limits off.
    pub rates: Option<RateLimits>,
    pub streams: StreamCaps,
    /// The header a trusted reverse proxy puts the client's address in.
    pub client_ip_header: Option<String>,
    /// How many leading bits of an IPv6 address are one client (`CHAT_IPV6_PREFIX`).
    pub ipv6_prefix: u8,
    /// Connections one client address may hold open, when no trusted proxy stands in
    /// front (`CHAT_MAX_CONNECTIONS_PER_ADDRESS`); unset, its stream cap and 192 more (for
    /// page loads and calls beside the streams), so raising the one raises the other.
    pub connections_per_address: Option<usize>,
    /// Exports being downloaded at once, per session, per address and per node
    /// (`CHAT_MAX_EXPORTS_PER_SESSION`, `…_PER_ADDRESS`, `CHAT_MAX_EXPORTS`).
    pub exports: StreamCaps,
    /// Searches running at once on the node (`CHAT_MAX_CONCURRENT_SEARCHES`).
    pub concurrent_searches: usize,
    /// How long one search may run before it is stopped (`CHAT_SEARCH_TIMEOUT_MS`).
    pub search_timeout: std::time::Duration,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            rates: Some(RateLimits {
                // Ten messages at once, then one a second on average.
                writes: Rate {
                    burst: 10,
                    per_minute: 60,
                },
                // The composer signals at most every two seconds while typing.
                typing: Rate {
                    burst: 10,
                    per_minute: 60,
                },
                renames: Rate {
                    burst: 5,
                    per_minute: 10,
                },
                // A whole room read from the store: a few at once, then one every 20 s.
                exports: Rate {
                    burst: 3,
                    per_minute: 3,
                },
                // Searching and paging through results: one every 2 s on average.
                searches: Rate {
                    burst: 10,
                    per_minute: 30,
                },
                // Files: a batch of ten dropped at once, then one every 3 s on average.
                uploads: Rate {
                    burst: 10,
                    per_minute: 20,
                },
                address_factor: 5,
            }),
            streams: StreamCaps {
                per_session: 16,
                per_address: 64,
                per_node: 20_000,
            },
            client_ip_header: None,
            ipv6_prefix: 64,
            connections_per_address: None,
            exports: StreamCaps {
                per_session: 2,
                per_address: 4,
                per_node: 16,
            },
            concurrent_searches: 2,
            search_timeout: std::time::Duration::from_secs(1),
        }
    }
}

impl LimitSettings {
    /// The most connections one client address may hold open.
    pub fn connection_cap(&self) -> usize {
        self.connections_per_address
            .unwrap_or(self.streams.per_address.saturating_add(192))
    }

    /// No limit at all (benchmarks and tests about other things).
    pub fn unlimited() -> Self {
        Self {
            rates: None,
            streams: StreamCaps {
                per_session: usize::MAX,
                per_address: usize::MAX,
                per_node: usize::MAX,
            },
            client_ip_header: None,
            ipv6_prefix: 64,
            connections_per_address: None,
            exports: StreamCaps {
                per_session: usize::MAX,
                per_address: usize::MAX,
                per_node: usize::MAX,
            },
            concurrent_searches: 1024,
            search_timeout: std::time::Duration::from_secs(1),
        }
    }
}

impl LimitSettings {
    /// `CHAT_RATE_LIMITS=off`; `CHAT_{SENDS,TYPING,RENAMES,EXPORTS,SEARCHES,UPLOADS}_PER_MINUTE` and `…_BURST`;
    /// `CHAT_ADDRESS_LIMIT_FACTOR`; `CHAT_MAX_STREAMS_PER_SESSION`, `…_PER_ADDRESS`,
    /// `CHAT_MAX_STREAMS`; `CHAT_CLIENT_IP_HEADER`; `CHAT_IPV6_PREFIX` (1 to 128);
    /// `CHAT_MAX_CONCURRENT_SEARCHES`, `CHAT_SEARCH_TIMEOUT_MS`.
    pub(crate) fn read_env(
        &mut self,
        lookup: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let limits = self;
        if let Some(rates) = limits.rates.as_mut() {
            for (per_minute, burst, rate) in [
                (
                    "CHAT_SENDS_PER_MINUTE",
                    "CHAT_SEND_BURST",
                    &mut rates.writes,
                ),
                (
                    "CHAT_TYPING_PER_MINUTE",
                    "CHAT_TYPING_BURST",
                    &mut rates.typing,
                ),
                (
                    "CHAT_RENAMES_PER_MINUTE",
                    "CHAT_RENAME_BURST",
                    &mut rates.renames,
                ),
                (
                    "CHAT_EXPORTS_PER_MINUTE",
                    "CHAT_EXPORT_BURST",
                    &mut rates.exports,
                ),
                (
                    "CHAT_SEARCHES_PER_MINUTE",
                    "CHAT_SEARCH_BURST",
                    &mut rates.searches,
                ),
                (
                    "CHAT_UPLOADS_PER_MINUTE",
                    "CHAT_UPLOAD_BURST",
                    &mut rates.uploads,
                ),
            ] {
                read_rate(lookup, per_minute, burst, rate)?;
            }
            if let Some(factor) = lookup("CHAT_ADDRESS_LIMIT_FACTOR") {
                rates.address_factor = parse("CHAT_ADDRESS_LIMIT_FACTOR", factor)?;
            }
        }
        if let Some(switch) = lookup("CHAT_RATE_LIMITS") {
            match switch.trim() {
                "off" => limits.rates = None,
                "on" => {}
                _ => {
                    return Err(ConfigError {
                        name: "CHAT_RATE_LIMITS",
                        value: switch,
                        reason: "must be on or off".into(),
                    })
                }
            }
        }
        for (name, cap) in [
            (
                "CHAT_MAX_STREAMS_PER_SESSION",
                &mut limits.streams.per_session,
            ),
            (
                "CHAT_MAX_STREAMS_PER_ADDRESS",
                &mut limits.streams.per_address,
            ),
            ("CHAT_MAX_STREAMS", &mut limits.streams.per_node),
            (
                "CHAT_MAX_EXPORTS_PER_SESSION",
                &mut limits.exports.per_session,
            ),
            (
                "CHAT_MAX_EXPORTS_PER_ADDRESS",
                &mut limits.exports.per_address,
            ),
            ("CHAT_MAX_EXPORTS", &mut limits.exports.per_node),
        ] {
            if let Some(value) = lookup(name) {
                *cap = parse(name, value)?;
            }
        }
        if let Some(value) = lookup("CHAT_MAX_CONNECTIONS_PER_ADDRESS") {
            limits.connections_per_address =
                Some(parse("CHAT_MAX_CONNECTIONS_PER_ADDRESS", value)?);
        }
        if let Some(header) = lookup("CHAT_CLIENT_IP_HEADER").filter(|h| !h.trim().is_empty()) {
            limits.client_ip_header = Some(header.trim().to_ascii_lowercase());
        }
        if let Some(value) = lookup("CHAT_IPV6_PREFIX") {
            let prefix: u8 = parse("CHAT_IPV6_PREFIX", value.clone())?;
            if !(1..=128).contains(&prefix) {
                return Err(ConfigError {
                    name: "CHAT_IPV6_PREFIX",
                    value,
                    reason: "a number of bits from 1 to 128".into(),
                });
            }
            limits.ipv6_prefix = prefix;
        }
        if let Some(value) = lookup("CHAT_MAX_CONCURRENT_SEARCHES") {
            let searches: usize = parse("CHAT_MAX_CONCURRENT_SEARCHES", value)?;
            limits.concurrent_searches = searches.max(1);
        }
        if let Some(value) = lookup("CHAT_SEARCH_TIMEOUT_MS") {
            let ms: u64 = parse("CHAT_SEARCH_TIMEOUT_MS", value)?;
            limits.search_timeout = std::time::Duration::from_millis(ms.max(1));
        }
        Ok(())
    }
}

fn read_rate(
    lookup: &impl Fn(&str) -> Option<String>,
    per_minute: &'static str,
    burst: &'static str,
    rate: &mut Rate,
) -> Result<(), ConfigError> {
    if let Some(value) = lookup(per_minute) {
        rate.per_minute = parse(per_minute, value)?;
    }
    if let Some(value) = lookup(burst) {
        rate.burst = parse(burst, value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_cap_follows_the_stream_cap_unless_set() {
        let lookup = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            }
        };
        let mut limits = LimitSettings::default();
        assert_eq!(limits.connection_cap(), 256);
        limits
            .read_env(&lookup(&[("CHAT_MAX_STREAMS_PER_ADDRESS", "200000")]))
            .expect("valid");
        assert_eq!(limits.connection_cap(), 200_192, "a load test's raised cap");
        limits
            .read_env(&lookup(&[("CHAT_MAX_CONNECTIONS_PER_ADDRESS", "10")]))
            .expect("valid");
        assert_eq!(limits.connection_cap(), 10);
        assert!(LimitSettings::default()
            .read_env(&lookup(&[("CHAT_IPV6_PREFIX", "0")]))
            .is_err());
    }
}
