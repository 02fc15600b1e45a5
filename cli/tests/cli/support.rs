//! What every test needs: an emulator of its own, a HOME of its own, and the binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use pinarkive::emulator::{Emulator, EmulatorBuilder};
use tempfile::TempDir;

use crate::scripted::{Reply, ScriptedServer};

/// The key with every scope, given to the binary through `PINARKIVE_API_KEY`. Distinctive, so
/// that a test can tell it never appears in any output.
pub const KEY: &str = "pk_cli_test_7c1d0e5f9a2b4c6d";

/// A key with `files:read` only.
pub const READ_ONLY_KEY: &str = "pk_cli_read_only_1a2b3c4d5e";

/// A CID that nothing was uploaded under.
pub const CID: &str = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

/// An emulator on loopback, and a temporary HOME for the config file. Fields drop in order:
/// the emulator stops before its runtime goes.
pub struct Setup {
    pub emulator: Emulator,
    pub home: TempDir,
    runtime: tokio::runtime::Runtime,
}

impl Setup {
    /// The emulator with [`KEY`] (every scope), [`READ_ONLY_KEY`] and no rate limit.
    pub fn new() -> Setup {
        Setup::with(|builder| builder.no_rate_limit())
    }

    /// The emulator with [`KEY`] and [`READ_ONLY_KEY`], configured further by `configure`.
    pub fn with(configure: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder) -> Setup {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the emulator");
        let builder = Emulator::builder().api_key(KEY, ["*"]).api_key(READ_ONLY_KEY, ["files:read"]);
        let emulator = runtime.block_on(configure(builder).start()).expect("the emulator starts");
        Setup { emulator, home: tempfile::tempdir().expect("a temporary HOME"), runtime }
    }

    pub fn base_url(&self) -> &str {
        self.emulator.base_url()
    }

    /// The binary with HOME here, the base URL and [`KEY`] in the environment, and nothing
    /// else of the caller's `PINARKIVE_*` variables.
    pub fn cmd(&self) -> Command {
        let mut cmd = self.bare_cmd();
        cmd.env("PINARKIVE_API_BASE_URL", self.base_url()).env("PINARKIVE_API_KEY", KEY);
        cmd
    }

    /// The binary with HOME here and no `PINARKIVE_*` variables at all.
    pub fn bare_cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pinarkive"));
        cmd.env("HOME", self.home.path())
            .env_remove("PINARKIVE_API_KEY")
            .env_remove("PINARKIVE_API_BASE_URL")
            .env_remove("PINARKIVE_CLUSTER_ID")
            .env("NO_COLOR", "1")
            .current_dir(self.home.path());
        cmd
    }

    /// Writes `~/.pinarkive/config.json`, readable by its owner only, as `login` does.
    pub fn write_config(&self, config: serde_json::Value) {
        let dir = self.home.path().join(".pinarkive");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
            std::fs::set_permissions(self.config_path(), std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }

    pub fn config_path(&self) -> PathBuf {
        self.home.path().join(".pinarkive/config.json")
    }

    /// `~/.pinarkive/config.json` as the binary left it.
    pub fn read_config(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.config_path()).unwrap()).unwrap()
    }

    /// Uploads one file with the binary and returns its CID.
    pub fn upload(&self, file: &str) -> String {
        let uploaded = run(self.cmd(), &["upload", file, "--json"]).ok().json();
        uploaded["uploads"][0]["cid"].as_str().expect("the upload's CID").to_string()
    }

    /// Writes a file under HOME and returns its name relative to HOME (the binary's directory).
    pub fn file(&self, name: &str, contents: &[u8]) -> String {
        let path = self.home.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, contents).unwrap();
        name.to_string()
    }

    /// A scripted server on loopback, for what the emulator would never do.
    pub fn scripted(&self, replies: Vec<Reply>) -> ScriptedServer {
        self.runtime.block_on(ScriptedServer::start(replies))
    }

    /// A scripted server that answers every connection with `reply`.
    pub fn scripted_every(&self, reply: Reply) -> ScriptedServer {
        self.runtime.block_on(ScriptedServer::every(reply))
    }

    /// The binary pointed at a scripted server, with [`KEY`].
    pub fn cmd_for(&self, server: &ScriptedServer) -> Command {
        let mut cmd = self.bare_cmd();
        cmd.env("PINARKIVE_API_BASE_URL", format!("{}/api/v3", server.url)).env("PINARKIVE_API_KEY", KEY);
        cmd
    }

    /// The binary as a child to start and watch; see [`child_cmd`].
    pub fn child_cmd(&self, base_url: &str) -> std::process::Command {
        child_cmd(self.home.path(), base_url)
    }

    /// Runs a future on the emulator's runtime (to use the typed client in a test).
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// `text` with what varies from run to run (the port, the temporary HOME) replaced.
    pub fn scrub(&self, text: &str) -> String {
        let origin = self.base_url().trim_end_matches("/api/v3");
        text.replace(origin, "http://127.0.0.1:[port]")
            .replace(&self.home.path().display().to_string(), "[home]")
    }

    /// [`Setup::scrub`] for a JSON document.
    pub fn scrub_json(&self, value: serde_json::Value) -> serde_json::Value {
        serde_json::from_str(&self.scrub(&value.to_string())).unwrap()
    }
}

/// The binary as a child to start and watch (not run to its end): HOME and the working
/// directory `home`, `base_url` and [`KEY`], its output piped.
pub fn child_cmd(home: &Path, base_url: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pinarkive"));
    cmd.current_dir(home)
        .env("HOME", home)
        .env("PINARKIVE_API_BASE_URL", base_url)
        .env("PINARKIVE_API_KEY", KEY)
        .env_remove("PINARKIVE_CLUSTER_ID")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd
}

/// What one run printed and how it exited.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The stdout as JSON, failing the test with both streams when it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr)
        })
    }

    /// Fails with both streams unless the exit code is `code`.
    pub fn expect_code(self, code: i32) -> Run {
        assert_eq!(self.code, code, "exit code\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    pub fn ok(self) -> Run {
        self.expect_code(0)
    }
}

/// Runs `cmd` with `args` to the end. With `--json`, what it printed is checked against the
/// published schemas (see [`check_json`]).
pub fn run(mut cmd: Command, args: &[&str]) -> Run {
    let output = cmd.args(args).output().expect("the binary runs");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    if args.iter().take_while(|arg| **arg != "--").any(|arg| *arg == "--json") {
        check_json(args, &run);
    }
    run
}

/// In `--json` mode: stdout is empty or one document valid by the command's schema, and every
/// line of stderr is valid by the `stderr` schema, the last an error exactly when the exit
/// code is not 0, with that exit code.
pub fn check_json(args: &[&str], run: &Run) {
    let command = command_of(args);
    // `schema COMMAND` prints a schema, not a document.
    let after = &args[(args_until_command(args) + 1).min(args.len())..];
    let printing_a_schema = command == "schema" && after.iter().any(|arg| !arg.starts_with('-'));
    if !run.stdout.trim().is_empty() && !printing_a_schema {
        let document: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: stdout is not one JSON document ({e}):\n{}", run.stdout));
        assert_valid(&command, &document);
    }
    let lines: Vec<serde_json::Value> = run
        .stderr
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| {
                panic!("{args:?}: a stderr line is not JSON ({e}): {line}\n{}", run.stderr)
            })
        })
        .collect();
    for line in &lines {
        assert_valid("stderr", line);
    }
    let last_error = lines.last().filter(|line| line["level"] == "error");
    match (run.code, last_error) {
        (0, None) => {}
        (0, Some(line)) => panic!("{args:?}: exit 0 after an error line: {line}"),
        (code, Some(line)) => assert_eq!(line["exitCode"], code, "{args:?}: {line}"),
        (code, None) => panic!("{args:?}: exit {code} without an error line on stderr:\n{}", run.stderr),
    }
}

/// Fails the test unless `document` is valid by the schema `pinarkive schema COMMAND` prints.
pub fn assert_valid(command: &str, document: &serde_json::Value) {
    let validator = validators().get(command).unwrap_or_else(|| panic!("no schema for `{command}`"));
    let errors: Vec<String> =
        validator.iter_errors(document).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(
        errors.is_empty(),
        "`{command}` printed what its schema refuses:\n{}\n{document:#}",
        errors.join("\n")
    );
}

/// The published schemas, from `pinarkive schema --json` (itself checked by its own schema).
pub fn schemas() -> &'static BTreeMap<String, serde_json::Value> {
    static SCHEMAS: OnceLock<BTreeMap<String, serde_json::Value>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let output =
            Command::new(env!("CARGO_BIN_EXE_pinarkive")).args(["schema", "--json"]).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let listing: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let schemas: BTreeMap<String, serde_json::Value> = listing["commands"]
            .as_array()
            .expect("a list of commands")
            .iter()
            .map(|entry| (entry["command"].as_str().unwrap().to_string(), entry["schema"].clone()))
            .collect();
        let errors: Vec<String> = jsonschema::validator_for(&schemas["schema"])
            .unwrap()
            .iter_errors(&listing)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "`schema --json` refused by its own schema: {errors:?}");
        schemas
    })
}

fn validators() -> &'static BTreeMap<String, jsonschema::Validator> {
    static VALIDATORS: OnceLock<BTreeMap<String, jsonschema::Validator>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        schemas()
            .iter()
            .map(|(command, schema)| {
                let validator = jsonschema::validator_for(schema)
                    .unwrap_or_else(|e| panic!("the schema of `{command}` is not a valid JSON Schema: {e}"));
                (command.clone(), validator)
            })
            .collect()
    })
}

/// The global flags that take a value.
const GLOBAL_VALUES: [&str; 3] = ["--base-url", "--api-key", "--retries"];

/// How many arguments come before the command's name.
fn args_until_command(args: &[&str]) -> usize {
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        i += if GLOBAL_VALUES.contains(&args[i]) { 2 } else { 1 };
    }
    i
}

/// The command as `pinarkive schema` names it: `ls`, `tokens create`.
pub fn command_of(args: &[&str]) -> String {
    let rest = &args[args_until_command(args).min(args.len())..];
    match rest {
        [group @ ("tokens" | "config"), sub, ..] => format!("{group} {sub}"),
        [command, ..] => command.to_string(),
        [] => String::new(),
    }
}

/// A loopback port with nothing listening on it.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Unix permission bits of `path`.
#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
