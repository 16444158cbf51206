//! Reactions and replies, on both stores: each reaction is a log event with its own seq,
//! delivered live and replayed exactly once on resume; a reply carries `reply_to` and a
//! quote of the original as it is now. On Redis, two nodes: written on one, read on the other.

use crate::helpers::{spawn_app, Browser, TestApp};
use crate::nodes::two_nodes;
use crate::sse_stream::SseStream;
use chat::domain::{ChatMessage, LogEvent, Reaction, ReactionOp, UserId, MAX_REACTIONS_PER_PERSON};
use serde_json::Value;

async fn react(browser: &Browser, op: &str, seq: u64, emoji: &str) -> reqwest::Response {
    let seq = seq.to_string();
    browser
        .post(op, &[("room", "lobby"), ("seq", &seq), ("emoji", emoji)])
        .await
}

/// A reaction change that must be logged: its event.
async fn logged(browser: &Browser, op: &str, seq: u64, emoji: &str) -> Reaction {
    let response = react(browser, op, seq, emoji).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let answer: Option<Reaction> = response.json().await.expect("JSON");
    answer.expect("a change is logged")
}

/// The next `count` log events of `stream`, which must all be reactions.
async fn reactions(stream: &mut SseStream, count: usize) -> Vec<Reaction> {
    let mut seen = Vec::new();
    for _ in 0..count {
        let event = stream.next_log_event().await;
        assert_eq!(event.event.as_deref(), Some("reaction"));
        let reaction: Reaction = serde_json::from_str(&event.data).expect("reaction JSON");
        assert_eq!(event.id, Some(reaction.seq.to_string()), "id: is the seq");
        seen.push(reaction);
    }
    seen
}

/// The newest page of the lobby, as `browser` opens it.
async fn lobby(browser: &Browser) -> Vec<ChatMessage> {
    let page = browser.get_json("/api/room?room=lobby").await;
    serde_json::from_value(page["messages"].clone()).expect("messages")
}

/// Who `browser` is.
async fn viewer_id(browser: &Browser) -> UserId {
    let page = browser.get_json("/api/room?room=lobby").await;
    serde_json::from_value(page["viewer"]["id"].clone()).expect("viewer id")
}

async fn reactions_story(app: &TestApp, other: &TestApp) {
    let alice = app.browser();
    let bob = app.browser();
    alice.set_name("Alice").await;
    bob.set_name("Bob").await;
    let hello = alice.send("lobby", "hello").await;
    let mut live = bob.at(other).events("lobby", "?after=1").await;

    let thumbs = logged(&bob, "add_reaction", 1, "👍").await;
    assert_eq!((thumbs.seq.get(), thumbs.op), (2, ReactionOp::Add));
    assert_eq!(thumbs.user.name, "Bob");
    let again = react(&bob, "add_reaction", 1, "👍").await;
    assert_eq!(again.status(), 200);
    assert_eq!(
        again.text().await.expect("body"),
        "null",
        "already there: nothing logged"
    );
    let heart = logged(&alice, "add_reaction", 1, "❤️").await;
    logged(&alice, "add_reaction", 1, "👍").await;
    let taken_back = logged(&bob, "remove_reaction", 1, "👍").await;
    assert_eq!(
        (taken_back.seq.get(), taken_back.op),
        (5, ReactionOp::Remove)
    );
    let nothing = react(&bob, "remove_reaction", 1, "👍").await;
    assert_eq!(nothing.text().await.expect("body"), "null");

    let live = reactions(&mut live, 4).await;
    assert_eq!(
        live.iter().map(|r| r.seq.get()).collect::<Vec<_>>(),
        [2, 3, 4, 5]
    );
    assert_eq!(live[1], heart);

    // The page as stored, and the page rebuilt from the message as sent plus the replay:
    // the same reactions, each person once.
    let stored = lobby(&bob.at(other)).await;
    let counts: Vec<(String, Vec<String>)> = stored[0]
        .reactions
        .0
        .iter()
        .map(|g| {
            (
                g.emoji.clone(),
                g.users.iter().map(|u| u.name.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("👍".to_owned(), vec!["Alice".to_owned()]),
            ("❤️".to_owned(), vec!["Alice".to_owned()])
        ],
        "by emoji in the order each was first used"
    );
    let mut replayed = bob.at(other).events("lobby", "?after=0").await;
    let mut rebuilt = replayed.next_message().await;
    assert!(
        rebuilt.reactions.is_empty(),
        "a message event carries the message as sent"
    );
    let replay = reactions(&mut replayed, 4).await;
    let viewer = viewer_id(&bob).await;
    for reaction in replay.iter().chain(&replay) {
        rebuilt.apply(&LogEvent::Reaction(reaction.clone()), &viewer);
    }
    assert_eq!(
        (&rebuilt.reactions, rebuilt.reactions_at),
        (&stored[0].reactions, stored[0].reactions_at),
        "a replay applied twice counts once"
    );
    assert_eq!(hello.seq.get(), 1);

    // Refused, and nothing logged.
    let seq_before = other.browser().get_json("/api/room?room=lobby").await["cursor"].clone();
    assert_eq!(react(&bob, "add_reaction", 1, "like").await.status(), 422);
    assert_eq!(react(&bob, "add_reaction", 1, "👍 👍").await.status(), 422);
    assert_eq!(react(&bob, "add_reaction", 99, "👍").await.status(), 404);
    let emoji: Vec<String> = ('\u{1F600}'..)
        .take(MAX_REACTIONS_PER_PERSON + 1)
        .map(String::from)
        .collect();
    let carol = app.browser();
    for e in &emoji[..MAX_REACTIONS_PER_PERSON] {
        logged(&carol, "add_reaction", 1, e).await;
    }
    let over = react(&carol, "add_reaction", 1, &emoji[MAX_REACTIONS_PER_PERSON]).await;
    assert_eq!(over.status(), 422);
    let reason: Value = over.json().await.expect("JSON");
    assert!(reason["message"]
        .as_str()
        .expect("message")
        .contains("at most"));
    let cursor = other.browser().get_json("/api/room?room=lobby").await["cursor"].clone();
    assert_eq!(
        cursor.as_u64(),
        seq_before
            .as_u64()
            .map(|s| s + MAX_REACTIONS_PER_PERSON as u64),
        "refusals log nothing"
    );

    // A deleted message loses its reactions and takes no more.
    let response = alice
        .post("delete_message", &[("room", "lobby"), ("seq", "1")])
        .await;
    assert_eq!(response.status(), 200);
    assert!(lobby(&alice).await[0].reactions.is_empty());
    assert_eq!(react(&bob, "add_reaction", 1, "👍").await.status(), 404);
}

async fn replies_story(app: &TestApp, other: &TestApp) {
    let alice = app.browser();
    let bob = app.browser();
    alice.set_name("Alice").await;
    let original = alice.send("lobby", "the plan\nin two lines").await;
    let response = bob
        .post(
            "send_message",
            &[
                ("room", "lobby"),
                ("body", "sounds good"),
                ("reply_to", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let reply: Value = response.json().await.expect("JSON");
    assert_eq!(
        reply["reply_to"], 1,
        "the stored message's JSON carries reply_to"
    );
    assert_eq!(reply["quote"]["author"], "Alice");
    assert_eq!(reply["quote"]["excerpt"], "the plan");

    for (reply_to, status) in [("99", 404), ("x", 400)] {
        let response = bob
            .post(
                "send_message",
                &[("room", "lobby"), ("body", "lost"), ("reply_to", reply_to)],
            )
            .await;
        assert_eq!(response.status(), status, "reply_to={reply_to}");
    }
    // Another room's message 1 is not this room's.
    alice.send("elsewhere", "far away").await;
    let response = bob
        .post(
            "send_message",
            &[("room", "empty-room"), ("body", "lost"), ("reply_to", "1")],
        )
        .await;
    assert_eq!(response.status(), 404);

    // The quote follows the original, on every page and every replay.
    let edit = alice
        .post(
            "edit_message",
            &[("room", "lobby"), ("seq", "1"), ("body", "a better plan")],
        )
        .await;
    assert_eq!(edit.status(), 200);
    let page = lobby(&bob.at(other)).await;
    let quote = page[1].quote.clone().expect("quote");
    assert_eq!(
        (quote.excerpt.as_str(), quote.edited),
        ("a better plan", true)
    );
    let mut replay = bob.at(other).events("lobby", "?after=0").await;
    let first = replay.next_message().await;
    assert_eq!(first.seq, original.seq);
    let again = replay.next_message().await;
    assert_eq!(again.reply_to, Some(original.seq));
    assert_eq!(again.quote, Some(quote));
    alice
        .post("delete_message", &[("room", "lobby"), ("seq", "1")])
        .await;
    let quote = lobby(&bob).await[1].quote.clone().expect("quote");
    assert!(quote.deleted && quote.excerpt.is_empty(), "{quote:?}");
    let refused = bob
        .post(
            "send_message",
            &[("room", "lobby"), ("body", "to nothing"), ("reply_to", "1")],
        )
        .await;
    assert_eq!(refused.status(), 404, "a deleted message takes no replies");
}

#[tokio::test]
async fn on_sqlite_reactions_are_logged_delivered_and_replayed_once() {
    let app = spawn_app().await;
    reactions_story(&app, &app).await;
}

#[tokio::test]
async fn on_redis_reactions_are_logged_delivered_and_replayed_once_across_nodes() {
    let (_redis, a, b) = two_nodes().await;
    reactions_story(&a, &b).await;
}

#[tokio::test]
async fn on_sqlite_a_reply_quotes_its_original_as_it_is_now() {
    let app = spawn_app().await;
    replies_story(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_reply_quotes_its_original_as_it_is_now_across_nodes() {
    let (_redis, a, b) = two_nodes().await;
    replies_story(&a, &b).await;
}
