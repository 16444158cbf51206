//! Exporting a room: every message once, oldest first, as JSON lines or Markdown, streamed
//! in pages (more messages than one page here); on both stores.

use crate::helpers::{spawn_app, TestApp};
use crate::nodes::two_nodes;
use chat::domain::ChatMessage;

/// More than two of the export's pages.
const MESSAGES: usize = 1_100;

async fn export_story(app: &TestApp, other: &TestApp) {
    let senders: Vec<_> = (0..4)
        .map(|n| app.spawn_sender("archive", &format!("sender {n} says"), MESSAGES / 4))
        .collect();
    for sender in senders {
        sender.await.expect("sender");
    }
    let alice = app.browser();
    let first = alice.send("archive", "**bold?** and a <tag>").await;
    let reply_to = first.seq.to_string();
    let reply = alice
        .post(
            "send_message",
            &[
                ("room", "archive"),
                ("body", "my reply"),
                ("reply_to", &reply_to),
            ],
        )
        .await;
    assert_eq!(reply.status(), 200);
    let gone = alice.send("archive", "regrettable").await;
    let seq = gone.seq.to_string();
    alice
        .post("delete_message", &[("room", "archive"), ("seq", &seq)])
        .await;

    let reader = other.browser();
    let response = reader
        .client
        .get(other.url("/api/rooms/archive/export?format=jsonl"))
        .send()
        .await
        .expect("export");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"archive.jsonl\""
    );
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("type")
        .starts_with("application/x-ndjson"));
    let text = response.text().await.expect("body");
    let messages: Vec<ChatMessage> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("one message per line"))
        .collect();
    assert_eq!(messages.len(), MESSAGES + 3, "every message once");
    assert!(
        messages.windows(2).all(|pair| pair[0].seq < pair[1].seq),
        "oldest first"
    );
    let last = &messages[messages.len() - 1];
    assert!(
        last.deleted && last.body.is_empty(),
        "a deleted message keeps its place, not its words"
    );
    assert_eq!(messages[messages.len() - 2].reply_to, Some(first.seq));

    let markdown = reader
        .client
        .get(other.url("/api/rooms/archive/export?format=md"))
        .send()
        .await
        .expect("export")
        .text()
        .await
        .expect("body");
    assert!(markdown.starts_with("# #archive\n"));
    assert!(
        markdown.contains("\\*\\*bold?\\*\\* and a \\<tag\\>"),
        "markup stays text"
    );
    assert!(markdown.contains("_message deleted_"));
    assert!(markdown.contains("sender 3 says 275"));

    for (path, status) in [
        ("/api/rooms/archive/export?format=pdf", 400),
        ("/api/rooms/Not%20A%20Room/export", 400),
    ] {
        let response = reader
            .client
            .get(other.url(path))
            .send()
            .await
            .expect("export");
        assert_eq!(response.status(), status, "{path}");
    }
    let empty = reader
        .client
        .get(other.url("/api/rooms/nobody-here/export"))
        .send()
        .await
        .expect("export");
    assert_eq!(empty.status(), 200);
    assert_eq!(
        empty.text().await.expect("body"),
        "",
        "jsonl is the default"
    );
}

#[tokio::test]
async fn on_sqlite_a_room_exports_every_message_once_oldest_first() {
    let app = spawn_app().await;
    export_story(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_room_exports_every_message_once_oldest_first_from_any_node() {
    let (_redis, a, b) = two_nodes().await;
    export_story(&a, &b).await;
}
