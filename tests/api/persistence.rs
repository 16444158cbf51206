//! What was acknowledged survives a restart.

use crate::helpers::{seqs, settings, spawn_app, spawn_app_on};

#[tokio::test]
async fn acknowledged_messages_survive_a_server_restart_and_seqs_continue() {
    let app = spawn_app().await;
    for i in 1..=3 {
        app.send("lobby", &format!("before restart {i}")).await;
    }
    let db = app.stop().await;

    let app = spawn_app_on(db, settings()).await;
    let mut stream = app.events("lobby", "?after=0", None).await;
    let stored = stream.messages_through(3).await;
    assert_eq!(seqs(&stored), vec![1, 2, 3]);
    assert_eq!(stored[0].body, "before restart 1");
    assert_eq!(app.send("lobby", "after restart").await.seq.get(), 4);
}
