//! Files through the HTTP contract, on SQLite, on two Redis nodes sharing a directory, and on
//! two Redis nodes sharing an S3 bucket (a real SeaweedFS): uploaded (an image gets its size
//! and thumbnail), sent with a message, served with their type, `nosniff`, a disposition
//! and ranges, found by name, refused past the size limit and the files' bound (nothing
//! kept), refused in a private room to a stranger, and removed once their message is
//! deleted or when never sent.

use crate::helpers::{settings, spawn_app_with, Browser, TestApp};
use crate::nodes::node_settings;
use crate::redis_server::{fresh_prefix, RedisServer};
use crate::s3_server::S3Server;
use chat::domain::Attachment;
use chat::server::node::config::Settings;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// A PNG picture, `width` × `height`, opaque.
pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([20, 90, 200]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("png");
    bytes.into_inner()
}

pub(crate) async fn uploaded(
    browser: &Browser,
    room: &str,
    name: &str,
    kind: &str,
    bytes: Vec<u8>,
) -> Attachment {
    let response = browser.upload(room, name, kind, bytes).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    response.json().await.expect("attachment JSON")
}

pub(crate) async fn send_with(
    browser: &Browser,
    room: &str,
    body: &str,
    ids: &[&str],
) -> reqwest::Response {
    let ids = ids.join(",");
    browser
        .post(
            "send_message",
            &[("room", room), ("body", body), ("attachments", &ids)],
        )
        .await
}

/// `GET url` as `browser` with one header.
async fn get_with(browser: &Browser, url: &str, name: &str, value: &str) -> reqwest::Response {
    browser
        .client
        .get(url)
        .header(name, value)
        .send()
        .await
        .expect("request")
}

/// Files through both nodes: uploaded on `a`, read on `b`. Answers the ids of the files
/// whose message it deleted.
async fn files_story(a: &TestApp, b: &TestApp) -> Vec<String> {
    let alice = a.browser();
    let bob = a.browser();
    alice.set_name("Alice").await;
    bob.set_name("Bob").await;

    let picture = png(1200, 900);
    let image = uploaded(&alice, "lobby", "holiday.png", "image/png", picture.clone()).await;
    assert_eq!(image.content_type, "image/png");
    assert_eq!((image.width, image.height), (Some(1200), Some(900)));
    assert_eq!(image.size, picture.len() as u64);
    let thumb_url = image.thumb_url.clone().expect("a thumbnail");
    // HTML, however it is claimed, is kept as what it says it is and never shown inline.
    let page = b"<html><script>alert(1)</script></html>".to_vec();
    let notes = uploaded(
        &alice,
        "lobby",
        "../../notes.html",
        "text/html",
        page.clone(),
    )
    .await;
    assert_eq!(
        (notes.name.as_str(), notes.content_type.as_str()),
        ("notes.html", "text/html")
    );
    assert!(notes.thumb_url.is_none() && notes.width.is_none());
    let fake = uploaded(
        &alice,
        "lobby",
        "fake.png",
        "image/png",
        b"not a picture".to_vec(),
    )
    .await;
    assert_eq!(
        fake.content_type, "application/octet-stream",
        "a claim is not an image"
    );

    // Before it is sent, a file is its uploader's only.
    assert_eq!(alice.at(b).get_raw(&image.url).await.status(), 200);
    assert_eq!(bob.at(b).get_raw(&image.url).await.status(), 404);

    let response = send_with(&alice, "lobby", "", &[image.id.as_str(), notes.id.as_str()]).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let message: Value = response.json().await.expect("JSON");
    let files = message["attachments"].as_array().expect("attachments");
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["url"], image.url.as_str());
    assert_eq!(files[0]["thumb_url"], thumb_url.as_str());
    assert_eq!(files[1]["name"], "notes.html");

    // Each upload goes once, by its uploader, to its room.
    let again = send_with(&alice, "lobby", "again", &[image.id.as_str()]).await;
    assert_eq!(again.status(), 422);
    let other = uploaded(&alice, "elsewhere", "x.txt", "text/plain", b"x".to_vec()).await;
    assert_eq!(
        send_with(&alice, "lobby", "", &[other.id.as_str()])
            .await
            .status(),
        422
    );
    let bobs = uploaded(&bob, "lobby", "b.txt", "text/plain", b"b".to_vec()).await;
    assert_eq!(
        send_with(&alice, "lobby", "", &[bobs.id.as_str()])
            .await
            .status(),
        422
    );
    assert_eq!(
        send_with(&alice, "lobby", "", &["nonsense"]).await.status(),
        422
    );
    assert_eq!(
        send_with(&alice, "lobby", "", &[]).await.status(),
        422,
        "no text, no file"
    );

    // Sent: anyone who reads the room fetches them, on any node.
    let served = bob.at(b).get_raw(&image.url).await;
    assert_eq!(served.status(), 200);
    let headers = served.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-disposition"]
        .to_str()
        .expect("ascii")
        .starts_with("inline"));
    assert_eq!(
        served.bytes().await.expect("bytes").as_ref(),
        picture.as_slice()
    );
    let etag = headers["etag"].to_str().expect("ascii").to_owned();
    let cached = get_with(&bob.at(b), &b.url(&image.url), "if-none-match", &etag).await;
    assert_eq!(cached.status(), 304, "the browser's copy is still good");
    let html = bob.at(b).get_raw(&notes.url).await;
    assert_eq!(html.headers()["content-type"], "text/html");
    assert!(html.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .starts_with("attachment; filename=\"notes.html\""));
    assert!(html.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .contains("sandbox"));
    let thumb = bob.at(b).get_raw(&thumb_url).await;
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    let small = image::load_from_memory(&thumb.bytes().await.expect("bytes")).expect("decodes");
    assert_eq!((small.width(), small.height()), (480, 360));

    // A range resumes a download; one past the end is refused.
    let part = get_with(&bob.at(b), &b.url(&image.url), "range", "bytes=8-15").await;
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 8-15/{}", picture.len()).as_str()
    );
    assert_eq!(part.bytes().await.expect("bytes").as_ref(), &picture[8..16]);
    let past = get_with(&bob.at(b), &b.url(&image.url), "range", "bytes=99999999-").await;
    assert_eq!(past.status(), 416);

    // Found by a file's name.
    let found = bob.at(b).get_json("/api/search?q=holiday").await;
    assert_eq!(
        found["results"].as_array().map(Vec::len),
        Some(1),
        "{found}"
    );

    // The exports carry them: the JSON lines with their addresses, the Markdown as links.
    let lines = bob
        .at(b)
        .get_raw("/api/rooms/lobby/export?format=jsonl")
        .await;
    let first: Value = serde_json::from_str(
        lines
            .text()
            .await
            .expect("export")
            .lines()
            .next()
            .expect("a line"),
    )
    .expect("JSON line");
    assert_eq!(first["attachments"][0]["url"], image.url.as_str());
    assert_eq!(first["attachments"][1]["content_type"], "text/html");
    let markdown = bob.at(b).get_raw("/api/rooms/lobby/export?format=md").await;
    let markdown = markdown.text().await.expect("export");
    assert!(
        markdown.contains(&format!("📎 [holiday.png](<{}>) (image/png, ", image.url)),
        "{markdown}"
    );

    // Deleted: gone at once for everyone, its bytes within the janitor's sweep.
    let seq = message["seq"].as_u64().expect("seq").to_string();
    let deleted = alice
        .post("delete_message", &[("room", "lobby"), ("seq", &seq)])
        .await;
    assert_eq!(deleted.status(), 200);
    assert_eq!(bob.at(b).get_raw(&image.url).await.status(), 404);
    assert_eq!(alice.get_raw(&thumb_url).await.status(), 404);
    let revalidated = get_with(&bob.at(b), &b.url(&image.url), "if-none-match", &etag).await;
    assert_eq!(
        revalidated.status(),
        404,
        "a cached copy is no longer good either"
    );
    let page = bob.at(b).get_json("/api/room?room=lobby").await;
    assert!(page["messages"][0].get("attachments").is_none(), "{page}");
    vec![image.id.to_string(), notes.id.to_string()]
}

/// Waits (at most 10 s) until `counted()` is `want`.
pub(crate) async fn eventually(want: usize, counted: impl AsyncFn() -> usize) {
    for _ in 0..100 {
        if counted().await == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(counted().await, want);
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| entries.count())
}

/// How many of `ids` are still kept in the directory `dir` (`…/files/files`).
pub(crate) fn kept_of(dir: &Path, ids: &[String]) -> usize {
    ids.iter().filter(|id| dir.join(id).exists()).count()
}

/// Settings whose janitor sweeps five times a second.
pub(crate) fn swept(mut settings: Settings) -> Settings {
    settings.files.sweep_every = Duration::from_millis(200);
    settings
}

#[tokio::test]
async fn on_sqlite_files_are_sent_served_found_and_removed() {
    let app = spawn_app_with(swept(settings())).await;
    let deleted = files_story(&app, &app).await;
    let uploads = app.db_dir.path().join("uploads");
    eventually(0, async || kept_of(&uploads.join("files/files"), &deleted)).await;
    assert_eq!(kept_of(&uploads.join("files/thumbs"), &deleted), 0);
    assert_eq!(
        files_in(&uploads.join("spool")),
        0,
        "nothing spooled is left"
    );
}

#[tokio::test]
async fn an_upload_never_sent_is_removed() {
    let mut settings = swept(settings());
    // An hour by default.
    settings.files.unsent_lasts = Duration::from_secs(1);
    let app = spawn_app_with(settings).await;
    let alice = app.browser();
    let file = uploaded(&alice, "lobby", "draft.png", "image/png", png(40, 30)).await;
    let kept = app.db_dir.path().join("uploads/files");
    assert_eq!(kept_of(&kept.join("files"), &[file.id.to_string()]), 1);
    eventually(0, async || {
        kept_of(&kept.join("files"), &[file.id.to_string()])
    })
    .await;
    // The file goes first, its thumbnail right after.
    eventually(0, async || {
        kept_of(&kept.join("thumbs"), &[file.id.to_string()])
    })
    .await;
    assert_eq!(alice.get_raw(&file.url).await.status(), 404);
    let late = send_with(&alice, "lobby", "", &[file.id.as_str()]).await;
    assert_eq!(late.status(), 422, "too late to send it");
}

#[tokio::test]
async fn on_redis_files_uploaded_on_one_node_are_served_by_another_sharing_a_directory() {
    let redis = RedisServer::start().await;
    let prefix = fresh_prefix();
    let shared = tempfile::tempdir().expect("shared dir");
    let node = || {
        let mut settings = swept(node_settings(&redis, &prefix));
        settings.files.dir = shared.path().to_owned();
        spawn_app_with(settings)
    };
    let (a, b) = (node().await, node().await);
    let deleted = files_story(&a, &b).await;
    eventually(0, async || {
        kept_of(&shared.path().join("files/files"), &deleted)
    })
    .await;
}

#[tokio::test]
async fn on_redis_and_s3_files_live_in_the_bucket_and_leave_it_with_their_message() {
    let redis = RedisServer::start().await;
    let s3 = S3Server::start().await;
    let prefix = fresh_prefix();
    let node = || {
        let mut settings = swept(node_settings(&redis, &prefix));
        settings.files.s3 = Some(s3.settings());
        spawn_app_with(settings)
    };
    let (a, b) = (node().await, node().await);
    let alice = a.browser();
    let kept = uploaded(
        &alice,
        "lobby",
        "log.txt",
        "text/plain",
        vec![b'x'; 6 * 1024 * 1024],
    )
    .await;
    assert_eq!(
        s3.objects("files").await,
        [format!("files/{}", kept.id)],
        "in the bucket"
    );
    let deleted = files_story(&a, &b).await;
    let in_bucket = async |folder: &str| {
        let objects = s3.objects(folder).await;
        deleted
            .iter()
            .filter(|id| objects.contains(&format!("{folder}/{id}")))
            .count()
    };
    eventually(0, async || in_bucket("files").await).await;
    eventually(0, async || in_bucket("thumbs").await).await;
}

#[tokio::test]
async fn a_file_over_the_limit_or_past_the_bound_is_refused_and_nothing_is_kept() {
    let mut settings = settings();
    settings.files.max_file_bytes = 1024 * 1024;
    settings.files.max_total_bytes = Some(1536 * 1024);
    let app = spawn_app_with(settings).await;
    let alice = app.browser();
    let kept = app.db_dir.path().join("uploads/files/files");

    let over = alice
        .upload(
            "lobby",
            "big.bin",
            "application/octet-stream",
            vec![7; 1024 * 1024 + 1],
        )
        .await;
    assert_eq!(over.status(), 413);
    let refusal: Value = over.json().await.expect("JSON");
    assert_eq!(refusal["error"], "file_too_large");
    assert!(
        refusal["message"]
            .as_str()
            .expect("message")
            .contains("1 MB"),
        "{refusal}"
    );
    assert_eq!(files_in(&kept), 0);

    uploaded(
        &alice,
        "lobby",
        "one.bin",
        "application/octet-stream",
        vec![1; 1024 * 1024],
    )
    .await;
    let full = alice
        .upload(
            "lobby",
            "two.bin",
            "application/octet-stream",
            vec![2; 600 * 1024],
        )
        .await;
    assert_eq!(full.status(), 507);
    let refusal: Value = full.json().await.expect("JSON");
    assert_eq!(refusal["error"], "storage_full");
    assert_eq!(files_in(&kept), 1, "only the first");
    assert_eq!(
        files_in(&app.db_dir.path().join("uploads/spool")),
        0,
        "nothing half-stored"
    );
    let unnamed = alice
        .upload("", "x.bin", "application/octet-stream", vec![1])
        .await;
    assert_eq!(unnamed.status(), 400, "a room is needed");
}

#[tokio::test]
async fn a_private_rooms_files_are_its_members_only() {
    let app = spawn_app_with(settings()).await;
    let (ann, stranger) = (app.browser(), app.browser());
    ann.create_private_room("secret-plans").await;
    let file = uploaded(
        &ann,
        "secret-plans",
        "plan.txt",
        "text/plain",
        b"the plan".to_vec(),
    )
    .await;
    let sent = send_with(&ann, "secret-plans", "", &[file.id.as_str()]).await;
    assert_eq!(sent.status(), 200);
    assert_eq!(ann.get_raw(&file.url).await.status(), 200);
    let refused = stranger.get_raw(&file.url).await;
    assert_eq!(refused.status(), 403);
    assert!(!refused.text().await.expect("body").contains("the plan"));
    let upload = stranger
        .upload("secret-plans", "x.txt", "text/plain", b"x".to_vec())
        .await;
    assert_eq!(upload.status(), 403);
    assert_eq!(stranger.get_raw("/api/files/not-an-id").await.status(), 404);
}

/// The release binary (`make test` builds it) takes a 100 MB file while its resident memory
/// grows by a few MB only: the file is spooled and copied a part at a time, never whole.
#[tokio::test]
async fn a_100_mb_upload_is_streamed_through_a_few_mb_of_memory() {
    use crate::binary::Binary;
    const SIZE: usize = 100 * 1024 * 1024;
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Binary::start(&[
        (
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("chat.db").display()),
        ),
        (
            "CHAT_UPLOADS_DIR",
            dir.path().join("uploads").display().to_string(),
        ),
        ("CHAT_MAX_UPLOAD_MB", "200".into()),
    ])
    .await;
    // Warm: one small upload first, so the peak below is the large file's alone.
    let browser = Browser::with_client(server.client.clone(), server.url(""));
    uploaded(
        &browser,
        "lobby",
        "warm.txt",
        "text/plain",
        b"warm".to_vec(),
    )
    .await;
    let before = server.peak_resident_kib();
    // Sent in 1 MiB pieces as it is made, so the test's own memory does not matter either.
    let pieces =
        futures::stream::iter((0..SIZE / (1024 * 1024)).map(|n| {
            Ok::<_, std::io::Error>(bytes::Bytes::from(vec![(n % 251) as u8; 1024 * 1024]))
        }));
    let file = reqwest::multipart::Part::stream_with_length(
        reqwest::Body::wrap_stream(pieces),
        SIZE as u64,
    )
    .file_name("big.bin")
    .mime_str("application/octet-stream")
    .expect("type");
    let form = reqwest::multipart::Form::new()
        .text("room", "lobby")
        .part("file", file);
    let response = server
        .client
        .post(server.url("/api/upload"))
        .multipart(form)
        .timeout(Duration::from_secs(120))
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let kept: Attachment = response.json().await.expect("attachment");
    assert_eq!(kept.size, SIZE as u64);
    let grown_kib = server.peak_resident_kib().saturating_sub(before);
    eprintln!("a 100 MB upload: the server's peak resident memory grew by {grown_kib} KiB");
    assert!(grown_kib < 16 * 1024, "grew by {grown_kib} KiB");
    server.terminate().await;
}

#[tokio::test]
async fn uploads_are_rate_limited_and_dropping_the_cookie_gives_no_fresh_allowance() {
    let mut settings = settings();
    settings.limits = chat::server::access::limits::LimitSettings::default();
    let app = spawn_app_with(settings).await;
    let ann = app.browser();
    for n in 0..10 {
        uploaded(
            &ann,
            "lobby",
            &format!("{n}.txt"),
            "text/plain",
            b"x".to_vec(),
        )
        .await;
    }
    let over = ann
        .upload("lobby", "more.txt", "text/plain", b"x".to_vec())
        .await;
    assert_eq!(over.status(), 429, "a burst of ten, then one every 3 s");
    // Each upload without a cookie is a new guest's: the address pays a new session's share
    // (ten at once), as for writes.
    let mut statuses = Vec::new();
    for n in 0..12 {
        let fresh = Browser::with_client(reqwest::Client::new(), app.url(""));
        let name = format!("f{n}.txt");
        let answer = fresh
            .upload("lobby", &name, "text/plain", b"x".to_vec())
            .await;
        statuses.push(answer.status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
}

/// With its S3 service hung (it accepts connections and never answers), a node refuses an
/// upload within its bound, 503, instead of retrying for minutes while the browser waits.
#[tokio::test]
async fn with_the_bucket_hung_an_upload_is_refused_within_its_bound() {
    let s3 = S3Server::start().await;
    let mut settings = settings();
    settings.files.s3 = Some(s3.settings());
    let app = spawn_app_with(settings).await;
    s3.freeze();
    let alice = app.browser();
    let started = std::time::Instant::now();
    let response = alice
        .upload("lobby", "log.txt", "text/plain", vec![b'x'; 1024])
        .await;
    assert_eq!(response.status(), 503, "{:?}", response.text().await);
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "refused after {:?}",
        started.elapsed()
    );
}
