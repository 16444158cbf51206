//! HTTPS served directly (`CHAT_TLS_CERT`, `CHAT_TLS_KEY`): a client negotiates HTTP/2 by
//! ALPN, receives its events over it, and the session cookie is `Secure`.

use crate::helpers::{settings, spawn_app_with, Browser, TestApp};
use chat::server::tls::TlsSettings;
use std::time::Duration;
use tempfile::TempDir;

/// A server with a fresh self-signed certificate for 127.0.0.1, and that certificate.
async fn https_app() -> (TestApp, reqwest::Certificate, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()])
        .expect("a self-signed certificate");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).expect("write cert");
    std::fs::write(&key, certified.key_pair.serialize_pem()).expect("write key");
    let mut settings = settings();
    settings.tls = Some(TlsSettings { cert, key });
    let app = spawn_app_with(settings).await;
    let trusted = reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).expect("PEM");
    (app, trusted, dir)
}

fn https_browser(app: &TestApp, trusted: &reqwest::Certificate, http1_only: bool) -> Browser {
    let mut client = reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(trusted.clone())
        .cookie_store(true);
    if http1_only {
        client = client.http1_only();
    }
    let client = client.build().expect("client");
    Browser::with_client(client, format!("https://{}", app.addr))
}

#[tokio::test]
async fn a_client_negotiates_http2_and_receives_its_events_over_it() {
    let (app, trusted, _dir) = https_app().await;
    let alice = https_browser(&app, &trusted, false);
    let page = alice
        .client
        .get(format!("https://{}/r/lobby", app.addr))
        .send()
        .await
        .expect("page");
    assert_eq!(page.version(), reqwest::Version::HTTP_2);
    let cookie = page
        .headers()
        .get("set-cookie")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.starts_with("__Host-"), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert_eq!(
        page.headers()
            .get("strict-transport-security")
            .and_then(|value| value.to_str().ok()),
        Some("max-age=31536000"),
        "HTTPS only from now on"
    );

    let response = alice.browser_events_response("lobby:0,rust:0").await;
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    let mut stream = crate::helpers::SseStream::new(response.bytes_stream());
    // Sending goes over the same connection as the open stream.
    alice.send("rust", "over h2").await;
    let message = tokio::time::timeout(Duration::from_secs(5), stream.next_message())
        .await
        .expect("the event arrives");
    assert_eq!(message.body, "over h2");
}

#[tokio::test]
async fn http1_over_tls_still_works_and_plain_http_is_refused() {
    let (app, trusted, _dir) = https_app().await;
    let bob = https_browser(&app, &trusted, true);
    let response = bob.browser_events_response("lobby:0").await;
    assert_eq!(response.version(), reqwest::Version::HTTP_11);
    assert_eq!(response.status(), 200);
    // Plain HTTP to a TLS port gets no page.
    let plain = reqwest::get(format!("http://{}/healthz", app.addr)).await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true));
}
