//! The Redis store's sessions through the crash windows of their two steps: the session's
//! own hash (spread over a cluster's shards by its id) decides whether it is open; the
//! person's list of sessions and the push subscriptions a session made (the global slot)
//! follow. A node killed between the two is simulated here by writing, or undoing, one
//! step's keys by hand, against a real `redis-server`.

use crate::redis_server::{fresh_prefix, keyspace, RedisServer};
use chat::domain::UserId;
use chat::server::store::redis_keys::Keyspace;
use chat::server::store::{
    Accounts, PushKeys, PushSubscription, PushSubscriptions, RedisStore, StoredSession,
};

struct Setup {
    redis: RedisServer,
    keys: Keyspace,
    store: RedisStore,
    ann: UserId,
}

async fn setup() -> Setup {
    let redis = RedisServer::start().await;
    let keys = keyspace(&fresh_prefix());
    let store = RedisStore::connect(&redis.url, &keys, 100)
        .await
        .expect("connect");
    Setup {
        redis,
        keys,
        store,
        ann: UserId::from_random(1),
    }
}

fn now_ms() -> i64 {
    chat::server::clock::now_millis()
}

fn push(n: u8) -> PushSubscription {
    PushSubscription {
        endpoint: format!("https://push.example/{n}"),
        keys: PushKeys {
            p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM".into(),
            auth: "tBHItJI5svbpez7KI4CCXg".into(),
        },
    }
}

impl Setup {
    fn session(&self, id: &str, created_at: i64) -> StoredSession {
        StoredSession {
            id: id.to_owned(),
            user_id: self.ann.clone(),
            created_at,
            last_seen: created_at,
            user_agent: "a browser".into(),
        }
    }

    async fn raw(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.redis.url.as_str())
            .expect("url")
            .get_multiplexed_async_connection()
            .await
            .expect("raw connection")
    }

    /// Whether ann's list of sessions names `id`.
    async fn listed(&self, id: &str) -> bool {
        let score: Option<i64> = redis::cmd("ZSCORE")
            .arg(self.keys.global().sessions_of(self.ann.as_str()))
            .arg(id)
            .query_async(&mut self.raw().await)
            .await
            .expect("zscore");
        score.is_some()
    }

    async fn endpoints(&self) -> Vec<String> {
        let mut endpoints: Vec<String> = self
            .store
            .push_subscriptions(&self.ann)
            .await
            .expect("read")
            .into_iter()
            .map(|p| p.endpoint)
            .collect();
        endpoints.sort();
        endpoints
    }
}

#[tokio::test]
async fn an_ending_whose_second_step_died_pushes_to_nobody_and_is_forgotten_when_read() {
    let s = setup().await;
    let long_ago = now_ms() - 3_600_000;
    for (id, n) in [("laptop", 1), ("phone", 2)] {
        s.store
            .create_session(&s.session(id, long_ago))
            .await
            .expect("open");
        assert!(s
            .store
            .add_push_subscription(&s.ann, Some(id), &push(n))
            .await
            .expect("subscribe"));
    }
    // The laptop's ending: its first step (the session gone), and the node died before
    // the second.
    let () = redis::cmd("DEL")
        .arg(s.keys.session("laptop"))
        .query_async(&mut s.raw().await)
        .await
        .expect("del");
    assert_eq!(s.store.session("laptop").await.expect("read"), None);
    assert_eq!(
        s.endpoints().await,
        ["https://push.example/2"],
        "a signed-out browser is pushed to"
    );
    let open = s.store.sessions_of(&s.ann).await.expect("list");
    assert_eq!(
        open.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        ["phone"]
    );
    assert!(!s.listed("laptop").await, "the list keeps an ended session");
    let owner: Option<String> = redis::cmd("HGET")
        .arg(s.keys.global().push_owners())
        .arg("https://push.example/1")
        .query_async(&mut s.raw().await)
        .await
        .expect("hget");
    assert_eq!(owner, None, "the ended session's endpoint is still owned");
}

#[tokio::test]
async fn an_opening_that_died_halfway_lets_nobody_in_and_is_forgotten_once_stale() {
    let s = setup().await;
    // Listed, and the node died before writing the session: one long ago, one just now
    // (still opening, perhaps).
    let () = redis::pipe()
        .zadd(
            s.keys.global().sessions_of(s.ann.as_str()),
            "old",
            now_ms() - 3_600_000,
        )
        .ignore()
        .zadd(s.keys.global().sessions_of(s.ann.as_str()), "new", now_ms())
        .ignore()
        .query_async(&mut s.raw().await)
        .await
        .expect("zadd");
    assert_eq!(s.store.session("old").await.expect("read"), None);
    assert_eq!(s.store.sessions_of(&s.ann).await.expect("list"), []);
    assert!(
        !s.listed("old").await,
        "a stale half-opened session stays listed"
    );
    assert!(
        s.listed("new").await,
        "a session still opening was forgotten"
    );
    // Ending it again mends what is left of it, and says it was not open.
    assert!(!s.store.end_session(&s.ann, "new").await.expect("end"));
    assert!(!s.listed("new").await);
}

#[tokio::test]
async fn an_ended_session_is_gone_with_its_pushes_and_another_persons_stays() {
    let s = setup().await;
    let eve = UserId::from_random(2);
    let now = now_ms();
    s.store
        .create_session(&s.session("laptop", now))
        .await
        .expect("open");
    assert!(s
        .store
        .add_push_subscription(&s.ann, Some("laptop"), &push(1))
        .await
        .expect("subscribe"));
    assert!(
        !s.store.end_session(&eve, "laptop").await.expect("end"),
        "someone else ended ann's session"
    );
    assert!(s.store.session("laptop").await.expect("read").is_some());
    assert_eq!(s.endpoints().await, ["https://push.example/1"]);
    assert!(s.store.end_session(&s.ann, "laptop").await.expect("end"));
    assert_eq!(s.store.session("laptop").await.expect("read"), None);
    assert!(!s.listed("laptop").await);
    assert_eq!(s.endpoints().await, Vec::<String>::new());
}
