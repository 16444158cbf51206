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
        attachments: Vec::new(),
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

/// Notes when each committed event reached delivery.
#[derive(Debug)]
struct Stamps(std::sync::Mutex<Vec<std::time::Instant>>);

impl chat::server::store::CommittedEvents for Stamps {
    fn committed(&self, _event: &chat::domain::LogEvent) {
        if let Ok(mut stamps) = self.0.lock() {
            stamps.push(std::time::Instant::now());
        }
    }
}

/// A fan-out to thousands of streams wakes them all at once, and most wait in the runtime's
/// shared queue. A commit must not wait behind them to be published: the writer runs on a
/// thread of its own. Here the node's runtime is given 800 ms of queued work first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_is_published_at_once_however_busy_the_node_is() {
    let (store, _dir) = store().await;
    let stamps = Arc::new(Stamps(std::sync::Mutex::new(Vec::new())));
    store.deliver_commits_to(stamps.clone());
    // The writer's connection is open before the node gets busy.
    store
        .append(message("warm", None))
        .await
        .expect("append")
        .expect("stored");

    let backlog: Vec<_> = (0..40_000)
        .map(|_| {
            tokio::spawn(async {
                let until = std::time::Instant::now() + std::time::Duration::from_micros(40);
                while std::time::Instant::now() < until {
                    std::hint::spin_loop();
                }
            })
        })
        .collect();
    // Sent from the test's own thread (a request's task would be woken by its socket, not
    // from the shared queue): only the writer's own waking is under test.
    let sent = std::time::Instant::now();
    store
        .append(message("now", None))
        .await
        .expect("append")
        .expect("stored");
    let published = stamps.0.lock().expect("stamps")[1];
    let took = published - sent;
    assert!(
        took < std::time::Duration::from_millis(200),
        "published {took:?} after it was sent, behind the node's queued work"
    );
    for task in backlog {
        task.await.expect("busy work");
    }
}

#[tokio::test]
async fn a_database_whose_name_is_percent_encoded_in_its_url_is_one_file_for_reads_and_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/my%20chat.db", dir.path().display());
    let store = SqliteStore::connect(&url).await.expect("store");
    store
        .append(message("hello", None))
        .await
        .expect("append")
        .expect("not refused");
    let stored = store
        .read_after(&RoomName::lobby(), Seq::ZERO, 10)
        .await
        .expect("read");
    assert_eq!(stored.len(), 1, "the writer wrote where the pages read");
    assert!(dir.path().join("my chat.db").exists());
    assert!(!dir.path().join("my%20chat.db").exists(), "no second file");
}

#[tokio::test]
async fn a_database_in_memory_is_refused_at_once() {
    let refused = SqliteStore::connect("sqlite::memory:").await;
    assert!(refused.is_err(), "a writer of its own could never share it");
}
