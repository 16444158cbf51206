//! What only the Redis store does, against a real `redis-server`: its history is bounded
//! (pages and the search index follow the trim), and an unreachable Redis is "unavailable",
//! not a hang. What both stores promise is in `store_contract/`.

use crate::redis_server::{fresh_prefix, keyspace, RedisServer};
use chat::domain::{ClientId, MessageBody, Nickname, RoomName, Seq, UserId};
use chat::server::store::{NewMessage, RedisStore, Store};
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
        bot: false,
        attachments: Vec::new(),
    }
}

async fn store(redis: &RedisServer, history: usize) -> Arc<RedisStore> {
    Arc::new(
        RedisStore::connect(&redis.url, &keyspace(&fresh_prefix()), history)
            .await
            .expect("connect"),
    )
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
