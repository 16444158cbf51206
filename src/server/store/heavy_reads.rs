//! Reading stored reactions can be heavy: a message thousands of people reacted to holds a
//! JSON list of all of them. A page's worth above [`HEAVY_BYTES`] is read on a blocking
//! thread, so one such page never holds up the async workers serving everyone else.

use super::StoreError;

/// Stored reactions longer than this, in all for one read, are read off the async workers.
pub const HEAVY_BYTES: usize = 64 * 1024;

/// `read(input)`, on a blocking thread when `stored_bytes` (the reactions it decodes) is
/// [`HEAVY_BYTES`] or more.
pub async fn off_the_workers_if_heavy<T, R>(
    input: T,
    stored_bytes: usize,
    read: impl FnOnce(T) -> R + Send + 'static,
) -> Result<R, StoreError>
where
    T: Send + 'static,
    R: Send + 'static,
{
    if stored_bytes < HEAVY_BYTES {
        return Ok(read(input));
    }
    tokio::task::spawn_blocking(move || read(input))
        .await
        .map_err(|joined| StoreError::Failed(Box::new(joined)))
}
