//! No open stream carries a private room's events to someone who is not its member when
//! they are sent: not a stream opened on the name before the room became private, not one
//! kept open by a member who has since left or been removed. On both stores, with the
//! streams on another node than the change. The gate alone (without the kick that ends
//! such streams at once) is tested on a `Subscription` driven directly, lagging too.

use crate::helpers::{spawn_app, Browser, SseStream, TestApp};
use crate::nodes::two_nodes;
use chat::domain::{OnlineUser, RoomName, Seq, UserId};
use chat::server::access::rooms::RoomAccess;
use chat::server::delivery::drain::Drain;
use chat::server::delivery::hub::Hub;
use chat::server::store::{RoomMembers, SqliteStore, Store};
use chat::server::streams::{StreamSettings, Subscription};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

const SECRET: &str = "acquisition of initech";

/// Reads `stream` until it ends (within `within`), returning everything it carried.
async fn carried_until_end(stream: &mut SseStream, within: Duration) -> String {
    let mut carried = String::new();
    tokio::time::timeout(within, async {
        while let Some(event) = stream.next_event().await {
            carried.push_str(&format!("{:?} {}\n", event.event, event.data));
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the stream did not end within {within:?}; it carried {carried}"));
    carried
}

async fn create_private(browser: &Browser, name: &str) -> Value {
    let response = browser
        .post("create_room", &[("name", name), ("private", "true")])
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("JSON")
}

/// Joins with an invite link, as its button does.
async fn join(browser: &Browser, invite: &str) {
    let response = browser.post_path(invite, &[]).await;
    assert_eq!(response.status(), 303, "{invite}");
}

async fn pre_watched_then_made_private(app: &TestApp, other: &TestApp) {
    let (ann, stranger) = (app.browser(), other.browser());
    stranger.set_name("Mallory").await;
    // Streams on a name nobody uses yet: a cookie's room stream, a script's without a
    // cookie, and a browser-wide one.
    let mut streams = vec![
        stranger.events("plans", "").await,
        other.events("plans", "", None).await,
        stranger.browser_events("plans,lobby").await,
    ];
    create_private(&ann, "plans").await;
    ann.send("plans", SECRET).await;
    for stream in &mut streams {
        let carried = carried_until_end(stream, Duration::from_secs(5)).await;
        assert!(!carried.contains("initech"), "leaked: {carried}");
    }
    // And they are not let back in.
    let again = stranger.get_raw("/api/rooms/plans/events").await;
    assert_eq!(again.status(), 403);
}

#[tokio::test]
async fn on_sqlite_a_stream_opened_before_a_room_became_private_does_not_carry_it() {
    let app = spawn_app().await;
    pre_watched_then_made_private(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_stream_opened_before_a_room_became_private_does_not_carry_it_on_any_node() {
    let (_redis, a, b) = two_nodes().await;
    pre_watched_then_made_private(&a, &b).await;
}

async fn author_id(browser: &Browser, room: &str) -> String {
    let sent = browser.send(room, "hello").await;
    sent.author_id.as_str().to_owned()
}

async fn removed_and_left(app: &TestApp, other: &TestApp) {
    let (ann, bob, carol) = (app.browser(), other.browser(), other.browser());
    let created = create_private(&ann, "board").await;
    let invite = created["invite"].as_str().expect("invite").to_owned();
    join(&bob, &invite).await;
    join(&carol, &invite).await;
    let bob_id = author_id(&bob, "board").await;
    author_id(&carol, "board").await;

    // Only the creator removes, and not themselves.
    let tried = carol
        .post("remove_member", &[("room", "board"), ("user", &bob_id)])
        .await;
    assert_eq!(tried.status(), 403, "a member is not the creator");
    let ann_id = author_id(&ann, "board").await;
    let tried = ann
        .post("remove_member", &[("room", "board"), ("user", &ann_id)])
        .await;
    assert_eq!(tried.status(), 422, "the creator leaves instead");

    let mut bob_streams = vec![
        bob.events("board", "").await,
        bob.browser_events("board,lobby").await,
    ];
    let mut carol_stream = carol.events("board", "").await;
    let removed = ann
        .post("remove_member", &[("room", "board"), ("user", &bob_id)])
        .await;
    assert_eq!(removed.status(), 200);
    let removed: Value = removed.json().await.expect("JSON");
    let new_invite = removed["invite"].as_str().expect("a new link").to_owned();
    assert_ne!(new_invite, invite, "the old link would let him back in");
    // Ended at once, before anything else is said in the room.
    for stream in &mut bob_streams {
        let carried = carried_until_end(stream, Duration::from_secs(2)).await;
        assert!(!carried.contains("initech"), "leaked: {carried}");
    }
    ann.send("board", SECRET).await;
    assert!(carol_stream
        .next_message()
        .await
        .body
        .as_str()
        .contains("initech"));
    assert_eq!(bob.get_raw("/api/rooms/board/events").await.status(), 403);
    assert_eq!(bob.get_raw("/r/board").await.status(), 403);
    assert_eq!(bob.post_path(&invite, &[]).await.status(), 403, "old link");

    // Leaving ends one's own streams of the room at once, too.
    let left = carol.post("leave_room", &[("room", "board")]).await;
    assert!(left.status().is_success(), "{}", left.status());
    let carried = carried_until_end(&mut carol_stream, Duration::from_secs(2)).await;
    assert!(!carried.contains("initech"), "{carried}");
    assert_eq!(carol.get_raw("/api/rooms/board/events").await.status(), 403);
}

#[tokio::test]
async fn on_sqlite_a_removed_or_departed_member_loses_their_open_streams_at_once() {
    let app = spawn_app().await;
    removed_and_left(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_removed_or_departed_member_loses_their_open_streams_on_every_node() {
    let (_redis, a, b) = two_nodes().await;
    removed_and_left(&a, &b).await;
}

// The gate alone, with no kick to end the streams early.

fn settings() -> StreamSettings {
    StreamSettings {
        retry: Duration::from_secs(1),
        retry_spread: Duration::ZERO,
        heartbeat: Duration::from_secs(15),
        max_rooms: 1,
        max_behind: usize::MAX,
    }
}

fn person(n: u64) -> OnlineUser {
    OnlineUser {
        id: UserId::from_random(u128::from(n)),
        name: format!("person {n}"),
    }
}

/// A store whose commits reach `hub` (as the app wires them), and its access rules.
async fn wired(dir: &tempfile::TempDir, hub: &Arc<Hub>) -> (Arc<SqliteStore>, Arc<RoomAccess>) {
    let store = Arc::new(
        SqliteStore::connect(&crate::helpers::database_url(dir))
            .await
            .expect("store"),
    );
    store.deliver_commits_to(hub.clone());
    let access = Arc::new(RoomAccess::new(store.clone()));
    (store, access)
}

/// `who`'s gated stream of `room` (admitted now), on a hub that keeps only 4 events: one
/// that reads nothing for a while must catch up from the store.
async fn gated_stream(
    store: &Arc<SqliteStore>,
    access: &Arc<RoomAccess>,
    hub: &Hub,
    who: &OnlineUser,
    room: &RoomName,
) -> SseStream {
    let gate = access.admit(&who.id, room).await.expect("admitted");
    let subscription = Subscription::new(
        room.clone(),
        store.clone(),
        hub.subscribe(room),
        Seq::ZERO,
        settings(),
        Arc::new(Drain::default()).ticket(),
    )
    .gated(gate);
    SseStream::new(subscription.into_stream())
}

async fn say(store: &SqliteStore, who: &OnlineUser, room: &RoomName, text: &str) {
    crate::helpers::append_directly(store, room, who, text).await;
}

#[tokio::test]
async fn without_a_kick_a_stream_of_a_room_that_became_private_ends_before_its_first_event() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = Arc::new(Hub::new(4));
    let (store, access) = wired(&dir, &hub).await;
    let (ann, mallory) = (person(1), person(2));
    let room = RoomName::parse("plans").expect("name");
    let mut watching = gated_stream(&store, &access, &hub, &mallory, &room).await;
    assert!(store.create_private(&room, &ann, 0).await.expect("created"));
    // Far more than the hub keeps: the stream lags and reads them from the store.
    for i in 0..12 {
        say(&store, &ann, &room, &format!("{SECRET} {i}")).await;
    }
    let carried = carried_until_end(&mut watching, Duration::from_secs(5)).await;
    assert!(!carried.contains("initech"), "leaked: {carried}");
}

#[tokio::test]
async fn without_a_kick_a_departed_members_stream_ends_before_the_next_event() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = Arc::new(Hub::new(4));
    let (store, access) = wired(&dir, &hub).await;
    let (ann, bob) = (person(1), person(2));
    let room = RoomName::parse("board").expect("name");
    assert!(store.create_private(&room, &ann, 0).await.expect("created"));
    assert!(store.join_by_invite(&bob, &room, 1).await.expect("joined"));
    let mut bobs = gated_stream(&store, &access, &hub, &bob, &room).await;
    say(&store, &ann, &room, "before he left").await;
    assert_eq!(bobs.next_message().await.body.as_str(), "before he left");
    store.leave_room(&bob.id, &room).await.expect("left");
    for i in 0..12 {
        say(&store, &ann, &room, &format!("{SECRET} {i}")).await;
    }
    let carried = carried_until_end(&mut bobs, Duration::from_secs(5)).await;
    assert!(!carried.contains("initech"), "leaked: {carried}");
}
