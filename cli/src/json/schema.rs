//! `schema`.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::Document;

/// A command's `--json` format.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaEntry {
    /// The command, as `pinarkive schema` takes it (`ls`, `tokens create`); `stderr` for what
    /// stderr carries in `--json` mode.
    pub command: String,
    /// The `formatVersion` of its document.
    pub format_version: u32,
    /// Its JSON Schema (draft 2020-12), as `pinarkive schema COMMAND` prints it.
    pub schema: Value,
}

/// Every command with `--json` output and its JSON Schema.
#[derive(Serialize, JsonSchema)]
pub struct SchemaListing {
    /// The commands, in the order `pinarkive --help` lists them, then `schema` and `stderr`.
    pub commands: Vec<SchemaEntry>,
}

impl Document for SchemaListing {
    const COMMAND: &'static str = "schema";
    const FORMAT_VERSION: u32 = 1;
}
