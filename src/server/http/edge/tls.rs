//! HTTPS served directly: with `CHAT_TLS_CERT` and `CHAT_TLS_KEY` (PEM files) the node speaks
//! TLS (rustls) and offers ALPN `h2` then `http/1.1`, so a browser multiplexes every request
//! and stream of the site over one connection. Without them it speaks plain HTTP/1.1, for
//! a TLS-terminating proxy in front (see docs/operations.md).

use crate::server::node::tls_settings::TlsSettings;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// The ALPN name of HTTP/2.
pub const H2: &[u8] = b"h2";

/// The certificate or key could not be used: the node does not start.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS certificate chain {path}: {reason}")]
    Cert { path: PathBuf, reason: String },
    #[error("cannot read the TLS private key {path}: {reason}")]
    Key { path: PathBuf, reason: String },
    #[error("the TLS certificate and key do not make a server configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The acceptor for `settings`: the chain and key are read once, at start-up.
pub fn acceptor(settings: &TlsSettings) -> Result<TlsAcceptor, TlsError> {
    let chain = read_chain(&settings.cert)?;
    let key = PrivateKeyDer::from_pem_file(&settings.key).map_err(|error| TlsError::Key {
        path: settings.key.clone(),
        reason: error.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![H2.to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let failed = |reason: String| TlsError::Cert {
        path: path.to_owned(),
        reason,
    };
    let chain = CertificateDer::pem_file_iter(path)
        .map_err(|error| failed(error.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| failed(error.to_string()))?;
    if chain.is_empty() {
        return Err(failed("it holds no certificate".to_owned()));
    }
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_empty_files_are_named_in_the_error() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").expect("write");
        let settings = TlsSettings {
            cert: empty.clone(),
            key: dir.path().join("absent.pem"),
        };
        let error = acceptor(&settings).err().expect("refused");
        assert!(error.to_string().contains("empty.pem"), "{error}");
        let settings = TlsSettings {
            cert: dir.path().join("absent.pem"),
            key: empty,
        };
        let error = acceptor(&settings).err().expect("refused");
        assert!(error.to_string().contains("absent.pem"), "{error}");
    }
}
