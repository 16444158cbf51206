//! Spawning the app and speaking SSE to it.

use bytes::Bytes;
use chat::domain::ChatMessage;
use chat::server::config::{Secret, Settings};
use chat::server::startup::Application;
use chat::server::store::{SqliteStore, Store};
use futures::{Stream, StreamExt};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long any single wait in a test may take before it counts as a failure.
pub const WAIT: Duration = Duration::from_secs(10);

/// A running server with its own database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub shutdown: CancellationToken,
    pub server: JoinHandle<std::io::Result<()>>,
    pub db_dir: Arc<TempDir>,
}

pub fn settings() -> Settings {
    Settings {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        ..Settings::default()
    }
}

pub fn database_url(dir: &TempDir) -> String {
    format!("sqlite://{}/chat.db", dir.path().display())
}

/// Starts the app on a fresh temporary database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(settings()).await
}

/// Starts the app with these settings and a fresh temporary database.
pub async fn spawn_app_with(settings: Settings) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    spawn_app_on(dir, settings).await
}

/// Starts the app on the database in `dir` (to test a restart).
pub async fn spawn_app_on(db_dir: Arc<TempDir>, mut settings: Settings) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        chat::server::telemetry::init("debug");
    }
    settings.database_url = database_url(&db_dir);
    let app = Application::build(settings).await.expect("app starts");
    start(app, db_dir)
}

/// Starts the app on a store the test opened itself.
pub async fn spawn_app_with_store(store: SqliteStore) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    // With a configured key, start-up does not need the store (which may be closed).
    let settings = Settings {
        session_secret: Some(Secret::new("k".repeat(32))),
        ..settings()
    };
    let app = Application::with_store(settings, Arc::new(store) as Arc<dyn Store>)
        .await
        .expect("app starts");
    start(app, dir)
}

fn start(app: Application, db_dir: Arc<TempDir>) -> TestApp {
    let addr = app.local_addr();
    let shutdown = app.shutdown_token();
    let server = tokio::spawn(app.run());
    TestApp {
        addr,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        shutdown,
        server,
        db_dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A client that keeps cookies, like one browser: one identity across its requests.
    pub fn browser(&self) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: self.url(""),
        }
    }

    /// `GET path`, as a script without cookies.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// `POST /api/send_message` with these form fields.
    pub async fn post_send(&self, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url("/api/send_message"))
            .form(fields)
            .send()
            .await
            .expect("send request")
    }

    /// Sends `body` to `room` and returns the stored message.
    pub async fn send(&self, room: &str, body: &str) -> ChatMessage {
        let response = self.post_send(&[("room", room), ("body", body)]).await;
        assert_eq!(
            response.status(),
            200,
            "send failed: {:?}",
            response.text().await
        );
        response.json().await.expect("message JSON")
    }

    /// Starts a task that sends `count` messages to `room`, one after another.
    pub fn spawn_sender(&self, room: &str, label: &str, count: usize) -> JoinHandle<()> {
        let client = self.client.clone();
        let url = self.url("/api/send_message");
        let (room, label) = (room.to_owned(), label.to_owned());
        tokio::spawn(async move {
            for i in 1..=count {
                let body = format!("{label} {i}");
                let response = client
                    .post(&url)
                    .form(&[("room", room.as_str()), ("body", body.as_str())])
                    .send()
                    .await
                    .expect("send");
                assert_eq!(response.status(), 200);
            }
        })
    }

    /// Opens the room's event stream with optional extra query and `Last-Event-ID`.
    pub async fn events(&self, room: &str, query: &str, last_event_id: Option<u64>) -> SseStream {
        let mut request = self
            .client
            .get(self.url(&format!("/api/rooms/{room}/events{query}")));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.expect("events request");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/event-stream")
        );
        SseStream::new(response.bytes_stream())
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(self) -> Arc<TempDir> {
        self.shutdown.cancel();
        let stopped = tokio::time::timeout(WAIT, self.server).await;
        assert!(stopped.is_ok(), "server did not stop within {WAIT:?}");
        self.db_dir
    }
}

/// One parsed SSE event.
#[derive(Debug, Clone, Default)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
}

type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, ()>> + Send>>;

/// A client side of an SSE response, parsing frames as the browser does.
pub struct SseStream {
    body: ByteStream,
    buffer: String,
    pub comments: Vec<String>,
    pub retries: Vec<String>,
    /// Events without an `id:` (presence, typing), in arrival order.
    pub ephemeral: Vec<SseEvent>,
}

impl SseStream {
    /// Reads SSE from any byte stream (an HTTP body, or a `Subscription` directly).
    pub fn new<E>(body: impl Stream<Item = Result<Bytes, E>> + Send + 'static) -> Self {
        Self {
            body: Box::pin(body.map(|chunk| chunk.map_err(|_| ()))),
            buffer: String::new(),
            comments: Vec::new(),
            retries: Vec::new(),
            ephemeral: Vec::new(),
        }
    }

    /// The next event (comments and `retry:` lines are recorded, not returned); `None` when
    /// the stream ends. Panics after `WAIT` without one.
    pub async fn next_event(&mut self) -> Option<SseEvent> {
        tokio::time::timeout(WAIT, self.next_event_inner())
            .await
            .expect("no event within the time limit")
    }

    async fn next_event_inner(&mut self) -> Option<SseEvent> {
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = self.parse_block(&block) {
                    return Some(event);
                }
            }
            match self.body.next().await {
                Some(Ok(chunk)) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                Some(Err(_)) | None => return None,
            }
        }
    }

    fn parse_block(&mut self, block: &str) -> Option<SseEvent> {
        let mut event = SseEvent::default();
        let mut has_data = false;
        for line in block.lines() {
            if let Some(comment) = line.strip_prefix(':') {
                self.comments.push(comment.trim().to_owned());
            } else if let Some(value) = line.strip_prefix("retry: ") {
                self.retries.push(value.to_owned());
            } else if let Some(value) = line.strip_prefix("id: ") {
                event.id = Some(value.to_owned());
            } else if let Some(value) = line.strip_prefix("event: ") {
                event.event = Some(value.to_owned());
            } else if let Some(value) = line.strip_prefix("data: ") {
                if has_data {
                    event.data.push('\n');
                }
                event.data.push_str(value);
                has_data = true;
            } else if !line.is_empty() {
                panic!("unexpected SSE line: {line:?}");
            }
        }
        has_data.then_some(event)
    }

    /// The next log event (one with an `id:`); ephemeral ones met on the way are kept in
    /// `ephemeral`.
    pub async fn next_log_event(&mut self) -> SseEvent {
        loop {
            let event = self
                .next_event()
                .await
                .expect("stream ended before a log event");
            if event.id.is_some() {
                return event;
            }
            self.ephemeral.push(event);
        }
    }

    /// The next ephemeral event named `name` (skipping log events), as JSON.
    pub async fn next_ephemeral(&mut self, name: &str) -> serde_json::Value {
        if let Some(index) = self
            .ephemeral
            .iter()
            .position(|e| e.event.as_deref() == Some(name))
        {
            let event = self.ephemeral.remove(index);
            return serde_json::from_str(&event.data).expect("event JSON");
        }
        loop {
            let event = self.next_event().await.expect("stream ended");
            if event.id.is_none() && event.event.as_deref() == Some(name) {
                return serde_json::from_str(&event.data).expect("event JSON");
            }
        }
    }

    /// The next log event, which must be a chat message whose `id:` is its seq.
    pub async fn next_message(&mut self) -> ChatMessage {
        let event = self.next_log_event().await;
        assert_eq!(event.event.as_deref(), Some("message"));
        let message: ChatMessage = serde_json::from_str(&event.data).expect("message JSON");
        assert_eq!(
            event.id,
            Some(message.seq.to_string()),
            "id: must be the seq"
        );
        message
    }

    /// Reads `presence` events until one names exactly `names` (presence is flushed
    /// periodically, so earlier states may come first); panics after `WAIT`.
    pub async fn presence_until(&mut self, names: &[&str]) -> serde_json::Value {
        let wanted: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        tokio::time::timeout(WAIT, async {
            loop {
                let presence = self.next_ephemeral("presence").await;
                if Self::names(&presence) == wanted {
                    return presence;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("presence never became {names:?}"))
    }

    /// The names of online people in a `presence` event.
    pub fn names(presence: &serde_json::Value) -> Vec<String> {
        presence["online"]
            .as_array()
            .map(|people| {
                people
                    .iter()
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Messages until (and including) seq `last`, asserting nothing beyond it arrives first.
    pub async fn messages_through(&mut self, last: u64) -> Vec<ChatMessage> {
        let mut messages = Vec::new();
        while messages.last().map(|m: &ChatMessage| m.seq.get()) != Some(last) {
            let message = self.next_message().await;
            assert!(
                message.seq.get() <= last,
                "got seq {} past {last}",
                message.seq
            );
            messages.push(message);
        }
        messages
    }

    /// Reads until the stream ends; panics if it does not end within `WAIT`.
    pub async fn until_end(&mut self) {
        tokio::time::timeout(WAIT, async {
            while self.next_event_inner().await.is_some() {}
        })
        .await
        .expect("stream did not end");
    }
}

/// The seqs of `messages`, for order and uniqueness assertions.
pub fn seqs(messages: &[ChatMessage]) -> Vec<u64> {
    messages.iter().map(|m| m.seq.get()).collect()
}

/// A client with its own cookie jar: one person.
#[derive(Clone)]
pub struct Browser {
    pub client: reqwest::Client,
    base: String,
}

impl Browser {
    /// The same person (same cookies) talking to another server.
    pub fn at(&self, app: &TestApp) -> Browser {
        Browser {
            client: self.client.clone(),
            base: app.url(""),
        }
    }

    /// POSTs form fields to a server function, e.g. `post("set_name", &[("name", "Ann")])`.
    pub async fn post(&self, function: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}/api/{function}", self.base))
            .form(fields)
            .send()
            .await
            .expect("request")
    }

    pub async fn set_name(&self, name: &str) {
        let response = self.post("set_name", &[("name", name)]).await;
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
    }

    pub async fn send(&self, room: &str, body: &str) -> ChatMessage {
        let response = self
            .post("send_message", &[("room", room), ("body", body)])
            .await;
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
        response.json().await.expect("message JSON")
    }

    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.expect("JSON")
    }

    pub async fn events(&self, room: &str, query: &str) -> SseStream {
        let response = self
            .client
            .get(format!("{}/api/rooms/{room}/events{query}", self.base))
            .send()
            .await
            .expect("events request");
        assert_eq!(response.status(), 200);
        SseStream::new(response.bytes_stream())
    }
}
