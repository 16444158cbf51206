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
    let first = alice
        .send("archive", "**bold?** and a <tag> &amp;\n- a list\n- of two")
        .await;
    alice.send("archive", "---").await;
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
    assert_eq!(messages.len(), MESSAGES + 4, "every message once");
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
        markdown.contains("**bold?** and a \\<tag\\> \\&amp;\n\n- a list\n- of two\n"),
        "formatting as the chat shows it, HTML and entities as typed: {markdown}"
    );
    assert!(
        markdown.contains("\n\n\\---\n"),
        "a body that is a rule stays text"
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

/// A room of 20,000 messages of 1,000 characters (about 20 MB of file), written straight
/// into the database: far more than the sockets between a test and its server hold.
async fn plant_a_big_room(app: &TestApp, room: &str) {
    use sqlx::Connection;
    let url = crate::helpers::database_url(&app.db_dir);
    let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("db");
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
         INSERT INTO messages (room, seq, author, body, sent_at) \
         SELECT ?, i, 'ann', printf('%.1000c', 'x'), 1700000000000 + i FROM n",
    )
    .bind(room)
    .execute(&mut conn)
    .await
    .expect("planted");
}

async fn start_export(browser: &crate::helpers::Browser, room: &str) -> reqwest::Response {
    browser
        .get_raw(&format!("/api/rooms/{room}/export?format=jsonl"))
        .await
}

#[tokio::test]
async fn exports_at_once_are_capped_and_one_nobody_reads_is_cut_off() {
    use chat::server::access::limits::{LimitSettings, StreamCaps};
    let mut limits = LimitSettings::unlimited();
    limits.exports = StreamCaps {
        per_session: 2,
        per_address: 4,
        per_node: 16,
    };
    let mut settings = crate::helpers::settings();
    settings.limits = limits;
    settings.write_stall = std::time::Duration::from_secs(1);
    let app = crate::helpers::spawn_app_with(settings).await;
    plant_a_big_room(&app, "archive").await;
    let (ann, bob, carol, dan) = (app.browser(), app.browser(), app.browser(), app.browser());

    // Started and never read.
    let mut held = vec![
        start_export(&ann, "archive").await,
        start_export(&ann, "archive").await,
    ];
    assert!(held.iter().all(|r| r.status() == 200));
    assert_eq!(
        start_export(&ann, "archive").await.status(),
        429,
        "per session"
    );
    held.push(start_export(&bob, "archive").await);
    held.push(start_export(&carol, "archive").await);
    assert_eq!(
        start_export(&dan, "archive").await.status(),
        429,
        "per address"
    );

    // Nobody reads them: after the stall limit the server has cut them off, so reading
    // now ends early, and their places are free again.
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let first = held.remove(0);
    let mut body = first.bytes_stream();
    let mut received = 0usize;
    let mut ended_early = false;
    while let Some(chunk) = futures::StreamExt::next(&mut body).await {
        match chunk {
            Ok(bytes) => received += bytes.len(),
            Err(_) => {
                ended_early = true;
                break;
            }
        }
    }
    assert!(
        ended_early || received < 20_000_000,
        "cut off: {received} bytes arrived"
    );
    drop(held);
    let again = start_export(&dan, "archive").await;
    assert_eq!(again.status(), 200, "places given back");
    // A reader who reads gets the whole file.
    let whole = again.bytes().await.expect("whole file");
    assert_eq!(whole.iter().filter(|b| **b == b'\n').count(), 20_000);
}
