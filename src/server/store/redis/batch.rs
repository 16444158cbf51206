//! Commands built from a list (one per id, per room, per message), sent together. On one
//! Redis they go as one pipeline; in a cluster each goes to its own key's shard (a pipeline
//! may not span slots), all at once, and the answers come back in order. An empty list is
//! answered as Redis answers nothing: no replies, without a round trip.

use super::connection::Connection;
use super::decode::classify;
use crate::server::store::StoreError;
use redis::{Cmd, FromRedisValue, Value};

/// Commands to send together; the answers of those added with [`Batch::add`], in order.
#[derive(Default)]
pub struct Batch {
    commands: Vec<(Cmd, bool)>,
}

impl Batch {
    pub fn new() -> Self {
        Self::default()
    }

    /// A command whose answer is wanted.
    pub fn add(&mut self, cmd: Cmd) -> &mut Self {
        self.commands.push((cmd, true));
        self
    }

    /// A command whose answer is not (a write).
    pub fn add_ignored(&mut self, cmd: Cmd) -> &mut Self {
        self.commands.push((cmd, false));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// Sends them and decodes the wanted answers, as a list (an empty `Vec`, `()`, a
    /// tuple).
    pub async fn query<T: FromRedisValue>(&self, conn: &Connection) -> Result<T, StoreError> {
        let answers = if self.commands.is_empty() {
            Vec::new()
        } else if conn.is_cluster() {
            let sent = self.commands.iter().map(|(cmd, wanted)| async move {
                let answer: Value = cmd.query_async(&mut conn.clone()).await?;
                Ok::<_, redis::RedisError>(wanted.then_some(answer))
            });
            futures::future::try_join_all(sent)
                .await
                .map_err(classify)?
                .into_iter()
                .flatten()
                .collect()
        } else {
            let mut pipe = redis::pipe();
            for (cmd, wanted) in &self.commands {
                pipe.add_command(cmd.clone());
                if !wanted {
                    pipe.ignore();
                }
            }
            pipe.query_async(&mut conn.clone())
                .await
                .map_err(classify)?
        };
        redis::from_redis_value(Value::Array(answers)).map_err(|e| classify(e.into()))
    }
}
