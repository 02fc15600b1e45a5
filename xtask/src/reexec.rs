//! Rebuilding xtask with more features and replacing this process with the new build.
//!
//! The commands that need the client (`bench`, `contract`, `emulator`) sit behind xtask
//! features, so that `lint-spec` and `codegen` still build when the spec breaks the client's own
//! build. A plain `cargo xtask contract` therefore runs a build without them; it calls
//! [`with_features`], which builds xtask with the features (and in release, if asked) and
//! `exec`s the result with the same arguments.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

/// Set in the re-executed process, so that a wrong build cannot loop.
const REEXEC_ENV: &str = "XTASK_REEXEC";

/// Builds `xtask` with `features` (in release if `release`) and replaces this process with it,
/// passing the same arguments. Returns only on failure, with the reason printed under `label`.
pub fn with_features(label: &str, features: &[&str], release: bool) -> ExitCode {
    let profile = if release { "a release build" } else { "a build" };
    let features = features.join(",");
    if std::env::var_os(REEXEC_ENV).is_some() {
        eprintln!("{label}: the re-executed xtask is still not {profile} with --features {features}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "{label}: building xtask{} with --features {features} ...",
        if release { " in release" } else { "" }
    );
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut build = Command::new(cargo);
    build.current_dir(crate::workspace_root()).args(["build", "-p", "xtask", "--features", &features]);
    if release {
        build.arg("--release");
    }
    let output = build
        .arg("--message-format=json-render-diagnostics")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output();
    let output = match output {
        Ok(output) if output.status.success() => output,
        Ok(output) => {
            eprintln!("{label}: building xtask with --features {features} failed ({})", output.status);
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("{label}: cannot run cargo: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(exe) = built_executable(&output.stdout) else {
        eprintln!("{label}: cargo did not report the xtask executable");
        return ExitCode::FAILURE;
    };
    // args_os: [this binary, subcommand, options...]; keep everything after the binary.
    let error = Command::new(&exe).args(std::env::args_os().skip(1)).env(REEXEC_ENV, "1").exec();
    eprintln!("{label}: cannot execute {}: {error}", exe.display());
    ExitCode::FAILURE
}

/// The `xtask` binary in cargo's JSON messages.
fn built_executable(messages: &[u8]) -> Option<PathBuf> {
    String::from_utf8_lossy(messages).lines().rev().find_map(|line| {
        let message: serde_json::Value = serde_json::from_str(line).ok()?;
        let is_xtask = message["reason"] == "compiler-artifact" && message["target"]["name"] == "xtask";
        is_xtask.then(|| message["executable"].as_str().map(PathBuf::from)).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_executable_is_found_in_cargos_messages() {
        let messages = br#"{"reason":"compiler-artifact","target":{"name":"pinarkive"},"executable":null}
{"reason":"compiler-artifact","target":{"name":"xtask"},"executable":"/t/debug/xtask"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(built_executable(messages), Some(PathBuf::from("/t/debug/xtask")));
        assert_eq!(built_executable(b"not json\n"), None);
    }
}
