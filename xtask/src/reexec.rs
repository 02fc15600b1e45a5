//! Rebuilding xtask with more features and replacing this process with the new build.
//!
//! The commands that need the client (`bench`, `contract`, `emulator`) sit behind xtask
//! features, so that `lint-spec` and `codegen` still build when the spec breaks the client's own
//! build. A plain `cargo xtask contract` therefore runs a build without them; it calls
//! [`with_features`], which builds xtask with the features (and in release, if asked) and
//! `exec`s the result with the same arguments.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// Set in the re-executed process to the number of attempts, so that a wrong build cannot loop.
const REEXEC_ENV: &str = "XTASK_REEXEC";
/// Builds tried before giving up: another build in the same target directory (a plain
/// `cargo xtask` elsewhere) can replace `target/debug/xtask` between our build and the exec.
const ATTEMPTS: u32 = 2;

/// Builds `xtask` with `features` (in release if `release`) and replaces this process with it,
/// passing the same arguments. Returns only on failure, with the reason printed under `label`.
pub fn with_features(label: &str, features: &[&str], release: bool) -> ExitCode {
    let profile = if release { "a release build" } else { "a build" };
    let features = features.join(",");
    let attempt: u32 = std::env::var(REEXEC_ENV).ok().and_then(|n| n.parse().ok()).unwrap_or(0);
    if attempt >= ATTEMPTS {
        eprintln!(
            "{label}: the re-executed xtask is still not {profile} with --features {features} \
             (another build in the same target directory may have replaced it; try again)"
        );
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
    let exe = stable_path(&exe);
    // args_os: [this binary, subcommand, options...]; keep everything after the binary.
    let error = Command::new(&exe)
        .args(std::env::args_os().skip(1))
        .env(REEXEC_ENV, (attempt + 1).to_string())
        .exec();
    eprintln!("{label}: cannot execute {}: {error}", exe.display());
    ExitCode::FAILURE
}

/// The build's own copy of `exe` in `deps/` (`xtask-<hash>`, one per feature set and profile),
/// which a build with other features does not overwrite as it does `target/debug/xtask`. Cargo
/// hard-links the two; without a link (a filesystem that copies) `exe` itself is used.
fn stable_path(exe: &Path) -> PathBuf {
    use std::os::unix::fs::MetadataExt;

    let (Ok(wanted), Some(dir), Some(name)) = (std::fs::metadata(exe), exe.parent(), exe.file_name()) else {
        return exe.to_path_buf();
    };
    let prefix = format!("{}-", name.to_string_lossy());
    let entries = std::fs::read_dir(dir.join("deps")).into_iter().flatten().flatten();
    entries
        .filter(|entry| {
            let file = entry.file_name();
            let file = file.to_string_lossy();
            file.strip_prefix(&prefix).is_some_and(|hash| !hash.contains('.'))
        })
        .find(|entry| entry.metadata().is_ok_and(|m| m.ino() == wanted.ino() && m.dev() == wanted.dev()))
        .map_or_else(|| exe.to_path_buf(), |entry| entry.path())
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

    #[test]
    fn the_stable_path_is_the_hard_link_in_deps() {
        let dir = std::env::temp_dir().join(format!("xtask-reexec-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("deps")).unwrap();
        let exe = dir.join("xtask");
        std::fs::write(dir.join("deps/xtask-0123abcd"), b"binary").unwrap();
        std::fs::write(dir.join("deps/xtask-0123abcd.d"), b"dep-info").unwrap();
        std::fs::write(dir.join("deps/xtask-feedbeef"), b"another build").unwrap();
        std::fs::hard_link(dir.join("deps/xtask-0123abcd"), &exe).unwrap();
        assert_eq!(stable_path(&exe), dir.join("deps/xtask-0123abcd"));
        std::fs::remove_file(&exe).unwrap();
        std::fs::write(&exe, b"a copy").unwrap();
        assert_eq!(stable_path(&exe), exe);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
