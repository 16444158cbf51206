//! How a node reaches Redis: the URL (`REDIS_URL`: `redis://` in the clear, `rediss://`
//! over TLS; an ACL user and password as `rediss://user:password@host:port`; with
//! `CHAT_REDIS_CLUSTER=on`, one or more seed nodes of a Redis Cluster, comma-separated)
//! and, over TLS, whom to trust and who the node is (`CHAT_REDIS_CA_FILE`,
//! `CHAT_REDIS_CLIENT_CERT`, `CHAT_REDIS_CLIENT_KEY`). Every connection of the node (the
//! store's, the relay's subscriptions) comes from the one client built here.

use crate::server::settings::ConfigError;
use crate::server::store::StoreError;
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::{ClientTlsConfig, ProtocolVersion, TlsCertificates};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// TLS to Redis beyond the system's trusted roots. Unset, a `rediss://` URL is checked
/// against the system's roots (`SSL_CERT_FILE` names others), and no client certificate
/// is offered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedisTls {
    /// PEM certificate(s) of the authority that signed Redis' certificate, trusted
    /// instead of the system's roots (`CHAT_REDIS_CA_FILE`).
    pub ca_file: Option<PathBuf>,
    /// The node's own certificate and key (PEM), for a Redis that asks clients for one
    /// (`tls-auth-clients yes`): `CHAT_REDIS_CLIENT_CERT` and `CHAT_REDIS_CLIENT_KEY`,
    /// both or neither.
    pub identity: Option<(PathBuf, PathBuf)>,
}

impl RedisTls {
    /// Reads `CHAT_REDIS_CA_FILE`, `CHAT_REDIS_CLIENT_CERT` and `CHAT_REDIS_CLIENT_KEY`.
    pub fn read_env(lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let path = |name| lookup(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let identity = match (
            path("CHAT_REDIS_CLIENT_CERT"),
            path("CHAT_REDIS_CLIENT_KEY"),
        ) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            (cert, _) => {
                let (name, missing) = if cert.is_some() {
                    ("CHAT_REDIS_CLIENT_CERT", "CHAT_REDIS_CLIENT_KEY")
                } else {
                    ("CHAT_REDIS_CLIENT_KEY", "CHAT_REDIS_CLIENT_CERT")
                };
                return Err(ConfigError {
                    name,
                    value: "(set)".into(),
                    reason: format!("needs {missing} too"),
                });
            }
        };
        Ok(Self {
            ca_file: path("CHAT_REDIS_CA_FILE"),
            identity,
        })
    }

    fn is_set(&self) -> bool {
        self.ca_file.is_some() || self.identity.is_some()
    }
}

/// Where a node's connections to Redis come from: one server (with or without replicas),
/// or a cluster's seed nodes.
#[derive(Clone)]
pub enum RedisClient {
    Single(redis::Client),
    Cluster(ClusterSeeds),
}

impl std::fmt::Debug for RedisClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URLs: they may carry a password.
        f.write_str(match self {
            RedisClient::Single(_) => "RedisClient::Single",
            RedisClient::Cluster(_) => "RedisClient::Cluster",
        })
    }
}

/// A cluster's seed nodes and TLS settings, from which each cluster client is built (the
/// relay's own hears pushes: the client takes where they go when it is built).
#[derive(Clone)]
pub struct ClusterSeeds {
    urls: Vec<String>,
    certificates: Option<TlsCertificates>,
}

/// How long connecting to a Redis node, and each answer, may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long one command may take in a cluster, its redirections and retries included
/// (a failover takes longer: its sends are refused with 503 meanwhile, and retried by the
/// browsers' outboxes).
pub const CLUSTER_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

impl ClusterSeeds {
    /// A client of the cluster, RESP3 (sharded pub/sub needs it), sending pushes (the
    /// relay's subscriptions) to `pushes` when given.
    pub fn client(
        &self,
        pushes: Option<tokio::sync::mpsc::UnboundedSender<redis::PushInfo>>,
    ) -> Result<ClusterClient, StoreError> {
        let mut builder = ClusterClientBuilder::new(self.urls.clone())
            .use_protocol(ProtocolVersion::RESP3)
            .connection_timeout(CONNECT_TIMEOUT)
            .response_timeout(RESPONSE_TIMEOUT)
            .overall_response_timeout(Some(CLUSTER_REQUEST_TIMEOUT))
            .retries(10)
            .min_retry_wait(100)
            .max_retry_wait(1_000);
        if let Some(certificates) = &self.certificates {
            builder = builder.certs(certificates.clone());
        }
        if let Some(pushes) = pushes {
            builder = builder.push_sender(pushes);
        }
        builder.build().map_err(|e| StoreError::Failed(Box::new(e)))
    }
}

/// The client every connection to Redis is made from: of one server, or of a cluster
/// whose seed nodes `url` lists, comma-separated. Nothing connects yet; a URL that does not
/// parse, a TLS file that cannot be read, or TLS files with a `redis://` URL (they would be
/// silently unused) are refused here.
pub fn client(url: &str, tls: &RedisTls, cluster: bool) -> Result<RedisClient, StoreError> {
    let urls: Vec<&str> = url
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .collect();
    if !cluster && urls.len() > 1 {
        return Err(StoreError::Failed(
            "REDIS_URL lists several servers: that is a cluster's seed nodes (set CHAT_REDIS_CLUSTER=on)"
                .into(),
        ));
    }
    let certificates = if tls.is_set() {
        if let Some(plain) = urls.iter().find(|url| !url.starts_with("rediss://")) {
            let shown = plain.split('@').next_back().unwrap_or_default();
            return Err(StoreError::Failed(
                format!("CHAT_REDIS_CA_FILE or CHAT_REDIS_CLIENT_CERT is set but REDIS_URL is not rediss:// (TLS): {shown}")
                    .into(),
            ));
        }
        Some(TlsCertificates {
            client_tls: match &tls.identity {
                Some((cert, key)) => Some(ClientTlsConfig {
                    client_cert: read(cert)?,
                    client_key: read(key)?,
                }),
                None => None,
            },
            root_cert: tls.ca_file.as_deref().map(read).transpose()?,
        })
    } else {
        None
    };
    if cluster {
        let seeds = ClusterSeeds {
            urls: urls.iter().map(|url| (*url).to_owned()).collect(),
            certificates,
        };
        // Built once here so a bad URL or certificate is refused at start.
        seeds.client(None)?;
        return Ok(RedisClient::Cluster(seeds));
    }
    let url = urls.first().copied().unwrap_or(url);
    match certificates {
        None => redis::Client::open(url),
        Some(certificates) => redis::Client::build_with_tls(url, certificates),
    }
    .map(RedisClient::Single)
    .map_err(|e| StoreError::Failed(Box::new(e)))
}

fn read(path: &Path) -> Result<Vec<u8>, StoreError> {
    std::fs::read(path)
        .map_err(|e| StoreError::Failed(format!("cannot read {}: {e}", path.display()).into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    #[test]
    fn nothing_set_is_the_system_roots_and_no_identity() {
        assert_eq!(
            RedisTls::read_env(&env(&[])).ok(),
            Some(RedisTls::default())
        );
    }

    #[test]
    fn a_client_certificate_needs_its_key() {
        let only_cert = RedisTls::read_env(&env(&[("CHAT_REDIS_CLIENT_CERT", "c.pem")]));
        assert!(only_cert.is_err_and(|e| e.reason.contains("CHAT_REDIS_CLIENT_KEY")));
        let only_key = RedisTls::read_env(&env(&[("CHAT_REDIS_CLIENT_KEY", "k.pem")]));
        assert!(only_key.is_err_and(|e| e.reason.contains("CHAT_REDIS_CLIENT_CERT")));
        let both = RedisTls::read_env(&env(&[
            ("CHAT_REDIS_CLIENT_CERT", "c.pem"),
            ("CHAT_REDIS_CLIENT_KEY", "k.pem"),
            ("CHAT_REDIS_CA_FILE", "ca.pem"),
        ]));
        assert_eq!(
            both.ok(),
            Some(RedisTls {
                ca_file: Some("ca.pem".into()),
                identity: Some(("c.pem".into(), "k.pem".into())),
            })
        );
    }

    #[test]
    fn tls_files_with_a_plain_url_are_refused_not_ignored() {
        let tls = RedisTls {
            ca_file: Some("ca.pem".into()),
            identity: None,
        };
        let refused = client("redis://127.0.0.1:6379", &tls, false);
        assert!(refused.is_err_and(|e| e.to_string().contains("rediss://")));
    }

    #[test]
    fn several_servers_are_a_clusters_seeds_only() {
        let plain = RedisTls::default();
        let seeds = "redis://127.0.0.1:7000, redis://127.0.0.1:7001";
        let refused = client(seeds, &plain, false);
        assert!(refused.is_err_and(|e| e.to_string().contains("CHAT_REDIS_CLUSTER")));
        assert!(matches!(
            client(seeds, &plain, true),
            Ok(RedisClient::Cluster(_))
        ));
        let tls = RedisTls {
            ca_file: Some("ca.pem".into()),
            identity: None,
        };
        let mixed = client("rediss://a:1,redis://user:secret@b:2", &tls, true);
        assert!(mixed.is_err_and(|e| {
            let e = e.to_string();
            e.contains("b:2") && !e.contains("secret")
        }));
    }

    #[test]
    fn an_unreadable_authority_is_refused_with_its_path() {
        let tls = RedisTls {
            ca_file: Some("/nonexistent/ca.pem".into()),
            identity: None,
        };
        let refused = client("rediss://127.0.0.1:6379", &tls, false);
        assert!(refused.is_err_and(|e| e.to_string().contains("/nonexistent/ca.pem")));
    }
}
