//! The servers under test: one or more release-built app nodes, each its own process, on a
//! fresh SQLite file or sharing a fresh `redis-server` (durable: AOF, fsync on every write).
//! `SERVER_LOG=1` shows the nodes' warnings.

// The same throwaway, durable redis-server the integration tests use (the benchmark never
// stops and restarts it, which the tests also do).
#[allow(dead_code)]
#[path = "../../tests/api/redis_server.rs"]
mod redis_server;

use redis_server::RedisServer;
use std::process::Stdio;
use tokio::process::{Child, Command};

type Error = Box<dyn std::error::Error>;

/// Where the nodes keep messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Redis,
    /// Not this project: the minimal axum server (`minimal_axum.rs`), for comparison.
    Minimal,
}

impl Backend {
    pub fn from_env() -> Result<Self, Error> {
        match std::env::var("BACKEND").as_deref() {
            Err(_) | Ok("sqlite") => Ok(Backend::Sqlite),
            Ok("redis") => Ok(Backend::Redis),
            Ok("minimal") => Ok(Backend::Minimal),
            Ok(other) => Err(format!("BACKEND={other}: expected sqlite, redis or minimal").into()),
        }
    }
}

/// Running nodes; every process is killed when this is dropped.
pub struct Cluster {
    pub nodes: Vec<Node>,
    _redis: Option<RedisServer>,
    _dir: tempfile::TempDir,
}

pub struct Node {
    pub base: String,
    pub pid: u32,
    _process: Child,
}

impl Cluster {
    pub async fn start(backend: Backend, nodes: usize) -> Result<Self, Error> {
        if backend != Backend::Redis && nodes != 1 {
            return Err("several nodes need BACKEND=redis".into());
        }
        let dir = tempfile::tempdir()?;
        let redis = match backend {
            Backend::Redis => Some(RedisServer::start().await),
            Backend::Sqlite | Backend::Minimal => None,
        };
        let mut started = Vec::with_capacity(nodes);
        for _ in 0..nodes {
            let port = free_port()?;
            let mut command = match backend {
                Backend::Minimal => {
                    let mut itself = Command::new(std::env::current_exe()?);
                    itself.env(super::minimal_axum::ROLE, "1");
                    itself
                }
                // `CHAT_BINARY` runs another build (e.g. the one before a change) in the
                // same run, so before and after share the machine's mood.
                _ => Command::new(
                    std::env::var_os("CHAT_BINARY")
                        .unwrap_or_else(|| env!("CARGO_BIN_EXE_chat").into()),
                ),
            };
            command
                .env("CHAT_ADDR", format!("127.0.0.1:{port}"))
                .env("RUST_LOG", "warn")
                // Thousands of streams and a burst of sends from one address.
                .env("CHAT_RATE_LIMITS", "off")
                .env("CHAT_MAX_STREAMS_PER_ADDRESS", "1000000")
                .env("CHAT_MAX_STREAMS", "1000000")
                .kill_on_drop(true);
            if std::env::var_os("SERVER_LOG").is_none() {
                command.stdout(Stdio::null());
            }
            match &redis {
                Some(redis) => command.env("REDIS_URL", &redis.url).env(
                    "CHAT_SESSION_SECRET",
                    "bench-secret-shared-by-every-node-0123",
                ),
                None if backend == Backend::Minimal => &mut command,
                None => command.env(
                    "DATABASE_URL",
                    format!("sqlite://{}/bench.db", dir.path().display()),
                ),
            };
            let process = command.spawn()?;
            started.push(Node {
                base: format!("http://127.0.0.1:{port}"),
                pid: process.id().ok_or("no pid")?,
                _process: process,
            });
        }
        Ok(Self {
            nodes: started,
            _redis: redis,
            _dir: dir,
        })
    }

    /// The nodes' resident memory, summed.
    pub fn rss_kib(&self) -> Option<u64> {
        self.nodes.iter().map(|node| rss_kib(node.pid)).sum()
    }

    /// The CPU time the nodes have used so far (user and system), summed, in seconds.
    pub fn cpu_seconds(&self) -> Option<f64> {
        self.nodes.iter().map(|node| cpu_seconds(node.pid)).sum()
    }
}

/// The CPU time this process (the load generator) has used so far, in seconds.
pub fn own_cpu_seconds() -> Option<f64> {
    cpu_seconds(std::process::id())
}

/// User plus system time of a process, from /proc/{pid}/stat (Linux; in USER_HZ ticks,
/// 100 a second on every Linux architecture this runs on).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Resident memory of a process, from /proc (Linux).
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
