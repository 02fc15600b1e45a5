//! `pinarkive`, the command-line tool: upload, pin and list files on Pinarkive.
//!
//! Built on the crate's typed client; one module per concern: `args` (the command line),
//! `config` (the config file and setting precedence), `output` (tables and `--json`), `errors`
//! (one-line errors and exit codes), `progress` (bars and Ctrl-C), `private_file` (reading and
//! writing the config file safely), `commands` (one file per group of commands), `json` (each
//! command's `--json` document and its schema).

mod args;
mod commands;
mod config;
mod errors;
mod json;
mod output;
mod private_file;
mod progress;

use std::process::ExitCode;

use clap::Parser;
use pinarkive::redact::Redactor;

use crate::args::Cli;
use crate::errors::{redact, CliError, Exit};
use crate::output::Output;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return clap_exit(error),
    };
    let json = cli.global.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&CliError::usage(format!("cannot start the async runtime: {e}")), json, &[]),
    };
    let mut secrets = Vec::new();
    let result = runtime.block_on(commands::run(cli, &mut secrets));
    // Dropping the runtime here would wait for a blocked stdin read (login) or file read; nothing
    // left running matters once the command has finished.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error, json, &secrets),
    }
}

/// Prints the error line (a line of JSON with `--json`), scrubbed of every secret, and gives
/// its exit code.
fn fail(error: &CliError, json: bool, secrets: &[String]) -> ExitCode {
    Output::new(json, Redactor::new(secrets)).error(error);
    ExitCode::from(error.exit as u8)
}

/// `--help` and `--version` go to stdout with exit 0; a usage error to stderr with exit 2 (a
/// line of JSON when `--json` was given), with any key given on the command line or in the
/// environment scrubbed from clap's text.
fn clap_exit(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    let secrets = command_line_secrets();
    let text = error.render().to_string();
    if std::env::args().take_while(|arg| arg != "--").any(|arg| arg == "--json") {
        return fail(&CliError::usage(text.trim().trim_start_matches("error: ")), true, &secrets);
    }
    eprint!("{}", redact(&text, &Redactor::new(secrets)));
    ExitCode::from(Exit::Usage as u8)
}

/// The key from `--api-key`, `PINARKIVE_API_KEY` and the config file, found without clap
/// (which just failed).
fn command_line_secrets() -> Vec<String> {
    let args: Vec<String> = std::env::args().collect();
    let mut secrets: Vec<String> = std::env::var(pinarkive::client::env::API_KEY).into_iter().collect();
    if let Ok(file) = config::ConfigFile::load() {
        secrets.extend(file.get(config::keys::API_KEY).map(str::to_string));
    }
    for (i, arg) in args.iter().enumerate() {
        if let Some(value) = arg.strip_prefix("--api-key=") {
            secrets.push(value.to_string());
        } else if arg == "--api-key" {
            secrets.extend(args.get(i + 1).cloned());
        }
    }
    secrets
}
