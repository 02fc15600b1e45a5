//! `doctor`.

use schemars::JsonSchema;
use serde::Serialize;

use super::Document;

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It passed.
    Pass,
    /// It failed; `doctor` exits 1.
    Fail,
    /// It could not be run (the key lacks the scope, or was refused).
    Skip,
}

/// One check.
#[derive(Serialize, JsonSchema)]
pub struct Check {
    /// What was checked: `api`, `key`, a scope, `clusters`, `gateway`.
    pub name: &'static str,
    /// The outcome.
    pub status: Status,
    /// What was found, for people.
    pub detail: String,
}

/// The checks run, in order.
#[derive(Serialize, JsonSchema)]
pub struct Report<'a> {
    /// Whether no check failed (the exit code is 0 then).
    pub ok: bool,
    /// The checks.
    pub checks: &'a [Check],
}

impl Document for Report<'_> {
    const COMMAND: &'static str = "doctor";
    const FORMAT_VERSION: u32 = 1;
}
