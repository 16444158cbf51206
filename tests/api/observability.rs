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
