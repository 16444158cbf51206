//! Pages, JSON and exports travel compressed to a browser that accepts it (brotli first,
//! else gzip) and read back the same; event streams never are, nor any answer that carries
//! a secret beside text someone else wrote (a private room's page and JSON for its creator,
//! who sees the invite link; the invitation itself): compressed, its size would give the
//! secret away (BREACH).

use crate::helpers::{spawn_app, Browser};
use std::io::Read;

/// `GET path` as `browser`, accepting `encodings` (`""`: none said).
async fn get(browser: &Browser, path: &str, encodings: &str) -> reqwest::Response {
    let mut request = browser.client.get(browser.url(path));
    if !encodings.is_empty() {
        request = request.header("accept-encoding", encodings);
    }
    request.send().await.expect("request")
}

fn encoding(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap_or("?").to_owned())
}

/// The body of `path` gunzipped, its size on the wire and what the answer said about itself.
async fn gunzipped(browser: &Browser, path: &str) -> (String, usize) {
    let response = get(browser, path, "gzip").await;
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(encoding(&response).as_deref(), Some("gzip"), "{path}");
    let vary = response
        .headers()
        .get("vary")
        .map(|v| v.to_str().unwrap_or(""));
    assert!(
        vary.is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")),
        "{path}: caches must keep the encodings apart: {vary:?}"
    );
    let wire = response.bytes().await.expect("body");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&wire[..])
        .read_to_string(&mut text)
        .expect("gzip");
    (text, wire.len())
}

/// `contents` uploaded as file `name` of type `kind` and sent to the lobby: its address.
async fn shared(browser: &Browser, name: &str, kind: &str, contents: &str) -> String {
    let file =
        crate::uploads::uploaded(browser, "lobby", name, kind, contents.as_bytes().to_vec()).await;
    let sent = crate::uploads::send_with(browser, "lobby", name, &[file.id.as_str()]).await;
    assert_eq!(sent.status(), 200);
    file.url
}

#[tokio::test]
async fn pages_json_and_exports_are_compressed_for_a_browser_that_accepts_it() {
    let app = spawn_app().await;
    let ann = app.browser();
    for i in 0..40 {
        ann.send("lobby", &format!("the quarterly figures, part {i}"))
            .await;
    }

    for path in [
        "/r/lobby",
        "/api/room?room=lobby",
        "/api/rooms/lobby/export?format=jsonl",
    ] {
        let plain = get(&ann, path, "").await;
        assert_eq!(encoding(&plain), None, "{path}: asked for nothing");
        let plain = plain.text().await.expect("body");
        let (text, wire) = gunzipped(&ann, path).await;
        assert!(
            text.contains("the quarterly figures, part 39"),
            "{path}: {text}"
        );
        // Pages carry a fresh nonce each time: the same length, not the same bytes.
        assert!(
            text.len().abs_diff(plain.len()) < 64,
            "{path}: {} vs {}",
            text.len(),
            plain.len()
        );
        assert!(
            wire * 3 < plain.len(),
            "{path}: {wire} bytes on the wire for {}",
            plain.len()
        );

        let brotli = get(&ann, path, "gzip, deflate, br").await;
        assert_eq!(encoding(&brotli).as_deref(), Some("br"), "{path}");
        let brotli = brotli.bytes().await.expect("body").len();
        assert!(brotli <= wire + 16, "{path}: br {brotli}, gzip {wire}");
    }
    // A text file someone shared comes back compressed and whole.
    let notes = "minutes of the quarterly meeting\n".repeat(600);
    let file = shared(&ann, "notes.txt", "text/plain", &notes).await;
    let (text, wire) = gunzipped(&ann, &file).await;
    assert_eq!(text, notes);
    assert!(wire * 10 < notes.len(), "{wire} bytes on the wire");

    // A file of another kind (most are compressed already) goes out as it is.
    let archive = shared(&ann, "minutes.zip", "application/zip", &notes).await;
    let response = get(&ann, &archive, "gzip, br").await;
    assert_eq!(response.status(), 200);
    assert_eq!(encoding(&response), None, "not compressed twice");

    // The JSON reads back as the same JSON.
    // (but for `client_id`, a fresh retry key each time).
    let (text, _) = gunzipped(&ann, "/api/room?room=lobby").await;
    let mut unzipped: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut plain = ann.get_json("/api/room?room=lobby").await;
    for page in [&mut unzipped, &mut plain] {
        page.as_object_mut().expect("object").remove("client_id");
    }
    assert_eq!(unzipped, plain);
}

#[tokio::test]
async fn event_streams_are_never_compressed() {
    let app = spawn_app().await;
    let ann = app.browser();
    ann.send("lobby", "hello").await;
    for path in [
        "/api/rooms/lobby/events?after=0",
        "/api/events?rooms=lobby:0",
    ] {
        let response = get(&ann, path, "gzip, deflate, br").await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(encoding(&response), None, "{path}");
        assert!(
            response
                .headers()
                .get("content-type")
                .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream")),
            "{path}"
        );
    }
}

#[tokio::test]
async fn answers_carrying_an_invite_link_stay_uncompressed() {
    let app = spawn_app().await;
    let (ann, bob) = (app.browser(), app.browser());
    let invite = ann.create_private_room("secret-plans").await["invite"]
        .as_str()
        .expect("invite")
        .to_owned();
    for i in 0..40 {
        ann.send("secret-plans", &format!("plans, part {i}")).await;
    }
    assert_eq!(bob.post_path(&invite, &[]).await.status(), 303, "joins");

    for path in [
        "/r/secret-plans".to_owned(),
        "/api/room?room=secret-plans".to_owned(),
        invite.clone(),
    ] {
        let response = get(&ann, &path, "gzip, br").await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(encoding(&response), None, "{path}: carries the invite");
        assert!(
            response.headers().get("x-chat-carries-secret").is_none(),
            "{path}: the mark never leaves"
        );
        let body = response.text().await.expect("body");
        // (The invitation shows its token in a form's address, percent-encoded.)
        assert!(
            body.contains(invite.as_str()) || path == invite,
            "{path}: {body}"
        );
    }
    // A member who is not the creator has no link on the same page: it is compressed.
    for path in ["/r/secret-plans", "/api/room?room=secret-plans"] {
        let response = get(&bob, path, "gzip").await;
        assert_eq!(encoding(&response).as_deref(), Some("gzip"), "{path}");
        let (text, _) = gunzipped(&bob, path).await;
        assert!(!text.contains("/invite/"), "{path}: {text}");
    }
}
