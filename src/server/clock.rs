//! The wall clock, as stored times are kept: milliseconds since the Unix epoch.

/// Milliseconds since the Unix epoch (0 on a clock set before it).
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}
