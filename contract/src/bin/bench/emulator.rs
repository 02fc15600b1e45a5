//! Benchmark 3: the emulator's throughput and tail latency for small authenticated GETs.
//!
//! `GET /users/me` with `X-API-Key`, sent by `CONCURRENCY` tasks over kept-alive loopback
//! connections, against the emulator (key lookup, scope check, rate-limit bookkeeping off, JSON
//! from its state) and against the bench server's bare axum handler for the same route (a string
//! compare and a constant body): the baseline, run in the same process, alternating rounds. Each
//! server runs on its own thread and current-thread runtime, as the load generator does, so both
//! sides get one core each.

use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};

use super::server::{Server, BENCH_KEY};

/// Requests in flight at once.
pub const CONCURRENCY: usize = 16;

/// One side of one round.
#[derive(Debug, Clone, Copy)]
pub struct Side {
    pub requests_per_s: f64,
    pub p50: Duration,
    pub p99: Duration,
}

#[derive(Debug, Clone, Copy)]
pub struct Round {
    pub emulator: Side,
    pub baseline: Side,
}

#[derive(Debug, Clone)]
pub struct Results {
    pub rounds: Vec<Round>,
}

pub fn run(server: &Server, requests: usize, rounds: usize, warmup: usize) -> Result<Results, String> {
    let builder = pinarkive::emulator::Emulator::builder().api_key(BENCH_KEY, ["*"]).no_rate_limit();
    let emulator = EmulatorThread::start(builder, Runtime::CurrentThread)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start tokio: {e}"))?;
    runtime.block_on(async {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(CONCURRENCY)
            .tcp_nodelay(true)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let emulator_url = format!("{}/users/me", emulator.base_url);
        let baseline_url = format!("{}/users/me", server.base_url);
        load(&http, &emulator_url, warmup).await?;
        load(&http, &baseline_url, warmup).await?;

        let mut results = Vec::with_capacity(rounds);
        for round in 0..rounds {
            let (emulator, baseline) = if round % 2 == 0 {
                let e = load(&http, &emulator_url, requests).await?;
                (e, load(&http, &baseline_url, requests).await?)
            } else {
                let b = load(&http, &baseline_url, requests).await?;
                (load(&http, &emulator_url, requests).await?, b)
            };
            eprintln!(
                "bench: emulator {}/{rounds}  {:>7.0} req/s p99 {:>6.2} ms   baseline {:>7.0} req/s p99 {:>6.2} ms",
                round + 1,
                emulator.requests_per_s,
                emulator.p99.as_secs_f64() * 1e3,
                baseline.requests_per_s,
                baseline.p99.as_secs_f64() * 1e3,
            );
            results.push(Round { emulator, baseline });
        }
        Ok(Results { rounds: results })
    })
}

/// Sends `requests` GETs, `CONCURRENCY` at a time; every one must answer 200.
async fn load(http: &reqwest::Client, url: &str, requests: usize) -> Result<Side, String> {
    let started = Instant::now();
    let mut latencies: Vec<Duration> = stream::iter(0..requests)
        .map(|_| async {
            let sent = Instant::now();
            let response = http
                .get(url)
                .header("X-API-Key", BENCH_KEY)
                .send()
                .await
                .map_err(|e| format!("GET {url}: {e}"))?;
            let status = response.status();
            response.bytes().await.map_err(|e| format!("GET {url}: reading the body: {e}"))?;
            if status != reqwest::StatusCode::OK {
                return Err(format!("GET {url} answered {status}, expected 200"));
            }
            Ok(sent.elapsed())
        })
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<Result<Duration, String>>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let wall = started.elapsed();
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies.get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
    };
    Ok(Side {
        requests_per_s: requests as f64 / wall.as_secs_f64(),
        p50: at(0.50).copied().unwrap_or_default(),
        p99: at(0.99).copied().unwrap_or_default(),
    })
}

/// The runtime an [`EmulatorThread`] serves on.
#[derive(Debug, Clone, Copy)]
pub enum Runtime {
    /// One thread, as the load generator has: one core each.
    CurrentThread,
    /// tokio's default scheduler with this many workers, as a `#[tokio::main]` program has.
    MultiThread(usize),
}

/// The emulator on its own thread and runtime, for the life of the process.
pub struct EmulatorThread {
    pub base_url: String,
}

impl EmulatorThread {
    pub fn start(
        builder: pinarkive::emulator::EmulatorBuilder,
        runtime: Runtime,
    ) -> Result<EmulatorThread, String> {
        let runtime = match runtime {
            Runtime::CurrentThread => tokio::runtime::Builder::new_current_thread().enable_all().build(),
            Runtime::MultiThread(workers) => {
                tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_all().build()
            }
        }
        .map_err(|e| format!("cannot start tokio: {e}"))?;
        let (started, base_url) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("bench-emulator".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match builder.start().await {
                        Ok(emulator) => {
                            let _ = started.send(Ok(emulator.base_url().to_string()));
                            // Serve until the process exits.
                            std::future::pending::<()>().await;
                        }
                        Err(e) => {
                            let _ = started.send(Err(format!("cannot start the emulator: {e}")));
                        }
                    }
                })
            })
            .map_err(|e| format!("cannot start the emulator thread: {e}"))?;
        let base_url =
            base_url.recv().map_err(|_| "the emulator thread ended before it started".to_string())??;
        Ok(EmulatorThread { base_url })
    }
}
