//! What the store's traits promise (`Store` and `RoomMembers`, and presence's `People`),
//! written once and run against both backends: SQLite (one node) and Redis (several). Each
//! test is an `async fn(&Backend)`; `on_both!` at the foot of each file runs it on a fresh
//! SQLite file and on a fresh `redis-server`. What only one backend has (SQLite's disk full
//! and group commit, Redis' bounded history and AOF) stays in `store.rs`, `redis_store.rs`
//! and the durability files.

mod accounts;
mod log;
mod members;
mod pins;
mod presence;
mod retention;
mod search;

use crate::redis_server::{fresh_prefix, keyspace, RedisServer};
use chat::domain::{ClientId, MessageBody, Nickname, OnlineUser, RoomName, Seq, UserId};
use chat::server::store::{NewMessage, RedisStore, SqliteStore, Store};
use std::sync::Arc;

/// A store under test, with what keeps it alive.
pub struct Backend {
    pub store: Arc<dyn Store>,
    /// On Redis: its address and key prefix, for what else lives there (presence).
    pub redis: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
    _server: Option<RedisServer>,
}

impl Backend {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::connect(&crate::helpers::database_url(&dir))
            .await
            .expect("store");
        Backend {
            store: Arc::new(store),
            redis: None,
            _dir: Some(dir),
            _server: None,
        }
    }

    pub async fn redis() -> Self {
        let server = RedisServer::start().await;
        let prefix = fresh_prefix();
        let store = RedisStore::connect(&server.url, &keyspace(&prefix), 10_000)
            .await
            .expect("store");
        Backend {
            store: Arc::new(store),
            redis: Some((server.url.clone(), prefix)),
            _dir: None,
            _server: Some(server),
        }
    }
}

/// Runs each named contract test on SQLite and on Redis.
macro_rules! on_both {
    ($($test:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test(&crate::store_contract::Backend::sqlite().await).await;
                }
            )*
        }
        mod on_redis {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test(&crate::store_contract::Backend::redis().await).await;
                }
            )*
        }
    };
}
pub(crate) use on_both;

/// Person number `n`, called `name`.
pub fn person(n: u128, name: &str) -> OnlineUser {
    OnlineUser {
        id: UserId::from_random(n),
        name: name.to_owned(),
    }
}

/// `text` by `author` in `room`, with the retry key `client_id`.
pub fn message(room: &str, author: &OnlineUser, text: &str, client_id: Option<&str>) -> NewMessage {
    NewMessage {
        room: RoomName::parse(room).expect("room"),
        author_id: author.id.clone(),
        author: Nickname::parse(&author.name).expect("name"),
        body: MessageBody::parse(text).expect("body"),
        sent_at: 0,
        client_id: client_id.map(|key| ClientId::parse(key).expect("key")),
        reply_to: None,
        mentions: Vec::new(),
        recheck_access: true,
        bot: false,
        attachments: Vec::new(),
    }
}

/// Stores `text` by `author` in `room`; its seq.
pub async fn send(store: &dyn Store, room: &str, author: &OnlineUser, text: &str) -> Seq {
    store
        .append(message(room, author, text, None))
        .await
        .expect("append")
        .expect("not refused")
        .into_message()
        .seq
}

pub fn room(name: &str) -> RoomName {
    RoomName::parse(name).expect("room")
}
