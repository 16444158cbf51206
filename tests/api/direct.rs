//! Direct messages, on SQLite and across two Redis nodes: one room for two people whoever
//! opens it, in both sidebars, invisible to a third person at every door; its name cannot be
//! taken first by anyone else.

use crate::helpers::{spawn_app, Browser, TestApp};
use crate::nodes::two_nodes;
use serde_json::Value;

async fn id_of(browser: &Browser) -> String {
    browser.get_json("/api/me").await["user_id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn open_dm(browser: &Browser, user: &str) -> reqwest::Response {
    browser.post("open_dm", &[("user", user)]).await
}

async fn direct(here: &TestApp, there: &TestApp) {
    let (ann, bob, eve) = (here.browser(), there.browser(), here.browser());
    ann.set_name("Ann").await;
    bob.set_name("Bob").await;
    let (ann_id, bob_id) = (id_of(&ann).await, id_of(&bob).await);

    let opened: Value = open_dm(&ann, &bob_id).await.json().await.expect("JSON");
    let room = opened["room"].as_str().expect("room").to_owned();
    assert!(room.starts_with("dm-"), "{room}");
    let again: Value = open_dm(&bob, &ann_id).await.json().await.expect("JSON");
    assert_eq!(
        again["room"],
        room.as_str(),
        "the same room whoever opens it"
    );

    ann.send(&room, "just between us").await;
    let seen = bob.get_json(&format!("/api/room?room={room}")).await;
    assert_eq!(seen["messages"][0]["body"], "just between us");
    assert_eq!(
        seen["private"]["invite"],
        Value::Null,
        "no invite link, even for its maker"
    );
    let sidebar: Vec<String> = seen["joined"]
        .as_array()
        .expect("joined")
        .iter()
        .map(|j| j["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(sidebar.contains(&room), "{sidebar:?}");

    // A third person finds no door.
    assert_eq!(
        eve.get_raw(&format!("/api/room?room={room}"))
            .await
            .status(),
        403
    );
    assert_eq!(
        eve.get_raw(&format!("/api/rooms/{room}/events"))
            .await
            .status(),
        403
    );
    assert_eq!(
        eve.get_raw(&format!("/api/rooms/{room}/export?format=jsonl"))
            .await
            .status(),
        403
    );
    let found = eve.get_json("/api/search?q=between").await;
    assert_eq!(found["results"].as_array().map(Vec::len), Some(0));
    let listed = eve.get_json("/api/rooms").await;
    assert!(!listed.to_string().contains(&room));
    // Its two people find it in the room list, by the other one's name.
    for (who, other) in [(&ann, "Bob"), (&bob, "Ann")] {
        let listed = who.get_json("/api/rooms").await;
        let entry = listed
            .as_array()
            .expect("rooms")
            .iter()
            .find(|r| r["name"] == room.as_str())
            .unwrap_or_else(|| panic!("{room} missing from {listed}"));
        assert_eq!(entry["with"], other);
        assert!(entry["messages"].as_u64() >= Some(1), "{entry}");
    }
    let posted = eve
        .post("send_message", &[("room", &room), ("body", "let me in")])
        .await;
    assert_eq!(posted.status(), 403);
    // Nor can its maker hand it out or push the other one out.
    for (function, fields) in [
        ("renew_invite", vec![("room", room.as_str())]),
        (
            "remove_member",
            vec![("room", room.as_str()), ("user", bob_id.as_str())],
        ),
    ] {
        assert_eq!(
            ann.post(function, &fields).await.status(),
            403,
            "{function}"
        );
    }
}

#[tokio::test]
async fn on_sqlite_a_direct_message_is_two_peoples_room_and_nobody_elses() {
    let app = spawn_app().await;
    direct(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_direct_message_is_the_same_room_from_either_node() {
    let (_redis, a, b) = two_nodes().await;
    direct(&a, &b).await;
}

#[tokio::test]
async fn a_pairs_room_cannot_be_taken_first_and_nobody_writes_to_themselves() {
    let app = spawn_app().await;
    let (ann, bob, eve) = (app.browser(), app.browser(), app.browser());
    let (ann_id, bob_id) = (id_of(&ann).await, id_of(&bob).await);
    let room = open_dm(&ann, &bob_id)
        .await
        .json::<Value>()
        .await
        .expect("JSON")["room"]
        .as_str()
        .expect("room")
        .to_owned();
    // Eve cannot make a room of that kind of name, public or private.
    let squat = eve
        .post(
            "send_message",
            &[
                ("room", "dm-0000000000000000000000000000a"),
                ("body", "mine"),
            ],
        )
        .await;
    assert_eq!(squat.status(), 403);
    let private = eve
        .post("create_room", &[("name", "dm-1234"), ("private", "true")])
        .await;
    assert_eq!(private.status(), 422);
    assert_eq!(open_dm(&ann, &ann_id).await.status(), 422);
    assert_eq!(open_dm(&ann, "not an id").await.status(), 422);
    let _ = room;
}
