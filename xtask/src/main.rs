//! `cargo xtask`: the workspace's maintenance commands, written in Rust so they need nothing but
//! cargo (the pattern described at <https://github.com/matklad/cargo-xtask>). The alias in
//! `.cargo/config.toml` runs this crate; every subcommand works from any directory, because
//! relative paths are taken from the workspace root.
//!
//! - `cargo xtask lint-spec [--spec PATH]` checks `openapi/pinarkive-v3.yaml` against the editing
//!   rules in `openapi/README.md` and against what progenitor can generate.
//! - `cargo xtask check-docs --docs DIR [--docs FILE …]` compares the spec with the vendor's
//!   documentation; known differences are waived in `openapi/docs-waivers.yaml`.
//! - `cargo xtask codegen [--out FILE] [--mocks FILE]` writes the code `build.rs` generates to a
//!   file, so it can be read and diffed.
//! - `cargo xtask spec-diff BASE [HEAD]` says what a spec edit changes on the wire and in the
//!   generated Rust API and which version bump it needs; `--last-release` is CI's check.
//!
//! Four more run other members' binaries with `cargo run` (see `delegate.rs`), their arguments
//! passed on untouched:
//! - `cargo xtask contract [--base-url URL] [--allow-writes] [--junit FILE] [--observed FILE]` runs
//!   the contract suite (`contract/`) against the emulator, or against a server (the live API)
//!   with `PINARKIVE_API_KEY`.
//! - `cargo xtask bench` measures the client against curl and bare reqwest on a local server and
//!   writes `BENCHMARKS.md` (`contract/`, built in release).
//! - `cargo xtask emulator [--port 8787] [--key KEY=SCOPES]...` serves the emulator until Ctrl-C
//!   (`pinarkive emulator`, from `cli/`).
//! - `cargo xtask psa-compliance [--install] [--skip-unavailable]` runs the official IPFS Pinning
//!   Service API compliance suite (npm) against the bridge in front of the emulator (`contract/`).
//!
//! xtask does not depend on the client crate: the spec tools build whatever the spec does to it.

// Shared with build.rs, so both generate with the same settings. It belongs to the root crate
// (formatted along with build.rs), hence the skip: `cargo fmt -p xtask` leaves it alone.
#[rustfmt::skip]
#[path = "../../codegen.rs"]
mod codegen;
mod check_docs;
mod codegen_cmd;
mod delegate;
mod lint_spec;
mod spec_diff;
#[cfg(test)]
mod test_json;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Maintenance commands for the pinarkive workspace"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the OpenAPI spec against the editing rules in openapi/README.md.
    LintSpec(lint_spec::Args),
    /// Compare the spec with the vendor docs (.md/.mdx pages and API.md-style route references).
    CheckDocs(check_docs::Args),
    /// Write the generated client (and optionally the typed mocks) to files, for reading.
    Codegen(codegen_cmd::Args),
    /// What changed between two specs, on the wire and in the generated Rust API, and the
    /// version bump it needs.
    SpecDiff(spec_diff::Args),
    /// Run the contract suite against the emulator (default) or a server given by --base-url
    /// (`cargo xtask contract --help` for its options).
    #[command(disable_help_flag = true)]
    Contract(PassedOn),
    /// Benchmark the client against curl and bare reqwest, and the emulator; writes
    /// BENCHMARKS.md (`cargo xtask bench --help` for its options).
    #[command(disable_help_flag = true)]
    Bench(PassedOn),
    /// Serve the local Pinarkive emulator until Ctrl-C: `pinarkive emulator`
    /// (`cargo xtask emulator --help` for its options).
    #[command(disable_help_flag = true)]
    Emulator(PassedOn),
    /// Run the official IPFS Pinning Service API compliance suite (npm) against the bridge in
    /// front of the emulator (`cargo xtask psa-compliance --help` for its options).
    #[command(disable_help_flag = true)]
    PsaCompliance(PassedOn),
}

/// Every argument, untouched (`--help` too), for the member that runs the command.
#[derive(clap::Args)]
struct PassedOn {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "ARGS")]
    args: Vec<OsString>,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::LintSpec(args) => lint_spec::run(&args),
        Command::CheckDocs(args) => check_docs::run(&args),
        Command::Codegen(args) => codegen_cmd::run(&args),
        Command::SpecDiff(args) => spec_diff::run(&args),
        Command::Contract(passed) => delegate::run(&delegate::CONTRACT, &passed.args),
        Command::Bench(passed) => delegate::run(&delegate::BENCH, &passed.args),
        Command::Emulator(passed) => delegate::run(&delegate::EMULATOR, &passed.args),
        Command::PsaCompliance(passed) => delegate::run(&delegate::PSA_COMPLIANCE, &passed.args),
    }
}

/// The workspace root: this crate lives in `<root>/xtask`.
fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the workspace")
}

/// `path` taken from the workspace root unless it is absolute.
fn from_root(path: &Path) -> PathBuf {
    workspace_root().join(path)
}
