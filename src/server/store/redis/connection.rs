//! The node's connection for commands (the store's, the announcer's, presence's): to one
//! Redis through a `ConnectionManager` (it reconnects by itself), or to a cluster through
//! the cluster client's connection (it follows `MOVED`/`ASK`, waits out a failover within
//! its request timeout, and loads scripts on `NOSCRIPT`). Both are cheap to clone and
//! shared; code above speaks `aio::ConnectionLike` and does not care which.

use super::client::{ClusterSeeds, RedisClient, CONNECT_TIMEOUT, RESPONSE_TIMEOUT};
use super::decode::classify;
use crate::server::store::StoreError;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// A connection for commands, to one Redis or to a cluster.
#[derive(Clone)]
pub enum Connection {
    Single(ConnectionManager),
    Cluster(Arc<Cluster>),
}

/// The cluster client's connection, made again when it stops answering: after a primary
/// restarts on its address, the client can go on timing out every request for minutes
/// (seen with redis 1.8.2; `tests/api/redis_cluster.rs` restarts a primary under load).
pub struct Cluster {
    seeds: ClusterSeeds,
    current: RwLock<ClusterConnection>,
    /// When requests began timing out, one after another (none since the last answer).
    timing_out_since: Mutex<Option<Instant>>,
    /// Only one remake at a time.
    remaking: tokio::sync::Mutex<()>,
}

/// How long requests may all time out before the connection is made again.
const STUCK_FOR: Duration = Duration::from_secs(6);

impl Cluster {
    fn connection(&self) -> ClusterConnection {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Notes how a request went; after `STUCK_FOR` of nothing but timeouts, makes the
    /// connection again (in the background of the request that noticed).
    async fn note<T>(&self, result: &redis::RedisResult<T>) {
        let timed_out = matches!(result, Err(e) if e.is_timeout());
        let stuck = {
            let mut since = self
                .timing_out_since
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            match (timed_out, *since) {
                (false, _) => {
                    *since = None;
                    false
                }
                (true, None) => {
                    *since = Some(Instant::now());
                    false
                }
                (true, Some(start)) => start.elapsed() >= STUCK_FOR,
            }
        };
        if !stuck {
            return;
        }
        let Ok(_only) = self.remaking.try_lock() else {
            return;
        };
        tracing::warn!("the Redis Cluster connection stopped answering: connecting again");
        let made = match self.seeds.client(None) {
            Ok(client) => client
                .get_async_connection()
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match made {
            Ok(conn) => {
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = conn;
                *self
                    .timing_out_since
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = None;
            }
            Err(error) => tracing::warn!(%error, "could not connect to the Redis Cluster again"),
        }
    }
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
            RedisClient::Cluster(seeds) => Connection::Cluster(Arc::new(Cluster {
                current: RwLock::new(
                    seeds
                        .client(None)?
                        .get_async_connection()
                        .await
                        .map_err(classify)?,
                ),
                seeds: seeds.clone(),
                timing_out_since: Mutex::new(None),
                remaking: tokio::sync::Mutex::new(()),
            })),
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
            Connection::Cluster(cluster) => Box::pin(async move {
                let answer = cluster.connection().req_packed_command(cmd).await;
                cluster.note(&answer).await;
                answer
            }),
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
            Connection::Cluster(cluster) => Box::pin(async move {
                let answer = cluster
                    .connection()
                    .req_packed_commands(pipeline, offset, count)
                    .await;
                cluster.note(&answer).await;
                answer
            }),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Connection::Single(conn) => conn.get_db(),
            Connection::Cluster(cluster) => cluster.connection().get_db(),
        }
    }
}
