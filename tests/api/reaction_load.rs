//! A message with thousands of reactions stays cheap to resume past: a reaction, edit or
//! delete event is read without its message's whole list of who reacted (both stores).
//! Before, every one of N reaction events decoded the N-person list again: N² work.

use crate::redis_server::{fresh_prefix, RedisServer};
use chat::domain::{Emoji, LogEvent, OnlineUser, ReactionOp, RoomName, Seq, UserId};
use chat::server::store::{ReactionRequest, RedisStore, SqliteStore, Store};
use std::time::{Duration, Instant};

const PEOPLE: u64 = 1_500;

async fn thousands_of_reactions(store: &dyn Store) {
    let room = RoomName::lobby();
    let author = OnlineUser {
        id: UserId::from_random(1),
        name: "pollster".into(),
    };
    crate::helpers::append_directly(store, &room, &author, "vote here").await;
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
                    assert_eq!(message.reactions.0[0].users.len() as u64, PEOPLE);
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

#[tokio::test]
async fn on_sqlite_resuming_past_thousands_of_reactions_is_cheap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::connect(&crate::helpers::database_url(&dir))
        .await
        .expect("store");
    thousands_of_reactions(&store).await;
}

#[tokio::test]
async fn on_redis_resuming_past_thousands_of_reactions_is_cheap() {
    let redis = RedisServer::start().await;
    let store = RedisStore::connect(&redis.url, &fresh_prefix(), 10_000)
        .await
        .expect("store");
    thousands_of_reactions(&store).await;
}
