//! `CHAT_RETENTION_DAYS` on a running node: old messages are gone soon after it starts (the
//! first pass runs at once), new ones stay, and a browser whose cursor lies in the removed
//! history starts over with `reset` (its page reloads) instead of resuming past a hole.

use crate::helpers::{append_directly, settings, spawn_app_on};
use chat::domain::{OnlineUser, UserId};
use chat::server::store::SqliteStore;
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn a_node_removes_messages_older_than_the_retention_and_resets_older_cursors() {
    let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    {
        // Three messages sent long ago (1970), written before the node starts.
        let store = SqliteStore::connect(&crate::helpers::database_url(&dir))
            .await
            .expect("store");
        let ann = OnlineUser {
            id: UserId::from_random(1),
            name: "ann".into(),
        };
        let lobby = chat::domain::RoomName::parse("lobby").expect("room");
        for text in ["old news one", "old news two", "old news three"] {
            append_directly(&store, &lobby, &ann, text).await;
        }
        store.close().await;
    }
    let mut with_retention = settings();
    with_retention.retention = Some(Duration::from_secs(30 * 86_400));
    let app = spawn_app_on(dir, with_retention).await;

    let browser = app.browser();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let page = browser.get_json("/api/room?room=lobby").await;
        if page["messages"].as_array().is_some_and(Vec::is_empty) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the old messages are still there: {page}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = app.get("/r/lobby").await.text().await.expect("page");
    assert!(!page.contains("old news"), "{page}");

    let new = app.send("lobby", "fresh news").await;
    assert_eq!(new.seq.get(), 4, "seqs go on after the removed ones");

    // A cursor inside the removed history: reset, then the room as it is.
    let mut stream = app.events("lobby", "", Some(1)).await;
    let first = stream.next_event().await.expect("an event");
    assert_eq!(first.event.as_deref(), Some("reset"));
    assert_eq!(stream.next_message().await, new);
    // A cursor at the cut, or from nothing: no reset.
    for cursor in [3, 0] {
        let mut stream = app.events("lobby", &format!("?after={cursor}"), None).await;
        let first = stream.next_log_event().await;
        assert_eq!(first.event.as_deref(), Some("message"), "after={cursor}");
        assert_eq!(first.id.as_deref(), Some("4"), "after={cursor}");
    }
    let page = browser.get_json("/api/room?room=lobby").await;
    assert_eq!(page["messages"].as_array().map(Vec::len), Some(1), "{page}");
}
