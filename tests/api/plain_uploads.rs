//! Attaching files without JavaScript: the room page's upload form posts to
//! `/api/upload?then=page&room=…&attach=…` and is sent back to the room holding the file
//! (`?attach=`, which `GET /api/room` answers as `attaching`: the viewer's unsent uploads
//! only), or told why not in the words of a fixed sentence (`__path=/api/upload&__err=kind`).

use crate::helpers::{settings, spawn_app_with, Browser};
use crate::uploads::send_with;
use serde_json::Value;

/// Where an answer sends the browser (`303`), as the query's pairs, and that page's HTML.
async fn landed(browser: &Browser, answer: reqwest::Response) -> (Vec<(String, String)>, String) {
    assert_eq!(answer.status(), 303, "back to the room");
    let to = answer.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let url = reqwest::Url::parse("http://chat.test")
        .expect("base")
        .join(&to)
        .expect("url");
    assert_eq!(url.path(), "/r/lobby");
    let page = browser.get_raw(&to).await.text().await.expect("page");
    (url.query_pairs().into_owned().collect(), page)
}

fn held(query: &[(String, String)]) -> String {
    query
        .iter()
        .find(|(key, _)| key == "attach")
        .map(|(_, ids)| ids.clone())
        .expect("?attach=")
}

#[tokio::test]
async fn a_page_without_script_uploads_files_one_by_one_and_sends_them() {
    let mut settings = settings();
    settings.files.max_file_bytes = 64 * 1024;
    let app = spawn_app_with(settings).await;
    let alice = app.browser();
    let bob = app.browser();
    alice.set_name("Alice").await;
    bob.set_name("Bob").await;
    let kind = "text/plain";

    let first = alice
        .upload_to(
            "/api/upload?then=page&room=lobby&attach=",
            "lobby",
            "a.txt",
            kind,
            b"aa".to_vec(),
        )
        .await;
    let (query, page) = landed(&alice, first).await;
    let held = held(&query);
    assert!(page.contains("a.txt"), "the composer shows the file");

    // A second file joins the first; one over the limit is refused with a fixed sentence,
    // and the files held stay held.
    let path = format!("/api/upload?then=page&room=lobby&attach={held}");
    let second = alice
        .upload_to(&path, "lobby", "b.txt", kind, b"bb".to_vec())
        .await;
    let (query, page) = landed(&alice, second).await;
    let both = self::held(&query);
    assert!(page.contains("a.txt") && page.contains("b.txt"));
    assert_eq!(both.split(',').count(), 2);
    assert!(both.starts_with(&held));
    let path = format!("/api/upload?then=page&room=lobby&attach={both}");
    let refused = alice
        .upload_to(&path, "lobby", "big.bin", kind, vec![b'x'; 65 * 1024])
        .await;
    let (query, page) = landed(&alice, refused).await;
    assert!(
        query.contains(&("__path".into(), "/api/upload".into())),
        "{query:?}"
    );
    assert!(
        query.contains(&("__err".into(), "file_too_large".into())),
        "{query:?}"
    );
    assert!(
        query.contains(&("attach".into(), both.clone())),
        "{query:?}"
    );
    assert!(page.contains("That file is larger than this chat accepts."));

    // The room answers the files asked for that are the viewer's own and unsent, in order.
    let mine = alice
        .get_json(&format!("/api/room?room=lobby&attach={both}"))
        .await;
    let names: Vec<&str> = mine["attaching"]
        .as_array()
        .expect("attaching")
        .iter()
        .filter_map(|file| file["name"].as_str())
        .collect();
    assert_eq!(names, ["a.txt", "b.txt"]);
    let theirs = bob
        .get_json(&format!("/api/room?room=lobby&attach={both}"))
        .await;
    assert!(theirs.get("attaching").is_none(), "not Bob's: {theirs}");
    let elsewhere = alice
        .get_json(&format!("/api/room?room=rust&attach={both}"))
        .await;
    assert!(elsewhere.get("attaching").is_none(), "another room's");

    // Sent as the composer's form sends them, they are held no more.
    let ids: Vec<&str> = both.split(',').collect();
    let sent = send_with(&alice, "lobby", "two files", &ids).await;
    assert_eq!(sent.status(), 200);
    let message: Value = sent.json().await.expect("JSON");
    assert_eq!(message["attachments"].as_array().map(Vec::len), Some(2));
    let after = alice
        .get_json(&format!("/api/room?room=lobby&attach={both}"))
        .await;
    assert!(after.get("attaching").is_none(), "sent: {after}");
}
