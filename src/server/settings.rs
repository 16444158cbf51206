//! Reading settings from the environment: the error that names a bad variable, parsing a
//! value, and a secret that never reaches a log. Each part's settings use these
//! (`node/config.rs` gathers them).
//!
//! Imports nothing of the server.

use std::fmt;

/// A value that must never reach a log: `Debug` shows only that it is set.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A setting in the environment that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {name} = {value:?} is not valid: {reason}")]
pub struct ConfigError {
    pub(crate) name: &'static str,
    pub(crate) value: String,
    pub(crate) reason: String,
}

pub(crate) fn parse<T>(name: &'static str, value: String) -> Result<T, ConfigError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    value.trim().parse().map_err(|e: T::Err| ConfigError {
        name,
        reason: e.to_string(),
        value,
    })
}
