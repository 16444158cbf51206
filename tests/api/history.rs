//! Scroll-back: the first render holds the newest page; older pages walk back to the start.

use crate::helpers::spawn_app;
use serde_json::Value;

fn seqs(page: &Value) -> Vec<u64> {
    page["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["seq"].as_u64())
        .collect()
}

#[tokio::test]
async fn pages_of_fifty_walk_back_to_the_first_message() {
    let app = spawn_app().await;
    let ann = app.browser();
    for i in 1..=120 {
        ann.send("lobby", &format!("m{i}")).await;
    }
    let first = ann.get_json("/api/room?room=lobby").await;
    assert_eq!(seqs(&first), (71..=120).collect::<Vec<_>>());
    assert_eq!(first["has_older"], true);

    let older = ann.get_json("/api/history?room=lobby&before=71").await;
    assert_eq!(seqs(&older), (21..=70).collect::<Vec<_>>());
    assert_eq!(older["has_older"], true);

    let oldest = ann.get_json("/api/history?room=lobby&before=21").await;
    assert_eq!(seqs(&oldest), (1..=20).collect::<Vec<_>>());
    assert_eq!(oldest["has_older"], false);
}
