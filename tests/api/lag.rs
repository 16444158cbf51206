//! A subscriber that falls behind the broadcast buffer must catch up from the store, never
//! skip ahead. Driven directly on a `Subscription` so the lag is certain, not a race.

use crate::helpers::{seqs, SseStream};
use chat::domain::{LogEvent, MessageBody, Nickname, RoomName, Seq, UserId};
use chat::server::hub::Hub;
use chat::server::store::{NewMessage, SqliteStore, Store};
use chat::server::subscription::{StreamSettings, Subscription};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

async fn store_and_publish(store: &dyn Store, hub: &Hub, text: &str) {
    let appended = store
        .append(NewMessage {
            room: RoomName::lobby(),
            author_id: UserId::from_random(1),
            author: Nickname::guest(1),
            body: MessageBody::parse(text).expect("valid body"),
            sent_at: 0,
            client_id: None,
        })
        .await
        .expect("append");
    hub.publish_event(&LogEvent::Message(appended.into_message()));
}

#[tokio::test]
async fn a_subscriber_that_lags_behind_the_broadcast_buffer_catches_up_from_the_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(
        SqliteStore::connect(&crate::helpers::database_url(&dir))
            .await
            .expect("store"),
    );
    let hub = Hub::new(4);
    let live = hub.subscribe(&RoomName::lobby());
    let subscription = Subscription::new(
        RoomName::lobby(),
        store.clone(),
        live,
        Seq::ZERO,
        StreamSettings {
            heartbeat: Duration::from_secs(60),
            retry: Duration::from_secs(1),
        },
        CancellationToken::new(),
    );
    let mut stream = SseStream::new(subscription.into_stream());

    store_and_publish(store.as_ref(), &hub, "first").await;
    assert_eq!(stream.next_message().await.seq, Seq(1));

    // 49 more while the subscriber reads nothing: its 4-slot buffer overflows.
    for i in 2..=50 {
        store_and_publish(store.as_ref(), &hub, &format!("message {i}")).await;
    }
    let rest = stream.messages_through(50).await;
    assert_eq!(seqs(&rest), (2..=50).collect::<Vec<_>>());
}
