//! Two nodes on a real Redis Cluster of three primaries with a replica each (Debian's
//! `redis-server` started six times with `--cluster-enabled yes`, joined by
//! `redis-cli --cluster create`): 1,000 messages over 100 rooms while one primary is
//! killed (`kill -9`) and restarted on its own data (its append-only file, fsynced on
//! every write). Every acknowledged message is stored afterwards, once, at its seq, and
//! streams on the rooms resume without a gap. (A replica taking over instead keeps what
//! replication had carried to it: docs/redis-cluster.md says what that costs.)

use crate::binary::Binary;
use crate::helpers::Browser;
use crate::redis_server::fresh_prefix;
use chat::domain::RoomName;
use chat::server::store::redis_keys::Keyspace;
use chat::server::store::{RedisStore, Store};
use std::collections::{BTreeMap, HashMap};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a primary may be unreachable before its replica is promoted: longer than the
/// restart takes, so the restarted primary keeps its slots.
const NODE_TIMEOUT_MS: u64 = 15_000;

/// A Redis Cluster on loopback, its processes killed when dropped.
pub struct RedisCluster {
    nodes: Vec<Node>,
}

struct Node {
    port: u16,
    child: Option<Child>,
    /// Its append-only file and `nodes.conf` (what it knows of the cluster).
    dir: tempfile::TempDir,
}

/// A cluster node on `port`, keeping its data in `dir`.
fn spawn(port: u16, dir: &std::path::Path) -> Child {
    Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--cluster-enabled", "yes", "--save", ""])
        .args(["--cluster-node-timeout", &NODE_TIMEOUT_MS.to_string()])
        .args(["--appendonly", "yes", "--appendfsync", "always", "--dir"])
        .arg(dir)
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server is installed (scripts/setup.sh test installs it)")
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            if let Some(mut child) = node.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// A port whose cluster bus port (10,000 above) is free too.
fn cluster_port() -> u16 {
    loop {
        let port = crate::redis_server::free_port();
        if port < 55_000 && std::net::TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
}

impl RedisCluster {
    /// `primaries` primaries with one replica each, every slot served, every node
    /// agreeing the cluster is up.
    pub async fn start(primaries: usize) -> Self {
        let mut nodes = Vec::new();
        for _ in 0..primaries * 2 {
            let dir = tempfile::tempdir().expect("temp dir");
            let port = cluster_port();
            let child = Some(spawn(port, dir.path()));
            nodes.push(Node { port, child, dir });
        }
        let cluster = Self { nodes };
        for node in &cluster.nodes {
            wait_for_ping(node.port).await;
        }
        let addresses: Vec<String> = cluster
            .nodes
            .iter()
            .map(|node| format!("127.0.0.1:{}", node.port))
            .collect();
        let created = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdout(Stdio::null())
            .status()
            .expect("redis-cli is installed with redis-server");
        assert!(created.success(), "redis-cli --cluster create failed");
        cluster.wait_until_up().await;
        cluster
    }

    /// Every node's URL, comma-separated: what `REDIS_URL` names.
    pub fn seeds(&self) -> String {
        self.nodes
            .iter()
            .map(|node| format!("redis://127.0.0.1:{}", node.port))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Waits until every live node says the cluster is ok and every primary has a
    /// replica in sync.
    async fn wait_until_up(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        'waiting: while Instant::now() < deadline {
            for node in self.nodes.iter().filter(|node| node.child.is_some()) {
                let info: String = query(node.port, redis::cmd("CLUSTER").arg("INFO"))
                    .await
                    .unwrap_or_default();
                let replication: String = query(node.port, redis::cmd("INFO").arg("replication"))
                    .await
                    .unwrap_or_default();
                let synced = !replication.contains("role:master")
                    || replication.contains("connected_slaves:1");
                if !info.contains("cluster_state:ok") || !synced {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue 'waiting;
                }
            }
            return;
        }
        panic!("the cluster did not come up");
    }

    /// Kills (`kill -9`) the primary that serves `key`; answers its port.
    pub async fn kill_primary_of(&mut self, key: &str) -> u16 {
        let slot: u16 = query(
            self.nodes[0].port,
            redis::cmd("CLUSTER").arg("KEYSLOT").arg(key),
        )
        .await
        .expect("CLUSTER KEYSLOT");
        let slots: Vec<redis::Value> =
            query(self.nodes[0].port, redis::cmd("CLUSTER").arg("SLOTS"))
                .await
                .expect("CLUSTER SLOTS");
        let mut port = None;
        for range in slots {
            let (start, end, primary): (u16, u16, (String, u16)) =
                match redis::from_redis_value::<Vec<redis::Value>>(range) {
                    Ok(fields) if fields.len() >= 3 => (
                        redis::from_redis_value(fields[0].clone()).expect("start"),
                        redis::from_redis_value(fields[1].clone()).expect("end"),
                        {
                            let node: Vec<redis::Value> =
                                redis::from_redis_value(fields[2].clone()).expect("node");
                            (
                                redis::from_redis_value(node[0].clone()).expect("host"),
                                redis::from_redis_value(node[1].clone()).expect("port"),
                            )
                        },
                    ),
                    _ => continue,
                };
            if (start..=end).contains(&slot) {
                port = Some(primary.1);
            }
        }
        let port = port.expect("a primary serves the slot");
        let node = self
            .nodes
            .iter_mut()
            .find(|node| node.port == port)
            .expect("one of ours");
        if let Some(mut child) = node.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        port
    }
}

impl RedisCluster {
    /// Starts the node on `port` again on its own data: it rejoins the cluster (as the
    /// replica of the one promoted in its place).
    pub async fn restart(&mut self, port: u16) {
        let node = self
            .nodes
            .iter_mut()
            .find(|node| node.port == port)
            .expect("one of ours");
        node.child = Some(spawn(port, node.dir.path()));
        wait_for_ping(port).await;
        self.wait_until_up().await;
    }
}

async fn query<T: redis::FromRedisValue>(port: u16, cmd: &mut redis::Cmd) -> redis::RedisResult<T> {
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}"))?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    cmd.query_async(&mut conn).await
}

async fn wait_for_ping(port: u16) {
    for _ in 0..200 {
        if query::<String>(port, &mut redis::cmd("PING")).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("redis-server did not start on port {port}");
}

/// A chat node on the cluster: the real binary, as an operator runs it.
async fn cluster_node(cluster: &RedisCluster, prefix: &str) -> (Binary, Browser) {
    let node = Binary::start(&[
        ("REDIS_URL", cluster.seeds()),
        ("CHAT_REDIS_CLUSTER", "on".to_owned()),
        ("CHAT_REDIS_PREFIX", prefix.to_owned()),
        ("CHAT_SESSION_SECRET", "n".repeat(32)),
    ])
    .await;
    let browser = Browser::with_client(
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("a client"),
        node.base.clone(),
    );
    (node, browser)
}

/// What a stream of one room showed, across its reconnections: each message's seq and
/// body, in arrival order.
type Shown = Arc<Mutex<Vec<(u64, String)>>>;

/// Follows `room` on `app` as a browser does: when the stream ends (the node lost a Redis
/// node), opens it again from the last event seen.
fn watch(browser: Browser, room: &str, shown: Shown) -> tokio::task::JoinHandle<()> {
    let room = room.to_owned();
    tokio::spawn(async move {
        let mut last: Option<u64> = None;
        loop {
            let mut request = browser
                .client
                .get(browser.url(&format!("/api/rooms/{room}/events")));
            if let Some(id) = last {
                request = request.header("Last-Event-ID", id.to_string());
            }
            let Ok(response) = request.send().await else {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            };
            if response.status() != 200 {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
            let mut stream = crate::sse_stream::SseStream::new(response.bytes_stream());
            while let Ok(Some(event)) = stream.next_event_within(Duration::from_secs(30)).await {
                if event.event.as_deref() != Some("message") {
                    continue;
                }
                let message: chat::domain::ChatMessage =
                    serde_json::from_str(&event.data).expect("a message");
                last = Some(message.seq.get());
                shown
                    .lock()
                    .expect("shown")
                    .push((message.seq.get(), message.body));
            }
        }
    })
}

/// Sends `body` to `room` until it is acknowledged, as the browser's outbox does: the same
/// `client_id` each time, so a retry of one stored before its answer was lost is the same
/// message. Answers its seq.
async fn send_until_acknowledged(browser: &Browser, room: &str, body: &str, id: &str) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let sent = browser
            .client
            .post(browser.url("/api/send_message"))
            .form(&[("room", room), ("body", body), ("client_id", id)])
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        match sent {
            Ok(response) if response.status() == 200 => {
                let message: chat::domain::ChatMessage = response.json().await.expect("JSON");
                return message.seq.get();
            }
            Ok(response) => assert_eq!(
                response.status(),
                503,
                "only unavailable while the cluster fails over"
            ),
            Err(_) => {}
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{body} was never acknowledged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_keep_every_acknowledged_message_while_a_primary_is_killed_and_restarted() {
    let mut cluster = RedisCluster::start(3).await;
    let prefix = fresh_prefix();
    let (_a, a) = cluster_node(&cluster, &prefix).await;
    let (_b, b) = cluster_node(&cluster, &prefix).await;
    let rooms: Vec<String> = (0..100).map(|n| format!("room-{n}")).collect();
    // Ten rooms followed by a stream on b, as ten browsers would.
    let watched: Vec<(String, Shown)> = rooms
        .iter()
        .take(10)
        .map(|room| (room.clone(), Shown::default()))
        .collect();
    let watchers: Vec<_> = watched
        .iter()
        .map(|(room, shown)| watch(b.clone(), room, shown.clone()))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // 1,000 messages, ten to each room, from 20 senders across both nodes; after the
    // first 300 are acknowledged, the primary of the first room is killed.
    let acknowledged: Arc<Mutex<Vec<(String, String, u64)>>> = Arc::default();
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut senders = Vec::new();
    for sender in 0..20 {
        let browser = if sender % 2 == 0 {
            a.clone()
        } else {
            b.clone()
        };
        let rooms = rooms.clone();
        let (acknowledged, count) = (acknowledged.clone(), count.clone());
        senders.push(tokio::spawn(async move {
            for n in 0..50 {
                let index = sender * 50 + n;
                let room = &rooms[index % 100];
                let body = format!("message {index}");
                let id = format!("{index:032x}");
                let seq = send_until_acknowledged(&browser, room, &body, &id).await;
                acknowledged
                    .lock()
                    .expect("acknowledged")
                    .push((room.clone(), body, seq));
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }));
    }
    while count.load(std::sync::atomic::Ordering::SeqCst) < 300 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let keys = Keyspace::cluster(&prefix);
    let killed_at = Instant::now();
    let killed = cluster
        .kill_primary_of(&keys.room(&RoomName::parse("room-0").expect("room")).seq())
        .await;
    // Down for a moment, as a crashed process restarted by its supervisor is.
    tokio::time::sleep(Duration::from_millis(500)).await;
    cluster.restart(killed).await;
    for sender in senders {
        sender.await.expect("every message acknowledged");
    }
    let took = killed_at.elapsed();
    let acknowledged = acknowledged.lock().expect("acknowledged").clone();
    assert_eq!(acknowledged.len(), 1_000);

    // Every acknowledged message is stored, once, at the seq it was acknowledged with.
    let store = RedisStore::connect(&cluster.seeds(), &keys, 100_000)
        .await
        .expect("a store on the cluster");
    let mut expected: HashMap<String, BTreeMap<u64, String>> = HashMap::new();
    for (room, body, seq) in &acknowledged {
        expected
            .entry(room.clone())
            .or_default()
            .insert(*seq, body.clone());
    }
    for (room, messages) in &expected {
        let stored = store
            .latest(&RoomName::parse(room).expect("room"), 100, None)
            .await
            .expect("the room's messages");
        let stored: BTreeMap<u64, String> =
            stored.into_iter().map(|m| (m.seq.get(), m.body)).collect();
        assert_eq!(
            &stored, messages,
            "{room}: every acknowledged message, once"
        );
    }

    // Each stream showed every message of its room once, in seq order, across the
    // failover: none lost, none twice.
    let deadline = Instant::now() + Duration::from_secs(30);
    for (room, shown) in &watched {
        let want: Vec<(u64, String)> = expected[room]
            .iter()
            .map(|(seq, body)| (*seq, body.clone()))
            .collect();
        loop {
            let seen = shown.lock().expect("shown").clone();
            if seen == want {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{room}: the stream showed {seen:?}, not {want:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    for watcher in watchers {
        watcher.abort();
    }
    eprintln!("killed the primary on port {killed}; every send acknowledged {took:?} later");
}
