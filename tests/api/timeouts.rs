//! Clients that send slowly cannot hold the server: a request head or body that trickles in
//! is cut off, and shutdown finishes in bounded time whatever clients leave half-sent.

use crate::binary::Binary;
use crate::helpers::{settings, spawn_app_with};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server answers or closes; returns what it sent and how long it took.
/// Panics if it does neither within `limit`.
async fn until_answered_or_closed(stream: &mut TcpStream, limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                received.extend_from_slice(&buffer[..n]);
                if received.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            Err(_) => panic!("the server still holds the connection after {limit:?}"),
        }
    }
    (
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_request_head_that_trickles_in_is_cut_off() {
    let app = spawn_app_with(chat::server::node::config::Settings {
        header_timeout: Duration::from_secs(1),
        ..settings()
    })
    .await;
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: chat\r\n")
        .await
        .expect("write");
    // Keep sending a header line now and then, never the blank line that ends the head.
    let trickle = async {
        for i in 0..20 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if stream
                .write_all(format!("X-Slow-{i}: 1\r\n").as_bytes())
                .await
                .is_err()
            {
                break;
            }
        }
    };
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(4), trickle)
        .await
        .ok();
    let (answer, _) = until_answered_or_closed(&mut stream, Duration::from_secs(3)).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "cut off after {:?}",
        started.elapsed()
    );
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_request_body_that_trickles_in_is_refused() {
    let app = spawn_app_with(chat::server::node::config::Settings {
        body_timeout: Duration::from_secs(1),
        ..settings()
    })
    .await;
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    stream
        .write_all(
            b"POST /api/send_message HTTP/1.1\r\nHost: chat\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n\
              room=lobby&body=",
        )
        .await
        .expect("write");
    let (answer, took) = until_answered_or_closed(&mut stream, Duration::from_secs(4)).await;
    assert!(took < Duration::from_secs(3), "refused after {took:?}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn sigterm_finishes_within_the_grace_period_while_a_request_is_half_sent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Binary::start(&[
        ("DATABASE_URL", crate::helpers::database_url(&dir)),
        ("CHAT_SHUTDOWN_GRACE_SECS", "2".into()),
        // Long enough that only the grace period can end these connections.
        ("CHAT_HEADER_TIMEOUT_SECS", "60".into()),
        ("CHAT_BODY_TIMEOUT_SECS", "60".into()),
    ])
    .await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut half_head = TcpStream::connect(&addr).await.expect("connect");
    half_head
        .write_all(b"GET / HTTP/1.1\r\nHost: chat\r\n")
        .await
        .expect("write");
    let mut half_body = TcpStream::connect(&addr).await.expect("connect");
    half_body
        .write_all(
            b"POST /api/send_message HTTP/1.1\r\nHost: chat\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nroom=",
        )
        .await
        .expect("write");
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    server.terminate().await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "exited after {:?}",
        started.elapsed()
    );
    drop((half_head, half_body));
}
