//! The node's connection for commands (the store's, the announcer's, presence's): to one
//! Redis through a `ConnectionManager` (it reconnects by itself), or to a cluster through
//! the cluster client's connection (it follows `MOVED`/`ASK`, waits out a failover within
//! its request timeout, and loads scripts on `NOSCRIPT`). Both are cheap to clone and
//! shared; code above speaks `aio::ConnectionLike` and does not care which.

use super::client::{RedisClient, CONNECT_TIMEOUT, RESPONSE_TIMEOUT};
use super::decode::classify;
use crate::server::store::StoreError;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};

/// A connection for commands, to one Redis or to a cluster.
#[derive(Clone)]
pub enum Connection {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl Connection {
    /// Connects, and sends a `PING`: a connection is not yet a login, and a Redis that lets
    /// no one in without a user (ACLs) says so to the first command, here rather than to
    /// the first send. Commands fail after two seconds without an answer, so a Redis outage
    /// becomes a prompt 503, not a hang.
    pub async fn open(client: &RedisClient) -> Result<Self, StoreError> {
        let mut conn = match client {
            RedisClient::Single(client) => {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(CONNECT_TIMEOUT))
                    .set_response_timeout(Some(RESPONSE_TIMEOUT))
                    .set_number_of_retries(1);
                Connection::Single(
                    client
                        .get_connection_manager_with_config(config)
                        .await
                        .map_err(classify)?,
                )
            }
            RedisClient::Cluster(seeds) => Connection::Cluster(
                seeds
                    .client(None)?
                    .get_async_connection()
                    .await
                    .map_err(classify)?,
            ),
        };
        redis::cmd("PING")
            .query_async::<()>(&mut conn)
            .await
            .map_err(classify)?;
        Ok(conn)
    }

    /// Whether this is a cluster's (a pipeline then must keep to one slot).
    pub fn is_cluster(&self) -> bool {
        matches!(self, Connection::Cluster(_))
    }
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Connection::Single(conn) => conn.req_packed_command(cmd),
            Connection::Cluster(conn) => conn.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Connection::Single(conn) => conn.req_packed_commands(pipeline, offset, count),
            Connection::Cluster(conn) => conn.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Connection::Single(conn) => conn.get_db(),
            Connection::Cluster(conn) => conn.get_db(),
        }
    }
}
