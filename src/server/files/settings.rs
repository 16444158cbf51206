//! Where uploaded files are kept and how large they may be: `CHAT_UPLOADS_DIR` (a local
//! directory, the default) or an S3-compatible bucket (`CHAT_S3_URL` with
//! `CHAT_S3_BUCKET`, `CHAT_S3_ACCESS_KEY_ID`, `CHAT_S3_SECRET_ACCESS_KEY`,
//! `CHAT_S3_REGION`), `CHAT_MAX_UPLOAD_MB` per file, `CHAT_UPLOADS_MAX_GB` in all, and
//! `CHAT_UPLOADS_UNSENT_MB` uploaded by one person and not sent yet.

use crate::domain::MAX_ATTACHMENTS;
use crate::server::settings::{parse, ConfigError, Secret};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct FileSettings {
    /// The local directory files are kept in (without S3), and where uploads are spooled
    /// while they arrive (always).
    pub dir: PathBuf,
    /// An S3-compatible bucket instead of the directory (several nodes need one).
    pub s3: Option<S3Settings>,
    /// The largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// The most all kept files may take, in bytes (unset: no bound).
    pub max_total_bytes: Option<u64>,
    /// The most one person's files uploaded and not sent yet may take, in bytes (unset: ten
    /// of the largest files, what one message may carry).
    pub max_unsent_bytes: Option<u64>,
    /// How long an upload may wait to be sent before it is removed.
    pub unsent_lasts: Duration,
    /// How often the janitor looks for files to remove.
    pub sweep_every: Duration,
    /// How long an upload may send nothing before it is given up (408).
    pub stall: Duration,
}

#[derive(Debug, Clone)]
pub struct S3Settings {
    /// The endpoint, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:8333`.
    pub url: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

impl Default for FileSettings {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("data/uploads"),
            s3: None,
            max_file_bytes: 25 * MB,
            max_total_bytes: None,
            max_unsent_bytes: None,
            unsent_lasts: Duration::from_secs(60 * 60),
            sweep_every: Duration::from_secs(20),
            stall: Duration::from_secs(30),
        }
    }
}

const MB: u64 = 1024 * 1024;

impl FileSettings {
    /// How much one person may have uploaded and not sent yet, in bytes.
    pub fn unsent_per_person(&self) -> u64 {
        self.max_unsent_bytes
            .unwrap_or_else(|| self.max_file_bytes.saturating_mul(MAX_ATTACHMENTS as u64))
    }

    pub(crate) fn read_env(lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut settings = Self::default();
        if let Some(dir) = lookup("CHAT_UPLOADS_DIR").filter(|d| !d.is_empty()) {
            settings.dir = PathBuf::from(dir);
        }
        if let Some(mb) = lookup("CHAT_MAX_UPLOAD_MB") {
            let mb: u64 = parse("CHAT_MAX_UPLOAD_MB", mb)?;
            settings.max_file_bytes = mb.saturating_mul(MB).max(1);
        }
        if let Some(gb) = lookup("CHAT_UPLOADS_MAX_GB") {
            let gb: f64 = parse("CHAT_UPLOADS_MAX_GB", gb)?;
            if !(gb.is_finite() && gb > 0.0) {
                return Err(ConfigError {
                    name: "CHAT_UPLOADS_MAX_GB",
                    value: gb.to_string(),
                    reason: "must be a positive number".into(),
                });
            }
            settings.max_total_bytes = Some((gb * (1024.0 * MB as f64)) as u64);
        }
        if let Some(mb) = lookup("CHAT_UPLOADS_UNSENT_MB") {
            let mb: u64 = parse("CHAT_UPLOADS_UNSENT_MB", mb)?;
            settings.max_unsent_bytes = Some(mb.saturating_mul(MB).max(1));
        }
        if let Some(url) = lookup("CHAT_S3_URL").filter(|u| !u.is_empty()) {
            let required = |name: &'static str| {
                lookup(name).filter(|v| !v.is_empty()).ok_or(ConfigError {
                    name,
                    value: String::new(),
                    reason: "must be set with CHAT_S3_URL".into(),
                })
            };
            settings.s3 = Some(S3Settings {
                url,
                bucket: required("CHAT_S3_BUCKET")?,
                region: lookup("CHAT_S3_REGION").unwrap_or_else(|| "us-east-1".to_owned()),
                access_key_id: required("CHAT_S3_ACCESS_KEY_ID")?,
                secret_access_key: Secret::new(required("CHAT_S3_SECRET_ACCESS_KEY")?),
            });
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<FileSettings, ConfigError> {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        FileSettings::read_env(&|name| map.get(name).map(|v| v.to_string()))
    }

    #[test]
    fn files_default_to_a_local_directory_and_25_mb_each() {
        let settings = read(&[]).expect("defaults");
        assert_eq!(settings.dir, PathBuf::from("data/uploads"));
        assert_eq!(settings.max_file_bytes, 25 * MB);
        assert!(settings.s3.is_none() && settings.max_total_bytes.is_none());
        assert_eq!(settings.unsent_per_person(), 250 * MB, "ten files' worth");
        let settings = read(&[
            ("CHAT_MAX_UPLOAD_MB", "100"),
            ("CHAT_UPLOADS_MAX_GB", "0.5"),
        ])
        .expect("valid");
        assert_eq!(settings.max_file_bytes, 100 * MB);
        assert_eq!(settings.max_total_bytes, Some(512 * MB));
        assert_eq!(settings.unsent_per_person(), 1000 * MB);
        let settings = read(&[("CHAT_UPLOADS_UNSENT_MB", "40")]).expect("valid");
        assert_eq!(settings.unsent_per_person(), 40 * MB);
        assert!(read(&[("CHAT_UPLOADS_MAX_GB", "-1")]).is_err());
    }

    #[test]
    fn a_bucket_needs_its_name_and_credentials() {
        let url = ("CHAT_S3_URL", "http://127.0.0.1:8333");
        let error = read(&[url]).expect_err("no bucket");
        assert_eq!(error.name, "CHAT_S3_BUCKET");
        let settings = read(&[
            url,
            ("CHAT_S3_BUCKET", "uploads"),
            ("CHAT_S3_ACCESS_KEY_ID", "key"),
            ("CHAT_S3_SECRET_ACCESS_KEY", "secret"),
        ])
        .expect("valid");
        let s3 = settings.s3.expect("s3");
        assert_eq!(
            (s3.bucket.as_str(), s3.region.as_str()),
            ("uploads", "us-east-1")
        );
        assert!(
            !format!("{s3:?}").contains("\"secret\""),
            "the secret stays out of logs"
        );
    }
}
