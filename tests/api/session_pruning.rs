//! An account keeps at most 50 sessions: signing in once more ends the least lately seen
//! (its cookie stops working) and any unused past the idle limit; the devices in use stay.

use crate::helpers::{database_url, spawn_app_sharing};
use chat::domain::UserId;
use chat::server::access::accounts::MAX_SESSIONS;
use chat::server::access::session::now_millis;
use chat::server::store::{SqliteStore, Store, StoredSession};
use std::sync::Arc;

#[tokio::test]
async fn signing_in_past_the_most_sessions_ends_the_least_lately_seen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::connect(&database_url(&dir))
            .await
            .expect("store"),
    );
    let app = spawn_app_sharing(store.clone()).await;
    let laptop = app.browser();
    let signed_up = laptop
        .post("sign_up", &[("name", "Ann"), ("password", "correct horse")])
        .await;
    assert_eq!(signed_up.status(), 200);
    let me = laptop.get_json("/api/me").await;
    let user = UserId::parse(me["user_id"].as_str().expect("id")).expect("id");

    // Old devices, each seen a second longer ago than the last; one unused for a year.
    let now = now_millis();
    let old = |n: i64, last_seen: i64| StoredSession {
        id: format!("{n:032x}"),
        user_id: user.clone(),
        created_at: last_seen,
        last_seen,
        user_agent: format!("device {n}"),
    };
    let count = i64::try_from(MAX_SESSIONS).expect("small");
    for n in 1..count {
        store
            .create_session(&old(n, now - 1_000 * n))
            .await
            .expect("stored");
    }
    let year = 365 * 24 * 3_600 * 1_000;
    store
        .create_session(&old(999, now - year))
        .await
        .expect("stored");
    assert_eq!(
        store.sessions_of(&user).await.expect("read").len(),
        MAX_SESSIONS + 1
    );

    let phone = app.browser();
    let signed_in = phone
        .post("sign_in", &[("name", "Ann"), ("password", "correct horse")])
        .await;
    assert_eq!(signed_in.status(), 200);
    let kept = store.sessions_of(&user).await.expect("read");
    assert_eq!(kept.len(), MAX_SESSIONS);
    let ids: Vec<&str> = kept.iter().map(|s| s.id.as_str()).collect();
    assert!(
        !ids.contains(&format!("{:032x}", 999).as_str()),
        "idle for a year"
    );
    assert!(
        !ids.contains(&format!("{:032x}", count - 1).as_str()),
        "the least lately seen"
    );
    assert!(ids.contains(&format!("{:032x}", count - 2).as_str()));
    assert_eq!(
        laptop.get_json("/api/me").await["guest"],
        false,
        "in use, kept"
    );
    assert_eq!(phone.get_json("/api/me").await["guest"], false);
}
