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

#[tokio::test]
async fn shutdown_ends_open_streams_spread_over_the_drain_window() {
    let mut settings = crate::helpers::settings();
    settings.drain = Duration::from_secs(2);
    let app = crate::helpers::spawn_app_with(settings).await;
    let mut streams = Vec::new();
    for _ in 0..40 {
        streams.push(app.events("lobby", "", None).await);
    }
    let started = tokio::time::Instant::now();
    app.shutdown.cancel();
    let ended = futures::future::join_all(streams.into_iter().map(|mut stream| async move {
        stream.until_end().await;
        started.elapsed()
    }))
    .await;
    let (first, last) = (
        ended.iter().min().copied().unwrap_or_default(),
        ended.iter().max().copied().unwrap_or_default(),
    );
    // Not all at once: 40 streams over 64 slots of 2 s fall in many different steps.
    assert!(
        last - first >= Duration::from_millis(1_000),
        "streams ended between {first:?} and {last:?}"
    );
    let mut steps: Vec<u128> = ended.iter().map(|at| at.as_millis() / 100).collect();
    steps.sort_unstable();
    steps.dedup();
    assert!(
        steps.len() >= 8,
        "ended in only {} tenths of a second",
        steps.len()
    );
}

#[tokio::test]
async fn each_connection_is_told_its_own_retry_within_the_spread() {
    let mut settings = crate::helpers::settings();
    settings.retry = Duration::from_millis(2_000);
    settings.retry_spread = Duration::from_millis(3_000);
    let app = crate::helpers::spawn_app_with(settings).await;
    let mut retries = Vec::new();
    for _ in 0..10 {
        let mut stream = app.events("lobby", "", None).await;
        stream.next_ephemeral("presence").await;
        let retry: u64 = stream.retries[0].parse().expect("a number");
        assert!((2_000..=5_000).contains(&retry), "retry {retry}");
        retries.push(retry);
    }
    retries.sort_unstable();
    retries.dedup();
    assert!(
        retries.len() > 1,
        "every connection was told the same retry"
    );
}
