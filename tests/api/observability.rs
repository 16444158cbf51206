//! What an operator sees: probes, request ids, logs.

use crate::binary::Binary;
use crate::helpers::spawn_app;

#[tokio::test]
async fn every_response_carries_a_request_id_the_client_s_when_it_is_plain() {
    let app = spawn_app().await;
    let response = app.get("/livez").await;
    let made = response.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(made.len(), 36, "a UUID: {made}");
    assert_ne!(
        app.get("/livez").await.headers()["x-request-id"],
        made.as_str(),
        "a new one each time"
    );

    let kept = app
        .client
        .get(app.url("/livez"))
        .header("x-request-id", "lb-7f3a")
        .send()
        .await
        .expect("request");
    assert_eq!(kept.headers()["x-request-id"], "lb-7f3a");
    let replaced = app
        .client
        .get(app.url("/livez"))
        .header("x-request-id", "\"injected\": true")
        .send()
        .await
        .expect("request");
    let id = replaced.headers()["x-request-id"].to_str().expect("ascii");
    assert_eq!(id.len(), 36, "not the client's: {id}");
}

#[tokio::test]
async fn json_logs_name_the_request_id_in_the_lines_of_that_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("chat.log");
    let env = [
        (
            "DATABASE_URL",
            format!("sqlite://{}/chat.db", dir.path().display()),
        ),
        ("CHAT_LOG_FORMAT", "json".to_owned()),
        ("RUST_LOG", "info".to_owned()),
    ];
    let binary = Binary::start_logging_to(&env, &log).await;
    let response = binary
        .client
        .post(format!("{}/api/send_message", binary.base))
        .header("x-request-id", "trace-me-42")
        .form(&[("room", "lobby"), ("body", "hello")])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    drop(binary);
    let text = std::fs::read_to_string(&log).expect("log");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is JSON"))
        .collect();
    let of_request: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|line| line.to_string().contains("trace-me-42"))
        .collect();
    assert!(!of_request.is_empty(), "the request's lines: {text}");
    assert!(
        of_request
            .iter()
            .any(|line| line["span"]["request_id"] == "trace-me-42"),
        "{text}"
    );
}

/// The value of `series` (`name` or `name{label="value"}`) in a Prometheus text page.
pub fn metric(page: &str, series: &str) -> f64 {
    page.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            (name == series).then(|| value.parse().ok())?
        })
        .unwrap_or(0.0)
}

/// `/metrics` of a server at `base`.
pub async fn scrape(client: &reqwest::Client, base: &str) -> String {
    let response = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(response.status(), 200);
    response.text().await.expect("text")
}

#[tokio::test]
async fn metrics_move_when_their_events_happen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let env = [
        (
            "DATABASE_URL",
            format!("sqlite://{}/chat.db", dir.path().display()),
        ),
        ("CHAT_RATE_LIMITS", "on".to_owned()),
        ("CHAT_SEND_BURST", "3".to_owned()),
    ];
    // Its own process: the counts are this test's alone.
    let server = Binary::start(&env).await;
    let client = &server.client;
    let page = scrape(client, &server.base).await;
    assert_eq!(metric(&page, "chat_open_streams{transport=\"room\"}"), 0.0);

    let room_stream = server.events("lobby").await;
    let browser_stream = client
        .get(server.url("/api/events?rooms=lobby:0,rust:0"))
        .send()
        .await
        .expect("browser stream");
    let page = scrape(client, &server.base).await;
    assert_eq!(metric(&page, "chat_open_streams{transport=\"room\"}"), 1.0);
    assert_eq!(
        metric(&page, "chat_open_streams{transport=\"browser\"}"),
        1.0
    );

    // One person (one session): the send limit is per person.
    let person = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let send = |body: &'static str, origin: Option<&'static str>| {
        let mut request = person
            .post(server.url("/api/send_message"))
            .form(&[("room", "lobby"), ("body", body)]);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        async move { request.send().await.expect("send").status().as_u16() }
    };
    assert_eq!(send("hello", None).await, 200);
    assert_eq!(send("", None).await, 422);
    assert_eq!(
        send("from elsewhere", Some("http://evil.example")).await,
        403
    );
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(send("again", None).await);
    }
    assert!(statuses.contains(&429), "{statuses:?}");

    let page = scrape(client, &server.base).await;
    assert!(
        page.contains("# HELP chat_events_delivered_total"),
        "{page}"
    );
    assert!(metric(&page, "chat_send_seconds_count") >= 1.0, "{page}");
    assert!(
        metric(&page, "chat_events_delivered_total") >= 2.0,
        "the message reached both streams: {page}"
    );
    assert_eq!(
        metric(&page, "chat_rejected_requests_total{reason=\"bad_input\"}"),
        1.0
    );
    assert_eq!(
        metric(&page, "chat_rejected_requests_total{reason=\"origin\"}"),
        1.0
    );
    assert!(metric(&page, "chat_rejected_requests_total{reason=\"rate_limit\"}") >= 1.0);
    assert!(
        metric(&page, "chat_presence_flushes_total") >= 1.0,
        "{page}"
    );

    drop(room_stream);
    drop(browser_stream);
    let mut closed = false;
    for _ in 0..50 {
        let page = scrape(client, &server.base).await;
        if metric(&page, "chat_open_streams{transport=\"room\"}") == 0.0
            && metric(&page, "chat_open_streams{transport=\"browser\"}") == 0.0
        {
            closed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(closed, "closed streams are no longer counted");
}

/// What the release binary, run as `make run` runs it, keeps to itself: no working invite
/// token in its log, a database only its owner can read, and pages that may open no
/// socket to another host.
#[tokio::test]
async fn the_release_keeps_invite_tokens_out_of_its_log_and_its_database_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("chat.log");
    let env = [
        (
            "DATABASE_URL",
            format!("sqlite://{}/data/chat.db", dir.path().display()),
        ),
        ("RUST_LOG", "info".to_owned()),
    ];
    let binary = Binary::start_logging_to(&env, &log).await;
    let created: serde_json::Value = binary
        .client
        .post(format!("{}/api/create_room", binary.base))
        .form(&[("name", "vault"), ("private", "true")])
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("JSON");
    let invite = created["invite"].as_str().expect("invite").to_owned();
    let tag = invite.rsplit('.').next().expect("tag").to_owned();
    let shown = binary
        .client
        .get(binary.url(&invite))
        .send()
        .await
        .expect("show");
    assert_eq!(shown.status(), 200);
    let policy = shown.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(!policy.contains("ws:"), "{policy}");
    let page = binary
        .client
        .get(binary.url("/"))
        .send()
        .await
        .expect("page");
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .expect("ascii");
    assert!(policy.contains("connect-src 'self';"), "{policy}");
    drop(binary);
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(text.contains("/invite/"), "the request is logged: {text}");
    assert!(!text.contains(&tag), "the token is not: {text}");
    for name in ["chat.db", "chat.db-wal"] {
        let file = dir.path().join("data").join(name);
        let mode = std::fs::metadata(&file).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{name}: {mode:o}");
    }
}

#[tokio::test]
async fn with_a_metrics_address_metrics_are_served_there_and_not_on_the_public_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let env = [
        (
            "DATABASE_URL",
            format!("sqlite://{}/chat.db", dir.path().display()),
        ),
        ("CHAT_METRICS_ADDR", format!("127.0.0.1:{port}")),
    ];
    let server = Binary::start(&env).await;
    let public = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("public /metrics");
    assert_eq!(public.status(), 404, "not on the public address");
    let page = scrape(&server.client, &format!("http://127.0.0.1:{port}")).await;
    assert!(page.contains("# TYPE chat_"), "{page}");
}

/// `chat ARGS` run to its end (it must end by itself within 10 s): status, stdout.
fn run_cli(args: &[&str]) -> (std::process::ExitStatus, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = std::process::Command::new(Binary::path())
        .args(args)
        .current_dir(dir.path())
        // Were it to serve, it would do so here: the test would see it hang.
        .env("CHAT_ADDR", "127.0.0.1:0")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("chat runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("`chat {}` did not end: it started serving", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().expect("stdout"), &mut out)
        .expect("read");
    assert!(
        !dir.path().join("data").exists(),
        "nothing was opened or created"
    );
    (status, out)
}

#[test]
fn help_and_version_answer_and_never_start_a_server() {
    let (status, help) = run_cli(&["--help"]);
    assert!(status.success(), "{status}");
    for expected in [
        "chat admin grant NAME",
        "chat --version",
        "DATABASE_URL",
        "CHAT_METRICS_ADDR",
        "CHAT_MAX_UPLOAD_MB",
    ] {
        assert!(help.contains(expected), "{expected} in:\n{help}");
    }
    let (status, version) = run_cli(&["--version"]);
    assert!(status.success(), "{status}");
    assert!(version.starts_with("chat "), "{version}");
    let (status, _) = run_cli(&["serve", "now"]);
    assert_eq!(status.code(), Some(2), "unknown arguments");
}
