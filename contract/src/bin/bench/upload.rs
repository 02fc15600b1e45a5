//! Benchmark 1: one large upload per child process; ours against curl, plus a reference.
//!
//! Each upload is a fresh child process reaped with `wait4`, so its `ru_maxrss` is that process's
//! own peak, and the wall time runs from spawn to reaping. Our side is this binary re-invoked as
//! `upload-child`, so its memory is the client, tokio and this binary's code, nothing of
//! the parent (which holds the server).
//!
//! The reference side is the same client and the same multipart code, with only the source of
//! the bytes changed: `Source::reader_with_length` over [`ReadAhead`], which reads the file on a
//! blocking thread ahead of the socket. It is not a target; it shows how much of any gap to curl
//! comes from reading the file rather than from the HTTP path.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Command, ExitCode, Stdio};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;

use super::server::{Server, CID};

/// The credential both sides send (the server ignores it).
use super::server::BENCH_KEY as API_KEY;

/// The reference's read size and how many reads may wait for the socket.
pub const READ_AHEAD_CHUNK: usize = 256 * 1024;
pub const READ_AHEAD_DEPTH: usize = 4;

/// Which program uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `client.upload_file(path)`.
    Ours,
    /// `curl -F file=@PATH`.
    Curl,
    /// `client.upload(name, Source::reader_with_length(ReadAhead, len))`.
    ReadAhead,
}

impl Side {
    pub const ALL: [Side; 3] = [Side::Ours, Side::Curl, Side::ReadAhead];

    pub fn name(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::Curl => "curl",
            Side::ReadAhead => "reference",
        }
    }
}

/// One child process: an upload, or a baseline (one small GET).
#[derive(Debug, Clone)]
pub struct Run {
    pub side: Side,
    /// Spawn to reaping.
    pub wall: Duration,
    /// `ru_maxrss` of the child, in KiB.
    pub max_rss_kib: u64,
    /// What the server received (uploads only).
    pub body_bytes: u64,
    /// The server's time from the request's head to the body's end (uploads only).
    pub server_time: Duration,
    /// The client's own timing: our child's around `send().await`, curl's `time_total`.
    pub client_time: Duration,
    /// The client sent `Expect: 100-continue`.
    pub expect_continue: bool,
}

/// Everything benchmark 1 measured.
#[derive(Debug, Clone)]
pub struct Results {
    pub file_bytes: u64,
    pub file_setup: String,
    pub uploads: Vec<Run>,
    pub baselines: Vec<Run>,
    pub curl_version: String,
    /// CPU steal while the uploads ran, in percent (a VM's host taking the CPUs away).
    pub steal_percent: Option<f64>,
}

/// Writes the file, runs the baselines and `rounds` uploads per side, and deletes the file.
pub fn run(server: &Server, mib: u64, rounds: usize) -> Result<Results, String> {
    let curl_version = curl_version()?;
    let dir = crate::workspace_root().join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let file = TempFile(dir.join(format!("upload-{mib}MiB.bin")));
    let file_bytes = mib * 1024 * 1024;
    let started = Instant::now();
    write_random(&file.0, file_bytes).map_err(|e| format!("cannot write {}: {e}", file.0.display()))?;
    let file_setup = format!(
        "{mib} MiB of pseudo-random bytes (xorshift64*), written and fsynced in {:.1} s before the runs",
        started.elapsed().as_secs_f64()
    );
    eprintln!("bench: {file_setup}");

    let exe = std::env::current_exe().map_err(|e| format!("cannot find this executable: {e}"))?;
    let mut baselines = Vec::new();
    for _ in 0..3 {
        for side in [Side::Ours, Side::Curl] {
            baselines.push(baseline(server, &exe, side)?);
        }
    }

    let cpu_before = super::CpuTimes::read();
    let mut uploads = Vec::new();
    for round in 0..rounds {
        // Rotate who goes first, so that drift (page cache, CPU steal) hits every side alike.
        for i in 0..Side::ALL.len() {
            let side = Side::ALL[(round + i) % Side::ALL.len()];
            let run = upload_once(server, &exe, side, &file.0, file_bytes)?;
            eprintln!(
                "bench: upload {}/{rounds} {:<9} {:>7.1} MiB/s  max RSS {:>6.1} MiB",
                round + 1,
                side.name(),
                mib_per_s(file_bytes, run.wall),
                run.max_rss_kib as f64 / 1024.0
            );
            uploads.push(run);
        }
    }
    let steal_percent = super::CpuTimes::steal_percent(cpu_before, super::CpuTimes::read());
    drop(file);
    let _ = std::fs::remove_dir(&dir); // only if empty
    Ok(Results { file_bytes, file_setup, uploads, baselines, curl_version, steal_percent })
}

pub fn mib_per_s(bytes: u64, time: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / time.as_secs_f64()
}

/// Deleted when dropped, also on errors.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Writes `len` pseudo-random bytes and fsyncs, so no write-back runs during the uploads and the
/// pages stay in the page cache for every client.
fn write_random(path: &Path, len: u64) -> std::io::Result<()> {
    let mut file = File::create(path)?;
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut block = vec![0u8; 4 << 20];
    let mut left = len;
    while left > 0 {
        for word in block.chunks_exact_mut(8) {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            word.copy_from_slice(&state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        file.write_all(&block[..n])?;
        left -= n as u64;
    }
    file.sync_all()
}

fn curl_version() -> Result<String, String> {
    let output =
        Command::new("curl").arg("--version").output().map_err(|e| format!("cannot run curl: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text.lines().next().unwrap_or("curl (unknown version)").to_string())
}

/// Our child process, uploading `file` if given.
fn our_child(exe: &Path, server: &Server, file: Option<&Path>, read_ahead: bool) -> Command {
    let mut c = Command::new(exe);
    c.arg("upload-child").args(["--url", &server.base_url]);
    if let Some(file) = file {
        c.arg("--file").arg(file);
    }
    if read_ahead {
        c.arg("--read-ahead");
    }
    c
}

/// One upload by `side`, checked against what the server received.
fn upload_once(server: &Server, exe: &Path, side: Side, file: &Path, file_bytes: u64) -> Result<Run, String> {
    let mut command = match side {
        Side::Ours => our_child(exe, server, Some(file), false),
        Side::ReadAhead => our_child(exe, server, Some(file), true),
        Side::Curl => {
            let mut c = Command::new("curl");
            c.args(["-sS", "--fail-with-body", "-o", "-", "-w", "\n%{http_code} %{time_total}\n"])
                .args(["-H", &format!("X-API-Key: {API_KEY}"), "-H", "Accept: application/json"])
                .arg("-F")
                .arg(format!("file=@{}", file.display()))
                .arg(format!("{}/files", server.base_url));
            c
        }
    };
    let _ = server.take_uploads();
    let child = run_child(&mut command).map_err(|e| format!("{}: cannot run the child: {e}", side.name()))?;
    let what = format!("{} upload", side.name());
    if child.exit != 0 {
        return Err(format!("{what} failed (exit {}): {}", child.exit, child.stdout.trim()));
    }
    let (cid, client_time) = match side {
        Side::Ours | Side::ReadAhead => parse_ours(&child.stdout),
        Side::Curl => parse_curl(&child.stdout),
    }
    .ok_or_else(|| format!("{what}: unexpected output {:?}", child.stdout))?;
    if cid != CID {
        return Err(format!("{what}: the client returned CID {cid:?}, not the server's"));
    }
    let received = server.take_uploads();
    let [upload] = received.as_slice() else {
        return Err(format!("{what}: the server saw {} uploads instead of 1", received.len()));
    };
    // The multipart framing adds a few hundred bytes around the file.
    let framing = upload.body_bytes.checked_sub(file_bytes);
    if !upload.complete || upload.error.is_some() || framing.is_none_or(|f| f > 4096) {
        return Err(format!(
            "{what}: the server received {} body bytes for a {file_bytes}-byte file (closing boundary: {}, error: {:?})",
            upload.body_bytes, upload.complete, upload.error
        ));
    }
    Ok(Run {
        side,
        wall: child.wall,
        max_rss_kib: child.max_rss_kib,
        body_bytes: upload.body_bytes,
        server_time: upload.elapsed,
        client_time,
        expect_continue: upload.expect_continue,
    })
}

/// The same child with nothing to upload: one small GET, to show the fixed part of the RSS.
fn baseline(server: &Server, exe: &Path, side: Side) -> Result<Run, String> {
    let mut command = match side {
        Side::Curl => {
            let mut c = Command::new("curl");
            c.args(["-sS", "--fail-with-body", "-o", "/dev/null"]).arg(format!("{}/health", server.base_url));
            c
        }
        Side::Ours | Side::ReadAhead => our_child(exe, server, None, false),
    };
    let child = run_child(&mut command).map_err(|e| format!("{} baseline: {e}", side.name()))?;
    if child.exit != 0 {
        return Err(format!("{} baseline failed (exit {}): {}", side.name(), child.exit, child.stdout));
    }
    Ok(Run {
        side,
        wall: child.wall,
        max_rss_kib: child.max_rss_kib,
        body_bytes: 0,
        server_time: Duration::ZERO,
        client_time: Duration::ZERO,
        expect_continue: false,
    })
}

fn parse_ours(stdout: &str) -> Option<(String, Duration)> {
    let value: serde_json::Value = serde_json::from_str(stdout.trim()).ok()?;
    Some((value["cid"].as_str()?.to_string(), Duration::from_secs_f64(value["secs"].as_f64()?)))
}

/// curl's output: the response body, then `\n<status> <time_total>\n`.
fn parse_curl(stdout: &str) -> Option<(String, Duration)> {
    let (body, stats) = stdout.trim_end().rsplit_once('\n')?;
    let mut stats = stats.split_whitespace();
    let (status, time) = (stats.next()?, stats.next()?.parse::<f64>().ok()?);
    if status != "201" {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    Some((value["cid"].as_str()?.to_string(), Duration::from_secs_f64(time)))
}

struct ChildResult {
    wall: Duration,
    max_rss_kib: u64,
    exit: i32,
    stdout: String,
}

/// Spawns, reads stdout to its end, and reaps with `wait4` for the child's own rusage.
fn run_child(command: &mut Command) -> std::io::Result<ChildResult> {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit());
    let started = Instant::now();
    let mut child = command.spawn()?;
    let mut stdout = String::new();
    let read = child.stdout.take().expect("piped").read_to_string(&mut stdout);
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: pid is our child, not yet reaped; status and usage point to live locals.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    let wall = started.elapsed();
    read?;
    let exit = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 128 + libc::WTERMSIG(status) };
    Ok(ChildResult { wall, max_rss_kib: usage.ru_maxrss as u64, exit, stdout })
}

/// `upload-child`: one upload (or one `health_get`) with a default client on a default
/// multi-thread runtime (what `#[tokio::main]` gives), printing `{"cid", "size", "secs"}`.
pub fn child_main(url: &str, file: Option<&Path>, read_ahead: bool) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("bench upload-child: cannot start tokio: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let client = pinarkive::Client::builder().base_url(url).api_key(API_KEY).build()?;
        let Some(path) = file else {
            let health = client.health_get().send().await.map_err(|e| e.to_string())?.into_inner();
            return Ok(serde_json::json!({ "status": health.status }));
        };
        let started = Instant::now();
        let up = if read_ahead {
            let file = File::open(path)?;
            let length = file.metadata()?.len();
            let source = pinarkive::upload::Source::reader_with_length(ReadAhead::spawn(file), length);
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            client.upload(name, source).send().await?
        } else {
            client.upload_file(path).send().await?
        };
        let secs = started.elapsed().as_secs_f64();
        let up = up.into_inner();
        Ok::<_, Box<dyn std::error::Error>>(
            serde_json::json!({ "cid": up.cid, "size": up.size, "secs": secs }),
        )
    });
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench upload-child: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A file read on a blocking thread, [`READ_AHEAD_CHUNK`] bytes at a time, at most
/// [`READ_AHEAD_DEPTH`] chunks ahead of the reader: the disk reads overlap the socket writes,
/// and the async side never waits for a round trip to the blocking pool while chunks are queued.
struct ReadAhead {
    chunks: mpsc::Receiver<std::io::Result<Vec<u8>>>,
    current: Vec<u8>,
    at: usize,
}

impl ReadAhead {
    /// Starts reading; must be called inside a tokio runtime.
    fn spawn(mut file: File) -> ReadAhead {
        let (tx, chunks) = mpsc::channel(READ_AHEAD_DEPTH);
        tokio::task::spawn_blocking(move || loop {
            let mut chunk = vec![0u8; READ_AHEAD_CHUNK];
            let read = match file.read(&mut chunk) {
                Ok(0) => return, // end of file: dropping the sender ends the stream
                Ok(n) => {
                    chunk.truncate(n);
                    Ok(chunk)
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => Err(e),
            };
            let failed = read.is_err();
            // A closed channel means the upload was dropped.
            if tx.blocking_send(read).is_err() || failed {
                return;
            }
        });
        ReadAhead { chunks, current: Vec::new(), at: 0 }
    }
}

impl AsyncRead for ReadAhead {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        while self.at == self.current.len() {
            match self.chunks.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(Ok(())), // end of file
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(e)),
                Poll::Ready(Some(Ok(chunk))) => {
                    self.current = chunk;
                    self.at = 0;
                }
            }
        }
        let n = buf.remaining().min(self.current.len() - self.at);
        let at = self.at;
        buf.put_slice(&self.current[at..at + n]);
        self.at += n;
        Poll::Ready(Ok(()))
    }
}
