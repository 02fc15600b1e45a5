//! `pinarkive schema`: the JSON Schema of every `--json` document, snapshotted for review, and
//! the check that a breaking change to a document comes with a new `formatVersion`.
//!
//! `json_formats.txt` (beside this file) records the fields of every format version of every
//! document: `COMMAND VERSION PATH TYPES`. The record of a command's current version must match
//! its schema. A change that can break a script (a field removed or renamed, a type that takes
//! new values: `null`, another type, a new name in a list of names) fails unless the version was
//! bumped (`FORMAT_VERSION` in cli/src/json/) and the new version recorded; a change that breaks
//! none (a new field, a narrower type) fails until its record is updated. The failure prints the
//! lines to record. The records of older versions stay, as the history scripts can look up.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::support::{run, schemas, Setup, CID};

const RECORD: &str = include_str!("json_formats.txt");

/// The fields of a document: path (`.uploads[].cid`) → the set of its types.
type Facts = BTreeMap<String, BTreeSet<String>>;

/// Every field of `schema`, nested objects and list items included.
fn facts(schema: &Value) -> Facts {
    let mut out = Facts::new();
    walk(schema, schema, String::new(), &mut out, 0);
    out
}

fn walk(root: &Value, node: &Value, path: String, out: &mut Facts, depth: usize) {
    assert!(depth < 16, "{path}: nested too deep (a schema that refers to itself?)");
    let node = resolved(root, node);
    for (name, property) in node.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let at = format!("{path}.{name}");
        // The version itself is what the record is keyed by.
        if at != ".formatVersion" {
            out.insert(at.clone(), types(root, property));
        }
        walk(root, property, at, out, depth + 1);
    }
    if let Some(items) = node.get("items") {
        walk(root, items, format!("{path}[]"), out, depth + 1);
    }
    // The variants of a tagged enum, named by their tag's value.
    for branch in node.get("oneOf").and_then(Value::as_array).into_iter().flatten() {
        let branch = resolved(root, branch);
        let tag = branch.get("properties").and_then(Value::as_object).and_then(|properties| {
            properties.iter().find_map(|(name, p)| p.get("const").map(|value| format!("{name}={value}")))
        });
        if let Some(tag) = tag {
            walk(root, branch, format!("{path}<{tag}>"), out, depth + 1);
        }
    }
}

fn resolved<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').expect("a local $ref");
            root.pointer(pointer).unwrap_or_else(|| panic!("{reference} does not resolve"))
        }
        None => node,
    }
}

/// A field's types: `string`, `null`, `integer`, ..., each constant (`"pass"`) of a list of
/// names, or `any`.
fn types(root: &Value, node: &Value) -> BTreeSet<String> {
    let node = resolved(root, node);
    let mut out = BTreeSet::new();
    if let Some(value) = node.get("const") {
        out.insert(value.to_string());
        return out;
    }
    if let Some(values) = node.get("enum").and_then(Value::as_array) {
        return values.iter().map(Value::to_string).collect();
    }
    match node.get("type") {
        Some(Value::String(one)) => {
            out.insert(one.clone());
        }
        Some(Value::Array(many)) => out.extend(many.iter().filter_map(Value::as_str).map(str::to_string)),
        _ => {}
    }
    for key in ["oneOf", "anyOf"] {
        for branch in node.get(key).and_then(Value::as_array).into_iter().flatten() {
            out.extend(types(root, branch));
        }
    }
    if out.is_empty() {
        out.insert("any".into());
    }
    out
}

/// The record's lines of `command` at `version`.
fn recorded(record: &str, command: &str, version: u32) -> Facts {
    let mut out = Facts::new();
    for line in record.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, number, path, types] = fields[..] else {
            panic!("json_formats.txt: not 4 tab-separated fields: {line}")
        };
        if name == command && number.parse::<u32>().ok() == Some(version) {
            out.insert(path.to_string(), types.split('|').map(str::to_string).collect());
        }
    }
    out
}

/// The highest version the record holds for `command`.
fn newest_recorded(record: &str, command: &str) -> Option<u32> {
    record
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut fields = l.split('\t');
            (fields.next() == Some(command)).then(|| fields.next()?.parse().ok()).flatten()
        })
        .max()
}

fn lines(command: &str, version: u32, facts: &Facts) -> String {
    facts
        .iter()
        .map(|(path, types)| {
            format!("{command}\t{version}\t{path}\t{}", types.iter().cloned().collect::<Vec<_>>().join("|"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `schema`, the current schema of `command`, may be published as is given `record`.
fn judge(record: &str, command: &str, schema: &Value) -> Result<(), String> {
    let version: u32 = schema["properties"]["formatVersion"]["const"]
        .as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| format!("`{command}`: the schema has no formatVersion"))?;
    let now = facts(schema);
    if let Some(newest) = newest_recorded(record, command).filter(|newest| *newest > version) {
        return Err(format!("`{command}`: formatVersion {version} is older than the recorded {newest}"));
    }
    let before = recorded(record, command, version);
    if before == now {
        return Ok(());
    }
    let to_record = lines(command, version, &now);
    if before.is_empty() {
        return Err(format!(
            "`{command}` format {version} is not recorded; add to json_formats.txt:\n{to_record}"
        ));
    }
    let breaks: Vec<String> = before
        .iter()
        .filter_map(|(path, types)| match now.get(path) {
            None => Some(format!("{path} is gone")),
            Some(new) if !new.is_subset(types) => Some(format!("{path} may now be {new:?}, was {types:?}")),
            Some(_) => None,
        })
        .collect();
    if breaks.is_empty() {
        let old = lines(command, version, &before);
        return Err(format!(
            "`{command}` format {version} changed without breaking scripts: in json_formats.txt, \
             replace\n{old}\nwith\n{to_record}"
        ));
    }
    Err(format!(
        "`{command}` changed in a way that breaks scripts ({}) but its formatVersion is still {version}: \
         bump FORMAT_VERSION of its document (cli/src/json/) to {} and add its record to json_formats.txt",
        breaks.join("; "),
        version + 1
    ))
}

/// Each schema as published, for review; and each matches its format's record.
#[test]
fn every_schema_is_snapshotted_and_recorded() {
    let mut problems = Vec::new();
    for (command, schema) in schemas() {
        insta::assert_json_snapshot!(format!("schema_{}", command.replace(' ', "_")), schema);
        problems.extend(judge(RECORD, command, schema).err());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// The record's own mistakes are found: every command recorded has a schema.
#[test]
fn the_record_names_only_commands_with_a_schema() {
    let recorded: BTreeSet<&str> = RECORD
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .collect();
    for command in recorded {
        assert!(schemas().contains_key(command), "json_formats.txt records `{command}`, which has no schema");
    }
}

/// A field renamed, retyped or made nullable without a bump fails; with the bump and the new
/// record it passes; a new field keeps the version but must be recorded.
#[test]
fn a_breaking_change_without_a_new_format_version_fails() {
    let schema = schemas()["ls"].clone();
    assert_eq!(judge(RECORD, "ls", &schema), Ok(()));

    let mut renamed = schema.clone();
    let uploads = renamed["properties"].as_object_mut().unwrap().remove("uploads").unwrap();
    renamed["properties"]["items"] = uploads;
    let error = judge(RECORD, "ls", &renamed).unwrap_err();
    assert!(error.contains(".uploads is gone") && error.contains("bump FORMAT_VERSION"), "{error}");

    let mut nullable = schema.clone();
    nullable["$defs"]["Listed"]["properties"]["cid"]["type"] = serde_json::json!(["string", "null"]);
    let error = judge(RECORD, "ls", &nullable).unwrap_err();
    assert!(error.contains(".uploads[].cid may now be"), "{error}");

    // The bump, with the new version recorded, passes; the old record stays.
    nullable["properties"]["formatVersion"]["const"] = serde_json::json!(2);
    let error = judge(RECORD, "ls", &nullable).unwrap_err();
    assert!(error.contains("`ls` format 2 is not recorded"), "{error}");
    let bumped = format!("{RECORD}\n{}\n", lines("ls", 2, &facts(&nullable)));
    assert_eq!(judge(&bumped, "ls", &nullable), Ok(()));
    // Going back to version 1 is refused then.
    assert!(judge(&bumped, "ls", &schema).unwrap_err().contains("older than the recorded 2"));

    let mut added = schema.clone();
    added["properties"]["pages"] = serde_json::json!({"type": "integer"});
    let error = judge(RECORD, "ls", &added).unwrap_err();
    assert!(error.contains("changed without breaking scripts"), "{error}");
    assert!(error.contains("ls\t1\t.pages\tinteger"), "{error}");

    // A new name in a list of names breaks a script that matches on them.
    let mut doctor = schemas()["doctor"].clone();
    let statuses = doctor["$defs"]["Status"]["oneOf"].as_array_mut().unwrap();
    statuses.push(serde_json::json!({"const": "warn", "type": "string"}));
    let error = judge(RECORD, "doctor", &doctor).unwrap_err();
    assert!(error.contains(".checks[].status may now be"), "{error}");
}

/// `pinarkive schema` lists every command with `--json` output; `schema COMMAND` prints the
/// schema the listing holds; an unknown command is a usage error naming the known ones.
#[test]
fn schema_lists_and_prints_every_schema() {
    let setup = Setup::new();
    let listed = run(setup.bare_cmd(), &["schema"]).ok().stdout;
    for command in schemas().keys() {
        assert!(listed.lines().any(|line| line.starts_with(&format!("{command} "))), "{command}:\n{listed}");
        let words: Vec<&str> = command.split(' ').collect();
        let printed = run(setup.bare_cmd(), &[&["schema"], &words[..]].concat()).ok();
        let printed: Value = serde_json::from_str(&printed.stdout).unwrap();
        assert_eq!(&printed, &schemas()[command.as_str()], "{command}");
    }
    let unknown = run(setup.bare_cmd(), &["schema", "nope"]).expect_code(2);
    assert!(
        unknown.stderr.contains("`nope` has no --json output; the commands with one are: login"),
        "{}",
        unknown.stderr
    );
    run(setup.bare_cmd(), &["schema", "nope", "--json"]).expect_code(2);
}

/// Errors in `--json` mode are JSON lines on stderr with the same exit codes.
#[test]
fn errors_in_json_mode_are_json_with_the_same_exit_codes() {
    let setup = Setup::new();
    let mut cmd = setup.cmd();
    cmd.env("PINARKIVE_API_KEY", "pk_refused_by_the_emulator");
    let refused = run(cmd, &["whoami", "--json"]).expect_code(3);
    let line: Value = serde_json::from_str(refused.stderr.trim()).unwrap();
    assert_eq!((line["level"].as_str(), line["reason"].as_str()), (Some("error"), Some("auth")), "{line}");
    assert!(refused.stdout.is_empty());

    let usage = run(setup.cmd(), &["--json", "ls", "--limit", "0"]).expect_code(2);
    let line: Value = serde_json::from_str(usage.stderr.trim()).unwrap();
    assert_eq!(line["reason"], "usage", "{line}");

    let bad_cid = run(setup.cmd(), &["pin", "not-a-cid", "--json"]).expect_code(2);
    assert!(bad_cid.stderr.contains("\"level\":\"error\""), "{}", bad_cid.stderr);

    // A partial result is the command's document on stdout, the error on stderr.
    let partial = run(setup.cmd(), &["rm", CID, "--json"]).expect_code(1);
    assert_eq!(partial.json()["removed"], serde_json::json!([]));
}

/// A retry is a JSON note in `--json` mode; still limited after the retries is exit 4 with
/// reason `rate-limited`.
#[test]
fn rate_limits_in_json_mode_are_json_notes_and_errors() {
    let setup = Setup::with(|builder| builder.rate_limit(1, 100));
    let note = (0..5).find_map(|_| {
        let out = run(setup.cmd(), &["whoami", "--json"]).ok();
        out.stderr.lines().map(|line| serde_json::from_str::<Value>(line).unwrap()).find(|line| {
            line["level"] == "note" && line["message"].as_str().is_some_and(|m| m.starts_with("HTTP 429"))
        })
    });
    assert!(note.is_some(), "no run of five back to back met the rate limit");

    let setup = Setup::with(|builder| builder.rate_limit(10, 1));
    run(setup.cmd(), &["whoami"]).ok();
    let limited = run(setup.cmd(), &["--retries", "0", "whoami", "--json"]).expect_code(4);
    let line: Value = serde_json::from_str(limited.stderr.trim()).unwrap();
    assert_eq!((line["reason"].as_str(), line["exitCode"].as_u64()), (Some("rate-limited"), Some(4)));
}
