//! The server binary in its own process, as an operator runs it: for faults that only a
//! real process shows (SIGTERM, `kill -9`, a full disk). `CHAT_TEST_BINARY` names the
//! release binary when `make test` has built one; otherwise the one cargo built for tests.

use crate::helpers::{SseStream, WAIT};
use std::process::Stdio;
use std::time::Duration;

pub struct Binary {
    process: tokio::process::Child,
    pub base: String,
    pub client: reqwest::Client,
}

impl Binary {
    /// Starts the binary with these settings and waits until it answers `/healthz` 200.
    pub async fn start(env: &[(&str, String)]) -> Self {
        let binary = Self::spawn(env);
        binary.until_healthy().await;
        binary
    }

    /// Starts the binary serving HTTPS (`env` names `CHAT_TLS_CERT` and `CHAT_TLS_KEY`); its
    /// client trusts `trusted` only.
    pub async fn start_https(env: &[(&str, String)], trusted: &reqwest::Certificate) -> Self {
        let mut binary = Self::spawn(env);
        binary.base = binary.base.replace("http://", "https://");
        binary.client = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(trusted.clone())
            .timeout(WAIT)
            .build()
            .expect("client");
        binary.until_healthy().await;
        binary
    }

    /// SIGHUP, as `systemctl reload` sends.
    pub fn hangup(&self) {
        self.signal("-HUP");
    }

    /// The same, its log (stdout) written to `log`.
    pub async fn start_logging_to(env: &[(&str, String)], log: &std::path::Path) -> Self {
        let file = std::fs::File::create(log).expect("log file");
        let binary = Self::spawn_with(env, Some(Stdio::from(file)));
        binary.until_healthy().await;
        binary
    }

    /// Starts the binary at `program` from the working directory `cwd`, as an installed
    /// copy is run (the deploy recipes).
    pub async fn start_installed(
        program: &std::path::Path,
        cwd: &std::path::Path,
        env: &[(&str, String)],
    ) -> Self {
        let mut command = tokio::process::Command::new(program);
        command.current_dir(cwd);
        let binary = Self::spawn_command(command, env, None);
        binary.until_healthy().await;
        binary
    }

    /// The binary under test: the release one `make test` built, else cargo's.
    pub fn path() -> std::path::PathBuf {
        std::env::var_os("CHAT_TEST_BINARY")
            .map(Into::into)
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_chat").into())
    }

    fn spawn(env: &[(&str, String)]) -> Self {
        Self::spawn_with(env, None)
    }

    fn spawn_with(env: &[(&str, String)], stdout: Option<Stdio>) -> Self {
        Self::spawn_command(tokio::process::Command::new(Self::path()), env, stdout)
    }

    fn spawn_command(
        mut command: tokio::process::Command,
        env: &[(&str, String)],
        stdout: Option<Stdio>,
    ) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let log = if std::env::var_os("TEST_LOG").is_some() {
            "info"
        } else {
            "error"
        };
        let process = command
            .env("CHAT_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", log)
            // The fault tests send far faster than a person would.
            .env("CHAT_RATE_LIMITS", "off")
            .env("CHAT_MAX_STREAMS_PER_ADDRESS", "100000")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(stdout.unwrap_or(if log == "info" {
                Stdio::inherit()
            } else {
                Stdio::null()
            }))
            .kill_on_drop(true)
            .spawn()
            .expect("start the server binary");
        Self {
            process,
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .timeout(WAIT)
                .build()
                .expect("client"),
        }
    }

    async fn until_healthy(&self) {
        for _ in 0..100 {
            if let Ok(response) = self.client.get(self.url("/healthz")).send().await {
                assert_eq!(response.status(), 200, "the server is not healthy");
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not come up");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends `body` to `room` as a script would; it must be stored.
    pub async fn send(&self, room: &str, body: &str) -> chat::domain::ChatMessage {
        let response = self
            .client
            .post(self.url("/api/send_message"))
            .form(&[("room", room), ("body", body)])
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }

    /// Opens `room`'s stream as a browser would: with the session cookie its page load got
    /// (so the viewer counts as online).
    pub async fn events(&self, room: &str) -> SseStream {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        browser
            .get(self.url(&format!("/api/room?room={room}")))
            .send()
            .await
            .expect("page");
        let response = browser
            .get(self.url(&format!("/api/rooms/{room}/events")))
            .send()
            .await
            .expect("stream");
        SseStream::new(response.bytes_stream())
    }

    /// `/healthz`: its status and JSON body.
    pub async fn health(&self) -> (u16, serde_json::Value) {
        let response = self
            .client
            .get(self.url("/healthz"))
            .send()
            .await
            .expect("healthz");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or_default())
    }

    fn signal(&self, signal: &str) {
        let pid = self.process.id().expect("pid").to_string();
        let status = std::process::Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// SIGTERM, as a deploy would; the process must exit successfully in time.
    pub async fn terminate(mut self) {
        self.signal("-TERM");
        let status = tokio::time::timeout(WAIT, self.process.wait())
            .await
            .expect("the process did not exit within the time limit")
            .expect("wait");
        assert!(status.success(), "exit status {status}");
    }

    /// The server's resident memory now, in KiB (from `/proc`, so Linux only).
    pub fn resident_kib(&self) -> u64 {
        self.status_kib("VmRSS:")
    }

    /// The most resident memory the server has held since it started, in KiB.
    pub fn peak_resident_kib(&self) -> u64 {
        self.status_kib("VmHWM:")
    }

    /// A `… kB` line of the server's `/proc/PID/status`.
    fn status_kib(&self, field: &str) -> u64 {
        let pid = self.process.id().expect("pid");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
    }

    /// `kill -9`: no chance to finish anything.
    pub async fn kill(mut self) {
        self.signal("-KILL");
        let _ = self.process.wait().await;
    }
}
