//! The `schemars` feature: the JSON Schema derived from each generated type agrees with the
//! spec's schema of the same component (the same property names, the same required ones, the
//! same types and string formats, nested objects and list items included), so the two cannot
//! drift apart.

use std::collections::BTreeSet;

use pinarkive::types;
use schemars::JsonSchema;
use serde_json::Value;
use spec_model::{resolve, Schema};

/// How deep into nested objects and lists the comparison goes: enough for every component of
/// the spec, and a bound on a schema that refers to itself.
const MAX_DEPTH: usize = 6;

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/pinarkive-v3.yaml"))
        .expect("the spec");
    spec_model::Document::parse(&text).expect("the spec parses").into_root()
}

fn derived<T: JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).expect("a schema is JSON")
}

/// Where `component`'s schema and `derived` disagree, one line each.
fn disagreements(spec: &Value, component: &str, derived: &Value) -> Vec<String> {
    let pointer = format!("#/components/schemas/{component}");
    let schema = spec_model::pointee(spec, &pointer).expect("the component exists");
    let mut found = Vec::new();
    compare((spec, schema, pointer.clone()), (derived, derived, "#".to_string()), component, 0, &mut found);
    found
}

type Side<'a> = (&'a Value, &'a Value, String);

fn compare(spec: Side, rust: Side, at: &str, depth: usize, found: &mut Vec<String>) {
    let (Ok(spec_node), Ok(rust_node)) = (resolve(spec.0, spec.1), resolve(rust.0, rust.1)) else {
        found.push(format!("{at}: a $ref does not resolve"));
        return;
    };
    let spec_view = Schema::read(spec.0, spec_node.node, &spec_node.pointer(&spec.2));
    let rust_view = Schema::read(rust.0, rust_node.node, &rust_node.pointer(&rust.2));
    // An optional field is an `Option` in Rust, which schemars writes as nullable: compare the
    // types other than `null`. An integer is a number to the spec's `number` only.
    let (spec_types, rust_types) = (spec_view.value_types(), rust_view.value_types());
    if spec_types != rust_types {
        found.push(format!("{at}: the spec says {spec_types:?}, the Rust type {rust_types:?}"));
    }
    // A string's format (`date-time`) says how to read it; numbers' formats are widths, which
    // the Rust type chooses.
    fn string_format<'a>(view: &Schema<'a>) -> Option<&'a str> {
        match view.value_types() {
            Some(types) if types.len() == 1 && types.contains("string") => view.format,
            _ => None,
        }
    }
    if string_format(&spec_view) != string_format(&rust_view) {
        found.push(format!(
            "{at}: format: the spec says {:?}, the Rust type {:?}",
            string_format(&spec_view),
            string_format(&rust_view)
        ));
    }
    let names = |view: &Schema| view.properties.keys().map(|k| k.to_string()).collect::<BTreeSet<_>>();
    let (spec_names, rust_names) = (names(&spec_view), names(&rust_view));
    if spec_names != rust_names {
        found.push(format!("{at}: properties: the spec has {spec_names:?}, the Rust type {rust_names:?}"));
    }
    if spec_view.required != rust_view.required {
        found.push(format!(
            "{at}: required: the spec says {:?}, the Rust type {:?}",
            spec_view.required, rust_view.required
        ));
    }
    if depth >= MAX_DEPTH {
        return;
    }
    for (name, (spec_property, spec_at)) in &spec_view.properties {
        if let Some((rust_property, rust_at)) = rust_view.properties.get(name) {
            let side = (spec.0, *spec_property, spec_at.clone());
            compare(
                side,
                (rust.0, rust_property, rust_at.clone()),
                &format!("{at}.{name}"),
                depth + 1,
                found,
            );
        }
    }
    if let (Some((spec_items, spec_at)), Some((rust_items, rust_at))) = (&spec_view.items, &rust_view.items) {
        let side = (spec.0, *spec_items, spec_at.clone());
        compare(side, (rust.0, rust_items, rust_at.clone()), &format!("{at}[]"), depth + 1, found);
    }
}

/// Each component with the generated type of the same name, among them the upload and pin
/// answers, a page of uploads, the user and the error body.
#[test]
fn derived_schemas_agree_with_the_spec() {
    let spec = spec();
    let checked: Vec<(&str, Value)> = vec![
        ("UploadResponse", derived::<types::UploadResponse>()),
        ("DirectoryDagResponse", derived::<types::DirectoryDagResponse>()),
        ("PinRequest", derived::<types::PinRequest>()),
        ("PinResponse", derived::<types::PinResponse>()),
        ("RemoveResponse", derived::<types::RemoveResponse>()),
        ("UploadList", derived::<types::UploadList>()),
        ("Upload", derived::<types::Upload>()),
        ("UserProfile", derived::<types::UserProfile>()),
        ("ErrorBody", derived::<types::ErrorBody>()),
        ("Cluster", derived::<types::Cluster>()),
        ("TokenGenerateRequest", derived::<types::TokenGenerateRequest>()),
        ("TokenCreated", derived::<types::TokenCreated>()),
        ("CidStatus", derived::<types::CidStatus>()),
    ];
    let mut problems = Vec::new();
    for (component, schema) in &checked {
        problems.extend(disagreements(&spec, component, schema));
    }
    assert!(problems.is_empty(), "derived schemas disagree with the spec:\n{}", problems.join("\n"));
}

/// The comparison sees a difference in each of the ways a type can drift from the spec.
#[test]
fn a_drifted_type_is_caught() {
    let spec = spec();
    let mut schema = derived::<types::UploadResponse>();
    let properties = schema["properties"].as_object_mut().unwrap();
    properties.remove("cid");
    properties.insert("sizeBytes".into(), serde_json::json!({"type": "integer"}));
    properties.insert("message".into(), serde_json::json!({"type": ["integer", "null"]}));
    schema["required"] = serde_json::json!([]);
    let found = disagreements(&spec, "UploadResponse", &schema).join("\n");
    assert!(found.contains("UploadResponse: properties: the spec has"), "{found}");
    assert!(found.contains("UploadResponse: required:"), "{found}");
    assert!(found.contains("UploadResponse.message: the spec says"), "{found}");

    let mut page = derived::<types::UploadList>();
    let upload = page["$defs"]["Upload"]["properties"].as_object_mut().unwrap();
    upload.insert("cid".into(), serde_json::json!({"type": "boolean"}));
    upload.insert("createdAt".into(), serde_json::json!({"type": ["string", "null"]}));
    let found = disagreements(&spec, "UploadList", &page).join("\n");
    assert!(found.contains("UploadList.uploads[].cid: the spec says"), "{found}");
    assert!(
        found.contains("UploadList.uploads[].createdAt: format: the spec says Some(\"date-time\")"),
        "{found}"
    );
}

/// The hand-written data types have schemas too.
#[test]
fn hand_written_data_types_have_schemas() {
    let progress = derived::<pinarkive::upload::Progress>();
    assert_eq!(progress["required"], serde_json::json!(["sent"]), "{progress}");
    let rate_limit = derived::<pinarkive::RateLimit>();
    assert!(rate_limit["properties"]["remaining"].is_object(), "{rate_limit}");
}
