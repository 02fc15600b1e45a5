//! 5. The clean build a new user pays for: the debug build time, from an empty target
//!    directory, of a scratch binary that depends on `pinarkive` (default features) next to one
//!    that depends only on what any async HTTP client needs: reqwest with the same TLS choice
//!    (rustls with ring), tokio and serde_json.
//!
//! Both scratch crates are written under `target/bench-clean-build/` as workspaces of their own,
//! with this workspace's `Cargo.lock` (so both build the same versions, offline), and built one
//! after the other with `cargo build`, each into its own empty target directory. The crates come
//! from the local registry cache; nothing is downloaded.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// What a fresh `pinarkive` binary may take to build, in all and next to bare reqwest.
const TIME_TARGET: Duration = Duration::from_secs(75);
const RATIO_TARGET: f64 = 1.5;

/// The bare crate's dependencies: what the library itself asks of reqwest (the workspace's
/// reqwest features), the TLS of its default feature, tokio as the quick start has it, serde_json.
const BARE_DEPENDENCIES: &str = r#"
reqwest = { version = "0.13", default-features = false, features = ["json", "stream", "multipart", "query", "http2", "charset", "rustls-no-provider"] }
rustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12", "logging"] }
tokio = { version = "1", features = ["rt-multi-thread", "macros"] }
serde_json = "1"
"#;

const BARE_MAIN: &str = r#"#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let body = serde_json::json!({ "hello": "world" });
    println!("{:?} {body}", client.get("https://example.com").build().map(|r| r.url().clone()));
}
"#;

const PINARKIVE_MAIN: &str = r#"#[tokio::main]
async fn main() {
    let client = pinarkive::Client::builder().api_key("k").build().unwrap();
    println!("{:?}", client.default_cluster());
}
"#;

/// One scratch binary's clean build.
#[derive(Debug, Clone)]
pub struct Build {
    pub wall: Duration,
    /// Crates compiled (`Compiling` lines), the scratch crate included.
    pub crates: usize,
}

#[derive(Debug, Clone)]
pub struct Results {
    pub pinarkive: Build,
    pub bare: Build,
}

impl Results {
    pub fn ratio(&self) -> f64 {
        self.pinarkive.wall.as_secs_f64() / self.bare.wall.as_secs_f64()
    }

    pub fn summary(&self) -> [(String, String, String, bool); 2] {
        [
            (
                "Clean debug build of a binary using `pinarkive` (default features)".into(),
                format!("{:.1} s", self.pinarkive.wall.as_secs_f64()),
                format!("< {} s", TIME_TARGET.as_secs()),
                self.pinarkive.wall < TIME_TARGET,
            ),
            (
                "That build ÷ the same with only reqwest (same TLS), tokio and serde_json".into(),
                format!("{:.2}× ({:.1} s bare)", self.ratio(), self.bare.wall.as_secs_f64()),
                format!("≤ {RATIO_TARGET:.1}×"),
                self.ratio() <= RATIO_TARGET,
            ),
        ]
    }

    pub fn all_pass(&self) -> bool {
        self.summary().iter().all(|row| row.3)
    }

    /// The report's section.
    pub fn section(&self, number: usize) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "\n## {number}. A new user's clean build\n");
        let _ = writeln!(
            s,
            "`cargo build` (debug) of a scratch binary from an empty target directory, one after \
             the other in the same run, with this workspace's `Cargo.lock` and crates from the \
             local registry cache (no download). **pinarkive**: depends on `pinarkive` (default \
             features: rustls with ring) and tokio. **bare**: depends on reqwest with the features \
             the library asks for and the same TLS, tokio and serde_json: what any async HTTP \
             client costs. The difference is the price of the crate itself (its build script runs \
             progenitor on the spec) and of its other dependencies.\n"
        );
        let _ = writeln!(s, "| Scratch binary | Wall time | Crates compiled |\n|---|---|---|");
        for (name, build) in [("pinarkive", &self.pinarkive), ("bare", &self.bare)] {
            let _ = writeln!(s, "| {name} | {:.1} s | {} |", build.wall.as_secs_f64(), build.crates);
        }
        let _ = writeln!(s, "\nRatio: {:.2}×.", self.ratio());
        s
    }
}

pub fn run(workspace: &Path) -> Result<Results, String> {
    let root = workspace.join("target/bench-clean-build");
    let lock = workspace.join("Cargo.lock");
    let pinarkive_dependency = format!(
        "pinarkive = {{ path = {:?} }}\ntokio = {{ version = \"1\", features = [\"rt-multi-thread\", \"macros\"] }}\n",
        workspace.display().to_string()
    );
    let bare = scratch(&root, "bare", BARE_DEPENDENCIES, BARE_MAIN, &lock)?;
    let ours = scratch(&root, "with-pinarkive", &pinarkive_dependency, PINARKIVE_MAIN, &lock)?;
    eprintln!("bench: clean build of the bare binary");
    let bare = build(&bare)?;
    eprintln!("bench: clean build of the pinarkive binary");
    let pinarkive = build(&ours)?;
    Ok(Results { pinarkive, bare })
}

/// Writes a scratch crate (its own workspace) and returns its directory.
fn scratch(root: &Path, name: &str, dependencies: &str, main: &str, lock: &Path) -> Result<PathBuf, String> {
    let dir = root.join(name);
    let io = |e: std::io::Error| format!("cannot write the scratch crate {}: {e}", dir.display());
    std::fs::create_dir_all(dir.join("src")).map_err(io)?;
    let manifest = format!(
        "[package]\nname = \"bench-{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [workspace]\n\n[dependencies]\n{dependencies}"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(io)?;
    std::fs::write(dir.join("src/main.rs"), main).map_err(io)?;
    std::fs::copy(lock, dir.join("Cargo.lock")).map_err(io)?;
    Ok(dir)
}

/// `cargo build` of `dir` into an emptied target directory, timed.
fn build(dir: &Path) -> Result<Build, String> {
    let target = dir.join("target");
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| format!("cannot empty {}: {e}", target.display()))?;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = Instant::now();
    let output = Command::new(cargo)
        .args(["build", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        // The user's plain build: no wrapper, no flags of this workspace's own build.
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!("cargo build in {} failed:\n{}", dir.display(), tail.join("\n")));
    }
    let crates = stderr.lines().filter(|line| line.trim_start().starts_with("Compiling ")).count();
    Ok(Build { wall, crates })
}
