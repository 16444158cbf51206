//! Where the TLS certificate chain and key are, when the node serves HTTPS itself
//! (`http/edge/tls.rs` reads them).

use crate::server::settings::ConfigError;
use std::path::PathBuf;

/// Where the certificate chain and its private key are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsSettings {
    /// `CHAT_TLS_CERT` and `CHAT_TLS_KEY`: both, or neither (plain HTTP).
    pub(crate) fn read_env(
        lookup: &impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, ConfigError> {
        let set = |name| lookup(name).filter(|path: &String| !path.is_empty());
        match (set("CHAT_TLS_CERT"), set("CHAT_TLS_KEY")) {
            (Some(cert), Some(key)) => Ok(Some(Self {
                cert: cert.into(),
                key: key.into(),
            })),
            (None, None) => Ok(None),
            (cert, _) => Err(ConfigError {
                name: if cert.is_some() {
                    "CHAT_TLS_KEY"
                } else {
                    "CHAT_TLS_CERT"
                },
                value: String::new(),
                reason: "CHAT_TLS_CERT and CHAT_TLS_KEY go together: set both or neither".into(),
            }),
        }
    }
}
