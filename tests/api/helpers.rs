//! Spawning the app and speaking SSE to it.

use chat::domain::ChatMessage;
use chat::server::access::limits::LimitSettings;
use chat::server::access::session::SessionSettings;
use chat::server::node::config::{Secret, Settings};
use chat::server::store::{SqliteStore, Store};
use chat::startup::Application;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use crate::sse_stream::{seqs, SseStream};

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

/// Settings for a test server: a free port, and no rate limits or stream caps (tests send
/// and connect far faster than a person; `limits.rs` tests the limits with the defaults).
pub fn settings() -> Settings {
    Settings {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        limits: LimitSettings::unlimited(),
        // Tests stop servers often; the drain has a test of its own.
        drain: Duration::from_millis(100),
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
    // The app's warnings and errors, printed beside a failing test's own output.
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("warn")
        .try_init();
    let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    spawn_app_on(dir, settings).await
}

/// Starts the app on the database in `dir` (to test a restart).
pub async fn spawn_app_on(db_dir: Arc<TempDir>, mut settings: Settings) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        chat::server::node::telemetry::init("debug");
    }
    settings.database_url = database_url(&db_dir);
    keep_files_in(&mut settings, &db_dir);
    let app = Application::build(settings).await.expect("app starts");
    start(app, db_dir)
}

/// Starts the app on a store the test opened itself.
pub async fn spawn_app_with_store(store: SqliteStore) -> TestApp {
    spawn_app_sharing(Arc::new(store)).await
}

/// Starts the app on a store the test keeps using too (to write straight to it).
pub async fn spawn_app_sharing(store: Arc<dyn Store>) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    // With a configured key, start-up does not need the store (which may be closed).
    let mut settings = Settings {
        sessions: SessionSettings {
            secrets: vec![Secret::new("k".repeat(32))],
            ..SessionSettings::default()
        },
        ..settings()
    };
    keep_files_in(&mut settings, &dir);
    let app = Application::with_store(settings, store)
        .await
        .expect("app starts");
    start(app, dir)
}

/// Uploads go beside the test's database, unless the test chose where (several nodes
/// sharing a directory or a bucket).
fn keep_files_in(settings: &mut Settings, dir: &TempDir) {
    if settings.files.dir == chat::server::files::settings::FileSettings::default().dir {
        settings.files.dir = dir.path().join("uploads");
    }
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

    /// A browser whose every request a trusted proxy says comes from `address` (the app
    /// must read `x-forwarded-for`, as `behind_a_proxy` settings do).
    pub fn browser_from(&self, address: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", address.parse().expect("a header value"));
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(headers)
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

/// A client with its own cookie jar: one person.
#[derive(Clone)]
pub struct Browser {
    pub client: reqwest::Client,
    base: String,
}

impl Browser {
    /// A browser of the test's own making (TLS settings, say) at `base` (`https://…`).
    pub fn with_client(client: reqwest::Client, base: String) -> Browser {
        Browser { client, base }
    }

    /// The same person (same cookies) talking to another server.
    pub fn at(&self, app: &TestApp) -> Browser {
        Browser {
            client: self.client.clone(),
            base: app.url(""),
        }
    }

    /// The address of `path` on this browser's server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates the private room `name` as this browser (its creator): the answer's JSON,
    /// with its `invite` link.
    pub async fn create_private_room(&self, name: &str) -> serde_json::Value {
        let created = self
            .post("create_room", &[("name", name), ("private", "true")])
            .await;
        assert_eq!(created.status(), 200, "{name}");
        created.json().await.expect("JSON")
    }

    /// POSTs form fields to a server function, e.g. `post("set_name", &[("name", "Ann")])`.
    /// `POST path` (any path, not only a server function's) with these form fields.
    pub async fn post_path(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, function: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}/api/{function}", self.base))
            .form(fields)
            .send()
            .await
            .expect("request")
    }

    /// Uploads `bytes` as file `name` of type `content_type` to `room` (`POST /api/upload`).
    pub async fn upload(
        &self,
        room: &str,
        name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        self.upload_to("/api/upload", room, name, content_type, bytes)
            .await
    }

    /// [`Browser::upload`] to `path` (with its query).
    pub async fn upload_to(
        &self,
        path: &str,
        room: &str,
        name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        let file = reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(content_type)
            .expect("content type");
        let form = reqwest::multipart::Form::new()
            .text("room", room.to_owned())
            .part("file", file);
        self.client
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await
            .expect("upload request")
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

    /// The browser-wide stream of `rooms` (`lobby:41,rust:0`), as this browser.
    pub async fn browser_events(&self, rooms: &str) -> SseStream {
        let response = self.browser_events_response(rooms).await;
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
        SseStream::new(response.bytes_stream())
    }

    /// The answer to a browser-wide stream request, whatever it is.
    pub async fn browser_events_response(&self, rooms: &str) -> reqwest::Response {
        self.client
            .get(format!("{}/api/events", self.base))
            .query(&[("rooms", rooms)])
            .send()
            .await
            .expect("events request")
    }

    /// GETs `path`, whatever the answer.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete_raw(&self, path: &str) -> reqwest::Response {
        self.client
            .delete(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_raw(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
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

/// Appends `text` to `room` as `author` straight through the store (no HTTP), for tests
/// that drive a store or a subscription directly; answers the stored message.
pub async fn append_directly(
    store: &dyn Store,
    room: &chat::domain::RoomName,
    author: &chat::domain::OnlineUser,
    text: &str,
) -> ChatMessage {
    use chat::domain::{MessageBody, Nickname};
    store
        .append(chat::server::store::NewMessage {
            room: room.clone(),
            author_id: author.id.clone(),
            author: Nickname::parse(&author.name).expect("name"),
            body: MessageBody::parse(text).expect("body"),
            sent_at: 0,
            client_id: None,
            reply_to: None,
            mentions: Vec::new(),
            recheck_access: false,
            bot: false,
            attachments: Vec::new(),
        })
        .await
        .expect("append")
        .expect("not refused")
        .into_message()
}
