//! Passkeys over HTTP, where no authenticator is needed: only an account adds one; a name
//! with no passkey (or no account) is refused alike; a ceremony finishes once, only with
//! its own token; nobody removes another's passkey. (Playwright signs in with one, through
//! Chromium's virtual authenticator: end2end/tests/passkeys.spec.ts.)

use crate::helpers::{spawn_app, Browser};
use serde_json::Value;

async fn account(browser: &Browser, name: &str) {
    let response = browser
        .post("sign_up", &[("name", name), ("password", "correct horse")])
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn ceremonies_begin_only_for_whom_they_may_and_finish_once() {
    let app = spawn_app().await;
    // 127.0.0.1 is an address, not a name: passkeys need one (the Host header says localhost).
    let guest = app.browser();
    let password = [("password", "correct horse")];
    assert_eq!(
        guest
            .post("passkey_register_start", &password)
            .await
            .status(),
        401
    );

    let ann = app.browser();
    account(&ann, "Ann").await;
    // A cookie alone does not add a way in: the current password does.
    let wrong = ann
        .post(
            "passkey_register_start",
            &[("password", "not the password")],
        )
        .await;
    assert_eq!(wrong.status(), 401);
    let on_an_address = ann.post("passkey_register_start", &password).await;
    assert_eq!(
        on_an_address.status(),
        422,
        "an IP address is no relying party"
    );
    let begun = ann
        .client
        .post(app.url("/api/passkey_register_start"))
        .header("host", format!("localhost:{}", app.addr.port()))
        .form(&password)
        .send()
        .await
        .expect("request");
    assert_eq!(begun.status(), 200);
    let begun: Value = begun.json().await.expect("JSON");
    let options: Value =
        serde_json::from_str(begun["options"].as_str().expect("options")).expect("options JSON");
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["user"]["name"], "Ann");
    assert!(options["challenge"].as_str().is_some_and(|c| c.len() >= 43));
    let ceremony = begun["ceremony"].as_str().expect("ceremony").to_owned();

    // A made-up answer does not verify, and the ceremony is used up by trying.
    let finish = |ceremony: String| {
        let ann = ann.clone();
        async move {
            ann.post(
                "passkey_register_finish",
                &[
                    ("ceremony", &ceremony),
                    ("credential", "{}"),
                    ("name", "Laptop"),
                ],
            )
            .await
            .status()
        }
    };
    assert_eq!(finish(ceremony.clone()).await, 422);
    assert_eq!(finish(ceremony).await, 422);
    assert_eq!(
        ann.get_json("/api/passkeys").await["passkeys"],
        Value::Array(vec![])
    );

    // Signing in: no such name and a name without passkeys answer alike.
    let stranger = app.browser();
    let sign_in = |name: &'static str| {
        let stranger = stranger.clone();
        async move {
            let response = stranger
                .post("passkey_sign_in_start", &[("name", name)])
                .await;
            (response.status(), response.text().await.expect("body"))
        }
    };
    let (unknown, nobody) = (sign_in("Nobody").await, sign_in("Ann").await);
    assert_eq!(unknown.0, 401);
    assert_eq!(unknown, nobody);
    let forged = stranger
        .post(
            "passkey_sign_in_finish",
            &[
                (
                    "ceremony",
                    &format!("{}.{}", "0".repeat(32), "a".repeat(43)),
                ),
                ("credential", "{}"),
            ],
        )
        .await;
    assert_eq!(forged.status(), 401);
    assert_eq!(stranger.get_json("/api/me").await["guest"], true);
    assert_eq!(
        ann.post("remove_passkey", &[("id", "not-a-passkey")])
            .await
            .status(),
        404
    );
}
