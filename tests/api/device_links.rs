//! Device links over HTTP, on SQLite and across two nodes sharing Redis: a signed-in person
//! makes a link; opening it changes nothing; its button signs a second browser in to the
//! same person, once; a used, revoked or made-up link signs nobody in.

use crate::helpers::{spawn_app, Browser, TestApp};
use crate::nodes::two_nodes;
use serde_json::Value;

async fn signed_up(app: &TestApp, name: &str) -> Browser {
    let browser = app.browser();
    let response = browser
        .post("sign_up", &[("name", name), ("password", "correct horse")])
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    browser
}

async fn link(browser: &Browser) -> Value {
    let response = browser.post("link_device", &[]).await;
    let status = response.status();
    let body = response.text().await.expect("body");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

async fn me(browser: &Browser) -> Value {
    browser.get_json("/api/me").await
}

async fn bring_in_a_phone(here: &TestApp, there: &TestApp) {
    let laptop = signed_up(here, "Ann").await;
    let made = link(&laptop).await;
    let path = made["link"].as_str().expect("link").to_owned();
    assert!(path.starts_with("/link/"), "{made}");
    assert!(made["url"].as_str().expect("url").ends_with(&path));
    assert!(made["qr_svg"].as_str().expect("qr").starts_with("<?xml"));

    let phone = there.browser();
    let guest = me(&phone).await;
    // Opening the link changes nothing: it asks.
    let page = phone.get_raw(&path).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("page");
    assert!(html.contains("Sign in as Ann on this device?"), "{html}");
    assert_eq!(
        me(&phone).await["user_id"],
        guest["user_id"],
        "a GET signs nobody in"
    );

    // The button does.
    let used = phone.post_path(&path, &[]).await;
    assert_eq!(used.status(), 303, "{:?}", used.text().await);
    let now = me(&phone).await;
    assert_eq!(now["name"], "Ann");
    assert_eq!(
        now["user_id"],
        me(&laptop).await["user_id"],
        "the same person"
    );
    assert_eq!(now["guest"], false);
    let sessions = laptop.get_json("/api/sessions").await;
    assert_eq!(sessions["sessions"].as_array().expect("list").len(), 2);

    // Once only: a third browser gets nothing from it, on either node.
    for app in [here, there] {
        let stranger = app.browser();
        assert_eq!(stranger.get_raw(&path).await.status(), 404);
        assert_eq!(stranger.post_path(&path, &[]).await.status(), 404);
        assert_eq!(me(&stranger).await["guest"], true);
    }

    // A revoked link signs nobody in; a new link revokes the one before.
    let revoked = link(&laptop).await;
    let id = revoked["id"].as_str().expect("id");
    assert_eq!(
        laptop
            .post("revoke_device_link", &[("id", id)])
            .await
            .status(),
        200
    );
    let stranger = there.browser();
    let path = revoked["link"].as_str().expect("link");
    assert_eq!(stranger.post_path(path, &[]).await.status(), 404);
    let first = link(&laptop).await;
    let second = link(&laptop).await;
    assert_eq!(
        stranger
            .post_path(first["link"].as_str().expect("link"), &[])
            .await
            .status(),
        404,
        "replaced by a newer link"
    );
    assert_eq!(
        stranger
            .post_path(second["link"].as_str().expect("link"), &[])
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn on_sqlite_a_device_link_signs_one_more_browser_in_once() {
    let app = spawn_app().await;
    bring_in_a_phone(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_link_made_on_one_node_works_once_on_the_other() {
    let (_redis, a, b) = two_nodes().await;
    bring_in_a_phone(&a, &b).await;
}

#[tokio::test]
async fn guests_and_made_up_links_get_nothing() {
    let app = spawn_app().await;
    let guest = app.browser();
    assert_eq!(guest.post("link_device", &[]).await.status(), 401);
    let ann = signed_up(&app, "Ann").await;
    let made = link(&ann).await;
    let path = made["link"].as_str().expect("link");
    // The right id with another secret, a wrong shape, another account's link id.
    let (id, secret) = path
        .trim_start_matches("/link/")
        .split_once('.')
        .expect("id.secret");
    let forged = format!("/link/{id}.{}", secret.chars().rev().collect::<String>());
    for bad in [forged.as_str(), "/link/nothing", "/link/0.0"] {
        assert_eq!(guest.get_raw(bad).await.status(), 404, "{bad}");
        assert_eq!(guest.post_path(bad, &[]).await.status(), 404, "{bad}");
    }
    assert_eq!(me(&guest).await["guest"], true);
    // A forged secret did not use the link up.
    assert_eq!(guest.post_path(path, &[]).await.status(), 303);
    // Another person cannot revoke it (nor learn it exists).
    let eve = signed_up(&app, "Eve").await;
    let next = link(&ann).await;
    let revoked = eve
        .post(
            "revoke_device_link",
            &[("id", next["id"].as_str().expect("id"))],
        )
        .await;
    assert_eq!(revoked.status(), 404);
}
