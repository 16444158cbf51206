//! Incoming webhooks over HTTP, on SQLite and across two nodes sharing Redis: the room's
//! creator makes one; a script's post (JSON, or Slack's `payload=` form) arrives live from
//! the webhook's name marked as a bot; members cannot make or revoke them; a revoked or
//! made-up URL answers 404; a locked room refuses them.

use crate::helpers::{spawn_app, Browser, TestApp};
use crate::nodes::two_nodes;
use serde_json::{json, Value};

async fn signed_up(app: &TestApp, name: &str) -> Browser {
    let browser = app.browser();
    let response = browser
        .post("sign_up", &[("name", name), ("password", "correct horse")])
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    browser
}

async fn ok_json(response: reqwest::Response) -> Value {
    let status = response.status();
    let body = response.text().await.expect("body");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

async fn post_json(app: &TestApp, url: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(url))
        .json(&body)
        .send()
        .await
        .expect("post")
}

async fn a_script_posts_to_a_room(here: &TestApp, there: &TestApp) {
    // Bob is first on the store (the administrator); Ann makes the room, so moderates it.
    let _admin = signed_up(here, "Bob").await;
    let ann = signed_up(here, "Ann").await;
    ann.send("deploys", "deploy notes go here").await;
    let eve = signed_up(here, "Eve").await;
    let refused = eve
        .post("create_webhook", &[("room", "deploys"), ("name", "CI")])
        .await;
    assert_eq!(refused.status(), 403, "a member makes no webhook");
    let made = ok_json(
        ann.post("create_webhook", &[("room", "deploys"), ("name", "CI")])
            .await,
    )
    .await;
    let url = made["url"].as_str().expect("url").to_owned();
    assert!(url.starts_with("/hooks/"), "{made}");

    let mut stream = eve.at(there).events("deploys", "").await;
    stream.next_presence().await;
    let stored = ok_json(post_json(there, &url, json!({"text": "build 41 is green"})).await).await;
    assert_eq!(stored["bot"], true);
    assert_eq!(stored["author"], "CI");
    let live = stream.next_message().await;
    assert_eq!(live.body, "build 41 is green");
    assert_eq!((live.author.as_str(), live.bot), ("CI", true));

    // Slack's form, with a name of its own.
    let slack = reqwest::Client::new()
        .post(here.url(&url))
        .form(&[("payload", r#"{"text":"deployed","username":"deploy-bot"}"#)])
        .send()
        .await
        .expect("post");
    let slack = ok_json(slack).await;
    assert_eq!(
        (slack["author"].clone(), slack["bot"].clone()),
        (json!("deploy-bot"), json!(true))
    );
    assert_eq!(stream.next_message().await.body, "deployed");

    // A person's message carries no bot mark.
    let person = ann.send("deploys", "thanks").await;
    assert!(!person.bot);
    let history = eve.get_json("/api/history?room=deploys&before=100").await;
    assert!(history.to_string().contains(r#""bot":true"#), "{history}");

    // Listed for the creator (with its last use), not for a member.
    let listed = ann.get_json("/api/webhooks?room=deploys").await;
    assert_eq!(listed["webhooks"][0]["name"], "CI");
    assert!(listed["webhooks"][0]["last_used"].is_i64(), "{listed}");
    assert!(!listed.to_string().contains(&url[40..]), "never the secret");
    assert_eq!(
        eve.get_raw("/api/webhooks?room=deploys").await.status(),
        403
    );

    // Locked: refused; unlocked: fine again.
    let lock = ann
        .post("lock_room", &[("room", "deploys"), ("locked", "true")])
        .await;
    assert_eq!(lock.status(), 200);
    let locked = post_json(here, &url, json!({"text": "while locked"})).await;
    assert_eq!(locked.status(), 403);
    ann.post("lock_room", &[("room", "deploys"), ("locked", "false")])
        .await;

    // Revoked: 404 on every node; a member cannot revoke.
    let id = made["id"].as_str().expect("id");
    assert_eq!(
        eve.post("revoke_webhook", &[("id", id)]).await.status(),
        403
    );
    assert_eq!(
        ann.post("revoke_webhook", &[("id", id)]).await.status(),
        200
    );
    for app in [here, there] {
        let gone = post_json(app, &url, json!({"text": "after"})).await;
        assert_eq!(gone.status(), 404);
    }
}

#[tokio::test]
async fn on_sqlite_a_webhook_posts_live_as_a_bot() {
    let app = spawn_app().await;
    a_script_posts_to_a_room(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_webhook_made_on_one_node_posts_through_the_other() {
    let (_redis, a, b) = two_nodes().await;
    a_script_posts_to_a_room(&a, &b).await;
}

#[tokio::test]
async fn bad_posts_and_made_up_hooks_are_refused() {
    let app = spawn_app().await;
    let ann = signed_up(&app, "Ann").await;
    let made = ok_json(
        ann.post("create_webhook", &[("room", "lobby"), ("name", "CI")])
            .await,
    )
    .await;
    let url = made["url"].as_str().expect("url");
    assert_eq!(post_json(&app, url, json!({"nope": 1})).await.status(), 422);
    assert_eq!(
        post_json(&app, url, json!({"text": ""})).await.status(),
        422
    );
    let long = "x".repeat(5000);
    assert_eq!(
        post_json(&app, url, json!({"text": long})).await.status(),
        422
    );
    let forged = format!("{}{}", &url[..url.len() - 4], "AAAA");
    for bad in [forged.as_str(), "/hooks/nothing"] {
        assert_eq!(
            post_json(&app, bad, json!({"text": "hi"})).await.status(),
            404,
            "{bad}"
        );
    }
    // Private rooms: the creator's webhook posts there; nobody outside sees it.
    let created = ann
        .post("create_room", &[("name", "ops"), ("private", "true")])
        .await;
    assert_eq!(created.status(), 200, "{:?}", created.text().await);
    let hook = ok_json(
        ann.post("create_webhook", &[("room", "ops"), ("name", "pager")])
            .await,
    )
    .await;
    let posted = post_json(
        &app,
        hook["url"].as_str().expect("url"),
        json!({"text": "disk 91%"}),
    )
    .await;
    assert_eq!(posted.status(), 200);
    let outsider = app.browser();
    assert_eq!(
        outsider
            .get_raw("/api/history?room=ops&before=100")
            .await
            .status(),
        403
    );
    assert_eq!(
        outsider
            .post("create_webhook", &[("room", "ops"), ("name", "x")])
            .await
            .status(),
        403
    );
}
