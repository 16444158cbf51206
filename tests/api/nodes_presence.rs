//! Presence and typing across nodes sharing one Redis: a person is online in a room if they
//! have a stream open on any node, counted once, and a node that dies drops out.

use crate::helpers::{spawn_app_with, Browser, SseStream, TestApp};
use crate::nodes::{node_settings, two_nodes};
use crate::redis_server::{cluster_keys, fresh_prefix, keyspace, RedisServer};
use chat::domain::{OnlineUser, RoomName, UserId};
use chat::server::presence::RemoteRosters;
use chat::server::store::redis_client::{self, RedisTls};
use chat::server::store::redis_connection::Connection;
use std::time::Duration;

/// A new person on `app`, called `name`.
async fn named(app: &TestApp, name: &str) -> Browser {
    let browser = app.browser();
    browser.set_name(name).await;
    browser
}

#[tokio::test]
async fn people_on_different_nodes_see_each_other_come_and_go() {
    let (_redis, a, b) = two_nodes().await;
    let (alice, bob) = (named(&a, "Alice").await, named(&b, "Bob").await);
    alice.send("lobby", "hello").await;

    let mut on_a = alice.events("lobby", "").await;
    on_a.presence_until(&["Alice"]).await;
    let mut on_b = bob.events("lobby", "").await;
    on_b.presence_until(&["Alice", "Bob"]).await;
    let both = on_a.presence_until(&["Alice", "Bob"]).await;
    assert_eq!(both["count"], 2);

    let page = bob.get_json("/api/room?room=lobby").await;
    assert_eq!(page["online_count"], 2, "the page counts both nodes");
    let rooms = alice.get_json("/api/rooms").await;
    assert_eq!(rooms[0]["online"], 2, "so does the room list");

    drop(on_b);
    on_a.presence_until(&["Alice"]).await;
}

#[tokio::test]
async fn one_person_with_tabs_on_two_nodes_counts_once() {
    let (_redis, a, b) = two_nodes().await;
    let alice = named(&a, "Alice").await;
    let mut tab_on_a = alice.events("lobby", "").await;
    tab_on_a.presence_until(&["Alice"]).await;
    let mut tab_on_b = alice.at(&b).events("lobby", "").await;
    let presence = tab_on_b.presence_until(&["Alice"]).await;
    assert_eq!(presence["count"], 1);

    // Closing the tab on one node leaves her online on the other.
    let bob = named(&b, "Bob").await;
    let _bob_tab = bob.events("lobby", "").await;
    tab_on_a.presence_until(&["Alice", "Bob"]).await;
    drop(tab_on_b);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let page = bob.get_json("/api/room?room=lobby").await;
    assert_eq!(page["online_count"], 2, "Alice still has a tab on node A");
}

#[tokio::test]
async fn typing_on_one_node_shows_on_another() {
    let (_redis, a, b) = two_nodes().await;
    let (alice, bob) = (named(&a, "Alice").await, b.browser());
    let mut on_b = bob.events("lobby", "").await;
    let response = alice.post("typing", &[("room", "lobby")]).await;
    assert_eq!(response.status(), 200);
    let typing = on_b.next_ephemeral("typing").await;
    assert_eq!(typing["user"]["name"], "Alice");
}

#[tokio::test]
async fn a_node_shutting_down_takes_its_people_with_it_at_once() {
    let (_redis, a, b) = two_nodes().await;
    // Default refresh: a roster goes stale after 30 s, longer than the test waits.
    let (alice, bob) = (named(&a, "Alice").await, named(&b, "Bob").await);
    let mut on_a = alice.events("lobby", "").await;
    let _on_b = bob.events("lobby", "").await;
    on_a.presence_until(&["Alice", "Bob"]).await;
    b.stop().await;
    on_a.presence_until(&["Alice"]).await;
}

#[tokio::test]
async fn a_node_that_dies_drops_out_once_its_roster_is_stale() {
    let redis = RedisServer::start().await;
    let prefix = fresh_prefix();
    let mut settings = node_settings(&redis, &prefix);
    settings.redis_refresh = Duration::from_secs(1); // stale after 3 s
    let a = spawn_app_with(settings).await;
    let alice = named(&a, "Alice").await;
    let mut on_a = alice.events("lobby", "").await;
    on_a.presence_until(&["Alice"]).await;

    // A node that writes one roster and then dies without withdrawing it.
    let client =
        redis_client::client(&redis.url, &RedisTls::default(), cluster_keys()).expect("a client");
    let conn = Connection::open(&client).await.expect("connect");
    let ghost = RemoteRosters::new(conn, &keyspace(&prefix), Duration::from_secs(3));
    let zed = OnlineUser {
        id: UserId::from_random(42),
        name: "Zed".into(),
    };
    ghost
        .write(&RoomName::lobby(), &[zed], true)
        .await
        .expect("write");
    let with_zed = on_a.presence_until(&["Alice", "Zed"]).await;
    assert_eq!(SseStream::names(&with_zed).len(), 2);
    on_a.presence_until(&["Alice"]).await;
}
