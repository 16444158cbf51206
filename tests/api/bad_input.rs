//! Every kind of bad input gets a 4xx with a sentence a person can act on, and nothing is
//! stored or broadcast.

use crate::helpers::{spawn_app, TestApp};
use serde_json::Value;

/// Asserts the response is `status` with a JSON error whose message contains `words`.
async fn assert_refused(response: reqwest::Response, status: u16, words: &str, case: &str) {
    assert_eq!(response.status(), status, "{case}");
    let body: Value = response.json().await.expect("JSON error body");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(words),
        "{case}: message {message:?} should mention {words:?}"
    );
}

/// The next message stored in the lobby must be the first: nothing before it was stored,
/// and the open stream must not have seen anything else.
async fn assert_nothing_stored(app: &TestApp, mut stream: crate::helpers::SseStream) {
    let valid = app.send("lobby", "the first real message").await;
    assert_eq!(valid.seq.get(), 1, "a refused message was stored");
    assert_eq!(
        stream.next_message().await,
        valid,
        "a refused message was broadcast"
    );
}

#[tokio::test]
async fn bodies_breaking_the_rules_are_refused_with_a_reason() {
    let app = spawn_app().await;
    let stream = app.events("lobby", "", None).await;
    let too_long = "a".repeat(4_001);
    let cases = [
        ("", "Write something"),
        ("  \n\t  ", "Write something"),
        (too_long.as_str(), "at most 4000 characters"),
        ("nul \0 byte", "control characters"),
        ("escape \u{1b}[31m red", "control characters"),
    ];
    for (body, words) in cases {
        let response = app.post_send(&[("room", "lobby"), ("body", body)]).await;
        assert_refused(response, 422, words, &format!("body {:.20?}", body)).await;
    }
    assert_nothing_stored(&app, stream).await;
}

#[tokio::test]
async fn room_names_outside_the_pattern_are_refused() {
    let app = spawn_app().await;
    let stream = app.events("lobby", "", None).await;
    let too_long = "r".repeat(33);
    for room in ["Lobby", "a/b", "a b", "", too_long.as_str(), "café"] {
        let response = app.post_send(&[("room", room), ("body", "hi")]).await;
        assert_refused(response, 422, "Room names", room).await;
    }
    let response = app.get("/api/rooms/NOT-OK/events").await;
    assert_eq!(response.status(), 400);
    assert_nothing_stored(&app, stream).await;
}

#[tokio::test]
async fn display_names_breaking_the_rules_are_refused() {
    let app = spawn_app().await;
    let browser = app.browser();
    browser.set_name("Ann").await;
    let too_long = "n".repeat(33);
    let cases = [
        ("", "Choose a display name"),
        ("   ", "Choose a display name"),
        (too_long.as_str(), "at most 32 characters"),
        ("two\nlines", "one line"),
        ("bell\u{7}", "one line"),
        ("\u{202E}nimda", "text-direction controls"),
        ("\u{200B}\u{200B}", "visible character"),
    ];
    for (name, words) in cases {
        let response = browser.post("set_name", &[("name", name)]).await;
        assert_refused(response, 422, words, name).await;
    }
    let response = browser.post("set_name", &[]).await;
    assert_refused(response, 400, "name", "missing name").await;
    assert_eq!(
        browser.send("lobby", "still me").await.author,
        "Ann",
        "the name is unchanged"
    );
}

#[tokio::test]
async fn missing_fields_and_odd_idempotency_keys_are_refused() {
    let app = spawn_app().await;
    let stream = app.events("lobby", "", None).await;
    let response = app.post_send(&[("room", "lobby")]).await;
    assert_refused(response, 400, "body", "missing body").await;
    let response = app.post_send(&[("body", "hi")]).await;
    assert_refused(response, 400, "room", "missing room").await;
    let response = app
        .post_send(&[("room", "lobby"), ("body", "hi"), ("client_id", "not ok!")])
        .await;
    assert_refused(response, 422, "client_id", "bad client_id").await;
    assert_nothing_stored(&app, stream).await;
}

#[tokio::test]
async fn bytes_that_are_not_utf8_are_refused() {
    let app = spawn_app().await;
    let stream = app.events("lobby", "", None).await;
    let raw_bodies: [&[u8]; 2] = [
        b"room=lobby&body=%FF%FEhello",
        b"room=lobby&body=\xff\xfehello",
    ];
    for raw in raw_bodies {
        let response = app
            .client
            .post(app.url("/api/send_message"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(raw.to_vec())
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "{raw:?} answered {status}");
        let body: Value = response.json().await.expect("JSON error body");
        let message = body["message"].as_str().unwrap_or_default().to_lowercase();
        assert!(message.contains("utf-8"), "{raw:?}: {message}");
    }
    assert_nothing_stored(&app, stream).await;
}

#[tokio::test]
async fn a_huge_request_body_is_refused_before_it_is_read() {
    let app = spawn_app().await;
    let stream = app.events("lobby", "", None).await;
    let huge = "a".repeat(1024 * 1024);
    let response = app
        .post_send(&[("room", "lobby"), ("body", huge.as_str())])
        .await;
    assert_eq!(response.status(), 413);
    assert_nothing_stored(&app, stream).await;
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused_as_too_large() {
    let app = spawn_app().await;
    let stream = app.events("lobby", "", None).await;
    // No Content-Length: the limit can only be found while reading.
    let chunks = (0..40).map(|i| {
        let chunk = if i == 0 {
            "room=lobby&body=".to_owned()
        } else {
            "a".repeat(4096)
        };
        Ok::<_, std::io::Error>(chunk)
    });
    let response = app
        .client
        .post(app.url("/api/send_message"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("a JSON error");
    assert_eq!(body["error"], "too_large", "{body}");
    assert_nothing_stored(&app, stream).await;
}
