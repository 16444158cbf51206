//! The browser-wide stream (`GET /api/events?rooms=…`): one connection carrying several
//! rooms, each resumed from its own cursor with the guarantees of a room's own stream.

use crate::helpers::{settings, spawn_app, spawn_app_with, Browser, SseStream};
use crate::nodes::two_nodes;
use chat::domain::ChatMessage;
use std::collections::BTreeMap;
use std::time::Duration;

/// The next `count` messages, by room, each room's seqs in arrival order.
async fn by_room(stream: &mut SseStream, count: usize) -> BTreeMap<String, Vec<u64>> {
    let mut rooms: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for _ in 0..count {
        let message: ChatMessage = stream.next_message().await;
        rooms
            .entry(message.room.to_string())
            .or_default()
            .push(message.seq.get());
    }
    rooms
}

fn rooms(pairs: &[(&str, &[u64])]) -> BTreeMap<String, Vec<u64>> {
    pairs
        .iter()
        .map(|(room, seqs)| ((*room).to_owned(), seqs.to_vec()))
        .collect()
}

async fn send_many(browser: &Browser, room: &str, count: usize) {
    for n in 0..count {
        browser.send(room, &format!("{room} {n}")).await;
    }
}

#[tokio::test]
async fn one_stream_carries_several_rooms_each_from_its_own_cursor_then_live() {
    let app = spawn_app().await;
    let alice = app.browser();
    alice.set_name("Alice").await;
    send_many(&alice, "lobby", 3).await;
    send_many(&alice, "rust", 2).await;

    let mut stream = alice.browser_events("lobby:1,rust:0").await;
    assert_eq!(
        by_room(&mut stream, 4).await,
        rooms(&[("lobby", &[2, 3]), ("rust", &[1, 2])])
    );
    alice.send("rust", "live in rust").await;
    alice.send("lobby", "live in the lobby").await;
    assert_eq!(
        by_room(&mut stream, 2).await,
        rooms(&[("lobby", &[4]), ("rust", &[3])])
    );
    assert_eq!(stream.retries.len(), 1, "one retry: for the whole stream");
    // Alice is online in both rooms, as with a room's own stream.
    let page = alice.get_json("/api/room?room=rust").await;
    assert_eq!(page["online_count"], 1);
}

#[tokio::test]
async fn reconnecting_with_the_cursors_held_adds_and_removes_rooms_without_losing_any() {
    let app = spawn_app().await;
    let alice = app.browser();
    let mut stream = alice.browser_events("lobby:0,rust:0").await;
    alice.send("lobby", "one").await;
    alice.send("rust", "one").await;
    assert_eq!(
        by_room(&mut stream, 2).await,
        rooms(&[("lobby", &[1]), ("rust", &[1])])
    );
    drop(stream);
    // Meanwhile: the tab on `rust` closed, one on `other` opened.
    alice.send("lobby", "two").await;
    alice.send("rust", "two").await;
    alice.send("other", "one").await;
    let mut stream = alice.browser_events("lobby:1,other:0").await;
    assert_eq!(
        by_room(&mut stream, 2).await,
        rooms(&[("lobby", &[2]), ("other", &[1])])
    );
    alice.send("rust", "three").await;
    alice.send("lobby", "three").await;
    assert_eq!(
        by_room(&mut stream, 1).await,
        rooms(&[("lobby", &[3])]),
        "a room no longer named sends nothing"
    );
}

#[tokio::test]
async fn too_many_rooms_or_a_room_twice_is_refused_with_a_clear_400() {
    let app = spawn_app().await;
    let alice = app.browser();
    let many: Vec<String> = (0..51).map(|n| format!("room-{n}:0")).collect();
    let response = alice.browser_events_response(&many.join(",")).await;
    assert_eq!(response.status(), 400);
    let error: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(error["error"], "invalid_input");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 50 rooms")),
        "{error}"
    );
    let twice = alice.browser_events_response("lobby:0,lobby:3").await;
    assert_eq!(twice.status(), 400);
    alice.browser_events(&many[..50].join(",")).await;
}

#[tokio::test]
async fn heartbeats_carry_each_room_s_newest_seq() {
    let mut settings = settings();
    settings.heartbeat = Duration::from_millis(100);
    let app = spawn_app_with(settings).await;
    let alice = app.browser();
    send_many(&alice, "lobby", 2).await;
    let mut stream = alice.browser_events("lobby:2,rust:0").await;
    let beat = stream.next_ephemeral("heartbeat").await;
    assert_eq!(beat["rooms"]["lobby"], 2, "{beat}");
    assert_eq!(beat["rooms"]["rust"], 0, "{beat}");
    assert_eq!(
        beat["every_ms"], 100,
        "the interval, to tell a dead stream: {beat}"
    );
    alice.send("rust", "news").await;
    stream.next_message().await;
    let mut beat = stream.next_ephemeral("heartbeat").await;
    while beat["rooms"]["rust"] != 1 {
        beat = stream.next_ephemeral("heartbeat").await;
    }
}

#[tokio::test]
async fn the_first_heartbeat_comes_as_the_stream_opens_whatever_the_interval() {
    let mut settings = settings();
    settings.heartbeat = Duration::from_secs(60);
    let app = spawn_app_with(settings).await;
    let alice = app.browser();
    send_many(&alice, "lobby", 1).await;
    let mut stream = alice.browser_events("lobby:0").await;
    let beat = tokio::time::timeout(Duration::from_secs(5), stream.next_ephemeral("heartbeat"))
        .await
        .expect("a beat at once, not after a minute");
    assert_eq!(beat["every_ms"], 60_000, "{beat}");
    assert_eq!(beat["rooms"]["lobby"], 1, "{beat}");
}

#[tokio::test]
async fn a_browser_moving_between_nodes_resumes_every_room_once_in_order() {
    let (_redis, a, b) = two_nodes().await;
    let alice = a.browser();
    let mut on_a = alice.browser_events("lobby:0,rust:0").await;
    alice.send("lobby", "one").await;
    alice.send("rust", "one").await;
    alice.send("lobby", "two").await;
    assert_eq!(
        by_room(&mut on_a, 3).await,
        rooms(&[("lobby", &[1, 2]), ("rust", &[1])])
    );
    drop(on_a);
    alice.send("rust", "two").await;
    alice.send("lobby", "three").await;
    let on_b_browser = alice.at(&b);
    let mut on_b = on_b_browser.browser_events("lobby:2,rust:1").await;
    assert_eq!(
        by_room(&mut on_b, 2).await,
        rooms(&[("lobby", &[3]), ("rust", &[2])])
    );
    on_b_browser.send("rust", "live on b").await;
    assert_eq!(by_room(&mut on_b, 1).await, rooms(&[("rust", &[3])]));
}
