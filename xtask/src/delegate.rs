//! `contract`, `bench` and `emulator` are other workspace members' binaries, run as ordinary
//! child processes with `cargo run`: xtask itself needs neither the client nor its emulator, so
//! `lint-spec`, `check-docs`, `codegen` and `spec-diff` keep building when a spec edit breaks
//! the client's build.
//!
//! The arguments go through untouched (`--help` included) and the child's exit status is
//! xtask's. Ctrl-C reaches the child as well (it is in the same process group, or on Windows the
//! same console); xtask waits for it to finish rather than leave it running, so the contract
//! suite can clean up after itself.

use std::ffi::OsString;
use std::process::{ExitCode, ExitStatus};

/// A binary of another workspace member.
pub struct Member {
    /// `-p`: the package.
    pub package: &'static str,
    /// `--bin`, where the package has several.
    pub bin: Option<&'static str>,
    /// Arguments before the caller's (a subcommand).
    pub leading: &'static [&'static str],
    /// Built with `--release`.
    pub release: bool,
}

/// The contract suite (`contract/src/bin/contract`).
pub const CONTRACT: Member =
    Member { package: "pinarkive-contract", bin: Some("contract"), leading: &[], release: false };

/// The official IPFS Pinning Service API compliance suite against the bridge
/// (`contract/src/bin/psa-compliance.rs`).
pub const PSA_COMPLIANCE: Member =
    Member { package: "pinarkive-contract", bin: Some("psa-compliance"), leading: &[], release: false };

/// The benchmarks (`contract/src/bin/bench`): release figures only.
pub const BENCH: Member =
    Member { package: "pinarkive-contract", bin: Some("bench"), leading: &[], release: true };

/// The emulator, served by the CLI's own `pinarkive emulator`: one front-end, one set of flags.
pub const EMULATOR: Member =
    Member { package: "pinarkive-cli", bin: Some("pinarkive"), leading: &["emulator"], release: false };

/// `args` as `cargo run`'s arguments for `member`.
pub fn cargo_args(member: &Member, args: &[OsString]) -> Vec<OsString> {
    let manifest = crate::workspace_root().join("Cargo.toml");
    let mut out: Vec<OsString> = vec!["run".into(), "--manifest-path".into(), manifest.into()];
    out.extend(["--package".into(), member.package.into()]);
    if let Some(bin) = member.bin {
        out.extend(["--bin".into(), bin.into()]);
    }
    if member.release {
        out.push("--release".into());
    }
    out.push("--".into());
    out.extend(member.leading.iter().map(OsString::from));
    out.extend(args.iter().cloned());
    out
}

/// Runs `member` with `args` and returns its exit status as xtask's.
pub fn run(member: &Member, args: &[OsString]) -> ExitCode {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = tokio::process::Command::new(&cargo);
    command.args(cargo_args(member, args));
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("xtask: cannot start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let status = runtime.block_on(async {
        let mut child = command.spawn()?;
        loop {
            tokio::select! {
                status = child.wait() => return status,
                // The child got the same Ctrl-C and decides what to do with it; this process
                // stays until it exits (a second Ctrl-C goes to the child too).
                pressed = tokio::signal::ctrl_c() => pressed?,
            }
        }
    });
    match status {
        Ok(status) => exit_code(status),
        Err(e) => {
            eprintln!("xtask: cannot run {}: {e}", cargo.to_string_lossy());
            ExitCode::FAILURE
        }
    }
}

/// The child's exit code; on Unix, a child killed by a signal gives 128 + the signal's number,
/// as a shell reports it.
fn exit_code(status: ExitStatus) -> ExitCode {
    if let Some(code) = status.code() {
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return ExitCode::from(u8::try_from(128 + signal).unwrap_or(1));
        }
    }
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: Vec<OsString>) -> Vec<String> {
        args.into_iter().map(|a| a.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn the_arguments_go_through_untouched_after_the_members_own() {
        let args = strings(cargo_args(&EMULATOR, &["--help".into(), "--key".into(), "k=*".into()]));
        let tail: Vec<&str> = args.iter().skip_while(|a| *a != "--").map(String::as_str).collect();
        assert_eq!(tail, ["--", "emulator", "--help", "--key", "k=*"]);
        assert!(args.contains(&"pinarkive-cli".to_string()) && !args.contains(&"--release".to_string()));
        let bench = strings(cargo_args(&BENCH, &[]));
        assert!(bench.contains(&"--release".to_string()) && bench.ends_with(&["--".to_string()]));
        assert!(bench.windows(2).any(|w| w == ["--bin", "bench"]), "{bench:?}");
    }

    #[cfg(unix)]
    #[test]
    fn exit_codes_and_signals_become_the_callers() {
        let shell =
            |script: &str| std::process::Command::new("sh").args(["-c", script]).status().expect("sh runs");
        assert_eq!(exit_code(shell("exit 0")), ExitCode::SUCCESS);
        assert_eq!(exit_code(shell("exit 2")), ExitCode::from(2));
        assert_eq!(exit_code(shell("kill -INT $$")), ExitCode::from(130));
    }
}
