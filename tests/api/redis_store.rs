//! The Redis store against a real `redis-server`: the same guarantees as SQLite.

use crate::redis_server::{fresh_prefix, RedisServer};
use chat::domain::{ClientId, LogEvent, MessageBody, Nickname, RoomName, Seq, UserId};
use chat::server::store::{
    Appended, DeleteRequest, EditRequest, NewMessage, RedisStore, Refusal, Store,
};
use std::sync::Arc;

fn message(text: &str, author: u128, client_id: Option<&str>) -> NewMessage {
    NewMessage {
        room: RoomName::lobby(),
        author_id: UserId::from_random(author),
        author: Nickname::guest(1),
        body: MessageBody::parse(text).expect("valid body"),
        sent_at: 1_795_000_000_000,
        client_id: client_id.map(|id| ClientId::parse(id).expect("valid key")),
        reply_to: None,
        mentions: Vec::new(),
        recheck_access: false,
    }
}

async fn store(redis: &RedisServer, history: usize) -> Arc<RedisStore> {
    Arc::new(
        RedisStore::connect(&redis.url, &fresh_prefix(), history)
            .await
            .expect("connect"),
    )
}

#[tokio::test]
async fn concurrent_appends_get_consecutive_seqs_and_one_client_id_stores_once() {
    let redis = RedisServer::start().await;
    let store = store(&redis, 1_000).await;
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.append(message(&format!("m{i}"), 1, None)).await })
        })
        .collect();
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.push(
            task.await
                .expect("task")
                .expect("append")
                .expect("not refused")
                .message()
                .seq
                .get(),
        );
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=100).collect::<Vec<_>>());

    let first = store
        .append(message("once", 1, Some("key-1")))
        .await
        .expect("append")
        .expect("not refused");
    let again = store
        .append(message("once", 1, Some("key-1")))
        .await
        .expect("append")
        .expect("not refused");
    assert!(matches!(first, Appended::New(_)));
    assert_eq!(again, Appended::Duplicate(first.into_message()));
    assert_eq!(
        store.last_seq(&RoomName::lobby()).await.expect("seq"),
        Seq(101)
    );
    let someone_else = store
        .append(message("not theirs", 2, Some("key-1")))
        .await
        .expect("append")
        .expect("not refused");
    assert!(
        matches!(someone_else, Appended::New(_)),
        "the key is scoped to its author: {someone_else:?}"
    );
}

#[tokio::test]
async fn edits_and_deletes_are_logged_refused_for_others_and_replayed() {
    let redis = RedisServer::start().await;
    let store = store(&redis, 1_000).await;
    let lobby = RoomName::lobby();
    let original = store
        .append(message("teh typo", 1, None))
        .await
        .expect("append")
        .expect("not refused")
        .into_message();
    let edit = |by: u128, body: &str| EditRequest {
        room: lobby.clone(),
        target: original.seq,
        by: UserId::from_random(by),
        body: MessageBody::parse(body).expect("body"),
        at: 5,
    };
    assert_eq!(
        store.edit(edit(2, "not yours")).await.expect("edit"),
        Err(Refusal::NotYours)
    );
    let edited = store
        .edit(edit(1, "the typo"))
        .await
        .expect("edit")
        .expect("allowed");
    assert_eq!(edited.seq, Seq(2));
    let delete = DeleteRequest {
        room: lobby.clone(),
        target: original.seq,
        by: UserId::from_random(1),
        at: 6,
    };
    assert_eq!(
        store
            .delete(delete.clone())
            .await
            .expect("delete")
            .map(|d| d.seq),
        Ok(Seq(3))
    );
    assert_eq!(
        store.delete(delete).await.expect("delete"),
        Err(Refusal::Deleted)
    );

    let log = store.read_after(&lobby, Seq::ZERO, 10).await.expect("read");
    let kinds: Vec<(&str, u64)> = log
        .iter()
        .map(|e| (e.kind().name(), e.seq().get()))
        .collect();
    assert_eq!(kinds, [("message", 1), ("edit", 2), ("delete", 3)]);
    for event in &log {
        if let LogEvent::Edit(e) = event {
            assert_eq!(
                e.body, "",
                "a replayed edit does not bring back deleted words"
            );
        }
    }
    let page = store.latest(&lobby, 10, None).await.expect("latest");
    assert!(page[0].deleted);
    assert_eq!(
        store
            .read_after(&lobby, Seq(2), 10)
            .await
            .expect("read")
            .len(),
        1
    );
}

#[tokio::test]
async fn pages_walk_back_and_history_is_bounded() {
    let redis = RedisServer::start().await;
    let store = store(&redis, 100).await;
    let lobby = RoomName::lobby();
    for i in 1..=120 {
        store
            .append(message(&format!("m{i}"), 1, None))
            .await
            .expect("append")
            .expect("not refused");
    }
    let newest = store.latest(&lobby, 50, None).await.expect("latest");
    assert_eq!(newest.first().map(|m| m.seq), Some(Seq(71)));
    assert_eq!(newest.last().map(|m| m.body.as_str()), Some("m120"));
    let older = store
        .before(&lobby, Seq(71), 50, None)
        .await
        .expect("before");
    assert_eq!(older.first().map(|m| m.seq), Some(Seq(21)));
    let oldest = store
        .before(&lobby, Seq(21), 50, None)
        .await
        .expect("before");
    assert!(oldest.is_empty(), "only the newest 100 messages are kept");
    let rooms = store.rooms(10).await.expect("rooms");
    assert_eq!(
        rooms.first().map(|r| (r.room.as_str(), r.messages)),
        Some(("lobby", 100))
    );
}

#[tokio::test]
async fn an_unreachable_redis_is_unavailable_not_a_hang() {
    let redis = RedisServer::start().await;
    let store = store(&redis, 10).await;
    drop(redis);
    let started = std::time::Instant::now();
    let result = store.append(message("into the void", 1, None)).await;
    assert!(
        matches!(result, Err(chat::server::store::StoreError::Unavailable(_))),
        "{result:?}"
    );
    assert!(store.ping().await.is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[tokio::test]
async fn messages_trimmed_from_the_history_leave_the_search_index() {
    use chat::domain::SearchQuery;
    let redis = RedisServer::start().await;
    let store = store(&redis, 3).await;
    for n in 1..=5 {
        store
            .append(message(&format!("release {n}"), 1, None))
            .await
            .expect("append")
            .expect("not refused");
    }
    let query = SearchQuery::parse("release").expect("query");
    let reader = UserId::from_random(7);
    let found = store
        .search(&query, None, &reader, None, 20)
        .await
        .expect("search");
    let bodies: Vec<&str> = found.results.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["release 5", "release 4", "release 3"]);
    assert!(!found.has_older);
    // Nothing of the trimmed two is left under any of their terms.
    let mut conn = redis::Client::open(redis.url.as_str())
        .expect("client")
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*:search:w:re")
        .query_async(&mut conn)
        .await
        .expect("keys");
    assert_eq!(keys.len(), 1, "{keys:?}");
    let filed: u64 = redis::cmd("ZCARD")
        .arg(&keys[0])
        .query_async(&mut conn)
        .await
        .expect("zcard");
    assert_eq!(filed, 3);
}

#[tokio::test]
async fn a_room_that_became_private_is_neither_joined_nor_written_by_a_stranger() {
    let redis = RedisServer::start().await;
    let store = store(&redis, 1_000).await;
    crate::store::became_private_check(store.as_ref()).await;
}
