//! The SQLite store under concurrent appends (group commit).

use chat::domain::{ClientId, MessageBody, Nickname, RoomName, Seq, UserId};
use chat::server::hub::Hub;
use chat::server::store::{Appended, NewMessage, SqliteStore, Store};
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
async fn concurrent_appends_get_consecutive_seqs_and_all_are_stored() {
    let (store, _dir) = store().await;
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.append(message(&format!("m{i}"), None)).await })
        })
        .collect();
    let mut seqs = Vec::new();
    for task in tasks {
        match task.await.expect("task").expect("append") {
            Appended::New(m) => seqs.push(m.seq.get()),
            Appended::Duplicate(m) => panic!("no key, yet a duplicate: {m:?}"),
        }
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=200).collect::<Vec<_>>());
    let stored = store
        .read_after(&RoomName::lobby(), Seq::ZERO, 500)
        .await
        .expect("read");
    assert_eq!(stored.len(), 200);
}

#[tokio::test]
async fn concurrent_retries_with_one_client_id_store_one_message() {
    let (store, _dir) = store().await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.append(message("once", Some("retry-key"))).await })
        })
        .collect();
    let mut new = 0;
    for task in tasks {
        let appended = task.await.expect("task").expect("append");
        assert_eq!(appended.message().seq, Seq(1));
        new += usize::from(matches!(appended, Appended::New(_)));
    }
    assert_eq!(new, 1, "exactly one append stored the message");
    assert_eq!(
        store.last_seq(&RoomName::lobby()).await.expect("seq"),
        Seq(1)
    );
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
        task.await.expect("task").expect("append");
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

#[tokio::test]
async fn someone_else_s_client_id_stores_a_new_message_instead_of_returning_theirs() {
    let (store, _dir) = store().await;
    let mut alices = message("alice's words", Some("shared-key"));
    alices.author_id = UserId::from_random(1);
    let mut mallorys = message("mallory's words", Some("shared-key"));
    mallorys.author_id = UserId::from_random(2);
    let first = store.append(alices).await.expect("append");
    let second = store.append(mallorys).await.expect("append");
    assert!(matches!(second, Appended::New(_)), "{second:?}");
    assert_ne!(second.message().body, first.message().body);
}
