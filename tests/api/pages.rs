//! The server-rendered pages and the health check.

use crate::helpers::{spawn_app, spawn_app_with_store};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn the_room_list_shows_active_rooms_and_join_leads_to_a_room() {
    let app = spawn_app().await;
    app.send("rust-help", "anyone?").await;
    app.send("lobby", "hi").await;
    let html = app.get("/").await.text().await.expect("html");
    assert!(
        html.contains("#<!-->rust-help") || html.contains("rust-help"),
        "{html}"
    );
    assert!(html.contains("href=\"/r/lobby\""));

    let rooms: serde_json::Value = app.browser().get_json("/api/rooms").await;
    let names: Vec<&str> = rooms
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(names, ["lobby", "rust-help"], "most recently active first");

    for (typed, location) in [("Rust Help", "/r/rust-help"), ("new-room", "/r/new-room")] {
        let response = app
            .client
            .get(app.url("/join"))
            .query(&[("room", typed)])
            .send()
            .await
            .expect("request");
        assert!(response.status().is_redirection());
        assert_eq!(
            response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok()),
            Some(location)
        );
    }
    let response = app.get("/join?room=%C3%BC").await;
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert_eq!(location, "/?refused=%C3%BC");
    let html = app.get(location).await.text().await.expect("html");
    assert!(
        html.contains("Room names are 1 to 32 characters"),
        "the page's own reason"
    );

    // Whatever a link says, the page shows only its own sentences.
    let html = app
        .get("/?error=Your%20account%20is%20locked&refused=lobby")
        .await
        .text()
        .await
        .expect("html");
    assert!(!html.contains("account is locked"));
    assert!(
        !html.contains("Room names are"),
        "a valid name is no refusal"
    );
}

#[tokio::test]
async fn a_room_page_is_rendered_with_its_latest_messages_and_markup_as_text() {
    let app = spawn_app().await;
    for i in 1..=60 {
        app.send("lobby", &format!("message number {i}")).await;
    }
    app.send(
        "lobby",
        "<script>alert('x')</script> <img src=x onerror=alert(1)>",
    )
    .await;
    let html = app.get("/r/lobby").await.text().await.expect("html");
    assert!(html.contains("message number 60"));
    assert!(
        html.contains("message number 12"),
        "the newest 50 are shown"
    );
    assert!(
        !html.contains("message number 11<"),
        "only the newest 50 are shown"
    );
    assert!(html.contains("&lt;script&gt;alert("), "markup is escaped");
    assert!(!html.contains("<img src=x"), "markup is never interpreted");
    assert!(
        html.contains("name=\"body\""),
        "the composer is a real form"
    );
    assert!(html.contains("action=\"/api/send_message\""));
}

#[tokio::test]
async fn a_malformed_room_url_is_not_found() {
    let app = spawn_app().await;
    let response = app.get("/r/Not_A_Room").await;
    assert_eq!(response.status(), 404);
    let html = response.text().await.expect("html");
    assert!(html.contains("Room names are 1 to 32 characters"));
}

#[tokio::test]
async fn health_is_ok_while_the_store_answers_and_503_when_it_does_not() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);

    let dir = tempfile::tempdir().expect("temp dir");
    let store = chat::server::store::SqliteStore::connect(&crate::helpers::database_url(&dir))
        .await
        .expect("store");
    store.close().await;
    let down = spawn_app_with_store(store).await;
    for ready in ["/healthz", "/readyz"] {
        assert_eq!(down.get(ready).await.status(), 503, "{ready}");
    }
    // Alive all the same: restarting would not bring the store back.
    assert_eq!(down.get("/livez").await.status(), 200);
    assert_eq!(app.get("/livez").await.status(), 200);
    let response = down.post_send(&[("room", "lobby"), ("body", "hi")]).await;
    assert_eq!(response.status(), 503, "a send to a dead store says so");
    let body: serde_json::Value = response.json().await.expect("json");
    assert!(
        !body.to_string().to_lowercase().contains("pool"),
        "no backend detail leaks"
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_a_fresh_nonce() {
    let app = spawn_app().await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let page = app.get("/r/lobby").await;
        let policy = page.headers()["content-security-policy"]
            .to_str()
            .expect("ascii")
            .to_owned();
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce")
            .to_owned();
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        let html = page.text().await.expect("html");
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "scripts carry it"
        );
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a nonce per response");
    for path in ["/healthz", "/api/rooms", "/no-such-page"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert!(headers.contains_key("content-security-policy"), "{path}");
    }
}

#[tokio::test]
async fn many_room_pages_rendered_at_once_all_arrive_whole() {
    // The title is read after the page's reactive owner may be gone: a signal read there
    // without `try_` panicked on some of these and the browser got an empty answer.
    let app = spawn_app().await;
    for batch in 0..5 {
        let pages: Vec<_> = (0..40)
            .map(|n| {
                let browser = app.browser();
                tokio::spawn(async move {
                    let page = match n % 4 {
                        0 => format!("/search?q=busy+{n}"),
                        _ => format!("/r/busy-{}", (batch * 40 + n) % 7),
                    };
                    browser.get_raw(&page).await
                })
            })
            .collect();
        for page in pages {
            let page = page.await.expect("task");
            assert_eq!(page.status(), 200);
            let html = page.text().await.expect("a whole page");
            assert!(html.contains("</html>"), "{html}");
        }
    }
}

#[tokio::test]
async fn pages_render_while_other_nodes_start_in_the_same_process() {
    // Listing an app's routes suppresses Leptos resource loading for the whole process for
    // a moment; a page whose data began loading then never answered. Tests, and anyone
    // running several nodes in one process, start nodes while others serve pages.
    let app = spawn_app().await;
    let stop = Arc::new(AtomicBool::new(false));
    let starter = std::thread::spawn({
        let stop = stop.clone();
        move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            let mut started = 0;
            runtime.block_on(async {
                while !stop.load(Ordering::Relaxed) {
                    let other = spawn_app().await;
                    other.shutdown.cancel();
                    started += 1;
                }
            });
            started
        }
    });
    for batch in 0..10 {
        let pages: Vec<_> = (0..20)
            .map(|n| {
                let browser = app.browser();
                tokio::spawn(async move {
                    let page = format!("/r/starting-{}", (batch * 20 + n) % 5);
                    let answer = tokio::time::timeout(Duration::from_secs(10), async {
                        let response = browser.get_raw(&page).await;
                        (response.status(), response.text().await)
                    })
                    .await;
                    (page, answer)
                })
            })
            .collect();
        for page in pages {
            let (path, answer) = page.await.expect("task");
            let Ok((status, html)) = answer else {
                panic!("{path} did not answer within 10 s");
            };
            assert_eq!(status, 200, "{path}");
            assert!(html.expect("a whole page").contains("</html>"), "{path}");
        }
    }
    stop.store(true, Ordering::Relaxed);
    let started = starter.join().expect("the starting thread");
    assert!(
        started > 0,
        "no other node started while pages were rendered"
    );
}
