//! `schema`: the JSON Schema of each command's `--json` output.

use crate::args::SchemaArgs;
use crate::errors::CliError;
use crate::json::schema::{SchemaEntry, SchemaListing};
use crate::json::{format, formats};
use crate::output::Output;

/// With a command, its schema (JSON, with or without `--json`); without, the list: a table, or
/// with `--json` every command with its schema.
pub fn print(out: &Output, args: &SchemaArgs) -> Result<(), CliError> {
    if !args.command.is_empty() {
        let name = args.command.join(" ");
        let Some(format) = format(&name) else {
            let known: Vec<&str> = formats().iter().map(|f| f.command).collect();
            return Err(CliError::usage(format!(
                "`{name}` has no --json output; the commands with one are: {}",
                known.join(", ")
            )));
        };
        out.schema(&(format.schema)());
        return Ok(());
    }
    if out.json {
        let commands = formats()
            .into_iter()
            .map(|f| SchemaEntry {
                command: f.command.to_string(),
                format_version: f.version,
                schema: (f.schema)(),
            })
            .collect();
        out.json(&SchemaListing { commands });
        return Ok(());
    }
    let rows: Vec<Vec<String>> =
        formats().iter().map(|f| vec![f.command.to_string(), f.version.to_string(), f.about()]).collect();
    out.table(&["COMMAND", "FORMAT", "DOCUMENT"], &rows);
    out.line("Print one with: pinarkive schema COMMAND (every schema at once: pinarkive schema --json)");
    Ok(())
}
