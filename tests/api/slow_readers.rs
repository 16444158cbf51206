//! Streams whose readers are slower than their room must cost the server a bounded amount
//! of memory, however far behind they fall. Against the real binary, with raw sockets that
//! read a little at a time. (That a stream too far behind is ended, and resumes, is in
//! `lag.rs`, where the lag is certain rather than a matter of timing.)

use crate::binary::Binary;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// How many slow streams the room has.
const SLOW_STREAMS: usize = 50;
/// How long the room is flooded with large messages.
const FLOOD_FOR: Duration = Duration::from_secs(8);
/// The most the server's resident memory may grow by, in MiB: about 128 KiB per slow stream
/// (its connection's buffer and one write) and the room's broadcast buffer, with room to
/// spare. Before the bound, the same run grew by 252 MiB.
const MAX_GROWTH_MIB: u64 = 40;

/// Opens the room's event stream on a socket with a small receive buffer.
async fn open_slow_stream(server: &Binary, room: &str) -> TcpStream {
    let address = server
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("address");
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4 * 1024).expect("buffer");
    let mut stream = socket.connect(address).await.expect("connect");
    let request = format!("GET /api/rooms/{room}/events HTTP/1.1\r\nHost: {address}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("request");
    stream
}

/// Reads 4 KiB every 10 ms (at most 400 KB/s) until `until`; returns how much it read.
async fn read_slowly(mut stream: TcpStream, until: Instant) -> usize {
    let mut buffer = vec![0; 4_096];
    let mut total = 0;
    while Instant::now() < until {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => total += read,
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    total
}

/// Sends 4,000-character messages of two-byte letters (8 KB each) until `until`.
async fn flood_large(server: &Binary, room: &str, until: Instant) -> usize {
    let body = "é".repeat(4_000);
    let mut sent = 0;
    while Instant::now() < until {
        let response = server
            .client
            .post(server.url("/api/send_message"))
            .form(&[("room", room), ("body", body.as_str())])
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200);
        sent += 1;
    }
    sent
}

#[tokio::test]
async fn fifty_slow_readers_of_a_busy_room_cost_bounded_memory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("chat.db");
    let server = Binary::start(&[
        ("DATABASE_URL", format!("sqlite://{}", db.display())),
        // Streams fall behind the live feed after 64 events, so they soon catch up from
        // the store: the path that used to copy a page of 500 events per stream.
        ("CHAT_BROADCAST_CAPACITY", "64".into()),
        // None is ended for being behind: the bound must hold for streams that stay open.
        ("CHAT_STREAM_MAX_BEHIND_KB", "100000000".into()),
    ])
    .await;
    let mut streams = Vec::new();
    for _ in 0..SLOW_STREAMS {
        streams.push(open_slow_stream(&server, "busy").await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = server.resident_kib();

    let until = Instant::now() + FLOOD_FOR;
    let readers: Vec<_> = streams
        .into_iter()
        .map(|stream| tokio::spawn(read_slowly(stream, until)))
        .collect();
    let senders = (0..4).map(|_| flood_large(&server, "busy", until));
    let sampling = async {
        let mut peak = 0;
        while Instant::now() < until {
            peak = peak.max(server.resident_kib());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        peak
    };
    let (sent, peak) = tokio::join!(futures::future::join_all(senders), sampling);
    let sent: usize = sent.into_iter().sum();
    let mut read = 0;
    for reader in readers {
        read += reader.await.expect("reader");
    }
    let growth_mib = peak.saturating_sub(before) / 1024;
    eprintln!(
        "{sent} messages of 8 KB to {SLOW_STREAMS} slow streams, which read {} KB each on \
         average: resident {} MiB -> peak {} MiB (+{growth_mib} MiB)",
        read / SLOW_STREAMS / 1000,
        before / 1024,
        peak / 1024
    );
    assert!(sent > 200, "the room was busy ({sent} messages)");
    assert!(
        read / SLOW_STREAMS < sent * 8_000 / 2,
        "the streams read slower than the room"
    );
    assert!(
        growth_mib < MAX_GROWTH_MIB,
        "memory grew by {growth_mib} MiB"
    );
}
