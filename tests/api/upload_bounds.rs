//! The bounds on uploads, on SQLite and on two Redis nodes: uploads arriving together never
//! take the files past `CHAT_UPLOADS_MAX_GB` (each is counted as it is recorded, before its
//! bytes are kept); one person's files not sent yet are bounded (`CHAT_UPLOADS_UNSENT_MB`),
//! and a file taken back (`DELETE /api/files/{id}`) stops counting and goes; on Redis, the
//! files of messages that leave the bounded history go too. An upload that stops sending,
//! or trickles in past its deadline, is given up (408) and leaves nothing behind.

use crate::helpers::{settings, spawn_app_with, TestApp};
use crate::nodes::node_settings;
use crate::redis_server::{fresh_prefix, RedisServer};
use crate::uploads::{eventually, kept_of, send_with, swept, uploaded};
use chat::server::node::config::Settings;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

const KB: u64 = 1024;

/// Eight uploads of 100 KB at once, four to each node, with room for three: three are
/// kept, the others refused with 507, and what is kept stays within the bound.
async fn uploads_together_stay_within_the_bound(a: &TestApp, b: &TestApp, kept: &Path) {
    let alice = a.browser();
    alice.set_name("Alice").await;
    let tries = (0..8).map(|n| {
        let node = if n % 2 == 0 { a } else { b };
        let alice = alice.at(node);
        async move {
            let name = format!("part-{n}.bin");
            let response = alice
                .upload(
                    "lobby",
                    &name,
                    "application/octet-stream",
                    vec![n; 100 * KB as usize],
                )
                .await;
            response.status().as_u16()
        }
    });
    let mut statuses = futures::future::join_all(tries).await;
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 200, 507, 507, 507, 507, 507]);
    assert_eq!(std::fs::read_dir(kept).map_or(0, |d| d.count()), 3);
}

/// Alice may hold 250 KiB unsent: a third file of 100 KB waits until she takes one back or
/// sends them. Nobody else can take her files back, nor she a sent one.
async fn unsent_files_are_bounded_per_person(a: &TestApp, b: &TestApp, kept: &Path) {
    let alice = a.browser();
    let bob = b.browser();
    alice.set_name("Alice").await;
    bob.set_name("Bob").await;
    let file = |n: u8| vec![n; 100 * KB as usize];
    let kind = "application/octet-stream";
    let first = uploaded(&alice, "lobby", "1.bin", kind, file(1)).await;
    let second = uploaded(&alice.at(b), "lobby", "2.bin", kind, file(2)).await;
    let third = alice.upload("lobby", "3.bin", kind, file(3)).await;
    assert_eq!(third.status(), 422);
    let refusal: Value = third.json().await.expect("JSON");
    assert!(
        refusal["message"]
            .as_str()
            .is_some_and(|m| m.contains("up to 256 KB of files waiting to be sent")),
        "{refusal}"
    );
    // Bob's allowance is his own.
    uploaded(&bob, "lobby", "b.bin", kind, file(9)).await;

    assert_eq!(bob.delete_raw(&first.url).await.status(), 404, "not his");
    assert_eq!(alice.at(b).delete_raw(&first.url).await.status(), 204);
    assert_eq!(
        alice.delete_raw(&first.url).await.status(),
        404,
        "gone already"
    );
    assert_eq!(alice.get_raw(&first.url).await.status(), 404);
    let third = uploaded(&alice, "lobby", "3.bin", kind, file(3)).await;
    let late = send_with(&alice, "lobby", "", &[first.id.as_str()]).await;
    assert_eq!(late.status(), 422, "a file taken back cannot be sent");

    let sent = send_with(
        &alice,
        "lobby",
        "two",
        &[second.id.as_str(), third.id.as_str()],
    )
    .await;
    assert_eq!(sent.status(), 200, "{:?}", sent.text().await);
    assert_eq!(alice.delete_raw(&second.url).await.status(), 404, "sent");
    assert_eq!(alice.get_raw(&second.url).await.status(), 200);
    // Sent files no longer count: two more fit.
    uploaded(&alice, "lobby", "4.bin", kind, file(4)).await;
    uploaded(&alice.at(b), "lobby", "5.bin", kind, file(5)).await;
    // The file taken back leaves the storage with the janitor's next sweep.
    eventually(0, async || kept_of(kept, &[first.id.to_string()])).await;
    assert_eq!(kept_of(kept, &[second.id.to_string()]), 1);
}

/// Two nodes sharing `redis` and the directory `files`, with settings `made`.
async fn two_nodes_sharing(
    redis: &RedisServer,
    files: &Path,
    made: fn(Settings) -> Settings,
) -> (TestApp, TestApp) {
    let prefix = fresh_prefix();
    let node = || {
        let mut settings = made(node_settings(redis, &prefix));
        settings.files.dir = files.to_owned();
        spawn_app_with(settings)
    };
    (node().await, node().await)
}

fn bounded(mut settings: Settings) -> Settings {
    settings.files.max_file_bytes = 1024 * KB;
    settings.files.max_total_bytes = Some(350 * KB);
    settings
}

fn unsent_bounded(mut settings: Settings) -> Settings {
    settings.files.max_unsent_bytes = Some(250 * KB);
    swept(settings)
}

#[tokio::test]
async fn on_sqlite_uploads_arriving_together_stay_within_the_bound() {
    let app = spawn_app_with(bounded(settings())).await;
    let kept = app.db_dir.path().join("uploads/files/files");
    uploads_together_stay_within_the_bound(&app, &app, &kept).await;
}

#[tokio::test]
async fn on_redis_uploads_arriving_together_at_two_nodes_stay_within_the_bound() {
    let redis = RedisServer::start().await;
    let shared = tempfile::tempdir().expect("shared dir");
    let (a, b) = two_nodes_sharing(&redis, shared.path(), bounded).await;
    uploads_together_stay_within_the_bound(&a, &b, &shared.path().join("files/files")).await;
}

#[tokio::test]
async fn on_sqlite_one_persons_unsent_files_are_bounded_and_can_be_taken_back() {
    let app = spawn_app_with(unsent_bounded(settings())).await;
    let kept = app.db_dir.path().join("uploads/files/files");
    unsent_files_are_bounded_per_person(&app, &app, &kept).await;
}

#[tokio::test]
async fn on_redis_one_persons_unsent_files_are_bounded_across_nodes() {
    let redis = RedisServer::start().await;
    let shared = tempfile::tempdir().expect("shared dir");
    let (a, b) = two_nodes_sharing(&redis, shared.path(), unsent_bounded).await;
    unsent_files_are_bounded_per_person(&a, &b, &shared.path().join("files/files")).await;
}

#[tokio::test]
async fn on_redis_the_files_of_messages_that_leave_the_history_go() {
    let redis = RedisServer::start().await;
    let mut settings = swept(node_settings(&redis, &fresh_prefix()));
    settings.history_limit = 3;
    let app = spawn_app_with(settings).await;
    let kept = app.db_dir.path().join("uploads/files/files");
    let alice = app.browser();
    alice.set_name("Alice").await;
    let kind = "text/plain";
    let old = uploaded(&alice, "lobby", "old.txt", kind, b"old".to_vec()).await;
    let sent = send_with(&alice, "lobby", "the oldest", &[old.id.as_str()]).await;
    assert_eq!(sent.status(), 200);
    let new = uploaded(&alice, "lobby", "new.txt", kind, b"new".to_vec()).await;
    let sent = send_with(&alice, "lobby", "newer", &[new.id.as_str()]).await;
    assert_eq!(sent.status(), 200);
    assert_eq!(kept_of(&kept, &[old.id.to_string()]), 1);
    // Four messages in a history of three: the oldest leaves it.
    for n in 0..2 {
        alice.send("lobby", &format!("filler {n}")).await;
    }
    eventually(0, async || kept_of(&kept, &[old.id.to_string()])).await;
    assert_eq!(alice.get_raw(&old.url).await.status(), 404);
    assert_eq!(
        kept_of(&kept, &[new.id.to_string()]),
        1,
        "still in the history"
    );
}

/// Starts a multipart upload of a 60,000-byte file to `app` on a raw connection: its head,
/// the room, and the file part's head, then `sent` bytes of the file.
async fn half_an_upload(app: &TestApp, sent: usize) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let body_head = "--b\r\nContent-Disposition: form-data; name=\"room\"\r\n\r\nlobby\r\n\
        --b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.bin\"\r\n\
        Content-Type: application/octet-stream\r\n\r\n";
    let length = body_head.len() + 60_000 + "\r\n--b--\r\n".len();
    let head = format!(
        "POST /api/upload HTTP/1.1\r\nHost: chat\r\n\
         Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {length}\r\n\r\n\
         {body_head}"
    );
    let mut stream = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(&vec![b'x'; sent]).await.expect("part");
    stream
}

/// What the server answers on `stream` within `limit` (its status line), and when.
async fn answer(stream: &mut tokio::net::TcpStream, limit: Duration) -> (String, Duration) {
    use tokio::io::AsyncReadExt;
    let started = Instant::now();
    let mut received = vec![0u8; 1024];
    let read = tokio::time::timeout(limit, stream.read(&mut received)).await;
    let n = read.expect("answered in time").expect("read");
    let text = String::from_utf8_lossy(&received[..n]).into_owned();
    (
        text.lines().next().unwrap_or_default().to_owned(),
        started.elapsed(),
    )
}

fn stalling(mut settings: Settings) -> Settings {
    settings.files.stall = Duration::from_secs(1);
    settings.files.max_file_bytes = 64 * KB;
    // Longer than the upload's own bounds: they must act first.
    settings.body_timeout = Duration::from_secs(30);
    settings
}

#[tokio::test]
async fn an_upload_that_stops_sending_is_given_up_and_nothing_is_left() {
    let app = spawn_app_with(stalling(settings())).await;
    let mut stream = half_an_upload(&app, 1_000).await;
    let (status, took) = answer(&mut stream, Duration::from_secs(5)).await;
    assert_eq!(status, "HTTP/1.1 408 Request Timeout");
    assert!(took < Duration::from_secs(3), "after {took:?}");
    let uploads = app.db_dir.path().join("uploads");
    assert_eq!(
        files_in(&uploads.join("spool")),
        0,
        "nothing spooled is left"
    );
    assert_eq!(files_in(&uploads.join("files/files")), 0);
}

#[tokio::test]
async fn an_upload_that_trickles_in_meets_its_deadline() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A byte every 200 ms never stalls for a second, but the whole body has 2 × 1 s, and
    // 1 s for its 64 KiB: it is answered while it still trickles.
    let app = spawn_app_with(stalling(settings())).await;
    let (mut reader, mut writer) = half_an_upload(&app, 10).await.into_split();
    let started = Instant::now();
    let trickle = async {
        while writer.write_all(b"x").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        std::future::pending::<()>().await;
    };
    let mut received = vec![0u8; 1024];
    let read = tokio::select! {
        read = reader.read(&mut received) => read.expect("read"),
        () = trickle => unreachable!(),
        () = tokio::time::sleep(Duration::from_secs(8)) => panic!("still reading after 8 s"),
    };
    let took = started.elapsed();
    let status = String::from_utf8_lossy(&received[..read]);
    assert!(status.starts_with("HTTP/1.1 408"), "{status}");
    assert!(took < Duration::from_secs(5), "after {took:?}");
    let uploads = app.db_dir.path().join("uploads");
    eventually(0, async || files_in(&uploads.join("spool"))).await;
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| entries.count())
}
