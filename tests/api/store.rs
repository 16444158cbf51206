//! The SQLite store under concurrent appends (group commit).

use chat::domain::{ClientId, MessageBody, Nickname, OnlineUser, RoomName, Seq, UserId};
use chat::server::delivery::hub::Hub;
use chat::server::store::{Appended, NewMessage, Refusal, SqliteStore, Store};
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
        match task
            .await
            .expect("task")
            .expect("append")
            .expect("not refused")
        {
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
        let appended = task
            .await
            .expect("task")
            .expect("append")
            .expect("not refused");
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

#[tokio::test]
async fn someone_else_s_client_id_stores_a_new_message_instead_of_returning_theirs() {
    let (store, _dir) = store().await;
    let mut alices = message("alice's words", Some("shared-key"));
    alices.author_id = UserId::from_random(1);
    let mut mallorys = message("mallory's words", Some("shared-key"));
    mallorys.author_id = UserId::from_random(2);
    let first = store
        .append(alices)
        .await
        .expect("append")
        .expect("not refused");
    let second = store
        .append(mallorys)
        .await
        .expect("append")
        .expect("not refused");
    assert!(matches!(second, Appended::New(_)), "{second:?}");
    assert_ne!(second.message().body, first.message().body);
}

/// The page and the send check access first, then mark the room read (which joins it) or
/// store the message: a room that was empty and public at the check may be private by
/// then, and a stranger must neither join it nor write in it. (Run on Redis by
/// `redis_store.rs`.)
pub async fn became_private_check(store: &dyn Store) {
    let room = RoomName::parse("quiet-corner").expect("room");
    let creator = OnlineUser {
        id: UserId::from_random(11),
        name: "ada".into(),
    };
    let stranger = OnlineUser {
        id: UserId::from_random(12),
        name: "eve".into(),
    };
    assert!(store
        .create_private(&room, &creator, 0)
        .await
        .expect("create"));
    store
        .mark_read(&stranger, &room, Seq::ZERO)
        .await
        .expect("mark read");
    assert!(!store.is_member(&stranger.id, &room).await.expect("member?"));
    assert!(store
        .joined_rooms(&stranger.id)
        .await
        .expect("joined")
        .is_empty());

    let intruding = NewMessage {
        room: room.clone(),
        author_id: stranger.id.clone(),
        recheck_access: true,
        ..message("let me in", None)
    };
    assert_eq!(
        store.append(intruding).await.expect("append"),
        Err(Refusal::Private)
    );
    assert_eq!(store.last_seq(&room).await.expect("last seq"), Seq::ZERO);

    // A member writes, and their mark moves.
    let first = NewMessage {
        room: room.clone(),
        author_id: creator.id.clone(),
        recheck_access: true,
        ..message("only for us", None)
    };
    let seq = store
        .append(first)
        .await
        .expect("append")
        .expect("not refused")
        .message()
        .seq;
    store
        .mark_read(&creator, &room, seq)
        .await
        .expect("mark read");
    let joined = store.joined_rooms(&creator.id).await.expect("joined");
    assert_eq!(joined.len(), 1);
    assert_eq!(joined[0].read, seq);
}

#[tokio::test]
async fn a_room_that_became_private_is_neither_joined_nor_written_by_a_stranger() {
    let (store, _dir) = store().await;
    became_private_check(store.as_ref()).await;
}
