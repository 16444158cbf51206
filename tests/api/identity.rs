//! Anonymous identity: a signed session cookie; the author always comes from it.

use crate::helpers::spawn_app;

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
    assert!(cookie.starts_with("chat_session=v1."), "{cookie}");
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
    let forged = format!("chat_session=v1.{}.QWxpY2U.AAAA", theirs.author_id);
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

    // The signing key is kept in the store, so the old cookie still proves who Ann is.
    let app = crate::helpers::spawn_app_on(db, crate::helpers::settings()).await;
    let after = ann.at(&app).send("lobby", "after").await;
    assert_eq!(after.author_id, before.author_id);
    assert_eq!(after.author, "Ann");
}
