//! How sessions are signed and kept: the signing secrets, the cookie's security and how long
//! an unused session lasts.

use crate::server::settings::{parse, ConfigError, Secret};
use std::path::PathBuf;
use std::time::Duration;

/// The shortest secret accepted: 32 characters.
const MIN_SECRET_CHARS: usize = 32;

#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// Secrets that sign and verify cookies, newest first: the newest signs, every one is
    /// accepted (rotation). Empty: the key file.
    pub secrets: Vec<Secret>,
    /// Where the signing keys live when no secret is configured (one SQLite node only).
    /// Unset: `session.key` beside the database file.
    pub key_file: Option<PathBuf>,
    /// Served over HTTPS (directly with TLS, or behind an HTTPS proxy): the cookie is
    /// `__Host-` prefixed and `Secure`.
    pub secure_cookies: bool,
    /// How long a session lasts unused; each use (at most once a day) renews it.
    pub idle: Duration,
    /// Whether people without an account may write (`CHAT_GUESTS`, on by default); reading
    /// public rooms never needs one.
    pub guests: bool,
    /// Where people reach the chat (`CHAT_PUBLIC_URL`: scheme, host and port, no path):
    /// device links and their QR codes name it, and passkeys belong to its host. Unset: the
    /// request's `Host`.
    pub public_url: Option<String>,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            secrets: Vec::new(),
            key_file: None,
            secure_cookies: false,
            idle: Duration::from_secs(90 * 24 * 60 * 60),
            guests: true,
            public_url: None,
        }
    }
}

impl SessionSettings {
    /// `CHAT_SESSION_SECRET` (comma-separated, newest first), `CHAT_SESSION_KEY_FILE`,
    /// `CHAT_COOKIE_SECURE` (or its older name `CHAT_SECURE_COOKIES`), `CHAT_SESSION_IDLE_DAYS`,
    /// `CHAT_GUESTS`, `CHAT_PUBLIC_URL`.
    pub(crate) fn read_env(
        &mut self,
        lookup: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        if let Some(secrets) = lookup("CHAT_SESSION_SECRET") {
            self.secrets = secrets
                .split(',')
                .map(str::trim)
                .filter(|secret| !secret.is_empty())
                .map(|secret| {
                    if secret.chars().count() < MIN_SECRET_CHARS {
                        return Err(ConfigError {
                            name: "CHAT_SESSION_SECRET",
                            value: "<redacted>".into(),
                            reason: format!(
                                "each secret must be at least {MIN_SECRET_CHARS} characters"
                            ),
                        });
                    }
                    Ok(Secret::new(secret.to_owned()))
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(path) = lookup("CHAT_SESSION_KEY_FILE").filter(|path| !path.is_empty()) {
            self.key_file = Some(PathBuf::from(path));
        }
        for name in ["CHAT_SECURE_COOKIES", "CHAT_COOKIE_SECURE"] {
            if let Some(secure) = lookup(name) {
                self.secure_cookies = parse(name, secure)?;
            }
        }
        if let Some(guests) = lookup("CHAT_GUESTS") {
            self.guests = match guests.trim() {
                "on" | "true" | "1" => true,
                "off" | "false" | "0" => false,
                _ => {
                    return Err(ConfigError {
                        name: "CHAT_GUESTS",
                        value: guests,
                        reason: "on or off".into(),
                    })
                }
            };
        }
        if let Some(url) = lookup("CHAT_PUBLIC_URL").filter(|url| !url.trim().is_empty()) {
            self.public_url = Some(public_url(&url)?);
        }
        if let Some(days) = lookup("CHAT_SESSION_IDLE_DAYS") {
            let days: u64 = parse("CHAT_SESSION_IDLE_DAYS", days)?;
            if days == 0 {
                return Err(ConfigError {
                    name: "CHAT_SESSION_IDLE_DAYS",
                    value: "0".into(),
                    reason: "must be at least 1".into(),
                });
            }
            self.idle = Duration::from_secs(days.saturating_mul(24 * 60 * 60));
        }
        Ok(())
    }
}

/// `raw` as an origin: `http://` or `https://`, a host, perhaps a port, nothing after.
fn public_url(raw: &str) -> Result<String, ConfigError> {
    let url = raw.trim().trim_end_matches('/');
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let fine = host.is_some_and(|host| {
        !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    });
    if fine {
        Ok(url.to_owned())
    } else {
        Err(ConfigError {
            name: "CHAT_PUBLIC_URL",
            value: raw.to_owned(),
            reason: "an origin such as https://chat.example.com (no path)".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::public_url;

    #[test]
    fn a_public_url_is_an_origin() {
        assert_eq!(
            public_url("https://chat.example.com/").ok().as_deref(),
            Some("https://chat.example.com")
        );
        assert_eq!(
            public_url("http://127.0.0.1:3000").ok().as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert!(public_url("chat.example.com").is_err(), "no scheme");
        assert!(
            public_url("https://chat.example.com/app").is_err(),
            "a path"
        );
        assert!(public_url("https://").is_err(), "no host");
    }
}
