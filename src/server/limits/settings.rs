//! The limits' settings, with defaults meant not to hurt a real person typing fast.

use super::{Rate, StreamCaps};

/// Rate limits of each kind of request, per session; an address gets `address_factor`
/// times as much (several people may share one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub writes: Rate,
    pub typing: Rate,
    pub renames: Rate,
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
                address_factor: 5,
            }),
            streams: StreamCaps {
                per_session: 16,
                per_address: 64,
                per_node: 20_000,
            },
            client_ip_header: None,
        }
    }
}

impl LimitSettings {
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
        }
    }
}
