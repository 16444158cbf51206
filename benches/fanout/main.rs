//! The load benchmark: fan-out of one room to many open SSE streams.
//!
//! Starts the release-built server binary (its own process, a fresh SQLite file; or, with
//! `BACKEND=redis`, `NODES` processes sharing a fresh `redis-server`), opens `STREAMS` event
//! streams to one room from this process (spread over the nodes, `RAMP` new streams a
//! second; 0: all at once), then measures:
//!
//! - memory: the servers' resident memory per open (idle) stream;
//! - latency: `MESSAGES` messages sent one at a time (`PACE_MS` apart); for each, the time
//!   from the send until every connected stream has received it (p50 / p99 / max);
//! - throughput: `BURST` messages sent back to back from `SENDERS` concurrent senders;
//!   events delivered per second across all streams;
//! - with `STORM=1`, a reconnect storm: every stream drops its connection and reconnects
//!   within one second with its own `Last-Event-ID`, while `STORM_MESSAGES` more are sent;
//! - the servers' CPU seconds for all of it, per delivered event.
//!
//! `BACKEND=minimal` runs the same scenarios against a minimal axum `Sse` + broadcast server
//! (`minimal_axum.rs`): the yardstick for latency, memory and CPU per delivery.
//!
//! With `PEOPLE=1` every stream is a different person (it gets a session cookie first), so
//! each one is listed online and presence changes reach every stream.
//!
//! It fails the run (exit 1) unless every stream connected (no 5xx), none ended early, and
//! every stream got every message once and in order.
//!
//! Run: `cargo bench --features ssr --bench fanout` (env: STREAMS, RAMP, MESSAGES, PACE_MS,
//! BURST, SENDERS, STORM, STORM_MESSAGES, PEOPLE, BACKEND=sqlite|redis|minimal, NODES;
//! CHAT_BINARY: another build of the server to run instead of this one's).

mod minimal_axum;
mod servers;

use servers::{own_cpu_seconds, Backend, Cluster};

use futures::StreamExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Per-seq bookkeeping shared by all stream readers.
struct Deliveries {
    start: Instant,
    /// How many streams have received each seq.
    count: Vec<AtomicU64>,
    /// When the last stream received each seq (ns since `start`).
    last_at: Vec<AtomicU64>,
    /// Streams that saw a seq out of order or twice.
    disorder: AtomicU64,
}

/// What happened to the streams.
#[derive(Default)]
struct Streams {
    connected: AtomicU64,
    /// Answered with a status other than 200 (each one counted once per stream).
    refused: AtomicU64,
    /// Of those, 5xx.
    server_errors: AtomicU64,
    /// The connection failed, or the stream ended before the last message.
    ended_early: AtomicU64,
    /// Reconnections during the storm that were answered 200.
    reconnected: AtomicU64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os(minimal_axum::ROLE).is_some() {
        return minimal_axum::serve().await;
    }
    let streams = setting("STREAMS", 2_000);
    let ramp = setting("RAMP", 0);
    let messages = setting("MESSAGES", 200);
    let pace = Duration::from_millis(setting("PACE_MS", 20) as u64);
    let burst = setting("BURST", 1_000);
    let senders = setting("SENDERS", 8).max(1);
    let storm = setting("STORM", 0) == 1;
    let people = setting("PEOPLE", 0) == 1;
    let storm_messages = if storm {
        setting("STORM_MESSAGES", 20)
    } else {
        0
    };
    let total = messages + burst + storm_messages;

    let backend = Backend::from_env()?;
    let nodes = setting("NODES", 1).max(1);

    let cluster = Cluster::start(backend, nodes).await?;
    let bases: Vec<String> = cluster.nodes.iter().map(|n| n.base.clone()).collect();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    for base in &bases {
        wait_until_up(&client, base).await?;
    }
    let rss_before = cluster.rss_kib();
    let cpu_before = cluster.cpu_seconds();
    let client_cpu_before = own_cpu_seconds();

    let deliveries = Arc::new(Deliveries {
        start: Instant::now(),
        count: (0..=total).map(|_| AtomicU64::new(0)).collect(),
        last_at: (0..=total).map(|_| AtomicU64::new(0)).collect(),
        disorder: AtomicU64::new(0),
    });
    let outcome = Arc::new(Streams::default());
    let (storm_signal, storm_watch) = watch::channel(false);
    let opening = Instant::now();
    let mut readers = Vec::with_capacity(streams);
    for n in 0..streams {
        if ramp > 0 {
            let due = Duration::from_secs_f64(n as f64 / ramp as f64);
            tokio::time::sleep(due.saturating_sub(opening.elapsed())).await;
        }
        let reader = Reader {
            client: client.clone(),
            base: bases[n % nodes].clone(),
            person: people,
            url: format!("{}/api/rooms/bench/events?after=0", bases[n % nodes]),
            deliveries: deliveries.clone(),
            outcome: outcome.clone(),
            last_seq: total as u64,
            storm: storm_watch.clone(),
        };
        readers.push(tokio::spawn(reader.run()));
    }
    let settled = |o: &Streams| {
        o.connected.load(Ordering::Relaxed)
            + o.refused.load(Ordering::Relaxed)
            + o.ended_early.load(Ordering::Relaxed)
    };
    let waited = Instant::now();
    while settled(&outcome) < streams as u64 && waited.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let open_time = opening.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_open = cluster.rss_kib();
    let alive =
        || outcome.connected.load(Ordering::Relaxed) - outcome.ended_early.load(Ordering::Relaxed);

    // Latency: one message at a time.
    let mut latencies = Vec::with_capacity(messages);
    for seq in 1..=messages {
        let sent = deliveries.start.elapsed();
        send(
            &client,
            &bases[seq % nodes],
            &format!("latency probe {seq}"),
        )
        .await?;
        let waited = Instant::now();
        while deliveries.count[seq].load(Ordering::Acquire) < alive()
            && waited.elapsed() < Duration::from_secs(10)
        {
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        let done = Duration::from_nanos(deliveries.last_at[seq].load(Ordering::Acquire));
        latencies.push(done.saturating_sub(sent));
        tokio::time::sleep(pace).await;
    }

    // Throughput: a burst from several senders at once.
    let burst_start = deliveries.start.elapsed();
    send_concurrently(&client, &bases, senders, burst, "burst").await?;
    let sends_done = deliveries.start.elapsed();
    let burst_end = if burst > 0 {
        let last = messages + burst;
        let waited = Instant::now();
        while deliveries.count[last].load(Ordering::Acquire) < alive()
            && waited.elapsed() < Duration::from_secs(60)
        {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        (messages + 1..=last)
            .map(|seq| deliveries.last_at[seq].load(Ordering::Acquire))
            .max()
            .map(Duration::from_nanos)
            .unwrap_or_default()
    } else {
        burst_start
    };

    // The storm: everyone reconnects within a second while messages keep coming.
    let storm_started = Instant::now();
    if storm {
        storm_signal.send(true)?;
        let paced = Duration::from_millis(1_000 / storm_messages.max(1) as u64);
        for i in 0..storm_messages {
            send(&client, &bases[i % nodes], &format!("storm {i}")).await?;
            tokio::time::sleep(paced).await;
        }
    }

    let mut finished = 0;
    for reader in readers {
        if let Ok(Ok(true)) = tokio::time::timeout(Duration::from_secs(120), reader).await {
            finished += 1;
        }
    }
    let cpu_after = cluster.cpu_seconds();
    let client_cpu_after = own_cpu_seconds();

    let connected = outcome.connected.load(Ordering::Relaxed);
    let delivered: u64 = (1..=total)
        .map(|seq| deliveries.count[seq].load(Ordering::Acquire))
        .sum();
    let expected = (total * streams) as u64;
    let complete = delivered == expected && deliveries.disorder.load(Ordering::Relaxed) == 0;

    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len().max(1) - 1) as f64 * p).round() as usize)
            .copied()
            .unwrap_or_default()
    };
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "fan-out benchmark: {streams} streams, one room, {backend:?}, {nodes} node(s), {} cores",
        num_cpus()
    );
    let ramp_text = if ramp > 0 {
        format!("{ramp}/s")
    } else {
        "all at once".into()
    };
    println!(
        "  open {streams} streams ({ramp_text}): {:.0} ms; connected {connected}, refused {} ({} 5xx), ended early {}",
        ms(open_time),
        outcome.refused.load(Ordering::Relaxed),
        outcome.server_errors.load(Ordering::Relaxed),
        outcome.ended_early.load(Ordering::Relaxed),
    );
    if let (Some(before), Some(open)) = (rss_before, rss_open) {
        println!(
            "  server memory (all nodes): {before} KiB idle, {open} KiB with streams open = {:.1} KiB per stream",
            (open.saturating_sub(before)) as f64 / streams as f64
        );
    }
    if messages > 0 {
        println!(
            "  latency, send -> all streams: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({messages} messages, {} ms apart)",
            ms(pct(0.5)),
            ms(pct(0.99)),
            ms(latencies.last().copied().unwrap_or_default()),
            pace.as_millis()
        );
    }
    if burst > 0 {
        let burst_time = burst_end.saturating_sub(burst_start);
        println!(
            "  burst of {burst} messages from {senders} senders: sent in {:.0} ms, delivered to all in {:.0} ms = {:.0} events/s",
            ms(sends_done.saturating_sub(burst_start)),
            ms(burst_time),
            (burst as u64 * alive()) as f64 / burst_time.as_secs_f64()
        );
    }
    if storm {
        println!(
            "  reconnect storm: {} of {streams} streams reconnected with Last-Event-ID within {:.0} ms; {storm_messages} messages sent meanwhile",
            outcome.reconnected.load(Ordering::Relaxed),
            ms(storm_started.elapsed())
        );
    }
    if let (Some(before), Some(after)) = (cpu_before, cpu_after) {
        let cpu = after - before;
        let client = match (client_cpu_before, client_cpu_after) {
            (Some(before), Some(after)) => {
                format!(" (the load generator: {:.1} s)", after - before)
            }
            _ => String::new(),
        };
        println!(
            "  server CPU: {cpu:.1} s = {:.2} µs per delivered event{client}",
            cpu * 1e6 / delivered.max(1) as f64
        );
    }
    println!(
        "  deliveries: {delivered} of {expected}; {finished} streams got every message; every stream got every message once, in order: {complete}"
    );
    drop(cluster);
    let failed =
        connected < streams as u64 || outcome.ended_early.load(Ordering::Relaxed) > 0 || !complete;
    if failed {
        println!("FAILED: not every stream connected and got every message once, in order");
        std::process::exit(1);
    }
    Ok(())
}

/// One stream: reads until the last message; on the storm signal, drops its connection and
/// reconnects (at a random moment within a second) with `Last-Event-ID`.
struct Reader {
    client: reqwest::Client,
    base: String,
    /// Whether the stream is someone (with a session cookie) rather than a script.
    person: bool,
    url: String,
    deliveries: Arc<Deliveries>,
    outcome: Arc<Streams>,
    last_seq: u64,
    storm: watch::Receiver<bool>,
}

impl Reader {
    /// Whether the stream got everything up to the last message.
    async fn run(mut self) -> bool {
        let mut expected = 1u64;
        let mut first = true;
        let cookie = if self.person {
            self.session_cookie().await
        } else {
            None
        };
        loop {
            let mut request = self.client.get(&self.url);
            if let Some(cookie) = &cookie {
                request = request.header("Cookie", cookie);
            }
            if expected > 1 {
                request = request.header("Last-Event-ID", (expected - 1).to_string());
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(_) => {
                    self.outcome.ended_early.fetch_add(1, Ordering::Relaxed);
                    return false;
                }
            };
            let status = response.status();
            if !status.is_success() {
                self.outcome.refused.fetch_add(1, Ordering::Relaxed);
                if status.is_server_error() {
                    self.outcome.server_errors.fetch_add(1, Ordering::Relaxed);
                }
                return false;
            }
            if first {
                self.outcome.connected.fetch_add(1, Ordering::Relaxed);
            } else {
                self.outcome.reconnected.fetch_add(1, Ordering::Relaxed);
            }
            let storm_before = *self.storm.borrow();
            match self.read(response, &mut expected, !storm_before).await {
                Read::Done => return true,
                Read::Ended => {
                    self.outcome.ended_early.fetch_add(1, Ordering::Relaxed);
                    return false;
                }
                Read::Storm => {
                    first = false;
                    let jitter = Duration::from_millis(rand::random::<u64>() % 1_000);
                    tokio::time::sleep(jitter).await;
                }
            }
        }
    }

    /// A session of its own, as a browser's page load gets one.
    async fn session_cookie(&self) -> Option<String> {
        let response = self
            .client
            .get(format!("{}/healthz", self.base))
            .send()
            .await
            .ok()?;
        let set_cookie = response.headers().get("set-cookie")?.to_str().ok()?;
        Some(set_cookie.split(';').next()?.to_owned())
    }

    async fn read(
        &mut self,
        response: reqwest::Response,
        expected: &mut u64,
        watch_storm: bool,
    ) -> Read {
        let mut body = response.bytes_stream();
        let mut buffer = Vec::new();
        loop {
            let chunk = tokio::select! {
                chunk = body.next() => chunk,
                changed = self.storm.changed(), if watch_storm => {
                    if changed.is_ok() {
                        return Read::Storm;
                    }
                    continue;
                }
            };
            let Some(Ok(chunk)) = chunk else {
                return Read::Ended;
            };
            buffer.extend_from_slice(&chunk);
            while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
                let frame: Vec<u8> = buffer.drain(..end + 2).collect();
                let Some(id) = frame
                    .strip_prefix(b"id: ")
                    .and_then(|rest| rest.split(|b| *b == b'\n').next())
                    .and_then(|id| std::str::from_utf8(id).ok())
                    .and_then(|id| id.parse::<u64>().ok())
                else {
                    continue;
                };
                let deliveries = &self.deliveries;
                if id != *expected {
                    deliveries.disorder.fetch_add(1, Ordering::Relaxed);
                }
                *expected = id + 1;
                if let Some(count) = deliveries.count.get(id as usize) {
                    let now = deliveries.start.elapsed().as_nanos() as u64;
                    deliveries.last_at[id as usize].fetch_max(now, Ordering::AcqRel);
                    count.fetch_add(1, Ordering::AcqRel);
                }
                if id >= self.last_seq {
                    return Read::Done;
                }
            }
        }
    }
}

enum Read {
    Done,
    Ended,
    Storm,
}

/// `count` messages from `senders` concurrent senders (each to a node in turn).
async fn send_concurrently(
    client: &reqwest::Client,
    bases: &[String],
    senders: usize,
    count: usize,
    label: &str,
) -> Result<(), String> {
    let per_sender = count.div_ceil(senders);
    let mut tasks = Vec::new();
    for s in 0..senders {
        let client = client.clone();
        let base = bases[s % bases.len()].clone();
        let mine = per_sender.min(count.saturating_sub(s * per_sender));
        let label = label.to_owned();
        tasks.push(tokio::spawn(async move {
            for i in 0..mine {
                send(&client, &base, &format!("{label} {s}/{i}")).await?;
            }
            Ok::<_, String>(())
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    Ok(())
}

async fn send(client: &reqwest::Client, base: &str, body: &str) -> Result<(), String> {
    let response = client
        .post(format!("{base}/api/send_message"))
        .form(&[("room", "bench"), ("body", body)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("send answered {}", response.status()))
    }
}

async fn wait_until_up(client: &reqwest::Client, base: &str) -> Result<(), String> {
    for _ in 0..200 {
        if let Ok(response) = client.get(format!("{base}/healthz")).send().await {
            if response.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("server did not start".into())
}

fn num_cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}
