//! Helpers for walking the spec as plain JSON, where every node (every `$ref`, every example) is
//! visible, unlike in the `openapiv3` types. Operations and `$ref`s come from `spec_model`.

use serde_json::Value;

use spec_model::{escape, METHODS};

/// Who a problem at `tokens` (an unescaped JSON pointer) belongs to: the operation around it,
/// else the component (`components.schemas.X`), else the top-level key.
pub fn owner(doc: &Value, tokens: &[String]) -> String {
    match tokens {
        [paths, path, method, ..] if paths == "paths" && METHODS.contains(&method.as_str()) => {
            let id = doc["paths"][path][method].get("operationId").and_then(Value::as_str);
            super::label(id, &method.to_uppercase(), path)
        }
        [paths, path, ..] if paths == "paths" => format!("paths.{path}"),
        [components, kind, name, ..] if components == "components" => {
            format!("components.{kind}.{name}")
        }
        [first, ..] => first.clone(),
        [] => "openapi".into(),
    }
}

/// The schemas directly inside `schema`, with their pointers. Walking by keyword means a property
/// *named* `enum` or `example` is never mistaken for the keyword.
pub fn subschemas<'a>(schema: &'a Value, pointer: &str) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in properties {
            out.push((format!("{pointer}/properties/{}", escape(name)), sub));
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        // `additionalProperties` may be a boolean, which holds no schema.
        if let Some(sub) = schema.get(key).filter(|s| s.is_object()) {
            out.push((format!("{pointer}/{key}"), sub));
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (i, sub) in schema.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
            out.push((format!("{pointer}/{key}/{i}"), sub));
        }
    }
    out
}
