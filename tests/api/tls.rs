//! HTTPS served directly (`CHAT_TLS_CERT`, `CHAT_TLS_KEY`): a client negotiates HTTP/2 by
//! ALPN, receives its events over it, and the session cookie is `Secure`.

use crate::helpers::{settings, spawn_app_with, Browser, TestApp};
use chat::server::node::tls_settings::TlsSettings;
use std::time::Duration;
use tempfile::TempDir;

/// A server with a fresh self-signed certificate for 127.0.0.1, and that certificate.
async fn https_app() -> (TestApp, reqwest::Certificate, TempDir) {
    let (app, trusted, _, dir) = https_app_with(settings()).await;
    (app, trusted, dir)
}

/// The same with these settings; the certificate also as DER, for a client of one's own.
async fn https_app_with(
    mut settings: chat::server::node::config::Settings,
) -> (TestApp, reqwest::Certificate, Vec<u8>, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()])
        .expect("a self-signed certificate");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).expect("write cert");
    std::fs::write(&key, certified.key_pair.serialize_pem()).expect("write key");
    settings.tls = Some(TlsSettings { cert, key });
    let app = spawn_app_with(settings).await;
    let trusted = reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).expect("PEM");
    (app, trusted, certified.cert.der().to_vec(), dir)
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
    // The first request of its connection: answered on the socket, under TLS too.
    assert_eq!(
        response.headers().get("connection").map(|v| v.as_bytes()),
        Some(&b"close"[..])
    );
    let mut stream = crate::helpers::SseStream::new(response.bytes_stream());
    bob.send("lobby", "over http/1.1").await;
    let message = tokio::time::timeout(Duration::from_secs(5), stream.next_message())
        .await
        .expect("the event arrives");
    assert_eq!(message.body, "over http/1.1");
    // Plain HTTP to a TLS port gets no page.
    let plain = reqwest::get(format!("http://{}/healthz", app.addr)).await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true));
}

/// An HTTP/2 connection that says hello (preface and settings) and then nothing.
async fn idle_h2_connection(
    app: &TestApp,
    der: &[u8],
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    use tokio::io::AsyncWriteExt;
    use tokio_rustls::rustls;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(der.to_vec()))
        .expect("root");
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").expect("name");
    let mut tls = connector.connect(name, tcp).await.expect("handshake");
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    // The client preface, then an empty SETTINGS frame.
    tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .expect("preface");
    tls
}

/// Reads until the server closes the connection; `false` if it is still open after `within`.
async fn closed_within<S: tokio::io::AsyncRead + Unpin>(stream: &mut S, within: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buffer = [0u8; 4096];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test]
async fn idle_http2_connections_are_closed_and_busy_ones_are_not() {
    let mut settings = settings();
    settings.idle_timeout = Duration::from_secs(1);
    let (app, trusted, der, _dir) = https_app_with(settings).await;
    let mut idle = Vec::new();
    for _ in 0..30 {
        idle.push(idle_h2_connection(&app, &der).await);
    }
    // A connection with a stream open is busy, however quiet the stream.
    let alice = https_browser(&app, &trusted, false);
    let response = alice.browser_events_response("lobby:0").await;
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    let mut stream = crate::helpers::SseStream::new(response.bytes_stream());
    for connection in &mut idle {
        assert!(
            closed_within(connection, Duration::from_secs(5)).await,
            "an idle connection is still open"
        );
    }
    alice.send("lobby", "still here").await;
    let message = tokio::time::timeout(Duration::from_secs(5), stream.next_message())
        .await
        .expect("the open stream still delivers");
    assert_eq!(message.body, "still here");
}

#[tokio::test]
async fn one_address_cannot_hold_more_than_its_connections() {
    let mut settings = settings();
    settings.limits.connections_per_address = Some(5);
    let app = spawn_app_with(settings).await;
    let mut connections = Vec::new();
    for _ in 0..8 {
        let tcp = tokio::net::TcpStream::connect(app.addr)
            .await
            .expect("connect");
        connections.push(tcp);
    }
    let mut closed = 0;
    for connection in &mut connections {
        if closed_within(connection, Duration::from_millis(500)).await {
            closed += 1;
        }
    }
    assert_eq!(closed, 3, "the three past the cap are closed at once");
    // Closing one gives its place back.
    drop(connections.remove(0));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.get("/livez").await.status(), 200);
}

/// A fresh self-signed certificate for 127.0.0.1, written to `dir` as `cert.pem` and
/// `key.pem` (over what was there); the client's trust in it.
fn new_certificate(dir: &std::path::Path) -> reqwest::Certificate {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()])
        .expect("a self-signed certificate");
    // Written aside and renamed into place, as certbot and friends replace them.
    for (name, pem) in [
        ("cert.pem", certified.cert.pem()),
        ("key.pem", certified.key_pair.serialize_pem()),
    ] {
        let aside = dir.join(format!("{name}.new"));
        std::fs::write(&aside, pem).expect("write");
        std::fs::rename(&aside, dir.join(name)).expect("rename");
    }
    reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).expect("PEM")
}

/// A client that trusts `trusted` only.
fn trusting(trusted: &reqwest::Certificate) -> reqwest::Client {
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(trusted.clone())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

#[tokio::test]
async fn sighup_reads_a_renewed_certificate_and_open_streams_go_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = new_certificate(dir.path());
    let env = [
        (
            "CHAT_TLS_CERT",
            dir.path().join("cert.pem").display().to_string(),
        ),
        (
            "CHAT_TLS_KEY",
            dir.path().join("key.pem").display().to_string(),
        ),
        (
            "DATABASE_URL",
            format!("sqlite://{}/chat.db", dir.path().display()),
        ),
    ];
    let server = crate::binary::Binary::start_https(&env, &old).await;
    let response = server
        .client
        .get(server.url("/api/rooms/lobby/events"))
        .send()
        .await
        .expect("a stream over the old certificate");
    let mut open = crate::helpers::SseStream::new(response.bytes_stream());

    // Renewed files alone change nothing until the signal.
    let new = new_certificate(dir.path());
    assert!(trusting(&new)
        .get(server.url("/livez"))
        .send()
        .await
        .is_err());
    server.hangup();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while trusting(&new)
        .get(server.url("/livez"))
        .send()
        .await
        .is_err()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the new certificate is not served"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        trusting(&old)
            .get(server.url("/livez"))
            .send()
            .await
            .is_err(),
        "a new connection gets the new certificate only"
    );

    // The stream opened before goes on over its connection.
    let sent = trusting(&new)
        .post(server.url("/api/send_message"))
        .form(&[("room", "lobby"), ("body", "after the renewal")])
        .send()
        .await
        .expect("send");
    assert_eq!(sent.status(), 200);
    let message = tokio::time::timeout(Duration::from_secs(5), open.next_message())
        .await
        .expect("the open stream still delivers");
    assert_eq!(message.body, "after the renewal");

    // Files that are not a certificate leave the current one in place.
    std::fs::write(dir.path().join("cert.pem"), "not a certificate").expect("write");
    server.hangup();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let still = trusting(&new).get(server.url("/livez")).send().await;
    assert_eq!(still.expect("still served").status(), 200);
    server.terminate().await;
}

#[tokio::test]
async fn sighup_without_tls_leaves_the_node_serving() {
    // `systemctl reload` sends it whatever the setup; its default action would end the node.
    let dir = tempfile::tempdir().expect("temp dir");
    let server = crate::binary::Binary::start(&[(
        "DATABASE_URL",
        format!("sqlite://{}/chat.db", dir.path().display()),
    )])
    .await;
    server.hangup();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.health().await.0, 200, "still serving");
    server.terminate().await;
}
