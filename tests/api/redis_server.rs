//! A real `redis-server` on a free loopback port, started for a test and stopped after it.

use chat::domain::RoomName;
use chat::server::store::redis_keys::Keyspace;
use futures::stream::BoxStream;
use futures::StreamExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct RedisServer {
    child: Child,
    pub url: String,
    port: u16,
    dir: tempfile::TempDir,
}

impl RedisServer {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_on(free_port(), dir).await
    }

    /// Stops the server; returns what `start_on` needs to bring it back.
    pub fn stop(mut self) -> (u16, tempfile::TempDir) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().expect("temp dir"));
        (self.port, dir)
    }

    pub async fn start_on(port: u16, dir: tempfile::TempDir) -> Self {
        let url = format!("redis://127.0.0.1:{port}");
        let client = redis::Client::open(url.as_str()).expect("a Redis URL");
        let args = vec!["--port".into(), port.to_string()];
        Self::launch(&args, url, &client, port, dir).await
    }

    /// A server listening as `args` say, on loopback, its append-only file fsynced on
    /// every write into `dir`; ready once `client` has an answer to PING (and, with
    /// `CHAT_TEST_REDIS_CLUSTER`, once it is a cluster of one). `url` is what nodes are
    /// given.
    pub async fn launch(
        args: &[String],
        url: String,
        client: &redis::Client,
        port: u16,
        dir: tempfile::TempDir,
    ) -> Self {
        let cluster = cluster_keys();
        let child = Command::new("redis-server")
            .args(args)
            .args(if cluster {
                &["--cluster-enabled", "yes"][..]
            } else {
                &[]
            })
            .args(["--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "yes", "--appendfsync", "always", "--dir"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed (scripts/setup.sh test installs it)");
        // Owned from here on, so it is killed and reaped whatever happens next.
        let server = Self {
            child,
            url,
            port,
            dir,
        };
        // Ready once it answers PING: while it loads its append-only file it answers LOADING.
        for _ in 0..200 {
            if answers_ping(client).await {
                if cluster {
                    hold_every_slot(client).await;
                }
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server did not start on port {port}");
    }
}

/// With `CHAT_TEST_REDIS_CLUSTER` set, every server is a cluster of one node holding all
/// 16,384 slots: the app's ordinary client reaches every key, and Redis enforces the slot
/// rules (`CROSSSLOT`) as a real cluster does (docs/redis-cluster.md).
async fn hold_every_slot(client: &redis::Client) {
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("a connection to the new server");
    for _ in 0..100 {
        let info: String = redis::cmd("CLUSTER")
            .arg("INFO")
            .query_async(&mut conn)
            .await
            .expect("CLUSTER INFO");
        if info.contains("cluster_state:ok") {
            return;
        }
        // A restart on the same directory keeps its slots (nodes.conf): then this fails.
        let _: redis::RedisResult<()> = redis::cmd("CLUSTER")
            .arg("ADDSLOTSRANGE")
            .arg(0)
            .arg(16383)
            .query_async(&mut conn)
            .await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the one-node cluster did not come up");
}

async fn answers_ping(client: &redis::Client) -> bool {
    let Ok(mut conn) = client.get_multiplexed_async_connection().await else {
        return false;
    };
    redis::cmd("PING")
        .query_async::<String>(&mut conn)
        .await
        .is_ok()
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Whether every server is a one-node cluster (`CHAT_TEST_REDIS_CLUSTER`): then nodes and
/// stores lay their keys out for a cluster.
pub fn cluster_keys() -> bool {
    std::env::var_os("CHAT_TEST_REDIS_CLUSTER").is_some()
}

/// The keys under `prefix`, laid out as the servers need.
pub fn keyspace(prefix: &str) -> Keyspace {
    if cluster_keys() {
        Keyspace::cluster(prefix)
    } else {
        Keyspace::single(prefix)
    }
}

/// A key prefix no other test uses.
pub fn fresh_prefix() -> String {
    format!("test-{:016x}", rand_u64())
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// What is announced on `room`'s channel under `prefix`, heard as a node's relay hears it:
/// a plain subscription on one Redis, a sharded one (RESP3 pushes) in a cluster.
pub async fn announcements(
    redis: &RedisServer,
    prefix: &str,
    room: &RoomName,
) -> BoxStream<'static, String> {
    let channel = keyspace(prefix).room(room).channel();
    if !cluster_keys() {
        let client = redis::Client::open(redis.url.as_str()).expect("url");
        let mut pubsub = client.get_async_pubsub().await.expect("pubsub");
        pubsub.subscribe(&channel).await.expect("subscribe");
        return pubsub
            .into_on_message()
            .filter_map(|m| std::future::ready(m.get_payload::<String>().ok()))
            .boxed();
    }
    let (pushes, mut heard) = tokio::sync::mpsc::unbounded_channel();
    let client = redis::cluster::ClusterClientBuilder::new(vec![redis.url.clone()])
        .use_protocol(redis::ProtocolVersion::RESP3)
        .push_sender(pushes)
        .build()
        .expect("a cluster client");
    let mut conn = client.get_async_connection().await.expect("connect");
    conn.ssubscribe(&channel).await.expect("ssubscribe");
    futures::stream::poll_fn(move |cx| {
        // The connection lives as long as the stream.
        let _ = &conn;
        heard.poll_recv(cx)
    })
    .filter_map(|push| {
        let payload = redis::Msg::from_push_info(push).and_then(|m| m.get_payload::<String>().ok());
        std::future::ready(payload)
    })
    .boxed()
}
