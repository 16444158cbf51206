//! How reconnects spread after a restart: `STREAMS` browser-wide streams (default 2,000) are
//! open on the release binary; it gets SIGTERM and a new process starts on the same port at
//! once (the old one stops listening first, then drains). Each client does what the page's
//! leader tab does when its stream ends: waits a full-jitter delay (`chat::feed::Backoff`,
//! the code the browser runs) and opens the stream again, retrying while the new process is
//! not yet up. Printed: when streams ended and when they were back, from the SIGTERM
//! (min / median / max), and the most reconnects in any 100 ms.
//!
//! `cargo bench --features ssr --bench restart`; `DRAIN_SECS=0 CLIENT=retry` shows the old
//! behaviour (every stream ended at once, every client back after the same `retry:`).

use chat::feed::Backoff;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

type Error = Box<dyn std::error::Error + Send + Sync>;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn start(port: u16, db: &std::path::Path, drain_secs: &str) -> Result<Child, Error> {
    let binary = std::env::var("CHAT_BINARY").unwrap_or_else(|_| "target/release/chat".into());
    Ok(Command::new(binary)
        .env("CHAT_ADDR", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("CHAT_DRAIN_SECS", drain_secs)
        .env("CHAT_MAX_STREAMS_PER_ADDRESS", "100000")
        .env("CHAT_ADDRESS_LIMIT_FACTOR", "1000")
        .env("LEPTOS_SITE_ROOT", "target/site")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?)
}

async fn wait_healthy(client: &reqwest::Client, base: &str) -> Result<(), Error> {
    for _ in 0..200 {
        if let Ok(response) = client.get(format!("{base}/healthz")).send().await {
            if response.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("the server did not start".into())
}

/// One client: its stream until it ends, the wait, then the stream again.
/// Answers (ended, back) in ms after `sigterm` (set once the restart begins).
async fn client(
    client: reqwest::Client,
    url: String,
    sigterm: std::sync::Arc<tokio::sync::OnceCell<Instant>>,
    follow_retry: bool,
    opened: tokio::sync::mpsc::Sender<()>,
) -> Result<(f64, f64), Error> {
    let mut response = client.get(&url).send().await?;
    let _ = opened.send(()).await;
    let mut retry_ms = 0u64;
    while let Some(chunk) = response.chunk().await? {
        let text = String::from_utf8_lossy(&chunk);
        if let Some(line) = text.lines().find(|line| line.starts_with("retry:")) {
            retry_ms = line[6..].trim().parse().unwrap_or(0);
        }
    }
    let Some(&zero) = sigterm.get() else {
        return Err("a stream ended before the restart".into());
    };
    let ended = zero.elapsed();
    let mut backoff = Backoff::default();
    loop {
        let wait = if follow_retry {
            Duration::from_millis(retry_ms)
        } else {
            backoff.next_delay(rand::random::<f64>())
        };
        tokio::time::sleep(wait).await;
        if let Ok(again) = client.get(&url).send().await {
            if again.status().is_success() {
                return Ok((
                    ended.as_secs_f64() * 1e3,
                    zero.elapsed().as_secs_f64() * 1e3,
                ));
            }
        }
    }
}

fn summary(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q) as usize];
    println!(
        "{name:>13}: min {:>6.0} ms   median {:>6.0} ms   max {:>6.0} ms",
        at(0.0),
        at(0.5),
        at(1.0)
    );
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let streams: usize = env_or("STREAMS", 2_000);
    let port: u16 = env_or("PORT", 3900);
    let drain: String = env_or("DRAIN_SECS", "5".to_owned());
    let follow_retry = std::env::var("CLIENT").as_deref() == Ok("retry");
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("chat.db");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()?;

    let mut old = start(port, &db, &drain)?;
    wait_healthy(&http, &base).await?;
    let sigterm = std::sync::Arc::new(tokio::sync::OnceCell::new());
    let (opened, mut open) = tokio::sync::mpsc::channel(streams);
    let url = format!("{base}/api/events?rooms=lobby:0");
    let tasks: Vec<_> = (0..streams)
        .map(|_| {
            let task = client(
                http.clone(),
                url.clone(),
                sigterm.clone(),
                follow_retry,
                opened.clone(),
            );
            tokio::spawn(task)
        })
        .collect();
    for _ in 0..streams {
        open.recv().await.ok_or("a client failed to connect")?;
    }
    println!("{streams} streams open; SIGTERM, and a new process on the same port");

    let pid = old.id().ok_or("no pid")?;
    sigterm.set(Instant::now())?;
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()?;
    let mut new = start(port, &db, &drain)?;
    let mut ended = Vec::with_capacity(streams);
    let mut back = Vec::with_capacity(streams);
    for task in tasks {
        let (end, again) = task.await??;
        ended.push(end);
        back.push(again);
    }
    summary("streams ended", ended);
    summary("reconnected", back.clone());
    back.sort_by(f64::total_cmp);
    let peak = back
        .iter()
        .enumerate()
        .map(|(i, &t)| back[i..].iter().take_while(|&&u| u < t + 100.0).count())
        .max()
        .unwrap_or(0);
    println!("most reconnects in any 100 ms: {peak}");
    let _ = old.wait().await;
    new.kill().await?;
    Ok(())
}
