//! The load benchmark: fan-out of one room to many open SSE streams.
//!
//! Starts the release-built server binary (its own process, a fresh SQLite file; or, with
//! `BACKEND=redis`, `NODES` processes sharing a fresh `redis-server`), opens `STREAMS` event
//! streams to one room from this process (spread over the nodes), then measures:
//!
//! - latency: messages sent one at a time (`PACE_MS` apart); for each, the time from the
//!   send until *every* stream has received it (p50 / p99 / max);
//! - throughput: `BURST` messages sent back to back from `SENDERS` concurrent senders (each
//!   to its own node, in turn); events
//!   delivered per second across all streams, and whether every stream got every message once
//!   and in order;
//! - memory: the servers' resident memory per open stream.
//!
//! Run: `cargo bench --features ssr --bench fanout` (env: STREAMS, MESSAGES, PACE_MS, BURST,
//! SENDERS, BACKEND=sqlite|redis, NODES).

mod servers;

use servers::{Backend, Cluster};

use futures::StreamExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let streams = setting("STREAMS", 2_000);
    let messages = setting("MESSAGES", 200);
    let pace = Duration::from_millis(setting("PACE_MS", 20) as u64);
    let burst = setting("BURST", 1_000);
    let senders = setting("SENDERS", 8);
    let total = messages + burst;

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

    let deliveries = Arc::new(Deliveries {
        start: Instant::now(),
        count: (0..=total).map(|_| AtomicU64::new(0)).collect(),
        last_at: (0..=total).map(|_| AtomicU64::new(0)).collect(),
        disorder: AtomicU64::new(0),
    });
    let connected = Arc::new(AtomicU64::new(0));
    let opening = Instant::now();
    let mut readers = Vec::with_capacity(streams);
    for n in 0..streams {
        let client = client.clone();
        let url = format!("{}/api/rooms/bench/events?after=0", bases[n % nodes]);
        let deliveries = deliveries.clone();
        let connected = connected.clone();
        readers.push(tokio::spawn(async move {
            read_stream(client, url, deliveries, connected, total as u64).await
        }));
    }
    while connected.load(Ordering::Relaxed) < streams as u64 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let open_time = opening.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_open = cluster.rss_kib();

    // Latency: one message at a time.
    let mut latencies = Vec::with_capacity(messages);
    for i in 1..=messages {
        let sent = deliveries.start.elapsed();
        let base = &bases[i % nodes];
        send(&client, base, &format!("latency probe {i}")).await?;
        let seq = i;
        let waited = Instant::now();
        while deliveries.count[seq].load(Ordering::Acquire) < streams as u64 {
            if waited.elapsed() > Duration::from_secs(30) {
                return Err(format!("message {seq} did not reach every stream").into());
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        let done = Duration::from_nanos(deliveries.last_at[seq].load(Ordering::Acquire));
        latencies.push(done.saturating_sub(sent));
        tokio::time::sleep(pace).await;
    }

    // Throughput: a burst from several senders at once.
    let burst_start = deliveries.start.elapsed();
    let per_sender = burst.div_ceil(senders);
    let mut tasks = Vec::new();
    for s in 0..senders {
        let client = client.clone();
        let base = bases[s % nodes].clone();
        let count = per_sender.min(burst.saturating_sub(s * per_sender));
        tasks.push(tokio::spawn(async move {
            for i in 0..count {
                send(&client, &base, &format!("burst {s}/{i}")).await?;
            }
            Ok::<_, String>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let sends_done = deliveries.start.elapsed();
    for reader in readers {
        tokio::time::timeout(Duration::from_secs(120), reader).await???;
    }
    let last_delivery = (messages + 1..=total)
        .map(|seq| deliveries.last_at[seq].load(Ordering::Acquire))
        .max()
        .map(Duration::from_nanos)
        .unwrap_or_default();
    let burst_time = last_delivery.saturating_sub(burst_start);
    let complete =
        (1..=total).all(|seq| deliveries.count[seq].load(Ordering::Acquire) == streams as u64);

    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "fan-out benchmark: {streams} streams, one room, {backend:?}, {nodes} node(s), {} cores",
        num_cpus()
    );
    println!(
        "  open {streams} streams:            {:>8.0} ms",
        ms(open_time)
    );
    println!(
        "  latency, send -> all {streams} streams: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({messages} messages, {} ms apart)",
        ms(pct(0.5)),
        ms(pct(0.99)),
        ms(*latencies.last().unwrap_or(&Duration::ZERO)),
        pace.as_millis()
    );
    println!(
        "  burst of {burst} messages from {senders} senders: sent in {:.0} ms, delivered to all in {:.0} ms = {:.0} events/s",
        ms(sends_done.saturating_sub(burst_start)),
        ms(burst_time),
        (burst * streams) as f64 / burst_time.as_secs_f64()
    );
    println!(
        "  every stream got every message once, in order: {}",
        complete && deliveries.disorder.load(Ordering::Relaxed) == 0
    );
    if let (Some(before), Some(open)) = (rss_before, rss_open) {
        println!(
            "  server memory (all nodes): {} KiB idle, {} KiB with streams open = {:.1} KiB per stream",
            before,
            open,
            (open.saturating_sub(before)) as f64 / streams as f64
        );
    }
    drop(cluster);
    Ok(())
}

async fn read_stream(
    client: reqwest::Client,
    url: String,
    deliveries: Arc<Deliveries>,
    connected: Arc<AtomicU64>,
    last_seq: u64,
) -> Result<(), String> {
    let response = client.get(&url).send().await.map_err(|e| e.to_string())?;
    let mut body = response.bytes_stream();
    let mut buffer = Vec::new();
    let mut expected = 1u64;
    let mut counted = false;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        if !counted {
            counted = true;
            connected.fetch_add(1, Ordering::Relaxed);
        }
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
            if id != expected {
                deliveries.disorder.fetch_add(1, Ordering::Relaxed);
            }
            expected = id + 1;
            if let Some(count) = deliveries.count.get(id as usize) {
                let now = deliveries.start.elapsed().as_nanos() as u64;
                deliveries.last_at[id as usize].fetch_max(now, Ordering::AcqRel);
                count.fetch_add(1, Ordering::AcqRel);
            }
            if id >= last_seq {
                return Ok(());
            }
        }
    }
    Err("stream ended early".into())
}

async fn send(client: &reqwest::Client, base: &str, body: &str) -> Result<(), String> {
    let response = client
        .post(format!("{base}/api/send_message"))
        .form(&[("room", "bench"), ("body", body), ("author", "bench")])
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
