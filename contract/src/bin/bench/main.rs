//! The benchmarks: measure the client against a local server and write `BENCHMARKS.md`.
//! `cargo xtask bench` runs this binary in release (`cargo run --release -p pinarkive-contract
//! --bin bench -- …`); debug figures would mean nothing.
//!
//! Three benchmarks, against an axum server this command starts on 127.0.0.1:
//!
//! 1. Uploading a large file (1 GiB by default): peak memory (max RSS) and throughput of
//!    `Client::upload_file`, next to `curl -F file=@PATH`. Each upload runs in its own child
//!    process (our side is this binary re-invoked as the hidden `upload-child`), reaped
//!    with `wait4` for its `ru_maxrss`.
//! 2. 10,000 small sequential GETs (`health_get`) next to a bare `reqwest` loop, in one process.
//! 3. The emulator's requests per second and p99 latency for small authenticated GETs, next to
//!    the same route on the bare server.
//! 4. The emulator as an account grows: ten consecutive 10,000-file directory uploads, each
//!    timed, and another key's `GET /users/me` latency meanwhile next to its idle latency
//!    (`--only dag` runs just this one and prints its section, as `--only gets` does the GETs).
//! 5. A new user's clean build: a scratch binary on `pinarkive` next to one on bare reqwest,
//!    tokio and serde_json, each built from an empty target directory (`--only build`).

mod clean_build;
mod dag;
mod emulator;
mod gets;
mod report;
mod server;
mod upload;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Benchmark the client against curl and bare reqwest, and the emulator; writes BENCHMARKS.md.
#[derive(Parser, Debug)]
#[command(name = "cargo xtask bench", bin_name = "cargo xtask bench", max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    args: Args,
    #[command(subcommand)]
    child: Option<Child>,
}

#[derive(Subcommand, Debug)]
enum Child {
    /// One upload in a child process (run by the upload benchmark itself).
    #[command(hide = true)]
    UploadChild(UploadChildArgs),
}

/// The benchmarks that can run alone.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Only {
    /// 2: the small GETs, ours against bare reqwest.
    Gets,
    /// 4: the emulator as an account grows.
    Dag,
    /// 5: a new user's clean debug build, ours against bare reqwest.
    Build,
}

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Size of the uploaded file, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 1024)]
    upload_mib: u64,
    /// Uploads per side (the sides take turns); medians are reported.
    #[arg(long, value_name = "N", default_value_t = 9)]
    upload_rounds: usize,
    /// GETs per side in each timed round.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    gets: usize,
    /// Timed rounds of GETs per side (the sides take turns); medians are reported.
    #[arg(long, value_name = "N", default_value_t = 7)]
    get_rounds: usize,
    /// Requests per side in each round of the emulator benchmark.
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    emulator_requests: usize,
    /// Rounds of the emulator benchmark (the sides take turns); medians are reported.
    #[arg(long, value_name = "N", default_value_t = 5)]
    emulator_rounds: usize,
    /// Consecutive directory uploads of the emulator-growth benchmark.
    #[arg(long, value_name = "N", default_value_t = 10)]
    dag_uploads: usize,
    /// Files in each of those uploads.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    dag_files: usize,
    /// Run only this benchmark and print its section; BENCHMARKS.md is not written (its other
    /// sections would be stale).
    #[arg(long, value_name = "BENCHMARK")]
    only: Option<Only>,
    /// Untimed GETs per client (and per emulator-benchmark side) before the timed runs.
    #[arg(long, value_name = "N", default_value_t = 1_000)]
    warmup: usize,
    /// Where to write the report; a relative path is taken from the workspace root.
    #[arg(long, value_name = "FILE", default_value = "BENCHMARKS.md")]
    out: PathBuf,
    /// Print the report without writing it.
    #[arg(long)]
    no_write: bool,
}

/// The hidden child that uploads once and prints the result as JSON.
#[derive(clap::Args, Debug)]
pub struct UploadChildArgs {
    /// The API base URL (the bench server's).
    #[arg(long)]
    url: String,
    /// The file to upload; without it the child only sends one `health_get` (the RSS baseline).
    #[arg(long)]
    file: Option<PathBuf>,
    /// Send the file through `Source::reader_with_length` over a read-ahead reader (the reference).
    #[arg(long)]
    read_ahead: bool,
}

fn main() -> ExitCode {
    // The bare-reqwest baselines use the library's TLS provider.
    pinarkive::tls::install_default_provider();
    let cli = Cli::parse();
    if let Some(Child::UploadChild(child)) = &cli.child {
        return upload::child_main(&child.url, child.file.as_deref(), child.read_ahead);
    }
    if cfg!(debug_assertions) {
        eprintln!("bench: this is a debug build, whose figures mean nothing; run `cargo xtask bench`");
        return ExitCode::from(2);
    }
    match bench_main(&cli.args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the benchmarks and writes the report.
fn bench_main(args: &Args) -> Result<(), String> {
    let counts = [
        args.upload_rounds,
        args.get_rounds,
        args.gets,
        args.emulator_requests,
        args.emulator_rounds,
        args.dag_uploads,
        args.dag_files,
    ];
    if args.upload_mib == 0 || counts.contains(&0) {
        return Err("rounds, request counts and the upload size must be at least 1".into());
    }
    let params = report::Params {
        upload_mib: args.upload_mib,
        upload_rounds: args.upload_rounds,
        gets: args.gets,
        get_rounds: args.get_rounds,
        warmup: args.warmup,
        emulator_requests: args.emulator_requests,
        emulator_rounds: args.emulator_rounds,
    };
    if args.only == Some(Only::Dag) {
        let dag = dag::run(args.dag_uploads, args.dag_files)?;
        println!("{}", report::dag_only(&dag));
        if !dag.all_pass() {
            eprintln!("bench: some targets were missed (see the report)");
        }
        return Ok(());
    }
    if args.only == Some(Only::Build) {
        let build = clean_build::run(&workspace_root())?;
        println!("{}", report::build_only(&build));
        if !build.all_pass() {
            eprintln!("bench: some targets were missed (see the report)");
        }
        return Ok(());
    }
    let machine = report::Machine::detect();
    let server = server::Server::start().map_err(|e| format!("cannot start the server: {e}"))?;
    eprintln!("bench: server at {}", server.base_url);
    if args.only == Some(Only::Gets) {
        let gets = gets::run(&server, args.gets, args.get_rounds, args.warmup)?;
        println!("{}", report::gets_only(&gets, &params));
        return Ok(());
    }

    let uploads = upload::run(&server, args.upload_mib, args.upload_rounds)?;
    let gets = gets::run(&server, args.gets, args.get_rounds, args.warmup)?;
    let emulator = emulator::run(&server, args.emulator_requests, args.emulator_rounds, args.warmup)?;
    let dag = dag::run(args.dag_uploads, args.dag_files)?;
    // Last: it loads every core, and nothing else is running then.
    let build = clean_build::run(&workspace_root())?;

    let report = report::Report { machine, params, uploads, gets, emulator, dag, build };
    let markdown = report.markdown();
    println!("{markdown}");
    if !args.no_write {
        let out = workspace_root().join(&args.out);
        std::fs::write(&out, &markdown).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        eprintln!("bench: wrote {}", out.display());
    }
    // A benchmark, not a test: a missed target is reported, not an error.
    if !report.all_pass() {
        eprintln!("bench: some targets were missed (see the report)");
    }
    Ok(())
}

/// Median, min and max of some samples.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    pub fn of(samples: impl IntoIterator<Item = f64>) -> Stats {
        let mut v: Vec<f64> = samples.into_iter().collect();
        assert!(!v.is_empty(), "no samples");
        v.sort_by(f64::total_cmp);
        let mid = v.len() / 2;
        let median = if v.len() % 2 == 1 { v[mid] } else { (v[mid - 1] + v[mid]) / 2.0 };
        Stats { median, min: v[0], max: v[v.len() - 1] }
    }
}

/// The machine-wide CPU counters of `/proc/stat`, in ticks.
#[derive(Debug, Clone, Copy)]
pub struct CpuTimes {
    steal: u64,
    total: u64,
}

impl CpuTimes {
    pub fn read() -> Option<CpuTimes> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let fields: Vec<u64> = stat
            .lines()
            .next()?
            .strip_prefix("cpu ")?
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal [guest guest_nice, already in user/nice]
        let steal = *fields.get(7)?;
        Some(CpuTimes { steal, total: fields.iter().take(8).sum() })
    }

    /// The share of CPU time stolen by the hypervisor between two readings, in percent.
    pub fn steal_percent(before: Option<CpuTimes>, after: Option<CpuTimes>) -> Option<f64> {
        let (before, after) = (before?, after?);
        let total = after.total.checked_sub(before.total).filter(|&t| t > 0)?;
        Some(after.steal.saturating_sub(before.steal) as f64 * 100.0 / total as f64)
    }
}

/// The workspace root: this package lives in `<root>/contract`.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("contract/ is inside the workspace").to_path_buf()
}
