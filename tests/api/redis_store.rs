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

/// A private room's members (the room's keys) decide who may read and write it; a
/// person's list of rooms (global keys, another shard in a cluster) only lists. A leave
/// whose second step died with its node leaves the room in the list, and the door shut.
#[tokio::test]
async fn a_private_room_left_halfway_stays_shut_to_who_left() {
    use chat::domain::{OnlineUser, SearchQuery};
    use chat::server::store::{Privacy, Refusal, RoomMembers};
    let redis = RedisServer::start().await;
    let prefix = fresh_prefix();
    let keys = keyspace(&prefix);
    let store = RedisStore::connect(&redis.url, &keys, 100)
        .await
        .expect("connect");
    let room = RoomName::parse("plans").expect("room");
    let (ann, bob) = (UserId::from_random(1), UserId::from_random(2));
    let person = |id: &UserId, name: &str| OnlineUser {
        id: id.clone(),
        name: name.into(),
    };
    assert!(store
        .create_private(&room, &person(&ann, "ann"), 1_000)
        .await
        .expect("create"));
    let Privacy::Private { invite_version, .. } = store.privacy(&room).await.expect("privacy")
    else {
        panic!("a private room");
    };
    assert!(store
        .join_by_invite(&person(&bob, "bob"), &room, invite_version)
        .await
        .expect("join"));
    assert!(store.is_member(&bob, &room).await.expect("member"));
    store.leave_room(&bob, &room).await.expect("leave");
    // The node dies before the person's list is written: it still lists the room.
    let mut conn = redis::Client::open(redis.url.as_str())
        .expect("client")
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    let () = redis::cmd("HSET")
        .arg(keys.global().joined(bob.as_str()))
        .arg(room.as_str())
        .arg(0)
        .query_async(&mut conn)
        .await
        .expect("undo the second step");
    let mut secret = message("the launch date", 1, None);
    (secret.room, secret.author_id) = (room.clone(), ann.clone());
    store.append(secret).await.expect("append").expect("hers");

    assert!(!store.is_member(&bob, &room).await.expect("member"));
    let listed = store.joined_rooms(&bob).await.expect("joined");
    assert!(
        listed.iter().all(|membership| membership.room != room),
        "his sidebar does not show it: {listed:?}"
    );
    let still: bool = redis::cmd("HEXISTS")
        .arg(keys.global().joined(bob.as_str()))
        .arg(room.as_str())
        .query_async(&mut conn)
        .await
        .expect("hexists");
    assert!(!still, "and his list is mended");
    let mut by_bob = message("still here?", 2, None);
    (by_bob.room, by_bob.recheck_access) = (room.clone(), true);
    assert_eq!(
        store.append(by_bob).await.expect("append").err(),
        Some(Refusal::Private)
    );
    let query = SearchQuery::parse("launch").expect("query");
    let found = store
        .search(&query, None, &bob, None, 20)
        .await
        .expect("search");
    assert!(found.results.is_empty(), "{:?}", found.results);
    // Reading it does not let him back in, nor does setting how it notifies him.
    store
        .mark_read(&person(&bob, "bob"), &room, Seq(1))
        .await
        .expect("read");
    assert!(!store.is_member(&bob, &room).await.expect("member"));
    assert!(!store
        .set_notify(&bob, &room, chat::domain::NotifyLevel::Every)
        .await
        .expect("notify"));
    assert!(store
        .notified_of_everything(&room, 10)
        .await
        .expect("notified")
        .is_empty());
    let ann_finds = store
        .search(&query, None, &ann, None, 20)
        .await
        .expect("search");
    assert_eq!(ann_finds.results.len(), 1, "the room's member finds it");
}
