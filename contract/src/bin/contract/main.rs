//! The contract suite, run against the emulator or a real server; `cargo xtask contract` runs
//! this binary (`cargo run -p pinarkive-contract --bin contract -- …`).
//!
//! ```text
//! cargo xtask contract                                   # the in-process emulator
//! PINARKIVE_API_KEY=pk_... cargo xtask contract --base-url https://api.pinarkive.com/api/v3
//! cargo xtask contract --junit target/contract.xml       # also write JUnit XML
//! cargo xtask contract --observed target/observed.json   # what answers held that the spec does not say
//! ```
//!
//! Every operation of the spec is checked the same way whatever the server (the suite only
//! talks HTTP): the key is accepted as `X-API-Key` and as Bearer; no key and an unknown key get
//! 401 with the error body; a key without the route's scope gets 403 `missing_scope` naming it;
//! the success status is the documented one and the body is valid against the spec; a request
//! that must fail gets a documented 4xx with the error body; a 429 carries `Retry-After`.
//! Responses are judged by `pinarkive_contract::conformance`.
//!
//! With `--base-url` the run is read-only unless `--allow-writes` (see `contract/safety.rs`),
//! sends at most `--max-requests` requests and waits out 429s. The output is a table of
//! operation × check with the reason of every failure and skip; the exit status is 1 when a
//! check or the cleanup failed and 2 for a usage error. The key is never printed.
//!
//! Every answer is also compared field by field with its schema (`observed`): fields the spec
//! does not declare, required fields that were absent and other JSON types are listed in the
//! notes and, with `--observed FILE`, as JSON, by JSON pointer and type, never by value. That
//! is what a maintainer reads before editing the spec (see `openapi/README.md`).
//!
//! The modules: `plan` (the runner and the order of the operations), `checks` (judging one
//! response), `observed` (what answers hold that the spec does not say), `http` (requests,
//! budget, 429s), `report` (table, summary, JUnit) and `safety` (what a live run may change,
//! usage checks).

mod checks;
mod http;
mod observed;
mod plan;
mod report;
mod safety;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

/// Run the contract suite against the emulator (default) or a server given by --base-url.
#[derive(Parser, Debug, Clone)]
#[command(name = "cargo xtask contract", bin_name = "cargo xtask contract", max_term_width = 100)]
pub struct Args {
    /// Run against this API base URL instead of the emulator; the key comes from
    /// PINARKIVE_API_KEY (PINARKIVE_EMAIL and PINARKIVE_PASSWORD add the login checks).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// With --base-url: upload, pin, rename and remove one small file and mint short-lived keys
    /// for the scope checks, all undone at the end. Without it the run is read-only.
    #[arg(long)]
    allow_writes: bool,
    /// Also write the results as JUnit XML to FILE (relative to the workspace root).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Also write, as JSON, what the answers held that the spec does not say (undeclared
    /// fields, absent required fields, other JSON types), by operation, status and JSON
    /// pointer; types only, never values. The table's notes list the same.
    #[arg(long, value_name = "FILE")]
    observed: Option<PathBuf>,
    /// The most requests to send (cleanup may add a few).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    max_requests: u32,
    /// The most requests of the burst that looks for a 429.
    #[arg(long, value_name = "N", default_value_t = 150)]
    burst: u32,
    /// The longest Retry-After to wait out, in seconds; a longer one fails the request.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    max_wait: u64,
}

fn main() -> ExitCode {
    run(&Args::parse())
}

fn run(args: &Args) -> ExitCode {
    let config = match safety::target_config(args, |name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(safety::UsageError(message)) => {
            eprintln!("contract: {message}");
            return ExitCode::from(2);
        }
    };
    run_suite(args, config)
}

fn run_suite(args: &Args, config: safety::TargetConfig) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("contract: cannot start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = plan::Options {
        max_requests: args.max_requests,
        burst: args.burst,
        max_wait: std::time::Duration::from_secs(args.max_wait),
    };
    let report = match runtime.block_on(execute(config, &options)) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("contract: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", report.render());
    let observed = serde_json::to_string_pretty(&report.observed.json()).unwrap_or_default() + "\n";
    for (path, contents) in [(&args.junit, report.junit()), (&args.observed, observed)] {
        let Some(path) = path else { continue };
        let path = from_root(path);
        let written = match path.parent() {
            Some(dir) => std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, contents)),
            None => std::fs::write(&path, contents),
        };
        if let Err(e) = written {
            eprintln!("contract: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("contract: wrote {}", path.display());
    }
    if report.failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The emulator's limits for the suite: above what the checks send (sequential, on loopback),
/// below what the rate-limit burst sends at once.
const EMULATOR_RATE: (u32, u32) = (100, 100_000);

/// Runs the suite against the target the arguments chose.
async fn execute(config: safety::TargetConfig, options: &plan::Options) -> Result<report::Report, String> {
    match config {
        safety::TargetConfig::Emulator => {
            let key = format!("pk_contract_{:016x}", rand_u64());
            let emu = pinarkive::emulator::Emulator::builder()
                .api_key(key.clone(), ["*"])
                .rate_limit(EMULATOR_RATE.0, EMULATOR_RATE.1)
                // The suite logs in more often than the auth routes' 10 per 15 minutes per IP.
                .no_auth_rate_limit()
                .start()
                .await
                .map_err(|e| format!("cannot start the emulator: {e}"))?;
            let emu = std::sync::Arc::new(emu);
            eprintln!("contract: emulator at {}", emu.base_url());
            Ok(plan::run(&emulator_target(&emu, key), options).await)
        }
        safety::TargetConfig::Server { base_url, api_key, login, policy } => {
            eprintln!("contract: {base_url} ({policy:?})");
            let target = plan::Target { base_url, api_key, login, policy, mailbox: None };
            Ok(plan::run(&target, options).await)
        }
    }
}

/// The target of an emulator the suite started: it may change anything, and its mailbox holds
/// the e-mailed tokens.
fn emulator_target(emu: &std::sync::Arc<pinarkive::emulator::Emulator>, api_key: String) -> plan::Target {
    let (email, password) = emu.user();
    plan::Target {
        base_url: emu.base_url().to_string(),
        api_key,
        login: Some((email.to_string(), password.to_string())),
        policy: safety::Policy::Disposable,
        mailbox: Some(emu.clone()),
    }
}

impl plan::Mailbox for pinarkive::emulator::Emulator {
    fn verification_token(&self, email: &str) -> Option<String> {
        pinarkive::emulator::Emulator::verification_token(self, email)
    }

    fn password_reset_token(&self, email: &str) -> Option<String> {
        pinarkive::emulator::Emulator::password_reset_token(self, email)
    }
}

/// A random number for the emulator's key (no secret: the emulator lives as long as the run).
fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()),
    );
    hasher.finish()
}

/// `path` taken from the workspace root unless it is absolute, as every `cargo xtask` command
/// takes its paths.
fn from_root(path: &Path) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("contract/ is inside the workspace").join(path)
}
