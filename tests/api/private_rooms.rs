//! Private rooms on both stores: created with a name (unused, else 422), listed nowhere,
//! readable and writable by members only: everyone else gets 403 from the page, history,
//! streams, search, export and every write, with nothing of the room in the answer. An
//! invite link makes a member; a new link revokes the old. On Redis, created on one node and
//! checked on the other.

use crate::helpers::{spawn_app, Browser, TestApp};
use crate::nodes::two_nodes;
use serde_json::Value;

const SECRET_WORDS: &str = "quarterly plans";

async fn create(browser: &Browser, name: &str) -> reqwest::Response {
    browser
        .post("create_room", &[("name", name), ("private", "true")])
        .await
}

/// Every way to read or change `room` answers `browser` with `status`.
async fn every_door(browser: &Browser, room: &str, status: u16) {
    let reads = [
        format!("/r/{room}"),
        format!("/api/room?room={room}"),
        format!("/api/history?room={room}&before=100"),
        format!("/api/newer?room={room}&after=0"),
        format!("/api/rooms/{room}/events"),
        format!("/api/events?rooms={room}"),
        format!("/api/search?q=quarterly&room={room}"),
        format!("/api/rooms/{room}/export?format=jsonl"),
        format!("/api/rooms/{room}/export?format=md"),
        format!("/api/rooms/{room}/pins"),
    ];
    for path in reads {
        let response = browser.get_raw(&path).await;
        assert_eq!(response.status(), status, "{path}");
        if status == 403 {
            let body = response.text().await.expect("body");
            assert!(
                !body.contains("quarterly"),
                "{path} leaks the messages: {body}"
            );
            for count in ["\"messages\"", "online", "1 message"] {
                assert!(!body.contains(count), "{path} leaks {count}: {body}");
            }
        }
    }
    // (Unpinning what is not pinned logs nothing for whoever may.)
    let writes: [(&str, Vec<(&str, &str)>); 6] = [
        ("send_message", vec![("room", room), ("body", "let me in")]),
        (
            "add_reaction",
            vec![("room", room), ("seq", "1"), ("emoji", "👍")],
        ),
        ("mark_read", vec![("room", room), ("seq", "1")]),
        (
            "pin_message",
            vec![("room", room), ("seq", "1"), ("pinned", "false")],
        ),
        ("typing", vec![("room", room)]),
        (
            "edit_message",
            vec![("room", room), ("seq", "1"), ("body", "x")],
        ),
    ];
    for (function, fields) in writes {
        let response = browser.post(function, &fields).await;
        if status == 403 {
            assert_eq!(response.status(), 403, "{function}");
        }
    }
}

async fn found_anywhere(browser: &Browser) -> usize {
    let page = browser.get_json("/api/search?q=quarterly").await;
    page["results"].as_array().expect("results").len()
}

async fn private_story(app: &TestApp, other: &TestApp) {
    let (ann, bob, carol) = (app.browser(), app.browser(), app.browser());
    let created = create(&ann, "Secret Plans").await;
    assert_eq!(created.status(), 200);
    let created: Value = created.json().await.expect("JSON");
    assert_eq!(
        (created["room"].as_str(), created["private"].as_bool()),
        (Some("secret-plans"), Some(true))
    );
    let invite = created["invite"].as_str().expect("invite").to_owned();
    assert!(invite.starts_with("/invite/secret-plans."), "{invite}");
    assert_eq!(create(&bob, "secret-plans").await.status(), 422, "taken");
    let public = |browser: &Browser| {
        let browser = browser.clone();
        async move {
            browser
                .post(
                    "create_room",
                    &[("name", "secret-plans"), ("private", "false")],
                )
                .await
        }
    };
    assert_eq!(
        public(&bob).await.status(),
        403,
        "not a public room to a stranger"
    );
    let asked: Value = public(&ann).await.json().await.expect("JSON");
    assert_eq!(asked["private"], true, "still private: {asked}");
    assert_eq!(
        asked["invite"], created["invite"],
        "its creator gets the link"
    );
    ann.send("lobby", "public words").await;
    assert_eq!(
        create(&bob, "lobby").await.status(),
        422,
        "a public room in use"
    );

    let sent = ann.send("secret-plans", SECRET_WORDS).await;
    assert_eq!(sent.seq.get(), 1);
    let page = ann.at(other).get_json("/api/room?room=secret-plans").await;
    assert_eq!(
        page["private"]["invite"].as_str(),
        Some(invite.as_str()),
        "the creator's link"
    );

    // Strangers get 403 from every door, on any node; the room is listed nowhere.
    every_door(&bob.at(other), "secret-plans", 403).await;
    assert_eq!(
        found_anywhere(&bob).await,
        0,
        "search in all rooms leaves it out"
    );
    for browser in [&ann, &bob] {
        let rooms = browser.get_json("/api/rooms").await.to_string();
        assert!(!rooms.contains("secret-plans"), "{rooms}");
    }

    // Opening the link shows the invitation and changes nothing (a GET from another
    // site's page cannot make anyone join); a cross-site POST is refused.
    let shown = bob.at(other).get_raw(&invite).await;
    assert_eq!(shown.status(), 200);
    let shown = shown.text().await.expect("page");
    assert!(
        shown.contains("secret-plans") && shown.contains("Join"),
        "{shown}"
    );
    assert!(!shown.contains("quarterly"), "{shown}");
    every_door(&bob, "secret-plans", 403).await;
    let forged_site = bob
        .client
        .post(other.url(&invite))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("request");
    assert_eq!(forged_site.status(), 403);
    every_door(&bob, "secret-plans", 403).await;

    // Its Join button makes Bob a member (he lands in the room); he sees everything, but
    // cannot replace the link.
    let joined = bob.at(other).post_path(&invite, &[]).await;
    assert_eq!(joined.status(), 303);
    assert_eq!(joined.headers()["location"], "/r/secret-plans");
    every_door(&bob, "secret-plans", 200).await;
    assert_eq!(found_anywhere(&bob).await, 1);
    let page = bob.get_json("/api/room?room=secret-plans").await;
    assert!(page["private"].is_object() && page["private"]["invite"].is_null());
    let denied = bob.post("renew_invite", &[("room", "secret-plans")]).await;
    assert_eq!(denied.status(), 403);

    // A new link revokes the old one; members stay members.
    let renewed = ann.post("renew_invite", &[("room", "secret-plans")]).await;
    assert_eq!(renewed.status(), 200);
    let renewed: Value = renewed.json().await.expect("JSON");
    let new_invite = renewed["invite"].as_str().expect("invite").to_owned();
    assert_ne!(new_invite, invite);
    for old in [
        carol.at(other).get_raw(&invite).await,
        carol.at(other).post_path(&invite, &[]).await,
    ] {
        assert_eq!(old.status(), 403);
        assert!(!old.text().await.expect("body").contains("quarterly"));
    }
    every_door(&carol, "secret-plans", 403).await;
    let forged = new_invite.replace(".2.", ".3.");
    assert_eq!(carol.get_raw(&forged).await.status(), 403);
    assert_eq!(carol.post_path(&forged, &[]).await.status(), 403);
    assert_eq!(carol.get_raw(&new_invite).await.status(), 200);
    assert_eq!(carol.post_path(&new_invite, &[]).await.status(), 303);
    every_door(&carol, "secret-plans", 200).await;
    every_door(&bob.at(other), "secret-plans", 200).await;

    // Leaving gives the room up.
    let left = bob.post("leave_room", &[("room", "secret-plans")]).await;
    assert!(left.status().is_success() || left.status().is_redirection());
    every_door(&bob, "secret-plans", 403).await;
}

#[tokio::test]
async fn on_sqlite_a_private_room_is_for_its_members_only() {
    let app = spawn_app().await;
    private_story(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_private_room_is_for_its_members_only_on_every_node() {
    let (_redis, a, b) = two_nodes().await;
    private_story(&a, &b).await;
}
