//! How a node reaches Redis: the URL (`REDIS_URL`: `redis://` in the clear, `rediss://`
//! over TLS; an ACL user and password as `rediss://user:password@host:port`) and, over
//! TLS, whom to trust and who the node is (`CHAT_REDIS_CA_FILE`, `CHAT_REDIS_CLIENT_CERT`,
//! `CHAT_REDIS_CLIENT_KEY`). Every connection of the node (the store's, the relay's
//! subscriptions) comes from the one client built here.

use crate::server::settings::ConfigError;
use crate::server::store::StoreError;
use redis::{ClientTlsConfig, TlsCertificates};
use std::path::{Path, PathBuf};

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

/// The client every connection to Redis is made from. Nothing connects yet; a URL that
/// does not parse, a TLS file that cannot be read, or TLS files with a `redis://` URL
/// (they would be silently unused) are refused here.
pub fn client(url: &str, tls: &RedisTls) -> Result<redis::Client, StoreError> {
    if !tls.is_set() {
        return redis::Client::open(url).map_err(|e| StoreError::Failed(Box::new(e)));
    }
    if !url.starts_with("rediss://") {
        return Err(StoreError::Failed(
            "CHAT_REDIS_CA_FILE or CHAT_REDIS_CLIENT_CERT is set but REDIS_URL is not rediss:// (TLS)"
                .into(),
        ));
    }
    let certificates = TlsCertificates {
        client_tls: match &tls.identity {
            Some((cert, key)) => Some(ClientTlsConfig {
                client_cert: read(cert)?,
                client_key: read(key)?,
            }),
            None => None,
        },
        root_cert: tls.ca_file.as_deref().map(read).transpose()?,
    };
    redis::Client::build_with_tls(url, certificates).map_err(|e| StoreError::Failed(Box::new(e)))
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
        let refused = client("redis://127.0.0.1:6379", &tls);
        assert!(refused.is_err_and(|e| e.to_string().contains("rediss://")));
    }

    #[test]
    fn an_unreadable_authority_is_refused_with_its_path() {
        let tls = RedisTls {
            ca_file: Some("/nonexistent/ca.pem".into()),
            identity: None,
        };
        let refused = client("rediss://127.0.0.1:6379", &tls);
        assert!(refused.is_err_and(|e| e.to_string().contains("/nonexistent/ca.pem")));
    }
}
