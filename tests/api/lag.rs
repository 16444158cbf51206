//! A subscriber that falls behind the broadcast buffer must catch up from the store, never
//! skip ahead. Driven directly on a `Subscription` so the lag is certain, not a race.

use crate::helpers::{seqs, SseStream};
use chat::domain::{LogEvent, Nickname, RoomName, Seq, UserId};
use chat::server::delivery::drain::Drain;
use chat::server::delivery::hub::Hub;
use chat::server::store::{SqliteStore, Store};
use chat::server::streams::{StreamSettings, Subscription};
use std::sync::Arc;
use std::time::Duration;

async fn store_and_publish(store: &dyn Store, hub: &Hub, text: &str) {
    let author = chat::domain::OnlineUser {
        id: UserId::from_random(1),
        name: Nickname::guest(1).as_str().to_owned(),
    };
    let message = crate::helpers::append_directly(store, &RoomName::lobby(), &author, text).await;
    hub.publish_event(&LogEvent::Message(message));
}

fn stream_settings(max_behind: usize) -> StreamSettings {
    StreamSettings {
        retry: Duration::from_secs(1),
        retry_spread: Duration::ZERO,
        heartbeat: Duration::from_secs(15),
        max_rooms: 1,
        max_behind,
    }
}

/// The lobby's stream of the events after `after`, allowed to fall `max_behind` bytes behind.
fn follow(store: Arc<SqliteStore>, hub: &Hub, after: Seq, max_behind: usize) -> SseStream {
    let subscription = Subscription::new(
        RoomName::lobby(),
        store,
        hub.subscribe(&RoomName::lobby()),
        after,
        stream_settings(max_behind),
        Arc::new(Drain::default()).ticket(),
    );
    SseStream::new(subscription.into_stream())
}

/// A lobby whose subscriber (allowed `max_behind` bytes) read the first event, then read
/// nothing while 49 more were published: far more than its 4-slot buffer.
async fn fallen_behind(max_behind: usize) -> (tempfile::TempDir, Arc<SqliteStore>, Hub, SseStream) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(
        SqliteStore::connect(&crate::helpers::database_url(&dir))
            .await
            .expect("store"),
    );
    let hub = Hub::new(4);
    let mut stream = follow(store.clone(), &hub, Seq::ZERO, max_behind);
    store_and_publish(store.as_ref(), &hub, "first").await;
    assert_eq!(stream.next_message().await.seq, Seq(1));
    for i in 2..=50 {
        store_and_publish(store.as_ref(), &hub, &format!("message {i}")).await;
    }
    (dir, store, hub, stream)
}

#[tokio::test]
async fn a_subscriber_that_lags_behind_the_broadcast_buffer_catches_up_from_the_store() {
    let catchups = || {
        let page = chat::server::metrics::handle().render();
        crate::observability::metric(&page, "chat_store_catchups_total")
    };
    let before = catchups();
    let (_dir, _store, _hub, mut stream) = fallen_behind(usize::MAX).await;
    let rest = stream.messages_through(50).await;
    assert_eq!(seqs(&rest), (2..=50).collect::<Vec<_>>());
    assert!(catchups() > before, "the catch-up is counted");
}

#[tokio::test]
async fn a_live_stream_too_far_behind_is_ended_and_resumes_where_it_stopped() {
    // About ten events' worth.
    let (_dir, store, hub, mut stream) = fallen_behind(2_000).await;
    let mut received = vec![1];
    while let Some(event) = stream.next_event().await {
        let id = event.id.expect("a log event");
        received.push(id.parse::<u64>().expect("a seq"));
    }
    assert!(received.len() < 50, "the stream was ended before the end");
    assert_eq!(received, (1..=received.len() as u64).collect::<Vec<_>>());

    // Resumed from the last event it got (as `Last-Event-ID` does), nothing is missing.
    let last = *received.last().expect("one");
    let rest = follow(store, &hub, Seq(last), 2_000)
        .messages_through(50)
        .await;
    assert_eq!(seqs(&rest), (last + 1..=50).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_subscriber_that_lags_gets_presence_afresh_rather_than_missing_changes() {
    use chat::domain::{OnlineUser, Presence};
    use chat::server::presence::PresenceBoard;

    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(
        SqliteStore::connect(&crate::helpers::database_url(&dir))
            .await
            .expect("store"),
    );
    let hub = Arc::new(Hub::new(4));
    let board = Arc::new(PresenceBoard::new(hub.clone()));
    let people = |names: &[&str]| {
        let online = names
            .iter()
            .zip(1u128..)
            .map(|(name, n)| OnlineUser {
                id: UserId::from_random(n),
                name: (*name).into(),
            })
            .collect();
        Presence::listing(RoomName::lobby(), online)
    };
    board.post(people(&["Ann"]));
    let subscription = Subscription::new(
        RoomName::lobby(),
        store,
        hub.subscribe(&RoomName::lobby()),
        Seq::ZERO,
        stream_settings(usize::MAX),
        Arc::new(Drain::default()).ticket(),
    )
    .with_presence(None, board.clone());
    let mut stream = SseStream::new(subscription.into_stream());
    stream.next_presence().await;

    // Ten changes while the stream reads nothing: its 4-slot buffer drops most of them.
    let names = [
        "Bob", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ivy", "Jo", "Kim",
    ];
    for last in 1..=names.len() {
        board.post(people(&names[..last]));
    }
    let latest = board.snapshot(&RoomName::lobby());
    let expected = serde_json::to_value(&latest).expect("JSON");
    let mut shown = stream.next_presence().await;
    while shown["version"] != expected["version"] {
        shown = stream.next_presence().await;
    }
    assert_eq!(shown, expected, "the stream shows who is online now");
}
