//! "Answered 200 = stored" with Redis (AOF, `appendfsync always`): the app and Redis are both
//! `kill -9`ed in the middle of concurrent sends, restarted, and every acknowledged message
//! is in the room's log, seqs without gap or repeat.

use crate::binary::Binary;
use crate::durability::flood_until_killed;
use crate::redis_server::{cluster_keys, fresh_prefix, keyspace, RedisServer};
use chat::domain::{LogEvent, RoomName, Seq};
use chat::server::store::{RedisStore, Store};

#[tokio::test]
async fn kill_9_of_app_and_redis_mid_sends_loses_no_acknowledged_message() {
    let redis = RedisServer::start().await;
    let prefix = fresh_prefix();
    let env = |redis: &RedisServer| {
        [
            ("REDIS_URL", redis.url.clone()),
            ("CHAT_REDIS_PREFIX", prefix.clone()),
            ("CHAT_SESSION_SECRET", "k".repeat(32)),
            (
                "CHAT_REDIS_CLUSTER",
                if cluster_keys() { "on" } else { "off" }.to_owned(),
            ),
        ]
    };
    let server = Binary::start(&env(&redis)).await;
    // Both die at once, as a machine losing power would take them.
    let mut stopped = None;
    let acked = flood_until_killed(server, || stopped = Some(redis.stop())).await;
    let (port, dir) = stopped.expect("redis stopped");
    assert!(acked.len() > 100, "sends were acknowledged before the kill");

    let redis = RedisServer::start_on(port, dir).await;
    let store = RedisStore::connect(&redis.url, &keyspace(&prefix), 100_000)
        .await
        .expect("the store reopens from its AOF");
    let log = store
        .read_after(&RoomName::lobby(), Seq::ZERO, 100_000)
        .await
        .expect("the log");
    let seqs: Vec<u64> = log.iter().map(|event| event.seq().get()).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "no gap, no repeat"
    );
    for message in &acked {
        let stored = log.iter().find_map(|event| match event {
            LogEvent::Message(m) if m.seq == message.seq => Some(m.body.clone()),
            _ => None,
        });
        assert_eq!(
            stored.as_ref(),
            Some(&message.body),
            "acknowledged {} lost",
            message.seq
        );
    }

    let restarted = Binary::start(&env(&redis)).await;
    let next = restarted.send("lobby", "after the crash").await;
    assert_eq!(next.seq.get(), seqs.len() as u64 + 1, "the room goes on");
    restarted.terminate().await;
}
