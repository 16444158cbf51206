//! Shutting down never hangs on open SSE streams.

use crate::binary::Binary;
use crate::helpers::{spawn_app, WAIT};
use crate::redis_server::{fresh_prefix, RedisServer};
use redis::AsyncCommands;
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

#[tokio::test]
async fn the_binary_exits_promptly_on_sigterm_with_streams_open() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Binary::start(&[("DATABASE_URL", crate::helpers::database_url(&dir))]).await;
    let mut stream = server.events("lobby").await;
    server.terminate().await;
    stream.until_end().await;
}

#[tokio::test]
async fn a_node_on_redis_leaves_everyone_s_presence_before_it_exits() {
    let redis = RedisServer::start().await;
    let prefix = fresh_prefix();
    let server = Binary::start(&[
        ("REDIS_URL", redis.url.clone()),
        ("CHAT_REDIS_PREFIX", prefix.clone()),
        ("CHAT_SESSION_SECRET", "s".repeat(32)),
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

    server.terminate().await;
    stream.until_end().await;
    let nodes: i64 = conn.hlen(&rosters).await.expect("HLEN");
    assert_eq!(nodes, 0, "withdrawn before the process exited");
}
