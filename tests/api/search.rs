//! Search on both stores: words match the starts of a message's words in any case, newest
//! first, in one room or all; an edit is found by its new words and not its old ones at
//! once, a deleted message not at all; pages continue with `before`; bad queries are 422.
//! On Redis, written on one node and searched on the other.

use crate::helpers::{spawn_app, Browser, TestApp};
use crate::nodes::two_nodes;
use serde_json::Value;

async fn search(browser: &Browser, query: &[(&str, &str)]) -> reqwest::Response {
    let mut url = reqwest::Url::parse("http://x/api/search").expect("url");
    url.query_pairs_mut().extend_pairs(query);
    browser
        .get_raw(&format!("/api/search?{}", url.query().unwrap_or_default()))
        .await
}

/// The bodies found for `query`, newest first, and the page's `older` cursor.
async fn found(browser: &Browser, query: &[(&str, &str)]) -> (Vec<String>, Option<String>) {
    let response = search(browser, query).await;
    assert_eq!(response.status(), 200, "{query:?}");
    let page: Value = response.json().await.expect("JSON");
    let results = page["results"].as_array().expect("results");
    for result in results {
        for field in ["room", "seq", "author", "body", "sent_at"] {
            assert!(!result[field].is_null(), "{field} in {result}");
        }
    }
    let bodies = results
        .iter()
        .map(|r| r["body"].as_str().expect("body").to_owned())
        .collect();
    assert_eq!(page["has_older"].as_bool(), Some(page["older"].is_string()));
    let older = page["older"].as_str().map(str::to_owned);
    (bodies, older)
}

async fn search_story(app: &TestApp, other: &TestApp) {
    let ann = app.browser();
    let reader = ann.at(other);
    ann.send("lobby", "We deploy on Friday").await;
    ann.send("lobby", "Lunch plans?").await;
    ann.send("rust", "Deployment docs: https://example.com")
        .await;
    ann.send("lobby", "internationalization is hard").await;

    let (all, _) = found(&reader, &[("q", "DEPLOY")]).await;
    assert_eq!(
        all,
        [
            "Deployment docs: https://example.com",
            "We deploy on Friday"
        ]
    );
    let (lobby, _) = found(&reader, &[("q", "depl"), ("room", "lobby")]).await;
    assert_eq!(lobby, ["We deploy on Friday"]);
    let (both, _) = found(&reader, &[("q", "friday deploy")]).await;
    assert_eq!(both, ["We deploy on Friday"], "every word");
    assert!(
        found(&reader, &[("q", "ploy")]).await.0.is_empty(),
        "a word's start"
    );
    assert_eq!(found(&reader, &[("q", "internationaliz")]).await.0.len(), 1);
    assert!(
        found(&reader, &[("q", "internationalisation")])
            .await
            .0
            .is_empty(),
        "a long word matches as a whole, past the indexed prefix"
    );
    assert!(
        found(&reader, &[("q", "deploy OR \"x")]).await.0.is_empty(),
        "no operators"
    );

    // An edit is found by its new words at once, not its old ones; a delete not at all.
    let edit = ann
        .post(
            "edit_message",
            &[
                ("room", "lobby"),
                ("seq", "1"),
                ("body", "We ship on Monday"),
            ],
        )
        .await;
    assert_eq!(edit.status(), 200);
    assert!(found(&reader, &[("q", "friday")]).await.0.is_empty());
    assert_eq!(
        found(&reader, &[("q", "monday")]).await.0,
        ["We ship on Monday"]
    );
    let delete = ann
        .post("delete_message", &[("room", "lobby"), ("seq", "2")])
        .await;
    assert_eq!(delete.status(), 200);
    assert!(found(&reader, &[("q", "lunch")]).await.0.is_empty());

    // Pages of 20, newest first, continued with `before`.
    for n in 1..=25 {
        ann.send("pages", &format!("page {n}")).await;
    }
    let (first, older) = found(&reader, &[("q", "page")]).await;
    assert_eq!(first.len(), 20);
    assert_eq!(
        (first[0].as_str(), first[19].as_str()),
        ("page 25", "page 6")
    );
    let before = older.expect("an older page");
    let (rest, older) = found(&reader, &[("q", "page"), ("before", &before)]).await;
    assert_eq!(rest, ["page 5", "page 4", "page 3", "page 2", "page 1"]);
    assert_eq!(older, None);

    for (query, status) in [
        (vec![("q", "")], 422),
        (vec![("q", "a !")], 422),
        (vec![("q", &*"x".repeat(101))], 422),
        (vec![("q", "deploy"), ("room", "Not A Room")], 422),
        (vec![("room", "lobby")], 400),
        (vec![("q", "deploy"), ("before", "12345")], 422),
        (vec![("q", "deploy"), ("before", "not a cursor")], 422),
    ] {
        let response = search(&reader, &query).await;
        assert_eq!(response.status(), status, "{query:?}");
    }
}

#[tokio::test]
async fn on_sqlite_search_finds_words_newest_first_and_follows_edits_and_deletes() {
    let app = spawn_app().await;
    search_story(&app, &app).await;
}

#[tokio::test]
async fn on_redis_search_finds_words_newest_first_and_follows_edits_and_deletes_on_every_node() {
    let (_redis, a, b) = two_nodes().await;
    search_story(&a, &b).await;
}

/// Private messages that match leave no trace in a stranger's answer: not in the results,
/// not in how many there are, not in `has_older`, not in `older`, whether they are older
/// or newer than the public ones; a cursor naming a private room is refused like a broken
/// one. A member finds them all, a page at a time.
async fn private_matches_story(app: &TestApp, other: &TestApp) {
    let (ann, stranger) = (app.browser(), other.browser());
    let created = ann
        .post("create_room", &[("name", "vault"), ("private", "true")])
        .await;
    assert_eq!(created.status(), 200);
    for n in 1..=3 {
        ann.send("vault", &format!("zebra crossing {n}")).await;
    }
    for n in 1..=20 {
        stranger.send("lobby", &format!("zebra public {n}")).await;
    }
    let secret = ann.send("vault", "zebra finale").await;

    let page: Value = search(&stranger, &[("q", "zeb")])
        .await
        .json()
        .await
        .expect("JSON");
    let bodies: Vec<&str> = page["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["body"].as_str())
        .collect();
    assert_eq!(bodies.len(), 20, "a full page of what he may read: {page}");
    assert!(bodies.iter().all(|b| b.contains("public")), "{page}");
    assert_eq!(
        page["has_older"], false,
        "nothing older he may read: {page}"
    );
    assert!(page["older"].is_null(), "{page}");

    // A cursor naming the private room answers as a broken one does.
    let probe = chat::domain::SearchCursor {
        room: secret.room.clone(),
        seq: secret.seq,
    }
    .encode();
    let refused = search(&stranger, &[("q", "zeb"), ("before", &probe)]).await;
    assert_eq!(refused.status(), 422);
    assert!(!refused.text().await.expect("body").contains("vault"));

    // The member finds everything, newest first, over two pages; the cursor counts nothing.
    let reader = ann.at(other);
    let (first, older) = found(&reader, &[("q", "zeb")]).await;
    assert_eq!(first.len(), 20);
    assert_eq!(first[0], "zebra finale");
    let older = older.expect("older");
    assert!(older.parse::<u64>().is_err(), "not a counter: {older}");
    let (rest, none) = found(&reader, &[("q", "zeb"), ("before", &older)]).await;
    assert_eq!(
        rest,
        [
            "zebra public 1",
            "zebra crossing 3",
            "zebra crossing 2",
            "zebra crossing 1"
        ]
    );
    assert_eq!(none, None);
    // In the private room alone, too.
    let (inside, _) = found(&reader, &[("q", "zeb"), ("room", "vault")]).await;
    assert_eq!(inside.len(), 4);
}

#[tokio::test]
async fn on_sqlite_private_matches_leave_no_trace_in_a_strangers_search() {
    let app = spawn_app().await;
    private_matches_story(&app, &app).await;
}

#[tokio::test]
async fn on_redis_private_matches_leave_no_trace_in_a_strangers_search() {
    let (_redis, a, b) = two_nodes().await;
    private_matches_story(&a, &b).await;
}

/// Words of scripts with combining marks (Hindi's vowel signs, say) are searched as the
/// index cut them: found, never a 500.
async fn combining_marks_story(app: &TestApp, other: &TestApp) {
    let ann = app.browser();
    ann.send("lobby", "हिंदी में बात करें").await;
    ann.send("lobby", "ελληνικά και Ελλάδα, café").await;
    let reader = ann.at(other);
    for (query, expected) in [
        ("हिंदी", "हिंदी में बात करें"),
        ("बात", "हिंदी में बात करें"),
        ("करें", "हिंदी में बात करें"),
        ("ελλ", "ελληνικά και Ελλάδα, café"),
        ("café", "ελληνικά και Ελλάδα, café"),
    ] {
        let (bodies, _) = found(&reader, &[("q", query)]).await;
        assert_eq!(bodies, [expected], "{query}");
    }
}

#[tokio::test]
async fn on_sqlite_words_with_combining_marks_are_found() {
    let app = spawn_app().await;
    combining_marks_story(&app, &app).await;
}

#[tokio::test]
async fn on_redis_words_with_combining_marks_are_found() {
    let (_redis, a, b) = two_nodes().await;
    combining_marks_story(&a, &b).await;
}

/// A database where one word starts 100,000 indexed entries: a search for it reads them
/// all (their messages are not there, so nothing is found: only the work counts).
async fn plant_a_heavy_word(app: &TestApp) {
    use sqlx::Connection;
    let url = crate::helpers::database_url(&app.db_dir);
    let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("db");
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
         INSERT INTO message_search (rowid, body, room, seq) \
         SELECT 1000000 + i, 'aardvark ' || i, 'zoo', i FROM n",
    )
    .execute(&mut conn)
    .await
    .expect("planted");
}

#[tokio::test]
async fn a_search_that_runs_too_long_is_stopped_and_searches_never_hold_up_pages_or_health() {
    use chat::server::access::limits::LimitSettings;
    let app = crate::helpers::spawn_app_with(chat::server::node::config::Settings {
        limits: LimitSettings {
            search_timeout: std::time::Duration::from_millis(20),
            ..LimitSettings::unlimited()
        },
        ..crate::helpers::settings()
    })
    .await;
    plant_a_heavy_word(&app).await;
    let ann = app.browser();
    ann.send("lobby", "hello").await;

    let started = std::time::Instant::now();
    let stopped = search(&ann, &[("q", "aard")]).await;
    assert_eq!(stopped.status(), 422, "stopped, and said so");
    let body: Value = stopped.json().await.expect("JSON");
    assert!(body.to_string().contains("too long"), "{body}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));

    // Sixty at once: pages and the health check answer as if nothing were going on.
    let searches: Vec<_> = (0..60)
        .map(|_| {
            let ann = ann.clone();
            tokio::spawn(async move { search(&ann, &[("q", "aard")]).await.status().as_u16() })
        })
        .collect();
    for path in ["/healthz", "/r/lobby", "/healthz", "/api/rooms"] {
        let asked = std::time::Instant::now();
        let response = ann.get_raw(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            asked.elapsed() < std::time::Duration::from_secs(1),
            "{path} took {:?}",
            asked.elapsed()
        );
    }
    for search in searches {
        let status = search.await.expect("joins");
        assert!(
            [422, 503].contains(&status),
            "never 500 or a hang: {status}"
        );
    }
}
