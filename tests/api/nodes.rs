//! Several app nodes sharing one Redis: every message reaches every node's streams once, in
//! order, across reconnects from one node to another and across a Redis restart.

use crate::helpers::{seqs, settings, spawn_app_with, TestApp};
use crate::redis_server::{announcements, cluster_keys, fresh_prefix, keyspace, RedisServer};
use chat::domain::RoomName;
use chat::server::node::config::Settings;
use futures::StreamExt;
use std::time::Duration;

/// Settings for one node of a cluster sharing `redis` under `prefix`.
pub fn node_settings(redis: &RedisServer, prefix: &str) -> Settings {
    let mut settings = settings();
    settings.redis_url = Some(chat::server::node::config::Secret::new(redis.url.clone()));
    settings.redis_prefix = prefix.to_owned();
    settings.redis_cluster = crate::redis_server::cluster_keys();
    // Every node signs sessions with the same secret (required with Redis).
    settings.sessions.secrets = vec![chat::server::node::config::Secret::new("n".repeat(32))];
    settings.heartbeat = Duration::from_millis(200);
    settings
}

pub async fn node(redis: &RedisServer, prefix: &str) -> TestApp {
    spawn_app_with(node_settings(redis, prefix)).await
}

/// A fresh Redis and two nodes sharing it. Keep the Redis (`let (_redis, a, b)`, not `_`):
/// dropping it stops the server.
pub async fn two_nodes() -> (RedisServer, TestApp, TestApp) {
    let redis = RedisServer::start().await;
    let prefix = fresh_prefix();
    let (a, b) = (node(&redis, &prefix).await, node(&redis, &prefix).await);
    (redis, a, b)
}

#[tokio::test]
async fn a_message_sent_to_one_node_reaches_streams_on_another() {
    let (_redis, a, b) = two_nodes().await;
    let mut on_b = b.events("lobby", "", None).await;
    let mut on_a = a.events("lobby", "", None).await;

    let sent = a.send("lobby", "from node A").await;
    assert_eq!(on_b.next_message().await, sent);
    assert_eq!(
        on_a.next_message().await,
        sent,
        "the sending node gets it once too"
    );
    let reply = b.send("lobby", "from node B").await;
    assert_eq!(reply.seq.get(), 2, "one sequence per room across nodes");
    assert_eq!(on_a.next_message().await, reply);
}

#[tokio::test]
async fn a_client_moving_to_another_node_gets_each_missed_message_once_in_order() {
    let (_redis, a, b) = two_nodes().await;
    let mut on_a = a.events("lobby", "", None).await;
    for i in 1..=5 {
        a.send("lobby", &format!("before {i}")).await;
    }
    let seen = on_a.messages_through(5).await;
    drop(on_a); // node A "dies" for this client

    let sender = a.spawn_sender("lobby", "while moving", 30);
    let mut on_b = b
        .events("lobby", "", seen.last().map(|m| m.seq.get()))
        .await;
    sender.await.expect("sender");
    let rest = on_b.messages_through(35).await;
    assert_eq!(seqs(&rest), (6..=35).collect::<Vec<_>>());
}

#[tokio::test]
async fn while_redis_is_down_sends_fail_clearly_and_streams_end_then_all_recovers() {
    let redis = RedisServer::start().await;
    let prefix = fresh_prefix();
    let app = node(&redis, &prefix).await;
    let mut stream = app.events("lobby", "", None).await;
    let first = app.send("lobby", "before the outage").await;
    assert_eq!(stream.next_message().await, first);

    let (port, dir) = redis.stop();
    stream.until_end().await;
    let response = app
        .post_send(&[("room", "lobby"), ("body", "during the outage")])
        .await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"], "unavailable");
    assert_eq!(app.get("/healthz").await.status(), 503);

    let _redis = RedisServer::start_on(port, dir).await;
    let mut recovered = false;
    for _ in 0..50 {
        if app.get("/healthz").await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the node recovers without a restart");
    let metrics = crate::observability::scrape(&app.client, &app.url("")).await;
    let reconnects = crate::observability::metric(&metrics, "chat_relay_reconnects_total");
    assert!(
        reconnects >= 1.0,
        "the reconnection is counted: {reconnects}"
    );
    let mut resumed = app.events("lobby", "", Some(first.seq.get())).await;
    let after = app.send("lobby", "after the outage").await;
    assert_eq!(after.seq.get(), 2, "nothing was stored half-way");
    assert_eq!(resumed.next_message().await, after, "no gap, no duplicate");
}

/// How many connections are subscribed to a room's announcements.
async fn subscribers(redis: &RedisServer, prefix: &str, room: &str) -> i64 {
    let mut conn = redis::Client::open(redis.url.as_str())
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    let room = RoomName::parse(room).expect("a room");
    // A cluster's rooms are sharded channels, counted apart.
    let (_, count): (String, i64) = redis::cmd("PUBSUB")
        .arg(if cluster_keys() {
            "SHARDNUMSUB"
        } else {
            "NUMSUB"
        })
        .arg(keyspace(prefix).room(&room).channel())
        .query_async(&mut conn)
        .await
        .expect("PUBSUB NUMSUB");
    count
}

#[tokio::test]
async fn a_node_subscribes_once_per_watched_room_and_lets_idle_rooms_go() {
    let redis = RedisServer::start().await;
    let prefix = fresh_prefix();
    let mut settings = node_settings(&redis, &prefix);
    settings.redis_refresh = Duration::from_millis(300);
    let app = spawn_app_with(settings).await;
    let tabs = vec![
        app.events("lobby", "", None).await,
        app.events("lobby", "", None).await,
        app.events("lobby", "", None).await,
    ];
    app.send("other", "nobody watches this room").await;
    assert_eq!(
        subscribers(&redis, &prefix, "lobby").await,
        1,
        "one per node"
    );
    assert_eq!(subscribers(&redis, &prefix, "other").await, 0);

    drop(tabs);
    let mut released = false;
    for _ in 0..100 {
        if subscribers(&redis, &prefix, "lobby").await == 0 {
            released = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        released,
        "the room is unfollowed once its last stream closed"
    );

    let mut again = app.events("lobby", "", None).await;
    let sent = app.send("lobby", "back again").await;
    assert_eq!(again.next_message().await, sent, "followed again");
}

#[tokio::test]
async fn concurrent_sends_on_two_nodes_are_announced_in_seq_order() {
    let redis = RedisServer::start().await;
    let prefix = fresh_prefix();
    let (a, b) = (node(&redis, &prefix).await, node(&redis, &prefix).await);
    let mut messages = announcements(&redis, &prefix, &RoomName::lobby()).await;

    let senders = [
        a.spawn_sender("lobby", "a", 20),
        b.spawn_sender("lobby", "b", 20),
        a.spawn_sender("lobby", "c", 20),
    ];
    for sender in senders {
        sender.await.expect("sender");
    }
    let mut announced = Vec::new();
    while announced.len() < 60 {
        let message = tokio::time::timeout(Duration::from_secs(5), messages.next())
            .await
            .expect("an announcement")
            .expect("subscribed");
        let payload: serde_json::Value = serde_json::from_str(&message).expect("json");
        announced.push(payload["seq"].as_u64().expect("seq"));
    }
    assert_eq!(announced, (1..=60).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_redis_node_without_a_session_secret_refuses_to_start() {
    let redis = RedisServer::start().await;
    let mut settings = node_settings(&redis, &fresh_prefix());
    settings.sessions.secrets.clear();
    let refused = chat::startup::Application::build(settings).await;
    let error = refused
        .err()
        .expect("a node must not keep its signing key in Redis");
    assert!(error.to_string().contains("CHAT_SESSION_SECRET"), "{error}");
}
