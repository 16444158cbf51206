//! Typed settings: defaults first, then the environment.

use crate::server::access::limits::LimitSettings;
use crate::server::access::session::SessionSettings;
use crate::server::files::settings::FileSettings;
use crate::server::node::tls_settings::TlsSettings;
use crate::server::push::settings::PushSettings;
use crate::server::settings::parse;
pub use crate::server::settings::{ConfigError, Secret};
use crate::server::store::redis_client::RedisTls;
use crate::server::store::redis_keys::Keyspace;
use std::net::SocketAddr;
use std::time::Duration;

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where to listen. Port 0 picks a free port (tests).
    pub addr: SocketAddr,
    /// Where `/metrics` is served instead of on `addr` (`CHAT_METRICS_ADDR`); unset: on
    /// `addr`, beside everything else.
    pub metrics_addr: Option<SocketAddr>,
    /// The SQLite database, e.g. `sqlite://data/chat.db`.
    pub database_url: String,
    /// The most the SQLite file may grow to, in bytes (unset: as far as the disk allows).
    /// Past it, sends answer 503 and readiness fails, as with a full disk.
    pub database_max_bytes: Option<u64>,
    /// How often an idle SSE stream sends a heartbeat comment.
    pub heartbeat: Duration,
    /// The `retry:` the browser waits before reconnecting a dropped stream, at the least.
    pub retry: Duration,
    /// How much longer, at random per connection, so that streams dropped at once (a node
    /// that died) do not all come back at once.
    pub retry_spread: Duration,
    /// How many events a stream may fall behind live before it catches up from the store.
    pub broadcast_capacity: usize,
    /// How many bytes of stored events a live stream may fall behind, catching up without
    /// ever catching up, before it is ended (the browser resumes when it reconnects).
    pub stream_max_behind: usize,
    /// The most rooms one browser-wide stream (`/api/events`) may carry.
    pub stream_max_rooms: usize,
    /// How often changes of who is online are broadcast (at most once per room each time).
    pub presence_interval: Duration,
    /// With Redis: how often a node does its housekeeping: rewrites its presence rosters (a
    /// node silent for three times this long, one that died, drops out of everyone's
    /// presence) and unsubscribes from rooms nobody on it watches any more.
    pub redis_refresh: Duration,
    /// How long a client may take to send a request's head before its connection is closed.
    pub header_timeout: Duration,
    /// How long an HTTP/2 connection with nothing under way stays open.
    pub idle_timeout: Duration,
    /// How long a connection may go without taking any of what is written to it.
    pub write_stall: Duration,
    /// How long a client may take to send a request's body before it is refused (408).
    pub body_timeout: Duration,
    /// How long shutdown waits for open connections before closing them.
    pub shutdown_grace: Duration,
    /// Over how long shutdown ends the open streams, spread out (within `shutdown_grace`).
    pub drain: Duration,
    /// Redis for the scale-out backend; unset: the embedded SQLite store.
    pub redis_url: Option<Secret>,
    /// Over TLS (`rediss://`): whom to trust and the node's own certificate.
    pub redis_tls: RedisTls,
    /// Prefix of every Redis key, so several deployments can share one Redis.
    pub redis_prefix: String,
    /// `redis_url` names a Redis Cluster's seed nodes (`CHAT_REDIS_CLUSTER=on`): keys laid
    /// out with hash tags, the cluster client, sharded pub/sub (docs/redis-cluster.md).
    pub redis_cluster: bool,
    /// Messages kept per room in Redis.
    pub history_limit: usize,
    /// Rate limits, stream caps and where the client's address comes from.
    pub limits: LimitSettings,
    /// How session cookies are signed and kept.
    pub sessions: SessionSettings,
    /// HTTPS served directly (`CHAT_TLS_CERT`, `CHAT_TLS_KEY`); unset: plain HTTP/1.1.
    pub tls: Option<TlsSettings>,
    /// Messages older than this are removed, hourly (`CHAT_RETENTION_DAYS`); unset: kept.
    pub retention: Option<Duration>,
    /// Where uploaded files are kept, and how large they may be (`FileSettings`).
    pub files: FileSettings,
    /// Web Push: its key pair, contact and allowed endpoints.
    pub push: PushSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            metrics_addr: None,
            database_url: "sqlite://data/chat.db".to_owned(),
            database_max_bytes: None,
            heartbeat: Duration::from_secs(15),
            retry: Duration::from_secs(2),
            retry_spread: Duration::from_secs(3),
            broadcast_capacity: 1024,
            stream_max_behind: 4 * 1024 * 1024,
            stream_max_rooms: 50,
            presence_interval: Duration::from_millis(500),
            redis_refresh: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            write_stall: Duration::from_secs(60),
            body_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(10),
            drain: Duration::from_secs(5),
            redis_url: None,
            redis_tls: RedisTls::default(),
            redis_prefix: "chat".to_owned(),
            redis_cluster: false,
            history_limit: 10_000,
            retention: None,
            limits: LimitSettings::default(),
            sessions: SessionSettings::default(),
            tls: None,
            files: FileSettings::default(),
            push: PushSettings::default(),
        }
    }
}

impl Settings {
    /// Where this deployment's keys are in Redis.
    pub fn redis_keyspace(&self) -> Keyspace {
        if self.redis_cluster {
            Keyspace::cluster(&self.redis_prefix)
        } else {
            Keyspace::single(&self.redis_prefix)
        }
    }

    /// Defaults, overridden by `CHAT_ADDR` (or cargo-leptos' `LEPTOS_SITE_ADDR`),
    /// `DATABASE_URL`, `CHAT_DB_MAX_MB`, `CHAT_HEARTBEAT_SECS`, `CHAT_RETRY_MS`,
    /// `CHAT_RETRY_SPREAD_MS`, `CHAT_STREAM_MAX_ROOMS`, `CHAT_BROADCAST_CAPACITY`, `CHAT_STREAM_MAX_BEHIND_KB`,
    /// `CHAT_HEADER_TIMEOUT_SECS`, `CHAT_BODY_TIMEOUT_SECS`, `CHAT_SHUTDOWN_GRACE_SECS`,
    /// `CHAT_DRAIN_SECS`, `REDIS_URL`,
    /// `CHAT_REDIS_PREFIX`, `CHAT_HISTORY_LIMIT`, `CHAT_RETENTION_DAYS`, `CHAT_REDIS_REFRESH_SECS`, the limits'
    /// variables (`LimitSettings`), the sessions' (`SessionSettings`) and the files'
    /// (`FileSettings`).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The same, reading variables through `lookup` (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut settings = Self::default();
        if let Some(addr) = lookup("CHAT_ADDR").or_else(|| lookup("LEPTOS_SITE_ADDR")) {
            settings.addr = parse("CHAT_ADDR", addr)?;
        }
        if let Some(addr) = lookup("CHAT_METRICS_ADDR") {
            settings.metrics_addr = Some(parse("CHAT_METRICS_ADDR", addr)?);
        }
        if let Some(url) = lookup("DATABASE_URL") {
            settings.database_url = url;
        }
        if let Some(mb) = lookup("CHAT_DB_MAX_MB") {
            let mb: u64 = parse("CHAT_DB_MAX_MB", mb)?;
            settings.database_max_bytes = Some(mb.saturating_mul(1024 * 1024));
        }
        if let Some(secs) = lookup("CHAT_HEARTBEAT_SECS") {
            settings.heartbeat = Duration::from_secs(parse("CHAT_HEARTBEAT_SECS", secs)?);
        }
        for (name, setting) in [
            ("CHAT_RETRY_MS", &mut settings.retry),
            ("CHAT_RETRY_SPREAD_MS", &mut settings.retry_spread),
        ] {
            if let Some(ms) = lookup(name) {
                *setting = Duration::from_millis(parse(name, ms)?);
            }
        }
        if let Some(rooms) = lookup("CHAT_STREAM_MAX_ROOMS") {
            settings.stream_max_rooms = parse("CHAT_STREAM_MAX_ROOMS", rooms)?;
        }
        if let Some(capacity) = lookup("CHAT_BROADCAST_CAPACITY") {
            settings.broadcast_capacity = parse("CHAT_BROADCAST_CAPACITY", capacity)?;
        }
        if let Some(kb) = lookup("CHAT_STREAM_MAX_BEHIND_KB") {
            let kb: usize = parse("CHAT_STREAM_MAX_BEHIND_KB", kb)?;
            settings.stream_max_behind = kb.saturating_mul(1024);
        }
        for (name, setting) in [
            ("CHAT_HEADER_TIMEOUT_SECS", &mut settings.header_timeout),
            ("CHAT_IDLE_TIMEOUT_SECS", &mut settings.idle_timeout),
            ("CHAT_WRITE_STALL_SECS", &mut settings.write_stall),
            ("CHAT_BODY_TIMEOUT_SECS", &mut settings.body_timeout),
            ("CHAT_SHUTDOWN_GRACE_SECS", &mut settings.shutdown_grace),
            ("CHAT_DRAIN_SECS", &mut settings.drain),
        ] {
            if let Some(secs) = lookup(name) {
                *setting = Duration::from_secs(parse(name, secs)?);
            }
        }
        if let Some(url) = lookup("REDIS_URL").filter(|url| !url.is_empty()) {
            settings.redis_url = Some(Secret::new(url));
        }
        settings.redis_tls = RedisTls::read_env(&lookup)?;
        if let Some(cluster) = lookup("CHAT_REDIS_CLUSTER").filter(|value| !value.is_empty()) {
            settings.redis_cluster = match cluster.as_str() {
                "on" => true,
                "off" => false,
                _ => {
                    return Err(ConfigError {
                        name: "CHAT_REDIS_CLUSTER",
                        value: cluster,
                        reason: "is on or off".into(),
                    })
                }
            };
        }
        if let Some(prefix) = lookup("CHAT_REDIS_PREFIX") {
            settings.redis_prefix = prefix;
        }
        if let Some(limit) = lookup("CHAT_HISTORY_LIMIT") {
            settings.history_limit = parse("CHAT_HISTORY_LIMIT", limit)?;
        }
        if let Some(days) = lookup("CHAT_RETENTION_DAYS").filter(|days| !days.is_empty()) {
            let days: u32 = parse("CHAT_RETENTION_DAYS", days)?;
            if days == 0 {
                return Err(ConfigError {
                    name: "CHAT_RETENTION_DAYS",
                    value: "0".into(),
                    reason: "must be at least 1 (unset it to keep every message)".into(),
                });
            }
            settings.retention = Some(Duration::from_secs(u64::from(days) * 24 * 60 * 60));
        }
        if let Some(secs) = lookup("CHAT_REDIS_REFRESH_SECS") {
            let secs = parse("CHAT_REDIS_REFRESH_SECS", secs)?;
            settings.redis_refresh = Duration::from_secs(secs);
        }
        settings.limits.read_env(&lookup)?;
        settings.sessions.read_env(&lookup)?;
        settings.tls = TlsSettings::read_env(&lookup)?;
        settings.files = FileSettings::read_env(&lookup)?;
        settings.push = PushSettings::read_env(&lookup)?;
        for (name, value) in [
            ("CHAT_HEARTBEAT_SECS", settings.heartbeat),
            ("CHAT_REDIS_REFRESH_SECS", settings.redis_refresh),
            ("CHAT_HEADER_TIMEOUT_SECS", settings.header_timeout),
            ("CHAT_IDLE_TIMEOUT_SECS", settings.idle_timeout),
            ("CHAT_WRITE_STALL_SECS", settings.write_stall),
            ("CHAT_BODY_TIMEOUT_SECS", settings.body_timeout),
        ] {
            if value.is_zero() {
                return Err(ConfigError {
                    name,
                    value: "0".into(),
                    reason: "must be at least 1".into(),
                });
            }
        }
        if lookup("CHAT_DRAIN_SECS").is_none() {
            // The default drain fits within whatever grace was chosen.
            settings.drain = settings.drain.min(settings.shutdown_grace / 2);
        } else if settings.drain >= settings.shutdown_grace {
            return Err(ConfigError {
                name: "CHAT_DRAIN_SECS",
                value: settings.drain.as_secs().to_string(),
                reason: format!(
                    "must be shorter than the shutdown grace ({} s, CHAT_SHUTDOWN_GRACE_SECS)",
                    settings.shutdown_grace.as_secs()
                ),
            });
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn with_nothing_set_the_app_runs_on_the_embedded_default() {
        let settings = from(&[]).expect("defaults are valid");
        assert_eq!(settings.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(settings.database_url, "sqlite://data/chat.db");
        assert_eq!(settings.heartbeat, Duration::from_secs(15));
    }

    #[test]
    fn the_environment_overrides_defaults() {
        let settings = from(&[
            ("CHAT_ADDR", "0.0.0.0:8080"),
            ("LEPTOS_SITE_ADDR", "127.0.0.1:9"),
            ("DATABASE_URL", "sqlite:/tmp/x.db"),
            ("CHAT_HEARTBEAT_SECS", "5"),
            ("CHAT_METRICS_ADDR", "127.0.0.1:9100"),
            ("CHAT_RETENTION_DAYS", "30"),
        ])
        .expect("valid");
        assert_eq!(settings.retention, Some(Duration::from_secs(30 * 86_400)));
        assert_eq!(from(&[]).expect("valid").retention, None, "kept by default");
        assert!(from(&[("CHAT_RETENTION_DAYS", "0")]).is_err());
        assert!(from(&[("CHAT_RETENTION_DAYS", "a month")]).is_err());
        assert_eq!(settings.addr.to_string(), "0.0.0.0:8080");
        assert_eq!(settings.metrics_addr, Some(([127, 0, 0, 1], 9100).into()));
        assert_eq!(settings.database_url, "sqlite:/tmp/x.db");
        assert_eq!(settings.heartbeat, Duration::from_secs(5));
    }

    #[test]
    fn the_drain_fits_within_the_shutdown_grace() {
        assert_eq!(from(&[]).expect("valid").drain, Duration::from_secs(5));
        let short = from(&[("CHAT_SHUTDOWN_GRACE_SECS", "2")]).expect("the default shrinks");
        assert_eq!(short.drain, Duration::from_secs(1));
        let chosen = [("CHAT_SHUTDOWN_GRACE_SECS", "2"), ("CHAT_DRAIN_SECS", "3")];
        assert!(from(&chosen).is_err(), "a drain longer than the grace");
    }

    #[test]
    fn session_secrets_are_checked_listed_newest_first_and_never_printed() {
        assert!(from(&[("CHAT_SESSION_SECRET", "short")]).is_err());
        let (new, old) = ("n".repeat(40), "o".repeat(32));
        let both = format!("{new}, {old}");
        assert!(from(&[("CHAT_SESSION_SECRET", &format!("{new},short"))]).is_err());
        let settings = from(&[("CHAT_SESSION_SECRET", both.as_str())]).expect("valid");
        let secrets: Vec<&str> = settings
            .sessions
            .secrets
            .iter()
            .map(Secret::expose)
            .collect();
        assert_eq!(secrets, [new.as_str(), old.as_str()]);
        assert!(!format!("{settings:?}").contains(&new));
        assert!(from(&[("CHAT_SESSION_IDLE_DAYS", "0")]).is_err());
        assert!(from(&[("CHAT_SECURE_COOKIES", "yes")]).is_err());
        for name in ["CHAT_COOKIE_SECURE", "CHAT_SECURE_COOKIES"] {
            assert!(
                from(&[(name, "true")])
                    .expect("valid")
                    .sessions
                    .secure_cookies
            );
        }
    }

    #[test]
    fn tls_needs_a_certificate_and_a_key() {
        assert!(from(&[("CHAT_TLS_CERT", "cert.pem")]).is_err());
        assert!(from(&[("CHAT_TLS_KEY", "key.pem")]).is_err());
        let settings =
            from(&[("CHAT_TLS_CERT", "c.pem"), ("CHAT_TLS_KEY", "k.pem")]).expect("valid");
        assert_eq!(
            settings.tls,
            Some(TlsSettings {
                cert: "c.pem".into(),
                key: "k.pem".into()
            })
        );
    }

    #[test]
    fn limits_are_on_by_default_and_each_can_be_changed_or_switched_off() {
        let defaults = from(&[]).expect("valid").limits;
        assert!(defaults.rates.is_some());
        let tuned = from(&[
            ("CHAT_SENDS_PER_MINUTE", "600"),
            ("CHAT_SEND_BURST", "50"),
            ("CHAT_MAX_STREAMS_PER_ADDRESS", "5000"),
            ("CHAT_CLIENT_IP_HEADER", "X-Real-IP"),
        ])
        .expect("valid")
        .limits;
        let writes = tuned.rates.map(|r| r.writes);
        assert_eq!(writes.map(|w| (w.burst, w.per_minute)), Some((50, 600)));
        assert_eq!(tuned.streams.per_address, 5000);
        assert_eq!(tuned.client_ip_header.as_deref(), Some("x-real-ip"));
        let off = from(&[("CHAT_RATE_LIMITS", "off")]).expect("valid").limits;
        assert!(off.rates.is_none());
        assert!(from(&[("CHAT_RATE_LIMITS", "maybe")]).is_err());
    }

    #[test]
    fn a_bad_value_names_the_variable() {
        let err = from(&[("CHAT_ADDR", "nowhere")])
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("CHAT_ADDR")));
        assert!(from(&[("CHAT_HEARTBEAT_SECS", "0")]).is_err());
        assert!(from(&[("CHAT_REDIS_REFRESH_SECS", "0")]).is_err());
    }
}
