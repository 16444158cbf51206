//! Pipelines built from a list (one command per id, per room, per message). The redis
//! client refuses to send an empty pipeline, so an empty list is answered here as Redis
//! answers nothing: no replies.

use super::decode::classify;
use crate::server::store::StoreError;
use redis::aio::ConnectionManager;
use redis::{FromRedisValue, Pipeline, Value};

/// Runs `pipe` on `conn`; with no commands in it, decodes an empty list of replies
/// (an empty `Vec`, `()`) without a round trip.
pub(super) async fn query<T: FromRedisValue>(
    pipe: &Pipeline,
    conn: &ConnectionManager,
) -> Result<T, StoreError> {
    if pipe.is_empty() {
        return redis::from_redis_value(Value::Array(Vec::new())).map_err(|e| classify(e.into()));
    }
    pipe.query_async(&mut conn.clone()).await.map_err(classify)
}
