//! Pins on both stores, through the HTTP contract: `POST /api/pin_message` logs a `pin`
//! event with its own seq, delivered live with `id:` and replayed once on resume;
//! `GET /api/rooms/{room}/pins` and the room's page list the pinned messages. On Redis, two
//! nodes: pinned on one, read on the other. (A private room's pins answer 403 to others:
//! `private_rooms.rs` tries every door.)

use crate::helpers::{spawn_app, Browser, TestApp};
use crate::nodes::two_nodes;
use crate::sse_stream::SseStream;
use chat::domain::Pin;
use serde_json::Value;

async fn pin(browser: &Browser, seq: &str, pinned: &str) -> reqwest::Response {
    browser
        .post(
            "pin_message",
            &[("room", "lobby"), ("seq", seq), ("pinned", pinned)],
        )
        .await
}

/// The next log event of `stream`, which must be a pin whose `id:` is its seq.
async fn next_pin(stream: &mut SseStream) -> Pin {
    let event = stream.next_log_event().await;
    assert_eq!(event.event.as_deref(), Some("pin"));
    let pin: Pin = serde_json::from_str(&event.data).expect("pin JSON");
    assert_eq!(event.id, Some(pin.seq.to_string()), "id: is the seq");
    pin
}

/// The seqs `GET /api/rooms/lobby/pins` lists.
async fn listed(browser: &Browser) -> Vec<u64> {
    let answer = browser.get_json("/api/rooms/lobby/pins").await;
    let pins = answer["pins"].as_array().expect("pins");
    pins.iter()
        .map(|m| {
            assert_eq!(m["pinned"], true, "{m}");
            m["seq"].as_u64().expect("seq")
        })
        .collect()
}

async fn pins_story(app: &TestApp, other: &TestApp) {
    let alice = app.browser();
    let bob = app.browser();
    alice.set_name("Alice").await;
    bob.set_name("Bob").await;
    alice.send("lobby", "the **plan**").await;
    alice.send("lobby", "chatter").await;
    let mut live = bob.at(other).events("lobby", "?after=2").await;

    let response = pin(&bob, "1", "true").await;
    assert_eq!(response.status(), 200);
    let pinned: Value = response.json().await.expect("JSON");
    assert_eq!(
        (pinned["seq"].as_u64(), pinned["pinned"].as_bool()),
        (Some(3), Some(true))
    );
    assert_eq!(pinned["by"]["name"], "Bob");
    assert_eq!(
        pinned["message"]["body"], "the **plan**",
        "a pin carries its message"
    );
    let again = pin(&bob, "1", "true").await;
    assert_eq!(
        again.text().await.expect("body"),
        "null",
        "nothing logged twice"
    );

    let event = next_pin(&mut live).await;
    assert_eq!(
        (event.seq.get(), event.target.get(), event.pinned),
        (3, 1, true)
    );
    assert_eq!(listed(&alice.at(other)).await, [1]);
    let page = alice.at(other).get_json("/api/room?room=lobby").await;
    assert_eq!(page["pins"][0]["seq"], 1, "the page lists the pins");
    assert_eq!(page["messages"][0]["pinned"], true);
    assert!(
        page["messages"][1].get("pinned").is_none(),
        "left out when false"
    );

    pin(&alice, "2", "true").await;
    assert_eq!(listed(&bob.at(other)).await, [2, 1], "the newest pin first");
    let response = pin(&alice, "1", "false").await;
    let unpinned: Pin = response
        .json::<Option<Pin>>()
        .await
        .expect("JSON")
        .expect("logged");
    assert_eq!((unpinned.seq.get(), unpinned.pinned), (5, false));
    assert!(unpinned.message.is_none());
    assert_eq!(listed(&bob).await, [2]);
    assert_eq!(next_pin(&mut live).await.seq.get(), 4);
    assert_eq!(next_pin(&mut live).await.seq.get(), 5);

    // Refused, and nothing logged.
    assert_eq!(pin(&bob, "99", "true").await.status(), 404);
    assert_eq!(pin(&bob, "1", "maybe").await.status(), 400);
    let deleted = alice
        .post("delete_message", &[("room", "lobby"), ("seq", "2")])
        .await;
    assert_eq!(deleted.status(), 200);
    assert!(listed(&bob.at(other)).await.is_empty(), "a delete unpins");
    assert_eq!(pin(&bob, "2", "true").await.status(), 404);

    // A resumed stream replays each pin once, in order, then what came after.
    alice.send("lobby", "later").await;
    let mut resumed = bob.at(other).events("lobby", "?after=2").await;
    let replayed: Vec<(u64, bool)> = [
        next_pin(&mut resumed).await,
        next_pin(&mut resumed).await,
        next_pin(&mut resumed).await,
    ]
    .iter()
    .map(|p| (p.seq.get(), p.pinned))
    .collect();
    assert_eq!(replayed, [(3, true), (4, true), (5, false)]);
    let delete = resumed.next_log_event().await;
    assert_eq!(
        (delete.event.as_deref(), delete.id.as_deref()),
        (Some("delete"), Some("6"))
    );
    assert_eq!(resumed.next_message().await.body, "later");
}

#[tokio::test]
async fn on_sqlite_pins_are_logged_listed_and_replayed_once() {
    let app = spawn_app().await;
    pins_story(&app, &app).await;
}

#[tokio::test]
async fn on_redis_pins_are_logged_listed_and_replayed_once_across_nodes() {
    let (_redis, a, b) = two_nodes().await;
    pins_story(&a, &b).await;
}
