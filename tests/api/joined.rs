//! The sidebar's joined rooms: opening a room joins it, unread counts others' messages after
//! the read mark, `mark_read` and `leave_room` change it, and it is remembered by the store
//! (a restart on SQLite, another node on Redis).

use crate::helpers::{settings, spawn_app_on, Browser, TestApp};
use crate::nodes::two_nodes;
use std::sync::Arc;

/// The joined rooms as `browser` sees them opening `room`: (name, unread) pairs.
async fn sidebar(browser: &Browser, room: &str) -> Vec<(String, u64)> {
    let page = browser.get_json(&format!("/api/room?room={room}")).await;
    page["joined"]
        .as_array()
        .expect("joined")
        .iter()
        .map(|joined| {
            let name = joined["name"].as_str().expect("name").to_owned();
            (name, joined["unread"].as_u64().expect("unread"))
        })
        .collect()
}

fn rooms(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(n, u)| ((*n).to_owned(), *u)).collect()
}

/// The whole story on one app (or, `other`, a second node sharing its store).
async fn joins_counts_marks_and_leaves(app: &TestApp, other: &TestApp) {
    let alice = app.browser();
    let bob = app.browser();
    assert_eq!(sidebar(&alice, "rust").await, rooms(&[("rust", 0)]));
    assert_eq!(
        sidebar(&alice, "lobby").await,
        rooms(&[("lobby", 0), ("rust", 0)])
    );
    for n in 0..3 {
        bob.send("rust", &format!("news {n}")).await;
    }
    alice.send("rust", "my own").await;
    let alice_elsewhere = alice.at(other);
    assert_eq!(
        sidebar(&alice_elsewhere, "lobby").await,
        rooms(&[("lobby", 0), ("rust", 3)]),
        "others' messages after the mark"
    );
    let response = alice
        .post("mark_read", &[("room", "rust"), ("seq", "2")])
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        sidebar(&alice, "lobby").await,
        rooms(&[("lobby", 0), ("rust", 1)])
    );
    alice
        .post("mark_read", &[("room", "rust"), ("seq", "1")])
        .await;
    assert_eq!(
        sidebar(&alice, "lobby").await,
        rooms(&[("lobby", 0), ("rust", 1)]),
        "a mark never moves back"
    );
    let response = alice.post("leave_room", &[("room", "rust")]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        sidebar(&alice_elsewhere, "lobby").await,
        rooms(&[("lobby", 0)])
    );
    assert_eq!(
        sidebar(&bob, "lobby").await,
        rooms(&[("lobby", 0)]),
        "bob's own list"
    );
}

#[tokio::test]
async fn on_sqlite_joined_rooms_survive_a_restart() {
    let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    let mut config = settings();
    config.sessions.secrets = vec![chat::server::node::config::Secret::new("s".repeat(32))];
    let first = spawn_app_on(dir.clone(), config.clone()).await;
    let alice = first.browser();
    sidebar(&alice, "rust").await;
    first.shutdown.cancel();
    let _ = first.server.await;
    let second = spawn_app_on(dir.clone(), config).await;
    let alice = alice.at(&second);
    assert_eq!(
        sidebar(&alice, "lobby").await,
        rooms(&[("lobby", 0), ("rust", 0)])
    );
    joins_counts_marks_and_leaves(&second, &second).await;
}

#[tokio::test]
async fn on_redis_joined_rooms_are_the_same_on_every_node() {
    let (_redis, a, b) = two_nodes().await;
    joins_counts_marks_and_leaves(&a, &b).await;
}

#[tokio::test]
async fn a_bad_room_or_seq_is_refused() {
    let app = crate::helpers::spawn_app().await;
    let alice = app.browser();
    let response = alice
        .post("mark_read", &[("room", "Not A Room!"), ("seq", "1")])
        .await;
    assert_eq!(
        response.status(),
        422,
        "invalid input, as for every server function"
    );
    let response = alice
        .post("mark_read", &[("room", "lobby"), ("seq", "-1")])
        .await;
    assert!(response.status().is_client_error());
}

/// Ann reads `rust` on her laptop (`here`): her phone (`there`, signed in to the same
/// account) hears it on its stream at once and clears the room; Bob, in the same room,
/// hears nothing of it.
async fn a_read_on_one_device_clears_the_others(here: &TestApp, there: &TestApp) {
    let laptop = here.browser();
    let signed_up = laptop
        .post("sign_up", &[("name", "Ann"), ("password", "correct horse")])
        .await;
    assert_eq!(signed_up.status(), 200);
    let phone = there.browser();
    let signed_in = phone
        .post("sign_in", &[("name", "Ann"), ("password", "correct horse")])
        .await;
    assert_eq!(signed_in.status(), 200);
    let bob = here.browser();
    for n in 0..2 {
        bob.send("rust", &format!("news {n}")).await;
    }
    let mut phones = phone.browser_events("lobby:0,rust:0").await;
    let mut bobs = bob.browser_events("rust").await;
    assert_eq!(phones.messages_through(2).await.len(), 2);

    let marked = laptop
        .post("mark_read", &[("room", "rust"), ("seq", "2")])
        .await;
    assert_eq!(marked.status(), 200);
    assert_eq!(
        phones.next_ephemeral("read").await,
        serde_json::json!({"room": "rust", "seq": 2})
    );
    // Opening the room on the laptop reads it too.
    bob.send("rust", "news 2").await;
    laptop.get_json("/api/room?room=rust").await;
    assert_eq!(
        phones.next_ephemeral("read").await,
        serde_json::json!({"room": "rust", "seq": 3})
    );
    assert_eq!(
        sidebar(&phone, "lobby").await,
        rooms(&[("lobby", 0), ("rust", 0)])
    );

    // Bob's stream carried the messages, and none of Ann's reading.
    bob.send("rust", "news 3").await;
    let seen = bobs.messages_through(4).await;
    assert_eq!(seen.last().map(|m| m.body.as_str()), Some("news 3"));
    assert!(
        bobs.ephemeral
            .iter()
            .all(|event| event.event.as_deref() != Some("read")),
        "{:?}",
        bobs.ephemeral
    );
}

#[tokio::test]
async fn on_sqlite_a_read_on_one_device_clears_the_room_on_the_other() {
    let app = spawn_app_on(Arc::new(tempfile::tempdir().expect("dir")), settings()).await;
    a_read_on_one_device_clears_the_others(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_read_on_one_node_clears_the_room_on_the_other() {
    let (_redis, a, b) = two_nodes().await;
    a_read_on_one_device_clears_the_others(&a, &b).await;
}
