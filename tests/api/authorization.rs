//! Who may change what: only the author edits or deletes a message; other sites change
//! nothing. Edits and deletes are log events with their own seq, replayed on resume.

use crate::helpers::{spawn_app, Browser};
use serde_json::Value;

async fn status_and_message(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or_default();
    (
        status,
        body["message"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn edit(who: &Browser, seq: u64, body: &str) -> reqwest::Response {
    who.post(
        "edit_message",
        &[("room", "lobby"), ("seq", &seq.to_string()), ("body", body)],
    )
    .await
}

async fn delete(who: &Browser, seq: u64) -> reqwest::Response {
    who.post(
        "delete_message",
        &[("room", "lobby"), ("seq", &seq.to_string())],
    )
    .await
}

#[tokio::test]
async fn another_users_message_cannot_be_edited_or_deleted() {
    let app = spawn_app().await;
    let (alice, mallory) = (app.browser(), app.browser());
    let message = alice.send("lobby", "alice's words").await;
    let mut stream = app.events("lobby", "", None).await;

    let (status, text) =
        status_and_message(edit(&mallory, message.seq.get(), "mallory's words").await).await;
    assert_eq!(
        (status, text.as_str()),
        (403, "You can only change your own messages.")
    );
    let (status, _) = status_and_message(delete(&mallory, message.seq.get()).await).await;
    assert_eq!(status, 403);

    let page = alice.get_json("/api/room?room=lobby").await;
    assert_eq!(
        page["messages"][0]["body"], "alice's words",
        "nothing changed"
    );
    let next = alice.send("lobby", "next").await;
    assert_eq!(
        next.seq.get(),
        message.seq.get() + 1,
        "refusals took no seq"
    );
    assert_eq!(stream.next_message().await, next, "and were not broadcast");
}

#[tokio::test]
async fn the_author_edits_and_deletes_and_everyone_sees_it_live_and_on_resume() {
    let app = spawn_app().await;
    let alice = app.browser();
    let mut live = app.events("lobby", "", None).await;
    let message = alice.send("lobby", "teh typo").await;
    assert_eq!(live.next_message().await.seq, message.seq);

    let response = edit(&alice, message.seq.get(), "the typo, fixed").await;
    assert_eq!(response.status(), 200);
    let event = live.next_log_event().await;
    assert_eq!(
        (event.event.as_deref(), event.id.as_deref()),
        (Some("edit"), Some("2"))
    );
    let data: Value = serde_json::from_str(&event.data).expect("json");
    assert_eq!(
        (data["target"].as_u64(), data["body"].as_str()),
        (Some(1), Some("the typo, fixed"))
    );

    assert_eq!(delete(&alice, message.seq.get()).await.status(), 200);
    let event = live.next_log_event().await;
    assert_eq!(
        (event.event.as_deref(), event.id.as_deref()),
        (Some("delete"), Some("3"))
    );

    // Editing or deleting it again: it is gone.
    assert_eq!(edit(&alice, 1, "again").await.status(), 404);
    assert_eq!(delete(&alice, 1).await.status(), 404);
    assert_eq!(delete(&alice, 99).await.status(), 404);

    // A client that was away replays all three, and never sees the deleted words.
    let mut resumed = app.events("lobby", "", Some(0)).await;
    let kinds: Vec<String> = [
        resumed.next_log_event().await,
        resumed.next_log_event().await,
        resumed.next_log_event().await,
    ]
    .iter()
    .map(|e| {
        assert!(
            !e.data.contains("typo"),
            "deleted text replayed: {}",
            e.data
        );
        format!(
            "{}:{}",
            e.event.as_deref().unwrap_or(""),
            e.id.as_deref().unwrap_or("")
        )
    })
    .collect();
    assert_eq!(kinds, ["message:1", "edit:2", "delete:3"]);

    let page = alice.get_json("/api/room?room=lobby").await;
    assert_eq!(page["messages"][0]["deleted"], true);
    assert_eq!(page["messages"][0]["body"], "");
    assert_eq!(page["cursor"], 3);
}

#[tokio::test]
async fn state_changing_requests_from_other_sites_are_refused() {
    let app = spawn_app().await;
    let url = app.url("/api/send_message");
    let host = app.addr.to_string();
    let fields = [("room", "lobby"), ("body", "forged")];
    for (name, value) in [
        ("origin", "https://evil.example".to_owned()),
        ("origin", "null".to_owned()),
        ("sec-fetch-site", "cross-site".to_owned()),
    ] {
        let response = app
            .client
            .post(&url)
            .header(name, value.clone())
            .form(&fields)
            .send()
            .await
            .expect("send");
        let (status, text) = status_and_message(response).await;
        assert_eq!(status, 403, "{name}: {value}");
        assert!(text.contains("other sites"), "{text}");
    }
    let same_site = app
        .client
        .post(&url)
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .form(&fields)
        .send()
        .await
        .expect("send");
    assert_eq!(same_site.status(), 200, "our own pages may post");
    assert_eq!(
        same_site.json::<Value>().await.expect("json")["seq"],
        1,
        "nothing forged was stored"
    );
}
