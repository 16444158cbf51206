//! Anonymous identity: a signed session cookie; the author always comes from it.

use crate::helpers::{settings, spawn_app, spawn_app_on, spawn_app_with};
use chat::server::access::session::SessionSettings;
use chat::server::node::config::{Secret, Settings};
use std::sync::Arc;

#[tokio::test]
async fn a_client_without_a_cookie_gets_a_signed_guest_session() {
    let app = spawn_app().await;
    let response = app
        .post_send(&[("room", "lobby"), ("body", "who am I?")])
        .await;
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .expect("a session cookie");
    assert!(cookie.starts_with("chat_session=v2."), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let message: chat::domain::ChatMessage = response.json().await.expect("json");
    assert!(message.author.starts_with("guest-"), "{}", message.author);

    let again = app.send("lobby", "and now?").await;
    assert_ne!(
        again.author_id, message.author_id,
        "a script without cookies is a new guest each time"
    );
}

#[tokio::test]
async fn one_browser_keeps_its_identity_and_can_change_its_name() {
    let app = spawn_app().await;
    let ann = app.browser();
    let first = ann.send("lobby", "hello").await;
    ann.set_name("  Ann Lee ").await;
    let second = ann.send("lobby", "it's me").await;
    assert_eq!(first.author_id, second.author_id);
    assert_eq!(second.author, "Ann Lee");
    assert!(first.author.starts_with("guest-"));
}

#[tokio::test]
async fn the_author_comes_from_the_session_never_from_the_request() {
    let app = spawn_app().await;
    let mallory = app.browser();
    mallory.set_name("Mallory").await;
    let response = mallory
        .post(
            "send_message",
            &[
                ("room", "lobby"),
                ("body", "trust me"),
                ("author", "Alice"),
                ("author_id", "0"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let message: chat::domain::ChatMessage = response.json().await.expect("json");
    assert_eq!(message.author, "Mallory");
}

#[tokio::test]
async fn a_forged_session_cookie_is_worth_nothing() {
    let app = spawn_app().await;
    let alice = app.browser();
    alice.set_name("Alice").await;
    let theirs = alice.send("lobby", "mine").await;

    // Mallory copies the user id into a cookie of her own making.
    let forged = format!(
        "chat_session=v2.{}.QWxpY2U.1800000000.AAAA",
        theirs.author_id
    );
    let response = app
        .client
        .post(app.url("/api/send_message"))
        .header("cookie", forged)
        .form(&[("room", "lobby"), ("body", "as alice?")])
        .send()
        .await
        .expect("send");
    let message: chat::domain::ChatMessage = response.json().await.expect("json");
    assert_ne!(message.author_id, theirs.author_id);
    assert_ne!(message.author, "Alice");
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let app = spawn_app().await;
    let ann = app.browser();
    ann.set_name("Ann").await;
    let before = ann.send("lobby", "before").await;
    let db = app.stop().await;

    // The signing key is kept beside the database, so the old cookie still proves who Ann is.
    let app = crate::helpers::spawn_app_on(db, crate::helpers::settings()).await;
    let after = ann.at(&app).send("lobby", "after").await;
    assert_eq!(after.author_id, before.author_id);
    assert_eq!(after.author, "Ann");
}

/// Settings whose cookies are signed with `secrets` (newest first).
fn signed_with(secrets: &[&str]) -> Settings {
    Settings {
        sessions: SessionSettings {
            secrets: secrets.iter().map(|s| Secret::new(s.repeat(32))).collect(),
            ..SessionSettings::default()
        },
        ..settings()
    }
}

/// The session cookie a response sets, if any.
fn set_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("chat_session="))
        .map(str::to_owned)
}

#[tokio::test]
async fn a_copy_of_the_database_is_not_enough_to_be_someone() {
    let app = spawn_app().await;
    let ann = app.browser();
    ann.set_name("Ann").await;
    let before = ann.send("lobby", "before").await;
    let dir = app.stop().await;

    // The stored data holds no signing key...
    let db = dir.path().join("chat.db");
    let stolen = tempfile::tempdir().expect("temp dir");
    // A consistent copy (the file alone may miss what its write-ahead log still holds).
    // The stopped server's connections may still be closing (checkpointing the log):
    // the copy waits for them as any other reader would.
    let copied = std::process::Command::new("sqlite3")
        .args(["-cmd", ".timeout 5000"])
        .arg(&db)
        .arg(format!(
            "VACUUM INTO '{}'",
            stolen.path().join("chat.db").display()
        ))
        .output()
        .expect("sqlite3 runs");
    assert!(copied.status.success(), "{copied:?}");
    let raw = std::fs::read(&db).expect("read");
    assert!(
        !raw.windows(11).any(|w| w == b"session_key"),
        "no session key in the database file"
    );
    // ...so a server on a copy of it (without the key file) does not know Ann's cookie.
    let copy = spawn_app_on(Arc::new(stolen), settings()).await;
    let there = ann.at(&copy).send("lobby", "who am I there?").await;
    assert_ne!(there.author_id, before.author_id);
}

#[tokio::test]
async fn rotated_secrets_keep_people_signed_in_and_move_them_to_the_new_one() {
    let old = spawn_app_with(signed_with(&["o"])).await;
    let ann = old.browser();
    ann.set_name("Ann").await;
    let before = ann.send("lobby", "before").await;
    let dir = old.stop().await;

    // The new secret first; the old one still accepted: Ann is still Ann, and her cookie
    // is renewed under the new secret.
    let rotated = spawn_app_on(dir, signed_with(&["n", "o"])).await;
    let response = ann
        .at(&rotated)
        .post("send_message", &[("room", "lobby"), ("body", "during")])
        .await;
    let renewed = set_cookie(&response).expect("a renewed cookie");
    assert!(renewed.contains("Max-Age="), "{renewed}");
    let during: chat::domain::ChatMessage = response.json().await.expect("json");
    assert_eq!(during.author_id, before.author_id);
    let dir = rotated.stop().await;

    // Once the old secret is dropped, the renewed cookie still works; an old one would not.
    let new = spawn_app_on(dir, signed_with(&["n"])).await;
    let after = ann.at(&new).send("lobby", "after").await;
    assert_eq!(after.author_id, before.author_id);
    assert_eq!(after.author, "Ann");
}

#[tokio::test]
async fn a_cookie_is_not_resent_on_every_request() {
    let app = spawn_app().await;
    let ann = app.browser();
    let first = ann
        .post("send_message", &[("room", "lobby"), ("body", "one")])
        .await;
    assert!(set_cookie(&first).is_some(), "a new guest gets a cookie");
    let second = ann
        .post("send_message", &[("room", "lobby"), ("body", "two")])
        .await;
    assert_eq!(set_cookie(&second), None, "renewed at most once a day");
}

#[tokio::test]
async fn over_https_the_session_cookie_is_host_only_and_secure() {
    let mut https = settings();
    https.sessions.secure_cookies = true;
    let app = spawn_app_with(https).await;
    let response = app.post_send(&[("room", "lobby"), ("body", "hi")]).await;
    let cookie = set_cookie(&response).expect("a cookie");
    assert!(cookie.starts_with("__Host-chat_session=v2."), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(
        cookie.contains("; Path=/;") && !cookie.contains("Domain"),
        "{cookie}"
    );
}
