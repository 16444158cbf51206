//! A ban that covers the addresses a person wrote from, behind a trusted proxy that names
//! each client: nothing from those networks is served (an IPv6 address by its /64), on
//! every node, until the ban is lifted; an administrator cannot ban their own address.

use crate::helpers::{settings, spawn_app_on, spawn_app_with, Browser, TestApp};
use crate::nodes::node_settings;
use crate::redis_server::{fresh_prefix, RedisServer};
use chat::server::access::restrictions::REFRESH;
use chat::server::node::config::Settings;

/// Settings of a node behind a proxy that names the client in `x-forwarded-for`.
fn behind_a_proxy(mut settings: Settings) -> Settings {
    settings.limits.client_ip_header = Some("x-forwarded-for".to_owned());
    settings
}

async fn user_id(browser: &Browser) -> String {
    browser.get_json("/api/me").await["user_id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn status(browser: &Browser, path: &str) -> u16 {
    browser.get_raw(path).await.status().as_u16()
}

async fn address_bans(here: &TestApp, there: &TestApp) {
    let admin = here.browser_from("198.51.100.1");
    let signed_up = admin
        .post("sign_up", &[("name", "Ann"), ("password", "correct horse")])
        .await;
    assert_eq!(signed_up.status(), 200);
    admin.send("lobby", "hello").await;
    let spammer = there.browser_from("2001:db8:5:6::1");
    spammer.send("lobby", "cheap watches").await;
    let spammer_id = user_id(&spammer).await;

    // A guest writing from the administrator's own address cannot take it down with them.
    let neighbour = here.browser_from("198.51.100.1");
    neighbour.send("lobby", "same office").await;
    let neighbour_id = user_id(&neighbour).await;
    let refused = admin
        .post("ban_user", &[("user", &neighbour_id), ("address", "true")])
        .await;
    assert_eq!(refused.status(), 422, "{:?}", refused.text().await);

    // Each node writes where people wrote from in one batch a second (the ban's own node
    // first thing): the spammer's node has by now.
    tokio::time::sleep(REFRESH).await;
    let banned = admin
        .post("ban_user", &[("user", &spammer_id), ("address", "true")])
        .await;
    assert_eq!(banned.status(), 200, "{:?}", banned.text().await);
    tokio::time::sleep(REFRESH).await;

    // A fresh browser anywhere in that /64, on either node, gets nothing: no page, no
    // stream, no sign-up; the health checks still answer.
    for app in [here, there] {
        let fresh = app.browser_from("2001:db8:5:6:ffff:1:2:3");
        assert_eq!(status(&fresh, "/").await, 403);
        assert_eq!(status(&fresh, "/api/me").await, 403);
        assert_eq!(status(&fresh, "/api/events?rooms=lobby").await, 403);
        let sign_up = fresh
            .post(
                "sign_up",
                &[("name", "Mallory"), ("password", "correct horse")],
            )
            .await;
        assert_eq!(sign_up.status(), 403);
        assert_eq!(status(&fresh, "/livez").await, 200);
        // The next /64, and the administrator's address, are served.
        assert_eq!(
            status(&app.browser_from("2001:db8:5:7::1"), "/api/me").await,
            200
        );
        assert_eq!(status(&admin.at(app), "/api/me").await, 200);
    }

    let lifted = admin.post("unban_user", &[("user", &spammer_id)]).await;
    assert_eq!(lifted.status(), 200);
    tokio::time::sleep(REFRESH).await;
    let fresh = there.browser_from("2001:db8:5:6::9");
    assert_eq!(status(&fresh, "/api/me").await, 200, "lifted with the ban");
    let audit = admin.get_json("/api/admin/audit").await;
    assert_eq!(audit["entries"][1]["action"], "ban_user");
    assert_eq!(audit["entries"][1]["detail"], "a guest, with 1 address");
}

#[tokio::test]
async fn on_sqlite_a_ban_with_the_address_refuses_its_whole_network() {
    let app = spawn_app_with(behind_a_proxy(settings())).await;
    address_bans(&app, &app).await;
}

#[tokio::test]
async fn on_redis_an_address_ban_made_on_one_node_holds_on_the_other() {
    let redis = RedisServer::start().await;
    let prefix = fresh_prefix();
    let a = spawn_app_with(behind_a_proxy(node_settings(&redis, &prefix))).await;
    let b = spawn_app_with(behind_a_proxy(node_settings(&redis, &prefix))).await;
    address_bans(&a, &b).await;
}

#[tokio::test]
async fn addresses_seen_just_before_a_shutdown_are_kept() {
    let app = spawn_app_with(behind_a_proxy(settings())).await;
    let admin = app.browser_from("198.51.100.1");
    let signed_up = admin
        .post("sign_up", &[("name", "Ann"), ("password", "correct horse")])
        .await;
    assert_eq!(signed_up.status(), 200);
    let spammer = app.browser_from("203.0.113.9");
    spammer.send("lobby", "cheap watches").await;
    let spammer_id = user_id(&spammer).await;
    // Stopped within the second in which the node would have written the address.
    let dir = app.stop().await;

    let app = spawn_app_on(dir, behind_a_proxy(settings())).await;
    let banned = admin
        .at(&app)
        .post("ban_user", &[("user", &spammer_id), ("address", "true")])
        .await;
    assert_eq!(banned.status(), 200, "{:?}", banned.text().await);
    tokio::time::sleep(REFRESH).await;
    assert_eq!(status(&app.browser_from("203.0.113.9"), "/").await, 403);
}
