//! Personal API tokens over HTTP, on SQLite and across two nodes sharing Redis: a script
//! with `Authorization: Bearer` acts as the account (no cookie, no origin check); the list
//! shows last use but never the secret; a revoked token answers 401 on every node and its
//! open streams close.

use crate::helpers::{spawn_app, Browser, TestApp};
use crate::nodes::two_nodes;
use crate::sse_stream::SseStream;
use serde_json::Value;
use std::time::{Duration, Instant};

async fn signed_up(app: &TestApp, name: &str) -> Browser {
    let browser = app.browser();
    let response = browser
        .post("sign_up", &[("name", name), ("password", "correct horse")])
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    browser
}

async fn json(response: reqwest::Response) -> Value {
    let status = response.status();
    let body = response.text().await.expect("body");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

/// A script: no cookies, only the token.
fn script() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn send_with(app: &TestApp, token: &str, body: &str) -> reqwest::Response {
    script()
        .post(app.url("/api/send_message"))
        .bearer_auth(token)
        // Even as if from another site: a token is not a cookie a page could borrow.
        .header("origin", "https://elsewhere.test")
        .form(&[("room", "lobby"), ("body", body)])
        .send()
        .await
        .expect("request")
}

async fn a_script_acts_as_its_account(here: &TestApp, there: &TestApp) {
    let ann = signed_up(here, "Ann").await;
    let me = ann.get_json("/api/me").await;
    let made = json(ann.post("create_token", &[("name", "backup script")]).await).await;
    let token = made["token"].as_str().expect("token").to_owned();

    let sent = send_with(there, &token, "posted by a script").await;
    assert!(
        sent.headers().get("set-cookie").is_none(),
        "no cookie for a script"
    );
    let sent = json(sent).await;
    assert_eq!(sent["author"], "Ann");
    assert_eq!(sent["author_id"], me["user_id"]);
    let whoami = json(
        script()
            .get(there.url("/api/me"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("me"),
    )
    .await;
    assert_eq!(whoami["guest"], false);

    let listed = ann.get_json("/api/tokens").await;
    let tokens = listed["tokens"].as_array().expect("tokens");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["name"], "backup script");
    assert!(tokens[0]["last_used"].is_i64(), "{listed}");
    assert!(
        !listed.to_string().contains(&token[33..]),
        "never the secret"
    );

    // Revoked on one node: 401 on the other at once, and its stream there closes.
    let response = script()
        .get(there.url("/api/rooms/lobby/events"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("stream");
    assert_eq!(response.status(), 200);
    let mut stream = SseStream::new(response.bytes_stream());
    stream.next_presence().await;
    let id = made["id"].as_str().expect("id");
    assert_eq!(ann.post("revoke_token", &[("id", id)]).await.status(), 200);
    let asked = Instant::now();
    stream.until_end().await;
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(send_with(there, &token, "after").await.status(), 401);
    assert_eq!(send_with(here, &token, "after").await.status(), 401);
    assert_eq!(
        ann.get_json("/api/tokens").await["tokens"],
        Value::Array(vec![])
    );
}

#[tokio::test]
async fn on_sqlite_a_token_stands_in_for_the_cookie_until_revoked() {
    let app = spawn_app().await;
    a_script_acts_as_its_account(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_token_revoked_on_one_node_stops_on_the_other() {
    let (_redis, a, b) = two_nodes().await;
    a_script_acts_as_its_account(&a, &b).await;
}

#[tokio::test]
async fn tokens_are_an_account_s_own() {
    let app = spawn_app().await;
    let guest = app.browser();
    assert_eq!(
        guest.post("create_token", &[("name", "x")]).await.status(),
        401
    );
    let ann = signed_up(&app, "Ann").await;
    assert_eq!(
        ann.post("create_token", &[("name", "  ")]).await.status(),
        422
    );
    let made = json(ann.post("create_token", &[("name", "ci")]).await).await;
    let token = made["token"].as_str().expect("token");
    let eve = signed_up(&app, "Eve").await;
    let id = made["id"].as_str().expect("id");
    assert_eq!(eve.post("revoke_token", &[("id", id)]).await.status(), 404);
    assert_eq!(
        eve.get_json("/api/tokens").await["tokens"],
        Value::Array(vec![])
    );
    // A made-up token, or the right id with another secret.
    let forged = format!("{}.{}", id, "A".repeat(43));
    for bad in ["nonsense", forged.as_str()] {
        assert_eq!(send_with(&app, bad, "no").await.status(), 401, "{bad}");
    }
    assert_eq!(send_with(&app, token, "yes").await.status(), 200);
}
