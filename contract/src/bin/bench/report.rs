//! The machine description and the Markdown report (printed, and written to `BENCHMARKS.md`).

use std::fmt::Write as _;
use std::process::Command;

use super::upload::{mib_per_s, Run, Side, READ_AHEAD_CHUNK, READ_AHEAD_DEPTH};
use super::{clean_build, dag, emulator, gets, upload, Stats};

/// Upload peak memory target: our child's max RSS stays under this.
const RSS_TARGET_MIB: f64 = 64.0;
/// Upload throughput target: ours ÷ curl's at least this.
const THROUGHPUT_TARGET: f64 = 0.90;
/// GET target: our time ÷ bare reqwest's at most this.
const GET_RATIO_TARGET: f64 = 1.10;
/// Above this much CPU steal the report warns that the figures are noisy.
const STEAL_WARNING_PERCENT: f64 = 5.0;

pub struct Machine {
    date: String,
    cpu: String,
    cores: String,
    memory: String,
    kernel: String,
    rustc: String,
    commit: String,
    load: String,
}

impl Machine {
    pub fn detect() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, v)| v.trim()))
            .unwrap_or("unknown")
            .to_string();
        let cores = command(&["nproc"]).unwrap_or_else(|| {
            std::thread::available_parallelism().map_or("unknown".into(), |n| n.to_string())
        });
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or("unknown".into(), |kib| format!("{:.1} GiB", kib / 1024.0 / 1024.0));
        let kernel = command(&["uname", "-r"]).unwrap_or_else(|| "unknown".into());
        let rustc = command(&["rustc", "-V"]).unwrap_or_else(|| "unknown".into());
        let date = command(&["date", "-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_else(|| "unknown".into());
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|| "unknown".into());
        let root = crate::workspace_root().to_string_lossy().into_owned();
        let commit = match command(&["git", "-C", &root, "rev-parse", "--short", "HEAD"]) {
            Some(head) => {
                let dirty =
                    command(&["git", "-C", &root, "status", "--porcelain"]).is_some_and(|s| !s.is_empty());
                if dirty {
                    format!("{head} with uncommitted changes")
                } else {
                    head
                }
            }
            None => "unknown".into(),
        };
        Machine { date, cpu, cores, memory, kernel, rustc, commit, load }
    }
}

/// The trimmed output of a command, if it ran and succeeded.
fn command(argv: &[&str]) -> Option<String> {
    let output = Command::new(argv[0]).args(&argv[1..]).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

pub struct Params {
    pub upload_mib: u64,
    pub upload_rounds: usize,
    pub gets: usize,
    pub get_rounds: usize,
    pub warmup: usize,
    pub emulator_requests: usize,
    pub emulator_rounds: usize,
}

pub struct Report {
    pub machine: Machine,
    pub params: Params,
    pub uploads: upload::Results,
    pub gets: gets::Results,
    pub emulator: emulator::Results,
    pub dag: dag::Results,
    pub build: clean_build::Results,
}

/// The figures the targets are judged on. The ratios are taken within each round, where the
/// sides ran next to each other, and their median is the figure: on a machine whose speed drifts
/// (CPU steal on a VM), that is steadier than the ratio of two medians from different rounds.
struct Figures {
    ours_rss_worst_mib: f64,
    /// Ours ÷ curl's throughput, per round.
    throughput_ratio: Stats,
    /// The reference's ÷ curl's throughput, per round.
    reference_ratio: Stats,
    ours_mibs: Stats,
    curl_mibs: Stats,
    gets: GetFigures,
}

/// The GET benchmark's figures.
struct GetFigures {
    ours_ms: Stats,
    bare_ms: Stats,
    /// Our time ÷ bare reqwest's, per round.
    get_ratio: Stats,
    /// Our CPU time ÷ bare reqwest's, per round.
    cpu_ratio: Stats,
}

impl GetFigures {
    fn of(gets: &gets::Results) -> GetFigures {
        let rounds = &gets.rounds;
        let ratio = |a: std::time::Duration, b: std::time::Duration| a.as_secs_f64() / b.as_secs_f64();
        GetFigures {
            ours_ms: Stats::of(rounds.iter().map(|r| ms(r.ours))),
            bare_ms: Stats::of(rounds.iter().map(|r| ms(r.bare))),
            get_ratio: Stats::of(rounds.iter().map(|r| ratio(r.ours, r.bare))),
            cpu_ratio: Stats::of(rounds.iter().map(|r| ratio(r.ours_cpu, r.bare_cpu))),
        }
    }

    fn pass(&self) -> bool {
        self.get_ratio.median <= GET_RATIO_TARGET
    }

    /// The summary table's row.
    fn summary_row(&self, gets: &str, rounds: usize) -> String {
        format!(
            "| {gets} sequential GETs: our time ÷ bare reqwest's (median of {rounds} rounds)¹ | {:.3}× (medians {:.0} vs {:.0} ms) | ≤ {GET_RATIO_TARGET:.2}× | {} |",
            self.get_ratio.median,
            self.ours_ms.median,
            self.bare_ms.median,
            verdict(self.pass())
        )
    }
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "MISS"
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The GET benchmark alone (`cargo xtask bench --only gets`): its summary row and its section.
pub fn gets_only(gets: &gets::Results, params: &Params) -> String {
    let mut s = String::from("| Benchmark | Figure | Target | Result |\n|---|---|---|---|\n");
    s.push_str(&GetFigures::of(gets).summary_row(&thousands(params.gets), params.get_rounds));
    s.push('\n');
    gets_section(&mut s, gets, params);
    s
}

/// The emulator-growth benchmark alone (`cargo xtask bench --only dag`): its summary rows and
/// its section.
pub fn dag_only(dag: &dag::Results) -> String {
    one_benchmark(dag.summary(), &dag.section(4))
}

/// The clean-build benchmark alone (`--only build`).
pub fn build_only(build: &clean_build::Results) -> String {
    one_benchmark(build.summary(), &build.section(5))
}

/// A benchmark's summary rows, then its section.
fn one_benchmark(rows: impl IntoIterator<Item = (String, String, String, bool)>, section: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| Benchmark | Figure | Target | Result |\n|---|---|---|---|");
    for (benchmark, figure, target, pass) in rows {
        let _ = writeln!(s, "| {benchmark} | {figure} | {target} | {} |", verdict(pass));
    }
    s.push_str(section);
    s
}

/// `median (min–max)`.
fn spread(st: Stats, digits: usize) -> String {
    format!("{:.d$} ({:.d$}–{:.d$})", st.median, st.min, st.max, d = digits)
}

fn steal(percent: Option<f64>) -> String {
    percent.map_or("unknown".into(), |p| format!("{p:.1} %"))
}

impl Report {
    fn runs(&self, side: Side) -> Vec<&Run> {
        self.uploads.uploads.iter().filter(|r| r.side == side).collect()
    }

    fn mibs(&self, side: Side) -> Stats {
        Stats::of(self.runs(side).iter().map(|r| mib_per_s(self.uploads.file_bytes, r.wall)))
    }

    /// `side`'s throughput ÷ curl's, round by round (each round ran every side once).
    fn throughput_vs_curl(&self, side: Side) -> Stats {
        let wall = |round: &[Run], side| round.iter().find(|r| r.side == side).map(|r| r.wall.as_secs_f64());
        Stats::of(
            self.uploads
                .uploads
                .chunks_exact(Side::ALL.len())
                .filter_map(|round| Some(wall(round, Side::Curl)? / wall(round, side)?)),
        )
    }

    fn figures(&self) -> Figures {
        Figures {
            ours_rss_worst_mib: Stats::of(self.runs(Side::Ours).iter().map(|r| mib(r.max_rss_kib))).max,
            throughput_ratio: self.throughput_vs_curl(Side::Ours),
            reference_ratio: self.throughput_vs_curl(Side::ReadAhead),
            ours_mibs: self.mibs(Side::Ours),
            curl_mibs: self.mibs(Side::Curl),
            gets: GetFigures::of(&self.gets),
        }
    }

    fn passes(f: &Figures) -> [bool; 3] {
        [f.ours_rss_worst_mib < RSS_TARGET_MIB, f.throughput_ratio.median >= THROUGHPUT_TARGET, f.gets.pass()]
    }

    pub fn all_pass(&self) -> bool {
        Self::passes(&self.figures()).iter().all(|&p| p) && self.dag.all_pass() && self.build.all_pass()
    }

    pub fn markdown(&self) -> String {
        let f = self.figures();
        let [rss_ok, throughput_ok, _] = Self::passes(&f);
        let p = &self.params;
        let size = if p.upload_mib.is_multiple_of(1024) {
            format!("{} GiB", p.upload_mib / 1024)
        } else {
            format!("{} MiB", p.upload_mib)
        };
        let gets = thousands(p.gets);
        let m = &self.machine;
        let mut s = String::new();

        let _ = writeln!(s, "# Benchmarks\n");
        let _ = writeln!(
            s,
            "Written by `cargo xtask bench` (`contract/src/bin/bench`; options in `cargo xtask bench --help`) \
             on {}; every run overwrites this file. \
             The figures come from one run on the machine below: compare the sides of each benchmark \
             with each other, not with other machines.\n",
            m.date
        );

        let _ = writeln!(s, "## Summary\n");
        let _ = writeln!(s, "| Benchmark | Figure | Target | Result |");
        let _ = writeln!(s, "|---|---|---|---|");
        let _ = writeln!(
            s,
            "| Upload {size}: our peak memory (max RSS, worst of {} runs) | {:.1} MiB | < {RSS_TARGET_MIB:.0} MiB | {} |",
            p.upload_rounds,
            f.ours_rss_worst_mib,
            verdict(rss_ok)
        );
        let _ = writeln!(
            s,
            "| Upload {size}: our throughput ÷ curl's (median of {} rounds)¹ | {:.3}× (medians {:.0} vs {:.0} MiB/s) | ≥ {THROUGHPUT_TARGET:.2}× | {} |",
            p.upload_rounds,
            f.throughput_ratio.median,
            f.ours_mibs.median,
            f.curl_mibs.median,
            verdict(throughput_ok)
        );
        let _ = writeln!(s, "{}", f.gets.summary_row(&gets, p.get_rounds));
        for (benchmark, figure, target, pass) in self.dag.summary().into_iter().chain(self.build.summary()) {
            let _ = writeln!(s, "| {benchmark} | {figure} | {target} | {} |", verdict(pass));
        }
        let _ = writeln!(
            s,
            "\n¹ The ratio is taken within each round, where the sides ran back to back, and the \
             median of those is the figure: steadier than the ratio of two medians from different \
             rounds when the machine's speed drifts. Each side's own medians are in brackets."
        );
        let steals = [self.uploads.steal_percent, self.gets.steal_percent];
        if steals.iter().flatten().any(|&p| p > STEAL_WARNING_PERCENT) {
            let _ = writeln!(
                s,
                "\n**Noisy machine**: the hypervisor took {} of the CPU time during the uploads and {} \
                 during the GETs (`steal` in `/proc/stat`), so absolute figures vary from run to run; \
                 the sides were interleaved so that the ratios suffer less. Steal flatters the GET \
                 ratio: the client's extra work is CPU of roughly fixed size per call, a smaller share \
                 of a slower round trip, so on a quiet machine the ratio comes out higher.",
                steal(steals[0]),
                steal(steals[1])
            );
        }

        let _ = writeln!(s, "\n## Machine\n");
        let _ = writeln!(s, "| | |\n|---|---|");
        let _ = writeln!(s, "| Date | {} |", m.date);
        let _ = writeln!(s, "| CPU | {} |", m.cpu);
        let _ = writeln!(s, "| Cores (`nproc`) | {} |", m.cores);
        let _ = writeln!(s, "| Memory | {} |", m.memory);
        let _ = writeln!(s, "| Kernel (`uname -r`) | {} |", m.kernel);
        let _ = writeln!(s, "| Compiler | {} |", m.rustc);
        let _ = writeln!(s, "| curl | {} |", self.uploads.curl_version);
        let _ = writeln!(
            s,
            "| Build | release profile (workspace defaults: opt-level 3, no LTO), `cargo run --release -p pinarkive-contract --bin bench` |"
        );
        let _ = writeln!(s, "| Commit | {} |", m.commit);
        let _ = writeln!(s, "| Load average at start | {} |", m.load);
        let _ = writeln!(
            s,
            "| CPU steal during the runs | uploads {}, GETs {} |",
            steal(self.uploads.steal_percent),
            steal(self.gets.steal_percent)
        );

        self.upload_section(&mut s, &f, &size, throughput_ok);
        gets_section(&mut s, &self.gets, p);
        self.emulator_section(&mut s);
        s.push_str(&self.dag.section(4));
        s.push_str(&self.build.section(5));
        s
    }

    /// Figures, not a target: the emulator is for tests and trying the tool, and this shows what
    /// a test suite can expect of it and what its bookkeeping costs over a bare handler.
    fn emulator_section(&self, s: &mut String) {
        let e = &self.emulator;
        let p = &self.params;
        let stat = |pick: fn(&emulator::Round) -> f64| Stats::of(e.rounds.iter().map(pick));
        let rps = [stat(|r| r.emulator.requests_per_s), stat(|r| r.baseline.requests_per_s)];
        let p50 = [stat(|r| ms(r.emulator.p50)), stat(|r| ms(r.baseline.p50))];
        let p99 = [stat(|r| ms(r.emulator.p99)), stat(|r| ms(r.baseline.p99))];
        let ratio = stat(|r| r.emulator.requests_per_s / r.baseline.requests_per_s);
        let _ = writeln!(s, "\n## 3. The emulator: small authenticated GETs\n");
        let _ = writeln!(
            s,
            "`GET /api/v3/users/me` with `X-API-Key`, {} requests per side and round, {} in flight at \
             once over kept-alive loopback connections (one `reqwest::Client` on a current-thread \
             runtime), {} rounds alternating which side goes first, after {} untimed requests per side. \
             **emulator**: `pinarkive::emulator` (feature `emulator`) with one key of scope `*` and \
             rate limiting off, on its own thread and current-thread runtime. **baseline**: the bench \
             server's axum handler for the same route, which compares the key with a constant and \
             answers a constant profile of the same size. Medians of the rounds (min–max).\n",
            thousands(p.emulator_requests),
            emulator::CONCURRENCY,
            p.emulator_rounds,
            thousands(p.warmup),
        );
        let _ = writeln!(s, "| | emulator | baseline |\n|---|---|---|");
        let _ = writeln!(s, "| Requests per second | {} | {} |", spread(rps[0], 0), spread(rps[1], 0));
        let _ = writeln!(s, "| p50 latency (ms) | {} | {} |", spread(p50[0], 2), spread(p50[1], 2));
        let _ = writeln!(s, "| p99 latency (ms) | {} | {} |", spread(p99[0], 2), spread(p99[1], 2));
        let _ = writeln!(s, "| Throughput ÷ baseline's, per round | {} | 1 |", spread(ratio, 3));
        let _ = writeln!(
            s,
            "\nThe load generator, the server and the machine's other work share its cores. A ratio \
             near 1 means the emulator's own work (key lookup, scope check, state lock, JSON) is \
             smaller than what this setup can tell apart: the load generator, not the server, sets \
             the pace, and the emulator's figure is a lower bound on what it can serve."
        );
    }

    fn upload_section(&self, s: &mut String, f: &Figures, size: &str, throughput_ok: bool) {
        let u = &self.uploads;
        let p = &self.params;
        let chunk_kib = READ_AHEAD_CHUNK / 1024;
        let _ = writeln!(s, "\n## 1. Uploading a {size} file\n");
        let _ = writeln!(s, "How it was measured:\n");
        let _ = writeln!(
            s,
            "- **File**: {} in `target/bench/`, deleted afterwards. Real bytes rather than a sparse \
             file, because a hole may be read differently from data by the file system and writing \
             them costs only seconds; after the fsync every client reads the same pages from the \
             page cache, not the disk.",
            u.file_setup
        );
        let _ = writeln!(
            s,
            "- **Server**: axum 0.8 (hyper 1, HTTP/1.1) on 127.0.0.1 in the benchmark's parent process, \
             on its own thread with a current-thread tokio runtime. `POST /api/v3/files` streams the \
             body (`Body::into_data_stream`), counting and discarding it, and answers 201 \
             `{{\"cid\": …, \"size\": <body bytes>}}`."
        );
        let _ = writeln!(
            s,
            "- **ours**: a child process, the same release binary run as `bench upload-child \
             --url … --file …`: a default `pinarkive::Client` on a default multi-thread tokio runtime \
             (what `#[tokio::main]` gives) calling `client.upload_file(path).send().await`."
        );
        let _ = writeln!(
            s,
            "- **curl**: a child process `curl -sS --fail-with-body -H 'X-API-Key: …' -F file=@PATH \
             <base>/files`, curl's defaults otherwise."
        );
        let _ = writeln!(
            s,
            "- **reference** (not a target): the same child and client, with only the source of the \
             bytes changed: `client.upload(name, Source::reader_with_length(reader, len))` over a reader \
             that reads the file on a blocking thread in {chunk_kib} KiB chunks, at most \
             {READ_AHEAD_DEPTH} ahead (`ReadAhead` in `contract/src/bin/bench/upload.rs`), whatever the \
             client itself does with a path. Should ours fall behind the reference, the client's \
             reading of the file is to blame; should both fall behind curl, its HTTP and multipart \
             path (or the machine) is."
        );
        let _ = writeln!(
            s,
            "- **Peak memory**: `ru_maxrss` of the child, from `wait4` on its pid (Linux reports KiB). \
             **Throughput**: file size ÷ wall time from spawning the child to reaping it, so process \
             start-up, connecting and the response count for every side."
        );
        let _ = writeln!(
            s,
            "- **Runs**: {} per side, interleaved (the side that goes first rotates); medians with \
             min–max. Every run is checked: exit status 0, the server's CID back, exactly one request \
             at the server, a body at least the file's size (at most 4 KiB more) that ends with the \
             closing multipart boundary. A run that fails a check aborts the benchmark.",
            p.upload_rounds
        );

        let _ = writeln!(
            s,
            "\n| Side | MiB/s (wall) | Max RSS (MiB) | Wall (s) | Client's own (s)¹ | Server's (s)² | Body bytes received |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|");
        for side in Side::ALL {
            let runs = self.runs(side);
            let stat = |pick: fn(&Run) -> f64| Stats::of(runs.iter().map(|r| pick(r)));
            let min = runs.iter().map(|r| r.body_bytes).min().unwrap_or(0);
            let max = runs.iter().map(|r| r.body_bytes).max().unwrap_or(0);
            let bytes = if min == max { min.to_string() } else { format!("{min}–{max}") };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {bytes} |",
                side.name(),
                spread(self.mibs(side), 0),
                spread(stat(|r| mib(r.max_rss_kib)), 1),
                spread(stat(|r| r.wall.as_secs_f64()), 3),
                spread(stat(|r| r.client_time.as_secs_f64()), 3),
                spread(stat(|r| r.server_time.as_secs_f64()), 3),
            );
        }
        let _ = writeln!(
            s,
            "\nMedians, with min–max in brackets. The file is {} bytes; the rest of each body is the \
             multipart framing. ¹ ours and reference: timed inside the child around `send().await`; \
             curl: its `%{{time_total}}`. ² From the request head reaching the handler to the body's \
             end.",
            u.file_bytes
        );
        let baseline =
            |side| Stats::of(u.baselines.iter().filter(|r| r.side == side).map(|r| mib(r.max_rss_kib)));
        let _ = writeln!(
            s,
            "\nFor scale, the same children sending one small GET instead of the upload peak at {} MiB \
             (ours) and {} MiB (curl): that much is binary, libraries and runtime, and the upload \
             itself costs the rest.\n",
            spread(baseline(Side::Ours), 1),
            spread(baseline(Side::Curl), 1)
        );
        let curl = self.runs(Side::Curl);
        let expect = curl.iter().filter(|r| r.expect_continue).count();
        let _ = writeln!(
            s,
            "curl sent `Expect: 100-continue` in {expect} of {} runs; hyper answers it as soon as the \
             handler reads the body, so it costs one loopback round trip.",
            curl.len()
        );
        let _ = writeln!(
            s,
            "\nThroughput ÷ curl's, round by round: ours {}, reference {} (median and min–max).",
            spread(f.throughput_ratio, 3),
            spread(f.reference_ratio, 3)
        );
        if !throughput_ok {
            let (ours, reference) = (f.throughput_ratio, f.reference_ratio);
            let cause = if reference.median >= THROUGHPUT_TARGET {
                format!(
                    "The reference, which differs from ours only in how the file is read, reaches \
                     {:.3}× curl, so the gap is in the client's reading of the file (`Source::Path` in \
                     `src/upload.rs`), not in its HTTP and multipart path.",
                    reference.median
                )
            } else {
                format!(
                    "The reference, which reads the file its own way, also stays below the target \
                     ({:.3}× curl), so the gap is not (only) in reading the file: look at the client's \
                     HTTP and multipart path, or at the machine.",
                    reference.median
                )
            };
            let noise = if ours.max >= THROUGHPUT_TARGET {
                format!(
                    " The rounds' own ratios ran from {:.3} to {:.3}, so the miss is within this \
                     machine's noise; more rounds (`--upload-rounds`) or a quieter machine would tell.",
                    ours.min, ours.max
                )
            } else {
                String::new()
            };
            let _ = writeln!(s, "\n**Why ours misses the throughput target.** {cause}{noise}");
        }

        let _ = writeln!(s, "\nEvery run, in order:\n");
        let _ =
            writeln!(s, "| Round | Side | Wall (s) | MiB/s | Max RSS (MiB) | Server's (s) | Body bytes |");
        let _ = writeln!(s, "|---|---|---|---|---|---|---|");
        for (i, r) in u.uploads.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {} | {} | {:.3} | {:.0} | {:.1} | {:.3} | {} |",
                i / Side::ALL.len() + 1,
                r.side.name(),
                r.wall.as_secs_f64(),
                mib_per_s(u.file_bytes, r.wall),
                mib(r.max_rss_kib),
                r.server_time.as_secs_f64(),
                r.body_bytes
            );
        }
    }
}

fn gets_section(s: &mut String, results: &gets::Results, p: &Params) {
    let f = GetFigures::of(results);
    let gets = thousands(p.gets);
    let _ = writeln!(s, "\n## 2. {gets} small GETs\n");
    let _ = writeln!(s, "How it was measured:\n");
    let _ = writeln!(
        s,
        "- **Request**: `GET /api/v3/health`, answered with `{{\"status\":\"ok\"}}` by the same server."
    );
    let _ = writeln!(
        s,
        "- **ours**: `client.health_get().send().await` with a default `pinarkive::Client`: its \
         hooks, retry loop and typed decoding included."
    );
    let _ = writeln!(
        s,
        "- **bare reqwest**: `reqwest::Client::new()`, then \
         `http.get(url).send().await?.error_for_status()?.bytes().await?` and \
         `serde_json::from_slice::<serde_json::Value>`."
    );
    let _ = writeln!(
        s,
        "- **Where**: both in the benchmark's parent process on one current-thread tokio runtime \
         (the server has its own thread), sequential, each client on its own kept-alive HTTP/1.1 \
         connection. {} untimed GETs per client first. Then {} rounds of {gets} GETs per side; \
         within a round the sides take turns in blocks of {} GETs, so that a slow patch of the \
         machine hits both alike. The server checks it answered exactly as many GETs as were sent.",
        thousands(p.warmup),
        p.get_rounds,
        gets::BLOCK
    );
    let _ = writeln!(
        s,
        "- **CPU**: user + system time of that thread (`getrusage(RUSAGE_THREAD)`), which runs the \
         client and its connection: what the client costs, apart from waiting for the server."
    );

    let _ = writeln!(
        s,
        "\n| Round | ours (ms) | bare reqwest (ms) | ours ÷ bare | ours CPU (ms) | bare CPU (ms) | CPU ours ÷ bare |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    for (i, r) in results.rounds.iter().enumerate() {
        let _ = writeln!(
            s,
            "| {} | {:.1} | {:.1} | {:.3} | {:.1} | {:.1} | {:.3} |",
            i + 1,
            ms(r.ours),
            ms(r.bare),
            r.ours.as_secs_f64() / r.bare.as_secs_f64(),
            ms(r.ours_cpu),
            ms(r.bare_cpu),
            r.ours_cpu.as_secs_f64() / r.bare_cpu.as_secs_f64()
        );
    }
    let rounds = &results.rounds;
    let ours_cpu = Stats::of(rounds.iter().map(|r| ms(r.ours_cpu)));
    let bare_cpu = Stats::of(rounds.iter().map(|r| ms(r.bare_cpu)));
    let _ = writeln!(
        s,
        "| **Median** | **{:.1}** | **{:.1}** | **{:.3}** | **{:.1}** | **{:.1}** | **{:.3}** |",
        f.ours_ms.median,
        f.bare_ms.median,
        f.get_ratio.median,
        ours_cpu.median,
        bare_cpu.median,
        f.cpu_ratio.median
    );
    let per_call = |ms: f64| ms * 1e3 / results.gets as f64;
    let _ = writeln!(
        s,
        "\nThe median row takes each column's median; the target figure is the median of the \
         rounds' own ratios, {:.3} (they ran from {:.3} to {:.3}), and the ratio of the two median \
         times is {:.3}. Per call (medians): ours {:.1} µs, bare reqwest {:.1} µs of wall time, \
         {:.1} µs and {:.1} µs of CPU; the client adds about {:.1} µs of CPU per call.",
        f.get_ratio.median,
        f.get_ratio.min,
        f.get_ratio.max,
        f.ours_ms.median / f.bare_ms.median,
        per_call(f.ours_ms.median),
        per_call(f.bare_ms.median),
        per_call(ours_cpu.median),
        per_call(bare_cpu.median),
        per_call(ours_cpu.median) - per_call(bare_cpu.median)
    );
    if !f.pass() {
        let _ = writeln!(
            s,
            "\n**Why ours misses the GET target.** Per call the client does more than the bare \
             loop, all of it CPU work on the calling thread (as of this writing; see \
             `src/client.rs`, `src/error.rs` and `src/decode.rs`): the hooks name the operation \
             by its `OperationId` and check the path for CIDs; the `exec` hook clones the \
             request in case it must be resent; `Captured::from_response` reads every response \
             (up to its size limit, into one buffer); the body is parsed once into the typed \
             value, whose `cid` fields are then checked; and the request carries more headers \
             (`api-version`, `X-API-Key`, `User-Agent`). \
             That is a roughly fixed cost per call, so its share, and the ratio, \
             grow as the round trip gets cheaper: on a quiet machine more than on one losing CPU \
             time to steal. The CPU columns show how much it is here."
        );
    }
}
