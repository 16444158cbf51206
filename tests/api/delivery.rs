//! Sending and live delivery.

use crate::helpers::{seqs, spawn_app};

#[tokio::test]
async fn a_sent_message_is_answered_with_its_seq_and_reaches_every_open_stream() {
    let app = spawn_app().await;
    let mut alice = app.events("lobby", "", None).await;
    let mut bob = app.events("lobby", "", None).await;

    let sent = app.send("lobby", "hello, room").await;
    assert_eq!(sent.seq.get(), 1);
    assert_eq!(sent.body, "hello, room");
    assert!(
        sent.sent_at > 1_700_000_000_000,
        "sent_at is milliseconds since the epoch"
    );

    for stream in [&mut alice, &mut bob] {
        let received = stream.next_message().await;
        assert_eq!(received, sent);
    }
    assert_eq!(alice.retries.len(), 1, "retry: is sent once, at the start");
    assert_eq!(app.send("lobby", "second").await.seq.get(), 2);
}

#[tokio::test]
async fn rooms_are_separate_and_each_has_its_own_sequence() {
    let app = spawn_app().await;
    let mut rust = app.events("rust", "", None).await;
    app.send("lobby", "in the lobby").await;
    let in_rust = app.send("rust", "in rust").await;
    assert_eq!(in_rust.seq.get(), 1, "seq is per room");
    assert_eq!(rust.next_message().await, in_rust);
}

#[tokio::test]
async fn the_same_client_id_stores_one_message() {
    let app = spawn_app().await;
    let mut stream = app.events("lobby", "", None).await;
    let fields = [
        ("room", "lobby"),
        ("body", "only once"),
        ("client_id", "c0ffee-1"),
    ];

    // One person (one session) retrying: the key is scoped to its author.
    let person = app.browser();
    let first = person.post("send_message", &fields).await;
    let second = person.post("send_message", &fields).await;
    assert_eq!(first.status(), 200);
    assert_eq!(second.status(), 200);
    let first: chat::domain::ChatMessage = first.json().await.expect("json");
    let second: chat::domain::ChatMessage = second.json().await.expect("json");
    assert_eq!(
        first, second,
        "the retry is answered with the stored message"
    );

    let next = app.send("lobby", "another").await;
    assert_eq!(next.seq.get(), 2, "the duplicate took no seq");
    let received = stream.messages_through(2).await;
    assert_eq!(
        seqs(&received),
        vec![1, 2],
        "the duplicate was not broadcast"
    );
}

#[tokio::test]
async fn concurrent_senders_are_delivered_in_seq_order_without_gaps() {
    let app = spawn_app().await;
    let mut stream = app.events("lobby", "", None).await;
    let senders: Vec<_> = (0..8)
        .map(|sender| app.spawn_sender("lobby", &format!("sender {sender} message"), 10))
        .collect();
    for sender in senders {
        sender.await.expect("sender finished");
    }
    let received = stream.messages_through(80).await;
    assert_eq!(seqs(&received), (1..=80).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_multi_line_message_keeps_its_newlines_and_cannot_inject_sse_fields() {
    let app = spawn_app().await;
    let mut stream = app.events("lobby", "", None).await;
    let sneaky = "line one\n\nid: 999\nevent: message\ndata: {\"seq\":999}\nretry: 1";
    let sent = app.send("lobby", sneaky).await;
    app.send("lobby", "plain").await;

    let first = stream.next_message().await;
    assert_eq!(first.seq, sent.seq);
    assert_eq!(first.body, sneaky, "newlines survive the round trip");
    let second = stream.next_message().await;
    assert_eq!(second.body, "plain", "no extra event was injected");
    assert_eq!(stream.retries.len(), 1, "no retry: was injected");
}

#[tokio::test]
async fn an_idle_stream_gets_heartbeat_comments() {
    let mut settings = crate::helpers::settings();
    settings.heartbeat = std::time::Duration::from_millis(100);
    let app = crate::helpers::spawn_app_with(settings).await;
    let mut stream = app.events("lobby", "", None).await;
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    app.send("lobby", "after some quiet").await;
    stream.next_message().await;
    assert!(
        stream
            .comments
            .iter()
            .filter(|c| *c == "keep-alive")
            .count()
            >= 2,
        "heartbeats: {:?}",
        stream.comments
    );
}
