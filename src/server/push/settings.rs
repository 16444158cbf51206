//! Web Push's settings: the VAPID key pair the chat signs its pushes with, kept in
//! `CHAT_VAPID_KEY_FILE` (default `vapid.key` beside the database; made on first start) or
//! given whole in `CHAT_VAPID_PRIVATE_KEY` (its private key, base64url, as several nodes
//! must share one); `CHAT_VAPID_SUBJECT`, the contact push services see (`mailto:` or
//! `https:`); and `CHAT_PUSH_ALLOW_ORIGINS`, origins a subscription may name besides the
//! public `https` ones (comma-separated, for tests: `http://127.0.0.1:9999`).

use crate::server::settings::{ConfigError, Secret};
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct PushSettings {
    /// The key pair's file (unset: beside the database).
    pub key_file: Option<PathBuf>,
    /// The private key itself, base64url (it wins over the file).
    pub private_key: Option<Secret>,
    pub subject: Option<String>,
    /// Origins (`scheme://host:port`) allowed as endpoints though not public `https`.
    pub allow_origins: Vec<String>,
}

/// The contact push services are given when none is set.
pub const DEFAULT_SUBJECT: &str = "mailto:chat@localhost";

impl PushSettings {
    pub(crate) fn read_env(lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let subject = lookup("CHAT_VAPID_SUBJECT").filter(|s| !s.is_empty());
        if let Some(subject) = &subject {
            if !(subject.starts_with("mailto:") || subject.starts_with("https://")) {
                return Err(ConfigError {
                    name: "CHAT_VAPID_SUBJECT",
                    value: subject.clone(),
                    reason: "must be a mailto: or https: address".into(),
                });
            }
        }
        let allow_origins = lookup("CHAT_PUSH_ALLOW_ORIGINS")
            .unwrap_or_default()
            .split(',')
            .map(|origin| origin.trim().trim_end_matches('/').to_ascii_lowercase())
            .filter(|origin| !origin.is_empty())
            .collect();
        Ok(Self {
            key_file: lookup("CHAT_VAPID_KEY_FILE")
                .filter(|f| !f.is_empty())
                .map(PathBuf::from),
            private_key: lookup("CHAT_VAPID_PRIVATE_KEY")
                .filter(|k| !k.is_empty())
                .map(Secret::new),
            subject,
            allow_origins,
        })
    }

    pub fn subject(&self) -> &str {
        self.subject.as_deref().unwrap_or(DEFAULT_SUBJECT)
    }
}
