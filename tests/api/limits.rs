//! Fair limits, with the default settings: one client cannot flood sends, typing signals,
//! renames or open streams, and what it gets instead says when to try again.

use crate::helpers::{settings, spawn_app_with, SseStream, TestApp};
use chat::server::config::Settings;
use chat::server::limits::LimitSettings;

/// A server with the limits a real deployment has by default.
async fn spawn_with_default_limits() -> TestApp {
    spawn_app_with(Settings {
        limits: LimitSettings::default(),
        ..settings()
    })
    .await
}

/// Asserts a 429 that says, in a header and in the JSON, when to try again.
async fn assert_rate_limited(response: reqwest::Response) {
    assert_eq!(response.status(), 429);
    let retry_after: u32 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header in seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "rate_limited", "{body}");
    assert_eq!(body["retry_after"], retry_after);
    assert!(body["message"].as_str().is_some_and(|m| m.contains("wait")));
}

#[tokio::test]
async fn a_burst_of_sends_from_one_session_is_cut_off_with_retry_after_and_nothing_stored() {
    let app = spawn_with_default_limits().await;
    let flooder = app.browser();
    let mut stream = flooder.events("lobby", "").await;
    let mut accepted = 0;
    let mut refused = None;
    for i in 0..30 {
        let response = flooder
            .post(
                "send_message",
                &[("room", "lobby"), ("body", &format!("spam {i}"))],
            )
            .await;
        if response.status() == 200 {
            accepted += 1;
        } else {
            refused = Some(response);
            break;
        }
    }
    assert_eq!(accepted, 10, "the default burst is ten messages");
    assert_rate_limited(refused.expect("the 11th send is refused")).await;

    // Someone else in the room is not slowed down by the flooder.
    let other = app.browser();
    other.send("lobby", "I can still talk").await;
    let received = stream.messages_through(11).await;
    assert_eq!(
        received.len(),
        11,
        "ten from the flooder, one from the other person"
    );
}

#[tokio::test]
async fn typing_signals_and_renames_are_limited_too() {
    let app = spawn_with_default_limits().await;
    let person = app.browser();
    // A session first: requests without a cookie would each be a new guest.
    person.get_json("/api/room?room=lobby").await;
    let statuses: Vec<u16> =
        futures::future::join_all((0..40).map(|_| person.post("typing", &[("room", "lobby")])))
            .await
            .iter()
            .map(|r| r.status().as_u16())
            .collect();
    let passed = statuses.iter().filter(|s| **s == 200).count();
    assert_eq!(passed, 10, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 429));

    for i in 0..5 {
        let response = person
            .post("set_name", &[("name", &format!("Name {i}"))])
            .await;
        assert_eq!(response.status(), 200);
    }
    assert_rate_limited(person.post("set_name", &[("name", "One more")]).await).await;
}

async fn open_stream(app: &TestApp, person: &crate::helpers::Browser) -> reqwest::Response {
    person
        .client
        .get(app.url("/api/rooms/lobby/events"))
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn one_session_cannot_open_more_than_its_share_of_streams() {
    let app = spawn_with_default_limits().await;
    let person = app.browser();
    person.set_name("Tabby").await;
    let mut open = Vec::new();
    for _ in 0..16 {
        open.push(person.events("lobby", "").await);
    }
    let response = open_stream(&app, &person).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "too_many_streams");

    // Closing one gives its place back.
    drop(open.pop());
    let mut reopened = None;
    for _ in 0..50 {
        let response = open_stream(&app, &person).await;
        if response.status() == 200 {
            reopened = Some(SseStream::new(response.bytes_stream()));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(reopened.is_some(), "a closed stream's place is given back");
}

#[tokio::test]
async fn streams_without_a_session_cookie_do_not_show_as_people_online() {
    let app = spawn_with_default_limits().await;
    let alice = app.browser();
    alice.set_name("Alice").await;
    let mut watching = alice.events("lobby", "").await;
    watching.presence_until(&["Alice"]).await;
    // Scripts without cookies: each would be a new guest.
    let mut anonymous = Vec::new();
    for _ in 0..20 {
        anonymous.push(app.events("lobby", "", None).await);
    }
    let room: serde_json::Value = alice.get_json("/api/room?room=lobby").await;
    assert_eq!(room["online_count"], 1, "{}", room["online"]);
}

#[tokio::test]
async fn exports_are_limited_to_a_few_at_once() {
    let app = spawn_with_default_limits().await;
    let person = app.browser();
    person.get_json("/api/room?room=lobby").await;
    let export = || {
        person
            .client
            .get(app.url("/api/rooms/lobby/export?format=md"))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(export().await.expect("export").status(), 200);
    }
    assert_rate_limited(export().await.expect("export")).await;
    let someone_else = app.browser();
    let theirs = someone_else
        .client
        .get(app.url("/api/rooms/lobby/export"))
        .send()
        .await
        .expect("export");
    assert_eq!(theirs.status(), 200, "a limit per person");
}
