//! HTTPS served directly: with `CHAT_TLS_CERT` and `CHAT_TLS_KEY` (PEM files) the node speaks
//! TLS (rustls) and offers ALPN `h2` then `http/1.1`, so a browser multiplexes every request
//! and stream of the site over one connection. Without them it speaks plain HTTP/1.1, for
//! a TLS-terminating proxy in front (see docs/operations.md). SIGHUP reads the files again
//! (a renewed certificate) without a restart: open connections and their streams go on.

use crate::server::node::tls_settings::TlsSettings;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tokio_rustls::rustls::crypto::CryptoProvider;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;
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

/// The acceptor for `settings`, and its certificate, which [`Certificate::reload`] replaces
/// for every handshake from then on (connections already open keep theirs).
pub fn acceptor(settings: &TlsSettings) -> Result<(TlsAcceptor, Arc<Certificate>), TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certificate = Arc::new(Certificate {
        current: RwLock::new(Arc::new(certified_key(settings, &provider)?)),
        settings: settings.clone(),
        provider: provider.clone(),
    });
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(certificate.clone());
    config.alpn_protocols = vec![H2.to_vec(), b"http/1.1".to_vec()];
    Ok((TlsAcceptor::from(Arc::new(config)), certificate))
}

/// The certificate chain and key the node presents, read from `CHAT_TLS_CERT` and
/// `CHAT_TLS_KEY` at start-up and again on each [`Certificate::reload`] (SIGHUP).
#[derive(Debug)]
pub struct Certificate {
    current: RwLock<Arc<CertifiedKey>>,
    settings: TlsSettings,
    provider: Arc<CryptoProvider>,
}

impl Certificate {
    /// Reads the files again and presents them from the next handshake on. Files that do not
    /// make a certificate and matching key leave the current one in place.
    pub fn reload(&self) -> Result<(), TlsError> {
        let fresh = Arc::new(certified_key(&self.settings, &self.provider)?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }

    fn current(&self) -> Arc<CertifiedKey> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl ResolvesServerCert for Certificate {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

/// The chain and key of `settings`, checked to belong together.
fn certified_key(
    settings: &TlsSettings,
    provider: &CryptoProvider,
) -> Result<CertifiedKey, TlsError> {
    let chain = read_chain(&settings.cert)?;
    let key = PrivateKeyDer::from_pem_file(&settings.key).map_err(|error| TlsError::Key {
        path: settings.key.clone(),
        reason: error.to_string(),
    })?;
    Ok(CertifiedKey::from_der(chain, key, provider)?)
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

    /// Writes a fresh self-signed certificate and its key into `settings`' files.
    fn write_certificate(settings: &TlsSettings) -> Vec<u8> {
        let certified =
            rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).expect("certificate");
        std::fs::write(&settings.cert, certified.cert.pem()).expect("write");
        std::fs::write(&settings.key, certified.key_pair.serialize_pem()).expect("write");
        certified.cert.der().to_vec()
    }

    #[test]
    fn a_reload_presents_the_new_certificate_and_bad_files_keep_the_current_one() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let settings = TlsSettings {
            cert: dir.path().join("cert.pem"),
            key: dir.path().join("key.pem"),
        };
        let first = write_certificate(&settings);
        let (_, certificate) = acceptor(&settings).expect("served");
        assert_eq!(certificate.current().cert[0].as_ref(), first);

        let second = write_certificate(&settings);
        assert_eq!(
            certificate.current().cert[0].as_ref(),
            first,
            "read on reload only"
        );
        certificate.reload().expect("reloaded");
        assert_eq!(certificate.current().cert[0].as_ref(), second);

        // A key of another certificate, then a file that is none: refused, kept.
        let other = rcgen::generate_simple_self_signed(vec!["x".into()]).expect("certificate");
        std::fs::write(&settings.key, other.key_pair.serialize_pem()).expect("write");
        assert!(certificate.reload().is_err(), "a key that does not match");
        std::fs::write(&settings.cert, "not a certificate").expect("write");
        assert!(certificate.reload().is_err());
        assert_eq!(certificate.current().cert[0].as_ref(), second);
    }
}
