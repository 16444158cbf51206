//! Resuming a stream: every missed event once, in order, then live.

use crate::helpers::{seqs, spawn_app};

#[tokio::test]
async fn a_reconnecting_client_gets_every_missed_message_once_in_order() {
    let app = spawn_app().await;
    let mut stream = app.events("lobby", "", None).await;
    for i in 1..=5 {
        app.send("lobby", &format!("before {i}")).await;
    }
    let seen = stream.messages_through(5).await;
    let last_seen = seen.last().map(|m| m.seq.get()).expect("five messages");
    drop(stream);

    // Others keep sending while this client is away and while it reconnects.
    for i in 1..=5 {
        app.send("lobby", &format!("while away {i}")).await;
    }
    let sender = app.spawn_sender("lobby", "during reconnect", 20);
    let mut resumed = app.events("lobby", "", Some(last_seen)).await;
    sender.await.expect("sender");

    let after = resumed.messages_through(30).await;
    assert_eq!(seqs(&after), (6..=30).collect::<Vec<_>>());
}

#[tokio::test]
async fn the_after_query_resumes_and_last_event_id_wins_over_it() {
    let app = spawn_app().await;
    for i in 1..=4 {
        app.send("lobby", &format!("m{i}")).await;
    }
    let mut from_query = app.events("lobby", "?after=2", None).await;
    assert_eq!(seqs(&from_query.messages_through(4).await), vec![3, 4]);

    // A browser reconnecting on its own repeats the original URL and adds the header.
    let mut from_header = app.events("lobby", "?after=1", Some(3)).await;
    assert_eq!(seqs(&from_header.messages_through(4).await), vec![4]);
}

#[tokio::test]
async fn a_stream_without_a_cursor_starts_with_the_next_message() {
    let app = spawn_app().await;
    app.send("lobby", "old news").await;
    let mut stream = app.events("lobby", "", None).await;
    let fresh = app.send("lobby", "fresh").await;
    assert_eq!(stream.next_message().await, fresh);
}

#[tokio::test]
async fn a_cursor_that_is_not_a_number_is_refused() {
    let app = spawn_app().await;
    for query in ["?after=-1", "?after=abc"] {
        let response = app.get(&format!("/api/rooms/lobby/events{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        let body: serde_json::Value = response.json().await.expect("a JSON error");
        assert_eq!(body["error"], "invalid_input", "{body}");
        assert!(body["message"]
            .as_str()
            .is_some_and(|m| m.contains("after")));
    }
    let response = app
        .client
        .get(app.url("/api/rooms/lobby/events"))
        .header("Last-Event-ID", "seven")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn a_cursor_past_the_newest_event_starts_over_with_a_reset() {
    // The store lost history the client saw (Redis without AOF, a restored backup): its
    // cursor is ahead, and the seqs it holds will be reused. Skipping to the cursor would
    // hide every new message up to it; the stream says so and replays the room instead.
    let app = spawn_app().await;
    for i in 1..=3 {
        app.send("lobby", &format!("after the loss {i}")).await;
    }
    let mut stream = app.events("lobby", "", Some(57)).await;
    let first = stream.next_event().await.expect("an event");
    assert_eq!(first.event.as_deref(), Some("reset"));
    assert!(first.id.is_none(), "a reset does not move the cursor");
    assert_eq!(seqs(&stream.messages_through(3).await), vec![1, 2, 3]);
    let next = app.send("lobby", "live again").await;
    assert_eq!(stream.next_message().await, next);
}
