//! Benchmark 4: the emulator as an account grows. Ten consecutive directory uploads of 10,000
//! files each (100,000 records in the end), timed one by one: the time must not grow with what
//! the account already holds. Meanwhile another key sends `GET /users/me` one after another, and
//! its latency is compared with the same loop on the idle emulator: a large upload must not hold
//! the state lock long enough to stall other clients.
//!
//! The emulator runs on its own thread with tokio's multi-thread scheduler (two workers, as a
//! `#[tokio::main]` test on this machine would have); the uploads are sent from this thread, the
//! GETs from a thread of their own, each with a current-thread runtime. The bodies are built
//! before the clock starts.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::emulator::{EmulatorThread, Runtime};
use super::server::BENCH_KEY;

/// Each upload must take less than this.
pub const UPLOAD_TARGET: Duration = Duration::from_secs(1);
/// The last uploads' time ÷ the first uploads' at most this ("does not grow").
pub const GROWTH_TARGET: f64 = 1.5;
/// The p99 of the GETs during the uploads must stay under this.
pub const P99_TARGET: Duration = Duration::from_millis(50);
/// Uploads averaged at each end for the growth figure.
const ENDS: usize = 3;
/// The key of the GETs: another key of the same account, allowed only `user:read`.
const READER_KEY: &str = "bench-reader";
/// GETs on the idle emulator, after as many untimed ones.
const IDLE_GETS: usize = 2_000;
const BOUNDARY: &str = "pinarkive-bench-dag-boundary";

/// Latencies of a run of GETs.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    pub count: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Latency {
    fn of(mut samples: Vec<Duration>) -> Result<Latency, String> {
        if samples.is_empty() {
            return Err("no GET was timed".into());
        }
        samples.sort_unstable();
        let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
        Ok(Latency { count: samples.len(), p50: at(0.50), p99: at(0.99), max: samples[samples.len() - 1] })
    }
}

#[derive(Debug, Clone)]
pub struct Results {
    pub files: usize,
    /// Each upload's time, from sending to the whole answer, in order.
    pub uploads: Vec<Duration>,
    pub idle: Latency,
    pub loaded: Latency,
}

impl Results {
    pub fn slowest(&self) -> Duration {
        self.uploads.iter().copied().max().unwrap_or_default()
    }

    /// The mean of the last [`ENDS`] uploads ÷ the mean of the first.
    pub fn growth(&self) -> f64 {
        let ends = ENDS.min(self.uploads.len() / 2).max(1);
        let mean = |d: &[Duration]| d.iter().map(Duration::as_secs_f64).sum::<f64>() / d.len() as f64;
        mean(&self.uploads[self.uploads.len() - ends..]) / mean(&self.uploads[..ends])
    }

    /// The summary rows: figure, target, whether it is met.
    pub fn summary(&self) -> [(String, String, String, bool); 3] {
        let n = self.uploads.len();
        let files = super::report::thousands(self.files);
        [
            (
                format!("{n} DAG uploads of {files} files: the slowest"),
                format!("{:.0} ms", ms(self.slowest())),
                format!("< {} ms", UPLOAD_TARGET.as_millis()),
                self.slowest() < UPLOAD_TARGET,
            ),
            (
                format!("{n} DAG uploads: the last {ENDS}' mean time ÷ the first {ENDS}'"),
                format!("{:.2}×", self.growth()),
                format!("≤ {GROWTH_TARGET:.1}×"),
                self.growth() <= GROWTH_TARGET,
            ),
            (
                "`GET /users/me` (another key) during the uploads: p99".to_owned(),
                format!("{:.1} ms (idle: {:.1} ms)", ms(self.loaded.p99), ms(self.idle.p99)),
                format!("< {} ms", P99_TARGET.as_millis()),
                self.loaded.p99 < P99_TARGET,
            ),
        ]
    }

    pub fn all_pass(&self) -> bool {
        self.summary().iter().all(|row| row.3)
    }

    /// The report's section.
    pub fn section(&self, number: usize) -> String {
        let mut s = String::new();
        let files = super::report::thousands(self.files);
        let _ = writeln!(s, "\n## {number}. The emulator as an account grows: directory uploads\n");
        let _ = writeln!(
            s,
            "{} consecutive `POST /files/directory-dag` uploads of {files} small files each (distinct \
             content, so the account ends with {} records), timed from sending to the whole answer. \
             Meanwhile another key of the account sends `GET /users/me` one after another from its own \
             thread; **idle** is the same loop ({} GETs) before the uploads. The emulator \
             (`pinarkive::emulator`, rate limiting off) runs on tokio's multi-thread scheduler with two \
             workers.\n",
            self.uploads.len(),
            super::report::thousands(self.uploads.len() * (self.files + 1)),
            super::report::thousands(IDLE_GETS),
        );
        let _ = writeln!(s, "| Upload | Time (ms) |\n|---|---|");
        for (i, time) in self.uploads.iter().enumerate() {
            let _ = writeln!(s, "| {} | {:.0} |", i + 1, ms(*time));
        }
        let _ = writeln!(
            s,
            "\n| `GET /users/me` | GETs | p50 (ms) | p99 (ms) | max (ms) |\n|---|---|---|---|---|"
        );
        for (label, l) in [("idle", self.idle), ("during the uploads", self.loaded)] {
            let _ = writeln!(
                s,
                "| {label} | {} | {:.2} | {:.2} | {:.2} |",
                super::report::thousands(l.count),
                ms(l.p50),
                ms(l.p99),
                ms(l.max)
            );
        }
        let _ = writeln!(
            s,
            "\nThe state lock is held only to insert an upload's records (made beforehand) into \
             indexes whose cost does not depend on the account's size, so the upload time stays flat \
             and the other key's requests wait at most that long."
        );
        s
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A multipart body of `files` parts named `files`, each a distinct small file of upload `n`.
fn dag_body(n: usize, files: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(files * 160);
    for i in 0..files {
        let _ = write!(
            Buf(&mut body),
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"site-{n}/page-{i:05}.txt\"\r\n\
             Content-Type: application/octet-stream\r\n\r\nupload {n}, file {i}\r\n"
        );
    }
    let _ = write!(Buf(&mut body), "--{BOUNDARY}--\r\n");
    body
}

/// `fmt::Write` into a byte buffer.
struct Buf<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Buf<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

pub fn run(uploads: usize, files: usize) -> Result<Results, String> {
    let builder = pinarkive::emulator::Emulator::builder()
        .api_key(BENCH_KEY, ["*"])
        .api_key(READER_KEY, ["user:read"])
        .no_rate_limit();
    let emulator = EmulatorThread::start(builder, Runtime::MultiThread(2))?;
    let me_url = format!("{}/users/me", emulator.base_url);
    let dag_url = format!("{}/files/directory-dag", emulator.base_url);

    eprintln!("bench: dag: building {uploads} bodies of {files} files ...");
    let bodies: Vec<Vec<u8>> = (0..uploads).map(|n| dag_body(n, files)).collect();

    // Untimed, then the idle baseline.
    gets_until(&me_url, Some(IDLE_GETS), None)?;
    let idle = Latency::of(gets_until(&me_url, Some(IDLE_GETS), None)?)?;
    eprintln!("bench: dag: idle GET p99 {:.2} ms", ms(idle.p99));

    let done = Arc::new(AtomicBool::new(false));
    let loaded = {
        let (url, done) = (me_url.clone(), Arc::clone(&done));
        std::thread::Builder::new()
            .name("bench-dag-gets".into())
            .spawn(move || gets_until(&url, None, Some(&done)))
            .map_err(|e| format!("cannot start the GET thread: {e}"))?
    };
    let times = upload_all(&dag_url, bodies, files);
    done.store(true, Ordering::Relaxed);
    let loaded = loaded.join().map_err(|_| "the GET thread panicked".to_string())??;
    let uploads = times?;
    Ok(Results { files, uploads, idle, loaded: Latency::of(loaded)? })
}

/// Sends the bodies one after another; each must answer 201 with all its files.
fn upload_all(url: &str, bodies: Vec<Vec<u8>>, files: usize) -> Result<Vec<Duration>, String> {
    let runtime = current_thread()?;
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let mut times = Vec::with_capacity(bodies.len());
        let count = bodies.len();
        for (n, body) in bodies.into_iter().enumerate() {
            let started = Instant::now();
            let response = http
                .post(url)
                .header("X-API-Key", BENCH_KEY)
                .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
                .body(body)
                .send()
                .await
                .map_err(|e| format!("upload {}: {e}", n + 1))?;
            let status = response.status();
            let answer =
                response.bytes().await.map_err(|e| format!("upload {}: reading the answer: {e}", n + 1))?;
            let time = started.elapsed();
            let answer: serde_json::Value = serde_json::from_slice(&answer)
                .map_err(|e| format!("upload {}: the answer is not JSON: {e}", n + 1))?;
            if status != reqwest::StatusCode::CREATED || answer["total_files"] != files {
                return Err(format!("upload {} answered {status}: {:.200}", n + 1, answer.to_string()));
            }
            eprintln!("bench: dag: upload {}/{count}: {:.0} ms", n + 1, ms(time));
            times.push(time);
        }
        Ok(times)
    })
}

/// Sends `GET /users/me` with the reader key one after another, `count` times or until `done`;
/// the latency of each.
fn gets_until(url: &str, count: Option<usize>, done: Option<&AtomicBool>) -> Result<Vec<Duration>, String> {
    let runtime = current_thread()?;
    runtime.block_on(async {
        let http = reqwest::Client::builder()
            .tcp_nodelay(true)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let mut latencies = Vec::new();
        while count.is_none_or(|count| latencies.len() < count)
            && !done.is_some_and(|d| d.load(Ordering::Relaxed))
        {
            let sent = Instant::now();
            let response = http
                .get(url)
                .header("X-API-Key", READER_KEY)
                .send()
                .await
                .map_err(|e| format!("GET {url}: {e}"))?;
            let status = response.status();
            response.bytes().await.map_err(|e| format!("GET {url}: {e}"))?;
            if status != reqwest::StatusCode::OK {
                return Err(format!("GET {url} answered {status}"));
            }
            latencies.push(sent.elapsed());
        }
        Ok(latencies)
    })
}

fn current_thread() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start tokio: {e}"))
}
