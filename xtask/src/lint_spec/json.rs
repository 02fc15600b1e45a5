//! Helpers for walking the spec as plain JSON, where every node (every `$ref`, every example) is
//! visible, unlike in the `openapiv3` types.

use serde_json::Value;

/// The keys of a path item that hold operations.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/// An operation of the untyped document.
pub struct RawOperation<'a> {
    /// How problems name it: its operationId, else `METHOD path`.
    pub label: String,
    /// Its JSON pointer, as a `$ref` would spell it (`#/paths/~1files/post`).
    pub pointer: String,
    pub node: &'a Value,
}

/// Every operation, in document order.
pub fn operations(doc: &Value) -> Vec<RawOperation<'_>> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if let Some(node) = item.get(method) {
                out.push(RawOperation {
                    label: operation_label(node, method, path),
                    pointer: format!("#/paths/{}/{method}", escape(path)),
                    node,
                });
            }
        }
    }
    out
}

fn operation_label(op: &Value, method: &str, path: &str) -> String {
    let id = op.get("operationId").and_then(Value::as_str);
    super::label(id, &method.to_uppercase(), path)
}

/// Who a problem at `tokens` (an unescaped JSON pointer) belongs to: the operation around it,
/// else the component (`components.schemas.X`), else the top-level key.
pub fn owner(doc: &Value, tokens: &[String]) -> String {
    match tokens {
        [paths, path, method, ..] if paths == "paths" && METHODS.contains(&method.as_str()) => {
            operation_label(&doc["paths"][path][method], method, path)
        }
        [paths, path, ..] if paths == "paths" => format!("paths.{path}"),
        [components, kind, name, ..] if components == "components" => {
            format!("components.{kind}.{name}")
        }
        [first, ..] => first.clone(),
        [] => "openapi".into(),
    }
}

/// One JSON-pointer token, escaped (`/files` becomes `~1files`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `tokens` as a `$ref`-style pointer.
pub fn pointer(tokens: &[String]) -> String {
    let escaped: Vec<String> = tokens.iter().map(|t| escape(t)).collect();
    format!("#/{}", escaped.join("/"))
}

/// The node a local `$ref` (`#/a/b`) names; None when it dangles or is not local.
pub fn pointee<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

/// Follows `$ref`s from `node` (found at `pointer`) to a node that is not one, returning it and
/// its pointer. None if a reference dangles or they loop.
pub fn resolve<'a>(doc: &'a Value, pointer: String, node: &'a Value) -> Option<(String, &'a Value)> {
    let (mut pointer, mut node) = (pointer, node);
    for _ in 0..8 {
        match node.get("$ref").and_then(Value::as_str) {
            None => return Some((pointer, node)),
            Some(reference) => {
                node = pointee(doc, reference)?;
                pointer = reference.to_string();
            }
        }
    }
    None
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
