//! Shutting down never hangs on open SSE streams.

use crate::helpers::{spawn_app, SseStream, WAIT};
use crate::redis_server::{fresh_prefix, RedisServer};
use redis::AsyncCommands;
use std::process::Stdio;
use std::time::Duration;

#[tokio::test]
async fn graceful_shutdown_ends_open_streams_and_the_server_stops() {
    let app = spawn_app().await;
    let mut first = app.events("lobby", "", None).await;
    let mut second = app.events("rust", "", None).await;
    app.shutdown.cancel();
    first.until_end().await;
    second.until_end().await;
    let stopped = tokio::time::timeout(WAIT, app.server).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "server did not stop cleanly: {stopped:?}"
    );
}

/// The server binary in its own process, with these settings.
struct Binary {
    process: tokio::process::Child,
    base: String,
}

impl Binary {
    async fn start(env: &[(&str, String)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let process = tokio::process::Command::new(env!("CARGO_BIN_EXE_chat"))
            .env("CHAT_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start the server binary");
        let binary = Self {
            process,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..100 {
            if let Ok(response) = client.get(format!("{}/healthz", binary.base)).send().await {
                assert_eq!(response.status(), 200, "the server is not healthy");
                return binary;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not come up");
    }

    async fn events(&self, room: &str) -> SseStream {
        let response = reqwest::get(format!("{}/api/rooms/{room}/events", self.base))
            .await
            .expect("stream");
        SseStream::new(response.bytes_stream())
    }

    /// SIGTERM, as a deploy would; the process must exit successfully in time.
    async fn terminate(mut self, open: &mut SseStream) {
        let pid = self.process.id().expect("pid").to_string();
        let killed = tokio::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .expect("kill");
        assert!(killed.success());
        open.until_end().await;
        let status = tokio::time::timeout(WAIT, self.process.wait())
            .await
            .expect("the process did not exit within the time limit")
            .expect("wait");
        assert!(status.success(), "exit status {status}");
    }
}

#[tokio::test]
async fn the_binary_exits_promptly_on_sigterm_with_streams_open() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Binary::start(&[("DATABASE_URL", crate::helpers::database_url(&dir))]).await;
    let mut stream = server.events("lobby").await;
    server.terminate(&mut stream).await;
}

#[tokio::test]
async fn a_node_on_redis_leaves_everyone_s_presence_before_it_exits() {
    let redis = RedisServer::start().await;
    let prefix = fresh_prefix();
    let server = Binary::start(&[
        ("REDIS_URL", redis.url.clone()),
        ("CHAT_REDIS_PREFIX", prefix.clone()),
    ])
    .await;
    let mut stream = server.events("lobby").await;
    let mut conn = redis::Client::open(redis.url.as_str())
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    let rosters = format!("{prefix}:lobby:presence");
    let mut written = false;
    for _ in 0..50 {
        let nodes: i64 = conn.hlen(&rosters).await.expect("HLEN");
        if nodes == 1 {
            written = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(written, "the node's roster of the room is in Redis");

    server.terminate(&mut stream).await;
    let nodes: i64 = conn.hlen(&rosters).await.expect("HLEN");
    assert_eq!(nodes, 0, "withdrawn before the process exited");
}
