//! Fair limits, with the default settings: one client cannot flood sends, typing signals,
//! renames or open streams, and what it gets instead says when to try again.

use crate::helpers::{settings, spawn_app_with, SseStream, TestApp};
use chat::server::access::limits::LimitSettings;
use chat::server::node::config::Settings;

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

/// Behind a trusted proxy that names IPv6 clients: one home line's /64 is one client.
async fn spawn_behind_a_proxy() -> TestApp {
    let limits = LimitSettings {
        client_ip_header: Some("x-forwarded-for".to_owned()),
        ..LimitSettings::default()
    };
    spawn_app_with(Settings {
        limits,
        ..settings()
    })
    .await
}

/// A cookieless send from `address` (each one a new session).
async fn send_from(app: &TestApp, address: &str, body: &str) -> u16 {
    app.client
        .post(app.url("/api/send_message"))
        .header("x-forwarded-for", address)
        .form(&[("room", "lobby"), ("body", body)])
        .send()
        .await
        .expect("send")
        .status()
        .as_u16()
}

#[tokio::test]
async fn one_ipv6_network_dropping_its_cookie_each_time_gets_one_sessions_share_of_sends() {
    let app = spawn_behind_a_proxy().await;
    let started = std::time::Instant::now();
    let mut accepted = 0u64;
    for i in 0..200 {
        // A new address of the same /64 and no cookie, every time.
        if send_from(&app, &format!("2001:db8:1:2::{i:x}"), "flood").await == 200 {
            accepted += 1;
        }
    }
    // One session's burst (10), and what the time it took refilled (one a second).
    let refilled = started.elapsed().as_secs() + 1;
    assert!(
        accepted <= 10 + refilled,
        "{accepted} of 200 accepted in {refilled} s"
    );
    assert!(accepted >= 10, "a burst is allowed: {accepted}");
    // Another network, and the same one as IPv4-mapped or not, are their own clients.
    assert_eq!(send_from(&app, "2001:db8:9:9::1", "elsewhere").await, 200);
    assert_eq!(send_from(&app, "::ffff:192.0.2.7", "mapped").await, 200);
    let mut mapped_refused = false;
    for _ in 0..20 {
        mapped_refused |= send_from(&app, "192.0.2.7", "same client").await == 429;
    }
    assert!(
        mapped_refused,
        "::ffff:192.0.2.7 and 192.0.2.7 share one allowance"
    );
}

#[tokio::test]
async fn one_ipv6_network_cannot_open_more_than_an_addresss_share_of_streams() {
    let app = spawn_behind_a_proxy().await;
    let mut open = Vec::new();
    let mut refused = 0;
    for i in 0..100 {
        let response = app
            .client
            .get(app.url("/api/rooms/lobby/events"))
            .header("x-forwarded-for", format!("2001:db8:1:2:{i:x}::1"))
            .send()
            .await
            .expect("request");
        match response.status().as_u16() {
            200 => open.push(response),
            429 => refused += 1,
            other => panic!("{other}"),
        }
    }
    assert_eq!(open.len(), 64, "the per-address cap");
    assert_eq!(refused, 36);
}
