//! What stderr carries in `--json` mode.

use schemars::JsonSchema;
use serde::Serialize;

use super::Document;
use crate::errors::Exit;

/// What stderr carries in `--json` mode: one JSON object per line, each a note or the error that ends
/// a failed run (stdout keeps the command's own document).
#[derive(Serialize, JsonSchema)]
#[serde(tag = "level", rename_all = "lowercase")]
pub enum StderrLine {
    /// Worth knowing, not a failure: a retry, a warning about the config file.
    Note {
        /// For people.
        message: String,
    },
    /// Why the command failed: the last line, with the exit code the process exits with.
    #[serde(rename_all = "camelCase")]
    Error {
        /// What went wrong and what to do, for people.
        message: String,
        /// The kind of failure, which decides the exit code.
        reason: Exit,
        /// The process's exit code (also under `pinarkive --help`).
        exit_code: u8,
    },
}

impl Document for StderrLine {
    const COMMAND: &'static str = "stderr";
    const FORMAT_VERSION: u32 = 1;
}
