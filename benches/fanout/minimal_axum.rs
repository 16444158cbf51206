//! The yardstick: a minimal chat server as axum's own example would write it — one
//! `broadcast` channel, `Sse` streams with a keep-alive, a form POST that numbers and
//! broadcasts the message. No store, no resume, no presence, no limits. `BACKEND=minimal`
//! runs the benchmark against it (the benchmark's binary starts itself again as this
//! server), so the same run shows what the project costs over the bare minimum.

use axum::extract::{Form, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::Router;
use futures::Stream;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::broadcast;

/// The environment variable that makes the benchmark's binary this server instead.
pub const ROLE: &str = "FANOUT_MINIMAL_SERVER";

#[derive(Clone)]
struct Chat {
    sender: broadcast::Sender<(u64, Arc<str>)>,
    seq: Arc<AtomicU64>,
}

#[derive(serde::Deserialize)]
struct Send {
    room: String,
    body: String,
}

/// Serves on `CHAT_ADDR` until killed.
pub async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::var("CHAT_ADDR")?;
    let chat = Chat {
        sender: broadcast::channel(1024).0,
        seq: Arc::new(AtomicU64::new(0)),
    };
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/rooms/{room}/events", get(events))
        .route("/api/send_message", post(send))
        .with_state(chat);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

async fn events(State(chat): State<Chat>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = chat.sender.subscribe();
    let stream = futures::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok((seq, data)) => {
                    let event = Event::default()
                        .id(seq.to_string())
                        .event("message")
                        .data(&*data);
                    return Some((Ok(event), receiver));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn send(State(chat): State<Chat>, Form(message): Form<Send>) -> &'static str {
    let seq = chat.seq.fetch_add(1, Ordering::SeqCst) + 1;
    let data = serde_json::json!({ "seq": seq, "room": message.room, "body": message.body });
    let _ = chat.sender.send((seq, data.to_string().into()));
    "ok"
}
