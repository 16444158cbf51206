//! Accounts over HTTP, on SQLite and on two nodes sharing Redis: a guest who signs up keeps
//! everything; another device signs in to the same person; a session ended from one device
//! signs the other out at once, its open streams closing on whichever node they are; a
//! password cannot be guessed faster than ten tries a minute.

use crate::helpers::{settings, spawn_app, spawn_app_with, Browser, TestApp};
use crate::nodes::two_nodes;
use serde_json::Value;
use std::time::{Duration, Instant};

async fn sign_up(browser: &Browser, name: &str, password: &str) -> reqwest::Response {
    browser
        .post("sign_up", &[("name", name), ("password", password)])
        .await
}

async fn sign_in(browser: &Browser, name: &str, password: &str) -> reqwest::Response {
    browser
        .post("sign_in", &[("name", name), ("password", password)])
        .await
}

async fn me(browser: &Browser) -> Value {
    browser.get_json("/api/me").await
}

async fn ok_json(response: reqwest::Response) -> Value {
    let status = response.status();
    let body = response.text().await.expect("body");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

/// A guest signs up on `here`; another device signs in on `there`; ending the second from
/// the first ends its stream on `there`.
async fn two_devices(here: &TestApp, there: &TestApp) {
    let laptop = here.browser();
    let guest = me(&laptop).await;
    assert_eq!(guest["guest"], true);
    assert_eq!(guest["role"], Value::Null);
    let before = laptop.send("lobby", "written as a guest").await;
    let account = ok_json(sign_up(&laptop, "Ann", "correct horse").await).await;
    assert_eq!(
        account["user_id"], guest["user_id"],
        "the guest became the account"
    );
    assert_eq!(account["name"], "Ann");
    assert_eq!(account["role"], "admin", "the first account administers");
    let now = me(&laptop).await;
    assert_eq!(
        (now["guest"].clone(), now["name"].clone()),
        (Value::Bool(false), Value::from("Ann"))
    );
    assert_eq!(
        before.author_id.as_str(),
        account["user_id"].as_str().expect("id")
    );

    // The phone: a fresh browser on the other node.
    let phone = there.browser();
    let refused = sign_in(&phone, "ann", "wrong password").await;
    assert_eq!(refused.status(), 401);
    let unknown = sign_in(&phone, "nobody", "wrong password").await;
    assert_eq!(unknown.status(), 401);
    assert_eq!(
        refused.text().await.expect("body"),
        unknown.text().await.expect("body"),
        "a wrong password and an unknown name answer alike"
    );
    let answer = sign_in(&phone, "ＡＮＮ", "correct horse").await;
    // Whatever this browser kept for offline belonged to whoever used it before.
    assert_eq!(
        answer.headers()["clear-site-data"],
        "\"cache\", \"storage\""
    );
    let signed_in = ok_json(answer).await;
    assert_eq!(signed_in["user_id"], account["user_id"], "the same person");
    let sent = phone.send("lobby", "from the phone").await;
    assert_eq!(sent.author, "Ann");
    assert_eq!(sent.author_id, before.author_id);

    let list = laptop.get_json("/api/sessions").await;
    let sessions = list["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 2, "{list}");
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    let phones = sessions
        .iter()
        .find(|s| s["current"] == false)
        .expect("the phone's");
    let phone_id = phones["id"].as_str().expect("id").to_owned();

    // The phone's open stream closes within 2 s of the laptop ending its session.
    let mut stream = phone.events("lobby", "").await;
    stream.next_presence().await;
    let ended = laptop.post("end_session", &[("id", &phone_id)]).await;
    assert_eq!(ended.status(), 200, "{:?}", ended.text().await);
    let asked = Instant::now();
    stream.until_end().await;
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "closed after {:?}",
        asked.elapsed()
    );
    let after = me(&phone).await;
    assert_eq!(after["guest"], true, "its cookie counts as none");
    assert_ne!(after["user_id"], account["user_id"]);
    assert_eq!(me(&laptop).await["guest"], false, "the laptop is still in");

    // Someone else's session is not theirs to end.
    let eve = here.browser();
    ok_json(sign_up(&eve, "Eve", "eve's password").await).await;
    let laptop_id = laptop.get_json("/api/sessions").await["sessions"][0]["id"].clone();
    let theirs = eve
        .post("end_session", &[("id", laptop_id.as_str().expect("id"))])
        .await;
    assert_eq!(theirs.status(), 404);
    assert_eq!(me(&laptop).await["guest"], false);

    // Signing out ends this session too.
    let mut stream = laptop.events("lobby", "").await;
    stream.next_presence().await;
    let signed_out = laptop.post("sign_out", &[]).await;
    assert_eq!(signed_out.status(), 200);
    // The browser drops its offline copies of the pages and the outbox with them.
    assert_eq!(
        signed_out.headers()["clear-site-data"],
        "\"cache\", \"storage\""
    );
    stream.until_end().await;
    assert_eq!(me(&laptop).await["guest"], true);
}

#[tokio::test]
async fn on_sqlite_a_guest_signs_up_and_a_second_device_is_signed_out_from_the_first() {
    let app = spawn_app().await;
    two_devices(&app, &app).await;
}

#[tokio::test]
async fn on_redis_a_session_ended_on_one_node_closes_its_stream_on_the_other() {
    let (_redis, a, b) = two_nodes().await;
    two_devices(&a, &b).await;
}

#[tokio::test]
async fn names_are_taken_once_and_passwords_have_rules() {
    let app = spawn_app().await;
    let ann = app.browser();
    ok_json(sign_up(&ann, "Zoé", "correct horse").await).await;
    let again = sign_up(&ann, "Someone", "correct horse").await;
    assert_eq!(again.status(), 409, "signed in already");
    let other = app.browser();
    for (taken, why) in [
        ("zoé", "case"),
        ("Zoe\u{301}", "a combining accent"),
        ("ＺＯÉ", "full width"),
    ] {
        let response = sign_up(&other, taken, "correct horse").await;
        assert_eq!(response.status(), 409, "{why}");
    }
    let short = sign_up(&other, "Bob", "short").await;
    assert_eq!(short.status(), 422);
    let reason: Value = short.json().await.expect("JSON");
    assert_eq!(reason["error"], "invalid_input");
    assert!(reason["message"]
        .as_str()
        .expect("message")
        .contains("at least 8"));
    assert_eq!(
        sign_up(&other, "guest-12", "correct horse").await.status(),
        422
    );
    let bob = ok_json(sign_up(&other, "Bob", "correct horse").await).await;
    assert_eq!(bob["role"], "member");
    // An account's name stays unique when renamed.
    let rename = other.post("set_name", &[("name", "ZOÉ")]).await;
    assert_eq!(rename.status(), 409);
    assert_eq!(
        other.post("set_name", &[("name", "Robert")]).await.status(),
        200
    );
    assert_eq!(me(&other).await["name"], "Robert");
    assert_eq!(
        sign_in(&app.browser(), "robert", "correct horse")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn ten_failures_a_minute_stop_even_the_right_password() {
    let app = spawn_app().await;
    ok_json(sign_up(&app.browser(), "Ann", "correct horse").await).await;
    let guesser = app.browser();
    for _ in 0..10 {
        assert_eq!(
            sign_in(&guesser, "ann", "a wrong guess").await.status(),
            401
        );
    }
    let stopped = sign_in(&guesser, "ann", "correct horse").await;
    assert_eq!(stopped.status(), 429);
    assert!(stopped.headers().get("retry-after").is_some());
    // Another address would be stopped by the name alone.
    let owner = app.browser();
    assert_eq!(sign_in(&owner, "ann", "correct horse").await.status(), 429);
}

#[tokio::test]
async fn with_guests_off_reading_is_open_and_writing_needs_an_account() {
    let mut config = settings();
    config.sessions.guests = false;
    let app = spawn_app_with(config).await;
    let visitor = app.browser();
    assert_eq!(visitor.get_raw("/r/lobby").await.status(), 200);
    let refused = visitor
        .post("send_message", &[("room", "lobby"), ("body", "hello")])
        .await;
    assert_eq!(refused.status(), 401);
    ok_json(sign_up(&visitor, "Ann", "correct horse").await).await;
    visitor.send("lobby", "hello").await;
}

#[tokio::test]
async fn a_session_is_read_at_most_once_a_second_so_an_ending_shows_within_one() {
    use chat::domain::{AccountName, UserId};
    use chat::server::access::session::{SessionBook, FRESH_FOR};
    use chat::server::store::{NewAccount, StoredSession};

    let backend = crate::store_contract::Backend::sqlite().await;
    let store = backend.store.clone();
    let ann = UserId::from_random(1);
    store
        .create_account(NewAccount {
            user_id: ann.clone(),
            name: AccountName::parse("Ann").expect("name"),
            name_key: "ann".into(),
            password_hash: "x".into(),
            at: 0,
        })
        .await
        .expect("create")
        .expect("created");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    let id = "0123456789abcdef0123456789abcdef";
    store
        .create_session(&StoredSession {
            id: id.into(),
            user_id: ann.clone(),
            created_at: now,
            last_seen: now,
            user_agent: String::new(),
        })
        .await
        .expect("session");
    let book = SessionBook::new(store.clone(), Duration::from_secs(86_400));
    let read = book.resolve(id).await.expect("read").expect("signed in");
    assert_eq!(
        (read.user_id.clone(), read.name.as_str()),
        (ann.clone(), "Ann")
    );
    // Ended behind the book's back (as another node would): believed for at most a second.
    assert!(store.end_session(&ann, id).await.expect("end"));
    assert!(
        book.resolve(id).await.expect("read").is_some(),
        "not read again at once"
    );
    tokio::time::sleep(FRESH_FOR + Duration::from_millis(100)).await;
    assert_eq!(
        book.resolve(id).await.expect("read"),
        None,
        "read again after a second"
    );
}

#[tokio::test]
async fn a_guest_cookie_from_before_signing_up_is_not_the_account() {
    let app = spawn_app().await;
    let ann = app.browser();
    let first = ann.get_raw("/api/me").await;
    let cookie = first
        .headers()
        .get("set-cookie")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .expect("a guest cookie")
        .to_owned();
    let guest: Value = first.json().await.expect("JSON");
    ok_json(sign_up(&ann, "Ann", "correct horse").await).await;
    // Someone who kept a copy of the guest's cookie is not Ann.
    let copy = reqwest::Client::new()
        .get(app.url("/api/me"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("request");
    let copy: Value = copy.json().await.expect("JSON");
    assert_eq!(copy["guest"], true);
    assert_ne!(copy["user_id"], guest["user_id"]);
    // Nor can a guest take an account's name.
    let other = app.browser();
    assert_eq!(
        other.post("set_name", &[("name", "ANN")]).await.status(),
        409
    );
}

#[tokio::test]
async fn a_stream_opened_just_after_its_session_ended_ends_at_once() {
    use chat::server::access::session::SessionBook;

    let backend = crate::store_contract::Backend::sqlite().await;
    let book = SessionBook::new(backend.store.clone(), Duration::from_secs(86_400));
    let open = book.watch("0123456789abcdef0123456789abcdef");
    book.ended("0123456789abcdef0123456789abcdef");
    tokio::time::timeout(Duration::from_millis(100), open.ended())
        .await
        .expect("an open stream ends");
    // A stream opening a moment later (a reconnect racing the news) ends too.
    let late = book.watch("0123456789abcdef0123456789abcdef");
    tokio::time::timeout(Duration::from_millis(100), late.ended())
        .await
        .expect("a late stream ends at once");
}

/// Ann changes her password on `here`: her phone on `there` is signed out at once (its
/// stream closes), this device stays in, and only the new password signs in.
async fn a_new_password_signs_the_other_devices_out(here: &TestApp, there: &TestApp) {
    let laptop = here.browser();
    ok_json(sign_up(&laptop, "Ann", "correct horse").await).await;
    let phone = there.browser();
    ok_json(sign_in(&phone, "Ann", "correct horse").await).await;
    let mut stream = phone.events("lobby", "").await;
    stream.next_presence().await;

    let wrong = laptop
        .post(
            "change_password",
            &[("current", "not my password"), ("new", "battery staple")],
        )
        .await;
    assert_eq!(wrong.status(), 401);
    let short = laptop
        .post(
            "change_password",
            &[("current", "correct horse"), ("new", "short")],
        )
        .await;
    assert_eq!(short.status(), 422);
    let changed = laptop
        .post(
            "change_password",
            &[("current", "correct horse"), ("new", "battery staple")],
        )
        .await;
    assert_eq!(changed.status(), 200, "{:?}", changed.text().await);
    let asked = Instant::now();
    stream.until_end().await;
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(me(&phone).await["guest"], true, "the phone is signed out");
    assert_eq!(me(&laptop).await["guest"], false, "this device stays in");
    let laptop_sessions = laptop.get_json("/api/sessions").await;
    assert_eq!(
        laptop_sessions["sessions"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        sign_in(&there.browser(), "Ann", "correct horse")
            .await
            .status(),
        401
    );
    ok_json(sign_in(&there.browser(), "Ann", "battery staple").await).await;
    // A guest has no password to change.
    let guest = here.browser();
    let refused = guest
        .post(
            "change_password",
            &[("current", "x"), ("new", "battery staple")],
        )
        .await;
    assert_eq!(refused.status(), 401);
}

#[tokio::test]
async fn on_sqlite_changing_the_password_ends_every_other_session() {
    let app = spawn_app().await;
    a_new_password_signs_the_other_devices_out(&app, &app).await;
}

#[tokio::test]
async fn on_redis_changing_the_password_ends_the_sessions_on_other_nodes() {
    let (_redis, a, b) = two_nodes().await;
    a_new_password_signs_the_other_devices_out(&a, &b).await;
}
