//! What only the SQLite store does: its writer hands committed events to delivery in seq
//! order (group commit). What both stores promise is in `store_contract/`.

use chat::domain::{ClientId, MessageBody, Nickname, RoomName, Seq, UserId};
use chat::server::delivery::hub::Hub;
use chat::server::store::{NewMessage, SqliteStore, Store};
use std::sync::Arc;

fn message(text: &str, client_id: Option<&str>) -> NewMessage {
    NewMessage {
        room: RoomName::lobby(),
        author_id: UserId::from_random(1),
        author: Nickname::guest(1),
        body: MessageBody::parse(text).expect("valid body"),
        sent_at: 0,
        client_id: client_id.map(|id| ClientId::parse(id).expect("valid key")),
        reply_to: None,
        mentions: Vec::new(),
        recheck_access: false,
        bot: false,
    }
}

async fn store() -> (Arc<SqliteStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::connect(&crate::helpers::database_url(&dir))
        .await
        .expect("store");
    (Arc::new(store), dir)
}

#[tokio::test]
async fn concurrent_appends_reach_the_hub_in_seq_order_and_duplicates_not_at_all() {
    let (store, _dir) = store().await;
    let hub = Arc::new(Hub::new(1024));
    let mut live = hub.subscribe(&RoomName::lobby());
    store.deliver_commits_to(hub.clone());
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            // Every tenth send is a retry of the one before: stored and published once.
            let key = format!("key-{}", i - i % 10 / 9);
            tokio::spawn(async move { store.append(message(&format!("m{i}"), Some(&key))).await })
        })
        .collect();
    for task in tasks {
        task.await
            .expect("task")
            .expect("append")
            .expect("not refused");
    }
    let mut published = Vec::new();
    while let Ok(broadcast) = live.try_recv() {
        published.push(broadcast.seq.map(Seq::get));
    }
    let stored = store
        .read_after(&RoomName::lobby(), Seq::ZERO, 500)
        .await
        .expect("read");
    assert_eq!(stored.len(), 180);
    assert_eq!(published, (1..=180).map(Some).collect::<Vec<_>>());
}
