//! Permalinks: `GET /api/room?room=&at=` (and the page `/r/{room}?at=`) opens the room around
//! a message however far back it is, and `GET /api/newer` reads on from there; on both
//! stores (Redis: written on one node, read on the other).

use crate::helpers::{spawn_app, TestApp};
use crate::nodes::two_nodes;
use serde_json::Value;

fn seqs(page: &Value) -> Vec<u64> {
    page["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["seq"].as_u64().expect("seq"))
        .collect()
}

async fn permalink_story(app: &TestApp, other: &TestApp) {
    let writer = app.browser();
    for n in 1..=130 {
        writer.send("deep", &format!("message number {n}")).await;
    }
    let reader = other.browser();
    let page = reader.get_json("/api/room?room=deep&at=40").await;
    assert_eq!(
        seqs(&page),
        (16..=65).collect::<Vec<_>>(),
        "25 before, the message, 24 after"
    );
    assert_eq!(page["focus"], 40);
    assert_eq!(
        (page["has_older"].as_bool(), page["has_newer"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(page["cursor"], 130, "the live feed goes on from the newest");

    let newer = reader.get_json("/api/newer?room=deep&after=65").await;
    assert_eq!(seqs(&newer), (66..=115).collect::<Vec<_>>());
    assert_eq!(newer["has_newer"], true);
    let last = reader.get_json("/api/newer?room=deep&after=115").await;
    assert_eq!(seqs(&last), (116..=130).collect::<Vec<_>>());
    assert_eq!(last["has_newer"], false);

    let start = reader.get_json("/api/room?room=deep&at=2").await;
    assert_eq!(
        seqs(&start),
        (1..=27).collect::<Vec<_>>(),
        "what lies before, then 25 after"
    );
    assert_eq!(start["has_older"], false);
    let end = reader.get_json("/api/room?room=deep&at=130").await;
    assert_eq!(end["has_newer"], false);
    let plain = reader.get_json("/api/room?room=deep").await;
    assert_eq!(plain["has_newer"], false);
    assert_eq!(plain["focus"], Value::Null);

    // The page itself, rendered on the server, holds the message linked to.
    let html = reader
        .client
        .get(other.url("/r/deep?at=40"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("message number 40"));
    assert!(!html.contains("message number 130"), "not the newest page");
}

#[tokio::test]
async fn on_sqlite_a_permalink_opens_the_room_around_its_message() {
    let app = spawn_app().await;
    permalink_story(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_permalink_opens_the_room_around_its_message_on_any_node() {
    let (_redis, a, b) = two_nodes().await;
    permalink_story(&a, &b).await;
}
