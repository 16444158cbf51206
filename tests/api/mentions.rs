//! Mentions and what a room notifies, on both stores: a mention names a member of the room
//! by id and by the name the room knows them by; a copied name, a non-member or a name the
//! body does not write mention nobody; the sidebar counts mentions after the read mark, on
//! every node, unless the room notifies of nothing. On Redis, two nodes.

use crate::helpers::{spawn_app, Browser, TestApp};
use crate::nodes::two_nodes;
use serde_json::Value;

/// Opens `room` as `browser` (joining it): the page's snapshot.
async fn open(browser: &Browser, room: &str) -> Value {
    browser.get_json(&format!("/api/room?room={room}")).await
}

async fn id_of(browser: &Browser) -> String {
    open(browser, "lobby").await["viewer"]["id"]
        .as_str()
        .expect("viewer id")
        .to_owned()
}

async fn send(browser: &Browser, body: &str, mentions: &str) -> reqwest::Response {
    browser
        .post(
            "send_message",
            &[("room", "lobby"), ("body", body), ("mentions", mentions)],
        )
        .await
}

/// Whom a sent message mentions, by name.
async fn mentioned(browser: &Browser, body: &str, mentions: &str) -> Vec<String> {
    let response = send(browser, body, mentions).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let message: Value = response.json().await.expect("JSON");
    message["mentions"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|m| m["name"].as_str().expect("name").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// `room` in `browser`'s sidebar, as a page of `from` shows it.
async fn joined(browser: &Browser, from: &str, room: &str) -> Value {
    let page = open(browser, from).await;
    page["joined"]
        .as_array()
        .expect("joined")
        .iter()
        .find(|joined| joined["name"] == room)
        .cloned()
        .unwrap_or(Value::Null)
}

async fn mentions_story(app: &TestApp, other: &TestApp) {
    let (ann, bob, impostor, dave) = (app.browser(), app.browser(), app.browser(), app.browser());
    ann.set_name("Ann").await;
    // Bob joins under a guest name, then takes his own: the lobby knows him by it.
    let bob_id = id_of(&bob).await;
    bob.set_name("Bob").await;
    impostor.set_name("Bob").await;
    dave.set_name("Dave").await;
    let impostor_id = id_of(&impostor).await;
    let ann_id = id_of(&ann).await;
    // Dave never opened the lobby: he is no member of it.
    let dave_id = open(&dave, "elsewhere").await["viewer"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    open(&bob.at(other), "other").await;

    let members = open(&ann.at(other), "lobby").await["members"].clone();
    let names: Vec<&str> = members
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        ["Ann", "Bob", "Bob"],
        "the composer's suggestions, by name"
    );

    let both = format!("{bob_id},{dave_id}");
    assert_eq!(
        mentioned(&ann, "hi @Bob and @Dave", &both).await,
        ["Bob"],
        "Dave is no member of the lobby"
    );
    assert!(
        mentioned(&ann, "no names here", &bob_id).await.is_empty(),
        "the body must name them"
    );
    assert!(
        mentioned(&ann, "@Bo is not Bob", &bob_id).await.is_empty(),
        "the whole name"
    );
    assert!(
        mentioned(&ann, "hello @Bob", "").await.is_empty(),
        "by id only"
    );
    let refused = send(&ann, "@Bob", "Bob").await;
    assert_eq!(refused.status(), 422, "a name is not an id");
    let too_many = vec![bob_id.as_str(); 1]
        .into_iter()
        .map(str::to_owned)
        .chain((0..20u128).map(|n| format!("{n:032x}")))
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(send(&ann, "@Bob", &too_many).await.status(), 422);
    let impostor_meant = format!("{impostor_id},{ann_id}");
    assert_eq!(
        mentioned(&bob, "@Bob thinks @Ann", &impostor_meant).await,
        ["Bob", "Ann"],
        "the one meant by id, whatever the name"
    );

    // Bob is away in #other: the lobby counts 5 unread, 1 mentioning him; the message
    // replays with its mentions on the other node.
    let lobby = joined(&bob.at(other), "other", "lobby").await;
    assert_eq!(
        (lobby["unread"].as_u64(), lobby["mentions"].as_u64()),
        (Some(4), Some(1))
    );
    assert_eq!(lobby["notify"], "mentions");
    let mut replay = bob.at(other).events("lobby", "?after=0").await;
    let first = replay.next_message().await;
    assert_eq!(first.mentions.len(), 1);
    assert_eq!(first.mentions[0].id.as_str(), bob_id);
    let impostors = joined(&impostor, "other", "lobby").await;
    assert_eq!(impostors["mentions"], 1, "their own mention only");

    // Notifications per room.
    let set = |level: &'static str, room: &'static str| {
        let bob = bob.clone();
        async move {
            bob.post("set_notify", &[("room", room), ("notify", level)])
                .await
        }
    };
    assert_eq!(set("nothing", "lobby").await.status(), 200);
    let lobby = joined(&bob.at(other), "other", "lobby").await;
    assert_eq!(
        (lobby["unread"].as_u64(), lobby["mentions"].as_u64()),
        (Some(4), Some(0))
    );
    assert_eq!(lobby["notify"], "nothing");
    assert_eq!(set("every", "lobby").await.status(), 200);
    assert_eq!(joined(&bob, "other", "lobby").await["notify"], "every");
    assert_eq!(set("loud", "lobby").await.status(), 422);
    assert_eq!(set("every", "never-joined").await.status(), 404);

    // Reading the lobby clears it; leaving it makes Bob unmentionable there.
    open(&bob, "lobby").await;
    let lobby = joined(&bob.at(other), "other", "lobby").await;
    assert_eq!(
        (lobby["unread"].as_u64(), lobby["mentions"].as_u64()),
        (Some(0), Some(0))
    );
    let left = bob.post("leave_room", &[("room", "lobby")]).await;
    assert!(left.status().is_success() || left.status().is_redirection());
    assert!(mentioned(&ann, "@Bob?", &bob_id).await.is_empty());
}

#[tokio::test]
async fn on_sqlite_mentions_name_members_by_id_and_raise_their_badge() {
    let app = spawn_app().await;
    mentions_story(&app, &app).await;
}

#[tokio::test]
async fn on_redis_mentions_name_members_by_id_and_raise_their_badge_on_every_node() {
    let (_redis, a, b) = two_nodes().await;
    mentions_story(&a, &b).await;
}
