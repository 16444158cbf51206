//! Roles and moderation, on SQLite and on two nodes sharing Redis: the first account
//! administers; an administrator, or a room's creator in their room, deletes anyone's
//! message (everyone sees it go, search forgets it), which the audit log keeps; a member
//! cannot; the operator grants and revokes the administrator role on the command line.

use crate::binary::Binary;
use crate::helpers::{database_url, spawn_app, Browser, TestApp};
use crate::nodes::two_nodes;
use serde_json::Value;

async fn account(app: &TestApp, name: &str) -> Browser {
    let browser = app.browser();
    let response = browser
        .post("sign_up", &[("name", name), ("password", "correct horse")])
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    browser
}

async fn delete(browser: &Browser, room: &str, seq: u64) -> reqwest::Response {
    browser
        .post(
            "delete_message",
            &[("room", room), ("seq", &seq.to_string())],
        )
        .await
}

async fn moderation(here: &TestApp, there: &TestApp) {
    let admin = account(here, "Ann").await;
    let member = account(here, "Bob").await;
    let carol = account(here, "Carol").await;
    let spammer = there.browser();
    let spam = spammer.send("lobby", "buy cheap watches").await;
    let mut watching = member.at(there).events("lobby", "").await;
    watching.next_presence().await;

    assert_eq!(delete(&member, "lobby", spam.seq.get()).await.status(), 403);
    assert_eq!(delete(&admin, "lobby", spam.seq.get()).await.status(), 200);
    let gone = watching.next_log_event().await;
    assert_eq!(
        gone.event.as_deref(),
        Some("delete"),
        "everyone sees it go, live"
    );
    let found = member.get_json("/api/search?q=watches").await;
    assert_eq!(
        found["results"].as_array().map(Vec::len),
        Some(0),
        "{found}"
    );

    // Carol started her room: she moderates it, and only it.
    carol.send("carols-corner", "welcome").await;
    let more = spammer
        .send("carols-corner", "cheap watches here too")
        .await;
    let elsewhere = spammer.send("lobby", "and here").await;
    assert_eq!(
        delete(&member, "carols-corner", more.seq.get())
            .await
            .status(),
        403
    );
    assert_eq!(
        delete(&carol, "lobby", elsewhere.seq.get()).await.status(),
        403
    );
    assert_eq!(
        delete(&carol, "carols-corner", more.seq.get())
            .await
            .status(),
        200
    );

    let audit = admin.at(there).get_json("/api/admin/audit").await;
    let entries = audit["entries"].as_array().expect("entries");
    let actions: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default(),
                e["actor_name"].as_str().unwrap_or_default(),
                e["subject"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    let first = format!("lobby/{}", spam.seq.get());
    let second = format!("carols-corner/{}", more.seq.get());
    assert_eq!(
        actions,
        [
            ("delete_message", "Carol", second.as_str()),
            ("delete_message", "Ann", first.as_str()),
        ],
        "newest first"
    );
    assert!(entries[1]["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("written by guest-"));
    assert_eq!(member.get_raw("/api/admin/audit").await.status(), 403);
    assert_eq!(spammer.get_raw("/api/admin/audit").await.status(), 403);
}

#[tokio::test]
async fn on_sqlite_an_administrator_and_a_rooms_creator_delete_anyones_message() {
    let app = spawn_app().await;
    moderation(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_moderators_delete_reaches_the_other_node() {
    let (_redis, a, b) = two_nodes().await;
    moderation(&a, &b).await;
}

#[tokio::test]
async fn the_operator_grants_and_revokes_the_administrator_role_while_the_node_serves() {
    let app = spawn_app().await;
    account(&app, "Ann").await;
    let bob = account(&app, "Bob").await;
    assert_eq!(bob.get_json("/api/me").await["role"], "member");
    let run = |verb: &str| {
        std::process::Command::new(Binary::path())
            .args(["admin", verb, "BOB"])
            .env("DATABASE_URL", database_url(&app.db_dir))
            .env("RUST_LOG", "warn")
            .output()
            .expect("the binary runs")
    };
    let granted = run("grant");
    assert!(granted.status.success(), "{granted:?}");
    assert_eq!(
        String::from_utf8_lossy(&granted.stdout).trim(),
        "Bob is admin now"
    );
    tokio::time::sleep(chat::server::access::session::FRESH_FOR).await;
    assert_eq!(bob.get_json("/api/me").await["role"], "admin");
    assert_eq!(bob.get_raw("/api/admin/audit").await.status(), 200);
    let revoked = run("revoke");
    assert!(revoked.status.success(), "{revoked:?}");
    tokio::time::sleep(chat::server::access::session::FRESH_FOR).await;
    assert_eq!(bob.get_json("/api/me").await["role"], "member");
    let audit: Value = app
        .browser()
        .get_raw("/api/admin/audit")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(audit["error"], "forbidden", "a guest reads nothing");

    let unknown = std::process::Command::new(Binary::path())
        .args(["admin", "grant", "nobody"])
        .env("DATABASE_URL", database_url(&app.db_dir))
        .output()
        .expect("the binary runs");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("not an account"));
    let help = std::process::Command::new(Binary::path())
        .arg("--help")
        .output()
        .expect("the binary runs");
    assert!(String::from_utf8_lossy(&help.stdout).contains("chat admin grant NAME"));
}

async fn bans(here: &TestApp, there: &TestApp) {
    let admin = account(here, "Ann").await;
    let bob = account(here, "Bob").await;
    let eve = there.browser();
    eve.send("lobby", "spam, spam, spam").await;
    let id = |value: Value| value["user_id"].as_str().expect("id").to_owned();
    let (bob_id, eve_id) = (
        id(bob.get_json("/api/me").await),
        id(eve.get_json("/api/me").await),
    );
    let ban = |who: &Browser, user: &str| {
        let (who, user) = (who.clone(), user.to_owned());
        async move { who.post("ban_user", &[("user", user.as_str())]).await }
    };
    assert_eq!(ban(&bob, &eve_id).await.status(), 403, "members do not ban");

    // Bob's and Eve's open streams, on the other node, close as they are banned.
    let mut bobs = bob.at(there).events("lobby", "").await;
    bobs.next_presence().await;
    let mut eves = eve.events("lobby", "").await;
    eves.next_presence().await;
    let asked = std::time::Instant::now();
    assert_eq!(ban(&admin, &bob_id).await.status(), 200);
    assert_eq!(ban(&admin, &eve_id).await.status(), 200);
    bobs.until_end().await;
    eves.until_end().await;
    assert!(
        asked.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        asked.elapsed()
    );

    // Eve (a guest) is refused everything; Bob is signed out and cannot sign in. Every
    // node reads the bans again within a second.
    tokio::time::sleep(chat::server::access::restrictions::REFRESH).await;
    let refused = eve
        .post("send_message", &[("room", "lobby"), ("body", "again")])
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(eve.get_raw("/api/room?room=lobby").await.status(), 403);
    assert_eq!(eve.get_raw("/api/rooms/lobby/events").await.status(), 403);
    assert_eq!(
        eve.get_raw("/api/rooms/lobby/export?format=jsonl")
            .await
            .status(),
        403
    );
    assert_eq!(bob.get_json("/api/me").await["guest"], true);
    let back = bob
        .post("sign_in", &[("name", "Bob"), ("password", "correct horse")])
        .await;
    assert_eq!(back.status(), 403);

    let lifted = admin.post("unban_user", &[("user", bob_id.as_str())]).await;
    assert_eq!(lifted.status(), 200);
    tokio::time::sleep(chat::server::access::restrictions::REFRESH).await;
    let back = bob
        .at(there)
        .post("sign_in", &[("name", "Bob"), ("password", "correct horse")])
        .await;
    assert_eq!(back.status(), 200, "{:?}", back.text().await);
    let audit = admin.get_json("/api/admin/audit").await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["unban_user", "ban_user", "ban_user"]);
}

#[tokio::test]
async fn on_sqlite_a_ban_closes_streams_and_refuses_everything_until_lifted() {
    let app = spawn_app().await;
    bans(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_ban_on_one_node_closes_streams_and_refuses_on_the_other() {
    let (_redis, a, b) = two_nodes().await;
    bans(&a, &b).await;
}

async fn locks(here: &TestApp, there: &TestApp) {
    let carol = account(here, "Carol").await;
    let bob = there.browser();
    carol.send("carols-corner", "welcome").await;
    bob.send("carols-corner", "hello").await;
    let lock = |who: &Browser, locked: &str| {
        let (who, locked) = (who.clone(), locked.to_owned());
        async move {
            who.post(
                "lock_room",
                &[("room", "carols-corner"), ("locked", locked.as_str())],
            )
            .await
        }
    };
    assert_eq!(lock(&bob, "true").await.status(), 403, "not his room");
    assert_eq!(lock(&carol, "true").await.status(), 200);
    tokio::time::sleep(chat::server::access::restrictions::REFRESH).await;
    let refused = bob
        .post(
            "send_message",
            &[("room", "carols-corner"), ("body", "still here?")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let reacted = bob
        .post(
            "add_reaction",
            &[("room", "carols-corner"), ("seq", "1"), ("emoji", "👍")],
        )
        .await;
    assert_eq!(reacted.status(), 403);
    let page = bob.get_json("/api/room?room=carols-corner").await;
    assert_eq!(
        page["locked"], true,
        "reading goes on, and the page says so"
    );
    assert_eq!(page["messages"].as_array().map(Vec::len), Some(2));
    carol.send("carols-corner", "moderators still write").await;

    assert_eq!(lock(&carol, "false").await.status(), 200);
    tokio::time::sleep(chat::server::access::restrictions::REFRESH).await;
    bob.send("carols-corner", "back again").await;
}

#[tokio::test]
async fn on_sqlite_a_locked_room_is_read_only_but_for_its_moderators() {
    let app = spawn_app().await;
    locks(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_room_locked_on_one_node_is_read_only_on_the_other() {
    let (_redis, a, b) = two_nodes().await;
    locks(&a, &b).await;
}
