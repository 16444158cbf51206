//! Presence and typing: ephemeral events on the room's stream.

use crate::helpers::{settings, spawn_app, spawn_app_with, SseStream};
use std::time::Duration;

#[tokio::test]
async fn a_stream_opens_with_who_is_online_and_others_see_joins_and_leaves() {
    let mut settings = settings();
    // Dead connections are noticed at the next write: keep that soon.
    settings.heartbeat = Duration::from_millis(100);
    let app = spawn_app_with(settings).await;
    let (alice, bob) = (app.browser(), app.browser());
    alice.set_name("Alice").await;
    bob.set_name("Bob").await;

    let mut alice_stream = alice.events("lobby", "").await;
    assert_eq!(
        SseStream::names(&alice_stream.next_presence().await),
        ["Alice"],
        "a stream opens with who is online"
    );

    let bob_stream = bob.events("lobby", "").await;
    // After the snapshot, a stream gets what changed, not the whole list again (a change
    // the snapshot already holds may come first: the browser skips it by its version).
    let held = alice_stream
        .presence
        .as_ref()
        .expect("the snapshot")
        .version;
    let mut change = alice_stream.next_ephemeral("presence_change").await;
    while change["version"].as_u64() <= Some(held) {
        change = alice_stream.next_ephemeral("presence_change").await;
    }
    assert_eq!(
        change["listed"].as_array().map(Vec::len),
        Some(1),
        "{change}"
    );
    assert_eq!(change["listed"][0]["name"], "Bob");
    alice_stream
        .presence
        .as_mut()
        .expect("the snapshot")
        .apply(&serde_json::from_value(change).expect("a change"));
    let joined = alice_stream.presence_until(&["Alice", "Bob"]).await;
    assert_eq!(joined["count"], 2);

    // A closed stream is noticed at the next heartbeat, and leaves by the next flush.
    drop(bob_stream);
    alice_stream.presence_until(&["Alice"]).await;
}

#[tokio::test]
async fn two_tabs_of_one_person_count_once() {
    let app = spawn_app().await;
    let alice = app.browser();
    alice.set_name("Alice").await;
    let _first_tab = alice.events("lobby", "").await;
    let mut second_tab = alice.events("lobby", "").await;
    let presence = second_tab.next_presence().await;
    assert_eq!(SseStream::names(&presence), ["Alice"]);
    assert_eq!(presence["count"], 1);
    let page = alice.get_json("/api/room?room=lobby").await;
    assert_eq!(page["online_count"], 1);
}

#[tokio::test]
async fn a_name_change_shows_in_presence() {
    let app = spawn_app().await;
    let alice = app.browser();
    alice.set_name("Alice").await;
    let mut stream = alice.events("lobby", "").await;
    stream.presence_until(&["Alice"]).await;
    alice.set_name("Alicia").await;
    stream.presence_until(&["Alicia"]).await;
}

#[tokio::test]
async fn typing_reaches_the_room_without_an_id_and_stores_nothing() {
    let app = spawn_app().await;
    let (alice, bob) = (app.browser(), app.browser());
    alice.set_name("Alice").await;
    let mut bob_stream = bob.events("lobby", "").await;
    let response = alice.post("typing", &[("room", "lobby")]).await;
    assert_eq!(response.status(), 200);
    let typing = bob_stream.next_ephemeral("typing").await;
    assert_eq!(typing["user"]["name"], "Alice");
    assert_eq!(typing["room"], "lobby");
    assert_eq!(
        alice.send("lobby", "done typing").await.seq.get(),
        1,
        "typing took no seq"
    );
}
