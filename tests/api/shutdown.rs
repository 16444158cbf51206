//! Shutting down never hangs on open SSE streams.

use crate::helpers::{spawn_app, WAIT};
use std::process::Stdio;
use std::time::Duration;

#[tokio::test]
async fn graceful_shutdown_ends_open_streams_and_the_server_stops() {
    let app = spawn_app().await;
    let mut first = app.events("lobby", "", None).await;
    let mut second = app.events("rust", "", None).await;
    app.shutdown.cancel();
    first.until_end().await;
    second.until_end().await;
    let stopped = tokio::time::timeout(WAIT, app.server).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "server did not stop cleanly: {stopped:?}"
    );
}

#[tokio::test]
async fn the_binary_exits_promptly_on_sigterm_with_streams_open() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_chat"))
        .env("CHAT_ADDR", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", crate::helpers::database_url(&dir))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the server binary");
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");

    let mut up = false;
    for _ in 0..100 {
        if let Ok(response) = client.get(format!("{base}/healthz")).send().await {
            up = response.status() == 200;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server did not come up");

    let response = client
        .get(format!("{base}/api/rooms/lobby/events"))
        .send()
        .await
        .expect("stream");
    let mut stream = crate::helpers::SseStream::new(response.bytes_stream());

    let pid = server.id().expect("pid").to_string();
    let killed = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill");
    assert!(killed.success());

    stream.until_end().await;
    let status = tokio::time::timeout(WAIT, server.wait())
        .await
        .expect("the process did not exit within the time limit")
        .expect("wait");
    assert!(status.success(), "exit status {status}");
}
