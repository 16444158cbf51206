//! A message with thousands of reactions stays cheap (both stores):
//! - resuming past it reads each reaction event without its message's whole list of who
//!   reacted (before, every one of N events decoded the N-person list again: N² work);
//! - a page shows it as exact counts and a few names, the viewer among them when they
//!   reacted (before, the room's JSON listed all N people).

use crate::helpers::{append_directly, spawn_app_sharing};
use crate::redis_server::{fresh_prefix, keyspace, RedisServer};
use chat::domain::{
    ChatMessage, Emoji, LogEvent, OnlineUser, ReactionOp, RoomName, Seq, UserId, LISTED_PER_EMOJI,
};
use chat::server::store::{ReactionRequest, RedisStore, SqliteStore, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PEOPLE: u64 = 1_500;

/// Message 1 of the lobby, with `PEOPLE` 👍 on it.
async fn thousands_of_reactions(store: &dyn Store) {
    let room = RoomName::lobby();
    let author = OnlineUser {
        id: UserId::from_random(1),
        name: "pollster".into(),
    };
    append_directly(store, &room, &author, "vote here").await;
    let thumbs = Emoji::parse("👍").expect("emoji");
    for n in 0..PEOPLE {
        store
            .react(ReactionRequest {
                room: room.clone(),
                target: Seq(1),
                by: OnlineUser {
                    id: UserId::from_random(u128::from(1_000 + n)),
                    name: format!("voter {n}"),
                },
                emoji: thumbs.clone(),
                op: ReactionOp::Add,
                at: 0,
            })
            .await
            .expect("react")
            .expect("within the limits")
            .expect("a new reaction");
    }
}

async fn resuming_is_cheap(store: &dyn Store) {
    thousands_of_reactions(store).await;
    let room = RoomName::lobby();
    // Resuming from before the message: every event, a page at a time, as a stream does.
    let started = Instant::now();
    let mut after = Seq::ZERO;
    let mut reactions = 0;
    loop {
        let page = store.read_after(&room, after, 200).await.expect("read");
        let Some(last) = page.last() else { break };
        after = last.seq();
        for event in &page {
            match event {
                LogEvent::Message(message) => {
                    assert!(message.reactions.is_empty(), "the message as sent");
                }
                LogEvent::Reaction(reaction) => {
                    assert_eq!(reaction.target, Seq(1));
                    reactions += 1;
                }
                other => panic!("{other:?}"),
            }
        }
    }
    let took = started.elapsed();
    assert_eq!(reactions, PEOPLE);
    assert!(
        took < Duration::from_secs(2),
        "reading {PEOPLE} reaction events took {took:?}"
    );
}

async fn pages_stay_small(store: Arc<dyn Store>) {
    let app = spawn_app_sharing(store.clone()).await;
    thousands_of_reactions(store.as_ref()).await;
    let (voter, onlooker) = (app.browser(), app.browser());
    let added = voter
        .post(
            "add_reaction",
            &[("room", "lobby"), ("seq", "1"), ("emoji", "👍")],
        )
        .await;
    assert_eq!(added.status(), 200);

    let room = voter.get_raw("/api/room?room=lobby").await;
    let room = room.bytes().await.expect("body");
    assert!(
        room.len() < 4_000,
        "the room's JSON is {} bytes",
        room.len()
    );
    let room: serde_json::Value = serde_json::from_slice(&room).expect("JSON");
    let viewer: UserId = serde_json::from_value(room["viewer"]["id"].clone()).expect("id");
    let message: ChatMessage =
        serde_json::from_value(room["messages"][0].clone()).expect("message");
    let thumbs = &message.reactions.0[0];
    assert_eq!(thumbs.count as u64, PEOPLE + 1, "the count stays exact");
    assert_eq!(thumbs.users.len(), LISTED_PER_EMOJI + 1);
    assert_eq!(
        thumbs.users[0].name, "voter 0",
        "the first people, in order"
    );
    assert_eq!(thumbs.users[LISTED_PER_EMOJI].id, viewer, "and the viewer");
    assert_eq!(message.reactions_at.get(), PEOPLE + 2);

    let seen = onlooker.get_json("/api/room?room=lobby").await;
    let message: ChatMessage =
        serde_json::from_value(seen["messages"][0].clone()).expect("message");
    assert_eq!(message.reactions.0[0].users.len(), LISTED_PER_EMOJI);

    let page = voter.get_raw("/r/lobby").await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.expect("page");
    assert!(
        page.len() < 60_000,
        "the room's page is {} bytes",
        page.len()
    );
    assert!(
        page.contains(&format!("{}", PEOPLE + 1)),
        "the count is shown"
    );
    app.shutdown.cancel();
}

async fn sqlite_store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::connect(&crate::helpers::database_url(&dir))
        .await
        .expect("store");
    (dir, store)
}

async fn redis_store(redis: &RedisServer) -> RedisStore {
    RedisStore::connect(&redis.url, &keyspace(&fresh_prefix()), 10_000)
        .await
        .expect("store")
}

#[tokio::test]
async fn on_sqlite_resuming_past_thousands_of_reactions_is_cheap() {
    let (_dir, store) = sqlite_store().await;
    resuming_is_cheap(&store).await;
}

#[tokio::test]
async fn on_redis_resuming_past_thousands_of_reactions_is_cheap() {
    let redis = RedisServer::start().await;
    resuming_is_cheap(&redis_store(&redis).await).await;
}

#[tokio::test]
async fn on_sqlite_a_page_shows_thousands_of_reactions_as_a_count_and_a_few_names() {
    let (_dir, store) = sqlite_store().await;
    pages_stay_small(Arc::new(store)).await;
}

#[tokio::test]
async fn on_redis_a_page_shows_thousands_of_reactions_as_a_count_and_a_few_names() {
    let redis = RedisServer::start().await;
    pages_stay_small(Arc::new(redis_store(&redis).await)).await;
}
