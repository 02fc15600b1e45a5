//! The official IPFS Pinning Service API compliance suite
//! (`@ipfs-shipyard/pinning-service-compliance` 1.8.1, npm) against the bridge
//! (`pinarkive::pinning_service`) in front of the emulator; `cargo xtask psa-compliance` runs
//! this binary.
//!
//! ```text
//! cargo xtask psa-compliance --install                     # install the suite into target/, then run it
//! cargo xtask psa-compliance --dir DIR                     # a suite installed elsewhere
//! cargo xtask psa-compliance --install --skip-unavailable  # CI: no node, npm or registry is a loud skip
//! ```
//!
//! The suite is installed from the committed lockfile (`contract/psa/package-lock.json`, with
//! `npm ci`), with its install scripts disabled (its `kubo` dependency would
//! download a binary; the checks never start a node), and runs with `contract/psa/offline-spec.cjs`
//! preloaded, which hands it the vendored `openapi/ipfs-pinning-service.yaml` instead of the copy
//! it would download. The suite paces itself to one request a second, so a run takes about a
//! minute; it is stopped after `--timeout-secs`. The result is the suite's own summary
//! (`dist/docs/127.0.0.1.json`: total, passed, failed) and every expectation it printed: the run
//! fails when a check fails, when fewer checks ran than the suite has (a check that crashes is
//! not counted), or when any expectation failed or errored.

use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use clap::Parser;
use pinarkive::emulator::Emulator;
use pinarkive::pinning_service::PinningService;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// The version the project is tested with.
const SUITE: &str = "@ipfs-shipyard/pinning-service-compliance";
const VERSION: &str = "1.8.1";
/// The checks the suite runs (`validatePinningService` in its `src/index.ts`).
const CHECKS: u64 = 9;
/// The emulator's key for the run: every scope.
const KEY: &str = "psa-compliance-key";

#[derive(Parser)]
#[command(
    name = "cargo xtask psa-compliance",
    about = "Run the official IPFS Pinning Service API compliance suite against the bridge in front of the emulator"
)]
struct Args {
    /// Install the suite (npm, scripts disabled) into target/psa-compliance when it is not there
    #[arg(long)]
    install: bool,
    /// Where the suite is installed: the folder holding node_modules [default: target/psa-compliance]
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// When node, npm or the suite is not available (or cannot be installed), say SKIPPED and
    /// exit 0 instead of failing
    #[arg(long)]
    skip_unavailable: bool,
    /// Stop the suite (and fail) after this long
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    timeout_secs: u64,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("contract is inside the workspace").to_path_buf()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let prefix = args.dir.clone().unwrap_or_else(|| root().join("target/psa-compliance"));
    let package = prefix.join("node_modules").join(SUITE);
    if let Err(why) = available(&args, &prefix, &package).await {
        if args.skip_unavailable {
            println!("*** SKIPPED: the IPFS Pinning Service API compliance suite did not run: {why} ***");
            return ExitCode::SUCCESS;
        }
        eprintln!("psa-compliance: {why}");
        return ExitCode::from(2);
    }
    match run(&args, &package).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("psa-compliance: FAILED: {why}");
            ExitCode::FAILURE
        }
    }
}

/// Whether node and the suite (at the tested version) are there, installing it if asked.
async fn available(args: &Args, prefix: &Path, package: &Path) -> Result<(), String> {
    let node = Command::new("node").arg("--version").output().await;
    if !node.is_ok_and(|out| out.status.success()) {
        return Err("node is not installed (or not on PATH)".into());
    }
    if installed_version(package).as_deref() == Some(VERSION) {
        return Ok(());
    }
    if !args.install {
        return Err(format!(
            "{SUITE}@{VERSION} is not installed in {} (run with --install, or give --dir)",
            prefix.display()
        ));
    }
    std::fs::create_dir_all(prefix).map_err(|e| format!("cannot create {}: {e}", prefix.display()))?;
    // The committed manifest and lockfile: every package at a known version and integrity hash.
    for file in ["package.json", "package-lock.json"] {
        let from = root().join("contract/psa").join(file);
        std::fs::copy(&from, prefix.join(file))
            .map_err(|e| format!("cannot copy {} into {}: {e}", from.display(), prefix.display()))?;
    }
    println!(
        "psa-compliance: installing {SUITE}@{VERSION} into {} from contract/psa/package-lock.json (npm ci, scripts disabled)",
        prefix.display()
    );
    let mut npm = Command::new("npm");
    npm.args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"])
        .args(["--fetch-retries", "1", "--fetch-timeout", "30000"])
        .current_dir(prefix)
        .kill_on_drop(true);
    match tokio::time::timeout(Duration::from_secs(300), npm.status()).await {
        Err(_) => return Err("npm ci took more than 5 minutes (no registry?)".into()),
        Ok(Err(e)) => return Err(format!("npm cannot be run: {e}")),
        Ok(Ok(status)) if !status.success() => return Err(format!("npm ci failed ({status}; no registry?)")),
        Ok(Ok(_)) => {}
    }
    match installed_version(package) {
        Some(version) if version == VERSION => Ok(()),
        other => Err(format!("npm install left {other:?} in {}, not {VERSION}", package.display())),
    }
}

fn installed_version(package: &Path) -> Option<String> {
    let manifest = std::fs::read_to_string(package.join("package.json")).ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&manifest).ok()?;
    manifest.get("version")?.as_str().map(str::to_owned)
}

/// Starts the emulator and the bridge, runs the suite, and judges its report.
async fn run(args: &Args, package: &Path) -> Result<(), String> {
    // The emulator's documented rate limits stay on: the bridge must live with them.
    let emulator =
        Emulator::builder().api_key(KEY, ["*"]).start().await.map_err(|e| format!("emulator: {e}"))?;
    let client = pinarkive::Client::builder()
        .base_url(emulator.base_url())
        .build()
        .map_err(|e| format!("client: {e}"))?;
    let bridge = PinningService::builder(client)
        .bind(([127, 0, 0, 1], 0).into())
        .start()
        .await
        .map_err(|e| format!("bridge: {e}"))?;
    let url = bridge.url();
    let report = package.join("dist/docs/127.0.0.1.json");
    let _ = std::fs::remove_file(&report);
    println!(
        "psa-compliance: {SUITE}@{VERSION} against {url} (the bridge) in front of {}",
        emulator.base_url()
    );
    let offline = root().join("contract/psa/offline-spec.cjs");
    let mut suite = Command::new("node");
    suite
        .arg(package.join("dist/src/index.js"))
        .args(["-s", &url, KEY])
        .current_dir(package)
        .env("PSA_SPEC_FILE", root().join("openapi/ipfs-pinning-service.yaml"))
        .env("PSA_COMPLIANCE_DIR", package)
        .env("NODE_OPTIONS", format!("--require {}", offline.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let mut child = suite.spawn().map_err(|e| format!("cannot run node: {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    let watch = async {
        let (mut passed, mut failed) = (0u64, 0u64);
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            println!("{line}");
            let line = line.trim_start();
            passed += u64::from(line.starts_with('🟢'));
            failed += u64::from(line.starts_with('❌') || line.starts_with('⚠'));
        }
        let status = child.wait().await;
        (passed, failed, status)
    };
    let (passed_expectations, failed_expectations, status) =
        tokio::time::timeout(Duration::from_secs(args.timeout_secs), watch)
            .await
            .map_err(|_| format!("the suite ran longer than {} s and was stopped", args.timeout_secs))?;
    bridge.shutdown().await;
    emulator.shutdown().await;
    let status = status.map_err(|e| format!("the suite: {e}"))?;
    let summary = std::fs::read_to_string(&report)
        .map_err(|e| format!("the suite ({status}) wrote no report {}: {e}", report.display()))?;
    let summary: serde_json::Value =
        serde_json::from_str(&summary).map_err(|e| format!("the suite's report is not JSON: {e}"))?;
    let count = |field: &str| summary.get(field).and_then(serde_json::Value::as_u64).unwrap_or(0);
    let (total, passed, failed) = (count("total"), count("passed"), count("failed"));
    println!(
        "psa-compliance: {passed} of {total} checks passed, {failed} failed ({passed_expectations} expectations met, {failed_expectations} failed or errored)"
    );
    if failed > 0 || failed_expectations > 0 || total < CHECKS || passed < total {
        return Err(format!(
            "{failed} checks failed, {failed_expectations} expectations failed or errored, {total} of {CHECKS} checks ran"
        ));
    }
    Ok(())
}
