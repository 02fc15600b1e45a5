//! What `--json` prints: one type per command's document, each with a JSON Schema (schemars)
//! that `pinarkive schema` publishes, and a `formatVersion` that changes only on a breaking
//! change.
//!
//! A field removed, renamed or given another type, a value that may now be `null`, or a new
//! value of a list of names (such as a check's status) breaks a script: bump the command's
//! [`Document::FORMAT_VERSION`]. A new field breaks none: keep the version. The CLI's tests
//! record every version's fields in `cli/tests/cli/json_formats.txt` and fail on a breaking
//! change that keeps the version (see `cli/tests/cli/schema.rs`).

pub mod account;
pub mod doctor;
pub mod emulator;
pub mod files;
pub mod pinning_service;
pub mod schema;
pub mod settings;
pub mod stderr;
pub mod tokens;
pub mod upload;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{json, Value};

/// The `--json` document of a command.
pub trait Document: Serialize + JsonSchema {
    /// The command as `pinarkive schema` takes it: `ls`, `tokens create`.
    const COMMAND: &'static str;
    /// The document's `formatVersion`: changes only on a breaking change.
    const FORMAT_VERSION: u32;
}

/// The name of the field that carries [`Document::FORMAT_VERSION`].
pub const FORMAT_VERSION_FIELD: &str = "formatVersion";

/// A document as printed: `formatVersion` first, then the command's fields.
#[derive(Serialize)]
pub struct Versioned<'a, T> {
    #[serde(rename = "formatVersion")]
    pub format_version: u32,
    #[serde(flatten)]
    pub document: &'a T,
}

impl<'a, T: Document> Versioned<'a, T> {
    pub fn new(document: &'a T) -> Self {
        Versioned { format_version: T::FORMAT_VERSION, document }
    }
}

/// A command with `--json` output, for `pinarkive schema`.
pub struct Format {
    pub command: &'static str,
    pub version: u32,
    /// The JSON Schema (draft 2020-12) of the document, `formatVersion` included.
    pub schema: fn() -> Value,
}

impl Format {
    fn of<T: Document>() -> Format {
        Format { command: T::COMMAND, version: T::FORMAT_VERSION, schema: schema_of::<T> }
    }

    /// What the document is: the first sentence of its schema's description.
    pub fn about(&self) -> String {
        let schema = (self.schema)();
        let description = schema.get("description").and_then(Value::as_str).unwrap_or_default();
        let text = description.split_whitespace().collect::<Vec<_>>().join(" ");
        match text.split_once(". ") {
            Some((first, _)) => format!("{first}."),
            None => text,
        }
    }
}

/// Every command with `--json` output, and what stderr carries in `--json` mode, in the order
/// `pinarkive --help` lists them.
pub fn formats() -> Vec<Format> {
    vec![
        Format::of::<settings::LoginReport<'static>>(),
        Format::of::<settings::LogoutReport>(),
        Format::of::<upload::UploadReport<'static>>(),
        Format::of::<upload::DirUploaded>(),
        Format::of::<files::Pinned>(),
        Format::of::<files::Removed<'static>>(),
        Format::of::<files::Listing>(),
        Format::of::<files::Renamed>(),
        Format::of::<account::ClusterListing>(),
        Format::of::<account::GatewayUrl>(),
        Format::of::<account::StatusReport>(),
        Format::of::<account::Whoami>(),
        Format::of::<tokens::Created>(),
        Format::of::<tokens::TokenListing>(),
        Format::of::<tokens::Revoked>(),
        Format::of::<doctor::Report<'static>>(),
        Format::of::<settings::ConfigReport>(),
        Format::of::<emulator::Started<'static>>(),
        Format::of::<pinning_service::Started<'static>>(),
        Format::of::<schema::SchemaListing>(),
        Format::of::<stderr::StderrLine>(),
    ]
}

/// The format of `command`, if it has `--json` output.
pub fn format(command: &str) -> Option<Format> {
    formats().into_iter().find(|format| format.command == command)
}

/// `T`'s schema with `formatVersion` added as the first required field, its value fixed.
fn schema_of<T: Document>() -> Value {
    let mut schema = schemars::schema_for!(T).to_value();
    every_field_present(&mut schema);
    let object = schema.as_object_mut().expect("a document's schema is an object");
    object.insert("title".into(), json!(format!("pinarkive {} --json", T::COMMAND)));
    let version = json!({
        "description": "Changes only when the document changes in a way that can break a script \
            (a field removed, renamed or retyped, a value that may now be null, a new value in a \
            list of names); new fields keep it.",
        "type": "integer",
        "const": T::FORMAT_VERSION,
    });
    let properties = object.entry("properties").or_insert_with(|| json!({}));
    properties
        .as_object_mut()
        .expect("properties are an object")
        .insert(FORMAT_VERSION_FIELD.into(), version);
    let required = object.entry("required").or_insert_with(|| json!([]));
    required.as_array_mut().expect("required is a list").insert(0, json!(FORMAT_VERSION_FIELD));
    schema
}

/// Makes every property of every object required. The documents print each field, `null`
/// when it has no value (none is skipped), and a script may rely on that; schemars would call
/// an `Option` field optional.
fn every_field_present(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            if let Some(Value::Object(properties)) = object.get("properties") {
                let names: Vec<Value> = properties.keys().map(|name| json!(name)).collect();
                object.insert("required".into(), Value::Array(names));
            }
            object.values_mut().for_each(every_field_present);
        }
        Value::Array(items) => items.iter_mut().for_each(every_field_present),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every command the parser knows, `tokens create` for a group's.
    fn commands() -> Vec<String> {
        let cli = crate::args::Cli::command();
        let mut out = Vec::new();
        for command in cli.get_subcommands() {
            let subcommands: Vec<_> = command.get_subcommands().collect();
            if subcommands.is_empty() {
                out.push(command.get_name().to_string());
            }
            for sub in subcommands {
                out.push(format!("{} {}", command.get_name(), sub.get_name()));
            }
        }
        out
    }

    #[test]
    fn every_command_has_a_json_format() {
        let listed: Vec<&str> = formats().iter().map(|f| f.command).collect();
        for command in commands().iter().filter(|c| *c != "help") {
            assert!(listed.contains(&command.as_str()), "`{command}` has no --json format");
        }
        let mut unique = listed.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), listed.len(), "a command is listed twice: {listed:?}");
    }

    #[test]
    fn every_schema_has_its_version_and_describes_its_document() {
        for format in formats() {
            let schema = (format.schema)();
            assert_eq!(schema["properties"][FORMAT_VERSION_FIELD]["const"], json!(format.version));
            assert_eq!(schema["required"][0], json!(FORMAT_VERSION_FIELD));
            assert!(!format.about().is_empty(), "{} has no description", format.command);
        }
    }
}
