//! The administrators' page and what it calls, on SQLite and on two nodes sharing Redis:
//! every account with its role, who is banned, roles changed by an administrator (never
//! their own), all kept in the audit log; nobody else sees or changes any of it.

use crate::helpers::{spawn_app, Browser, TestApp};
use crate::nodes::two_nodes;
use serde_json::Value;
use std::time::Duration;

async fn account(app: &TestApp, name: &str) -> (Browser, String) {
    let browser = app.browser();
    let response = browser
        .post("sign_up", &[("name", name), ("password", "correct horse")])
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let id = browser.get_json("/api/me").await["user_id"]
        .as_str()
        .expect("id")
        .to_owned();
    (browser, id)
}

fn names_and_roles(people: &Value) -> Vec<(String, String, bool)> {
    people["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| {
            (
                a["name"].as_str().expect("name").to_owned(),
                a["role"].as_str().expect("role").to_owned(),
                a["banned"].as_bool().expect("banned"),
            )
        })
        .collect()
}

async fn set_role(who: &Browser, user: &str, role: &str) -> u16 {
    who.post("set_role", &[("user", user), ("role", role)])
        .await
        .status()
        .as_u16()
}

async fn administration(here: &TestApp, there: &TestApp) {
    let (ann, ann_id) = account(here, "Ann").await;
    let (bob, bob_id) = account(there, "Bob").await;
    let (carol, carol_id) = account(here, "Carol").await;

    assert_eq!(bob.get_raw("/api/admin/people").await.status(), 403);
    let page = bob.get_raw("/admin").await.text().await.expect("page");
    assert!(page.contains("Only administrators"), "{page}");
    let people = ann.get_json("/api/admin/people").await;
    let row = |name: &str, role: &str, banned: bool| (name.to_owned(), role.to_owned(), banned);
    assert_eq!(
        names_and_roles(&people),
        [
            row("Ann", "admin", false),
            row("Bob", "member", false),
            row("Carol", "member", false)
        ]
    );

    assert_eq!(
        set_role(&carol, &bob_id, "admin").await,
        403,
        "members do not"
    );
    assert_eq!(
        set_role(&ann, &ann_id, "member").await,
        422,
        "not one's own"
    );
    assert_eq!(set_role(&ann, &bob_id, "owner").await, 422);
    assert_eq!(set_role(&ann, &"0".repeat(32), "admin").await, 404);
    assert_eq!(set_role(&ann, &bob_id, "admin").await, 200);
    // Bob's node reads his role again within a second.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(bob.get_raw("/api/admin/people").await.status(), 200);
    assert_eq!(bob.get_json("/api/me").await["role"], "admin");

    let banned = bob.post("ban_user", &[("user", &carol_id)]).await;
    assert_eq!(banned.status(), 200);
    let people = ann.at(there).get_json("/api/admin/people").await;
    assert_eq!(
        names_and_roles(&people)[2],
        row("Carol", "member", true),
        "{people}"
    );
    assert_eq!(people["banned"][0]["name"], "Carol");
    assert_eq!(people["banned"][0]["addresses"], 0);

    let page = ann.get_raw("/admin").await.text().await.expect("page");
    for shown in ["Accounts", "Carol", "Make Bob a member", "grant_admin"] {
        assert!(page.contains(shown), "{shown} missing from the page");
    }
    assert!(
        !page.contains("Make Ann a member"),
        "an administrator's own role is not theirs to change"
    );
    let audit = ann.get_json("/api/admin/audit").await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["ban_user", "grant_admin"]);
}

#[tokio::test]
async fn on_sqlite_administrators_list_people_and_change_roles() {
    let app = spawn_app().await;
    administration(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_role_given_on_one_node_holds_on_the_other() {
    let (_redis, a, b) = two_nodes().await;
    administration(&a, &b).await;
}
