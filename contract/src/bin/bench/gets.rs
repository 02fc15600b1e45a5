//! Benchmark 2: sequential small GETs, our `health_get` against a bare `reqwest` loop.
//!
//! Both run in this process on one current-thread runtime (the server has its own thread), one
//! after the other, each on its own kept-alive connection, after a warm-up. Rounds alternate
//! who goes first.

use std::hint::black_box;
use std::time::{Duration, Instant};

use super::server::Server;

/// GETs per block; the sides alternate block by block.
pub const BLOCK: usize = 500;

/// One round: `gets` calls by each side.
#[derive(Debug, Clone, Copy)]
pub struct Round {
    pub ours: Duration,
    pub bare: Duration,
    /// CPU time (user + system) of this thread, which runs the client and its connection.
    pub ours_cpu: Duration,
    pub bare_cpu: Duration,
}

#[derive(Debug, Clone)]
pub struct Results {
    pub gets: usize,
    pub rounds: Vec<Round>,
    /// CPU steal during the timed rounds, in percent.
    pub steal_percent: Option<f64>,
}

pub fn run(server: &Server, gets: usize, rounds: usize, warmup: usize) -> Result<Results, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start tokio: {e}"))?;
    runtime.block_on(async {
        let ours = pinarkive::Client::builder()
            .base_url(&server.base_url)
            .api_key(super::server::BENCH_KEY)
            .build()
            .map_err(|e| e.to_string())?;
        let bare = reqwest::Client::new();
        let url = format!("{}/health", server.base_url);

        counted(server, warmup, ours_loop(&ours, warmup)).await?;
        counted(server, warmup, bare_loop(&bare, &url, warmup)).await?;

        // Each round is `gets` calls per side, sent in blocks that alternate between the sides,
        // so that a slow patch of the machine (CPU steal on a VM) hits both alike.
        let blocks = gets.div_ceil(BLOCK);
        let cpu_before = super::CpuTimes::read();
        let mut results = Vec::with_capacity(rounds);
        for round in 0..rounds {
            let (mut o, mut b) = ([Duration::ZERO; 2], [Duration::ZERO; 2]);
            let add = |sum: &mut [Duration; 2], (wall, cpu)| {
                sum[0] += wall;
                sum[1] += cpu;
            };
            for block in 0..blocks {
                let n = BLOCK.min(gets - block * BLOCK);
                if (round + block) % 2 == 0 {
                    add(&mut o, counted(server, n, ours_loop(&ours, n)).await?);
                    add(&mut b, counted(server, n, bare_loop(&bare, &url, n)).await?);
                } else {
                    add(&mut b, counted(server, n, bare_loop(&bare, &url, n)).await?);
                    add(&mut o, counted(server, n, ours_loop(&ours, n)).await?);
                }
            }
            let [ours_time, ours_cpu] = o;
            let [bare_time, bare_cpu] = b;
            eprintln!(
                "bench: GETs {}/{rounds}  ours {:>7.1} ms  bare {:>7.1} ms  ratio {:.3}  (CPU ratio {:.3})",
                round + 1,
                ours_time.as_secs_f64() * 1e3,
                bare_time.as_secs_f64() * 1e3,
                ours_time.as_secs_f64() / bare_time.as_secs_f64(),
                ours_cpu.as_secs_f64() / bare_cpu.as_secs_f64()
            );
            results.push(Round { ours: ours_time, bare: bare_time, ours_cpu, bare_cpu });
        }
        let steal_percent = super::CpuTimes::steal_percent(cpu_before, super::CpuTimes::read());
        Ok(Results { gets, rounds: results, steal_percent })
    })
}

/// Runs a loop and checks that the server answered exactly `n` health calls meanwhile; the
/// loop's wall time and this thread's CPU time.
async fn counted(
    server: &Server,
    n: usize,
    run: impl std::future::Future<Output = Result<Duration, String>>,
) -> Result<(Duration, Duration), String> {
    let before = server.health_count();
    let cpu = thread_cpu();
    let time = run.await?;
    let cpu = thread_cpu().saturating_sub(cpu);
    let seen = server.health_count() - before;
    if seen != n as u64 {
        return Err(format!("the server saw {seen} GETs where {n} were sent"));
    }
    Ok((time, cpu))
}

/// User plus system CPU time of the calling thread.
fn thread_cpu() -> Duration {
    // SAFETY: rusage is plain old data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: usage points to a live local.
    if unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

async fn ours_loop(client: &pinarkive::Client, n: usize) -> Result<Duration, String> {
    let started = Instant::now();
    for _ in 0..n {
        let health = client.health_get().send().await.map_err(|e| format!("ours: {e}"))?;
        black_box(health.into_inner());
    }
    Ok(started.elapsed())
}

async fn bare_loop(http: &reqwest::Client, url: &str, n: usize) -> Result<Duration, String> {
    let started = Instant::now();
    for _ in 0..n {
        let body = async { http.get(url).send().await?.error_for_status()?.bytes().await }
            .await
            .map_err(|e| format!("bare reqwest: {e}"))?;
        let value: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| format!("bare reqwest: {e}"))?;
        black_box(value);
    }
    Ok(started.elapsed())
}
