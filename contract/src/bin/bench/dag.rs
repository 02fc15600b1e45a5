//! Benchmark 4: the emulator as an account grows. Ten consecutive directory uploads of 10,000
//! files each (100,000 records in the end), timed one by one: the time must not grow with what
//! the account already holds. The baseline, in the same rounds, is the same upload into a second
//! emulator whose account is emptied after each one, so each round compares a growing account
//! with an empty one on the same machine at the same moment (a shared machine's speed drifts too
//! much for the first uploads to be the reference). Meanwhile another key of the growing account
//! sends `GET /users/me` one after another, and its latency is compared with the same loop on
//! the idle emulator: a large upload must not hold the state lock long enough to stall others.
//!
//! Each emulator runs on its own thread with tokio's multi-thread scheduler (two workers, as a
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
/// In the last rounds, an upload into the grown account takes at most this many times as long as
/// into an empty one ("does not grow").
pub const GROWTH_TARGET: f64 = 1.5;
/// The p99 of the GETs during the uploads must stay under this.
pub const P99_TARGET: Duration = Duration::from_millis(50);
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

/// One round: the same-sized upload into the growing account and into an empty one, each from
/// sending to the whole answer.
#[derive(Debug, Clone, Copy)]
pub struct Round {
    pub growing: Duration,
    pub empty: Duration,
}

impl Round {
    fn ratio(&self) -> f64 {
        self.growing.as_secs_f64() / self.empty.as_secs_f64()
    }
}

#[derive(Debug, Clone)]
pub struct Results {
    pub files: usize,
    pub rounds: Vec<Round>,
    pub idle: Latency,
    pub loaded: Latency,
}

impl Results {
    pub fn slowest(&self) -> Duration {
        self.rounds.iter().map(|r| r.growing).max().unwrap_or_default()
    }

    /// The median, over the last half of the rounds, of the growing account's time ÷ the empty
    /// one's.
    pub fn growth(&self) -> f64 {
        let last = &self.rounds[self.rounds.len() / 2..];
        super::Stats::of(last.iter().map(Round::ratio)).median
    }

    /// The summary rows: figure, target, whether it is met.
    pub fn summary(&self) -> [(String, String, String, bool); 3] {
        let n = self.rounds.len();
        let files = super::report::thousands(self.files);
        [
            (
                format!("{n} DAG uploads of {files} files: the slowest"),
                format!("{:.0} ms", ms(self.slowest())),
                format!("< {} ms", UPLOAD_TARGET.as_millis()),
                self.slowest() < UPLOAD_TARGET,
            ),
            (
                format!(
                    "DAG uploads into a grown account ÷ into an empty one (median of the last {} rounds)",
                    n - n / 2
                ),
                format!(
                    "{:.2}× (round 1: {:.2}×)",
                    self.growth(),
                    self.rounds.first().map_or(0.0, Round::ratio)
                ),
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
             **empty**: in the same round, the same upload into a second emulator whose account is \
             emptied after each one (the order of the two alternates). Meanwhile another key of the \
             growing account sends `GET /users/me` one after another from its own thread; **idle** is \
             the same loop ({} GETs) before the uploads. Each emulator (`pinarkive::emulator`, rate \
             limiting off) runs on tokio's multi-thread scheduler with two workers.\n",
            self.rounds.len(),
            super::report::thousands(self.rounds.len() * (self.files + 1)),
            super::report::thousands(IDLE_GETS),
        );
        let _ = writeln!(
            s,
            "| Round | Records before | Growing (ms) | Empty (ms) | Ratio |\n|---|---|---|---|---|"
        );
        for (i, round) in self.rounds.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {} | {} | {:.0} | {:.0} | {:.2}× |",
                i + 1,
                super::report::thousands(i * (self.files + 1)),
                ms(round.growing),
                ms(round.empty),
                round.ratio()
            );
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
             B-tree indexes, whose cost grows with the logarithm of the account's size and has no \
             rehash pauses, so the upload time stays flat and the other key's requests wait at most \
             that long. Single rounds vary with what else the machine runs; the ratio is taken within \
             each round for that reason. The GETs go to the growing emulator only, so they take \
             some of its time in every round and the ratio overstates the account's own cost a little."
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
    let builder = || {
        pinarkive::emulator::Emulator::builder()
            .api_key(BENCH_KEY, ["*"])
            .api_key(READER_KEY, ["user:read"])
            .no_rate_limit()
    };
    let growing = EmulatorThread::start(builder(), Runtime::MultiThread(2))?;
    let empty = EmulatorThread::start(builder(), Runtime::MultiThread(2))?;
    let me_url = format!("{}/users/me", growing.base_url);

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
    let rounds = upload_rounds(&growing.base_url, &empty.base_url, bodies, files);
    done.store(true, Ordering::Relaxed);
    let loaded = loaded.join().map_err(|_| "the GET thread panicked".to_string())??;
    Ok(Results { files, rounds: rounds?, idle, loaded: Latency::of(loaded)? })
}

/// Each body into the growing account and into the empty one (which is emptied again after),
/// the two in turn first; each must answer 201 with all its files.
fn upload_rounds(
    growing: &str,
    empty: &str,
    bodies: Vec<Vec<u8>>,
    files: usize,
) -> Result<Vec<Round>, String> {
    let runtime = current_thread()?;
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let count = bodies.len();
        let mut rounds = Vec::with_capacity(count);
        for (n, body) in bodies.into_iter().enumerate() {
            // Each returns (time, the directory's CID); the empty account's CID is removed after.
            let (growing_time, (empty_time, root)) = if n % 2 == 0 {
                let g = upload(&http, growing, body.clone(), files).await?;
                (g.0, upload(&http, empty, body, files).await?)
            } else {
                let e = upload(&http, empty, body.clone(), files).await?;
                (upload(&http, growing, body, files).await?.0, e)
            };
            let emptied = http
                .delete(format!("{empty}/users/me/uploads/{root}"))
                .header("X-API-Key", BENCH_KEY)
                .send()
                .await
                .map_err(|e| format!("emptying the baseline account: {e}"))?;
            if !emptied.status().is_success() {
                return Err(format!("emptying the baseline account answered {}", emptied.status()));
            }
            let round = Round { growing: growing_time, empty: empty_time };
            eprintln!(
                "bench: dag: round {}/{count}: growing {:.0} ms, empty {:.0} ms",
                n + 1,
                ms(round.growing),
                ms(round.empty)
            );
            rounds.push(round);
        }
        Ok(rounds)
    })
}

/// Uploads one body to the emulator at `base_url`: the time, and the directory's CID.
async fn upload(
    http: &reqwest::Client,
    base_url: &str,
    body: Vec<u8>,
    files: usize,
) -> Result<(Duration, String), String> {
    let started = Instant::now();
    let response = http
        .post(format!("{base_url}/files/directory-dag"))
        .header("X-API-Key", BENCH_KEY)
        .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .await
        .map_err(|e| format!("upload to {base_url}: {e}"))?;
    let status = response.status();
    let answer =
        response.bytes().await.map_err(|e| format!("upload to {base_url}: reading the answer: {e}"))?;
    let time = started.elapsed();
    let answer: serde_json::Value = serde_json::from_slice(&answer)
        .map_err(|e| format!("upload to {base_url}: the answer is not JSON: {e}"))?;
    if status != reqwest::StatusCode::CREATED || answer["total_files"] != files {
        return Err(format!("upload to {base_url} answered {status}: {:.200}", answer.to_string()));
    }
    let root = answer["cid"].as_str().ok_or("the upload's answer has no cid")?.to_owned();
    Ok((time, root))
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
