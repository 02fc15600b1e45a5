//! No `enum` in response schemas: the generated client turns one into a closed Rust enum, and a
//! value the server adds later would then fail to decode the whole response.

use std::collections::HashSet;

use serde_json::Value;

use super::json::{self, escape, pointee, resolve, subschemas};
use super::problem;
use crate::codegen::Problem;

pub fn in_responses(doc: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    for op in json::operations(doc) {
        let responses = op.node.get("responses").and_then(Value::as_object);
        for (status, response) in responses.into_iter().flatten() {
            let at = format!("{}/responses/{}", op.pointer, escape(status));
            // A dangling $ref is reported by the $ref check.
            let Some((at, response)) = resolve(doc, at, response) else {
                continue;
            };
            let content = response.get("content").and_then(Value::as_object);
            for (media, media_type) in content.into_iter().flatten() {
                let Some(schema) = media_type.get("schema") else {
                    continue;
                };
                let mut found = Vec::new();
                let at = format!("{at}/content/{}/schema", escape(media));
                find(doc, schema, at, &mut HashSet::new(), &mut found);
                problems.extend(found.into_iter().map(|at| {
                    let reason = format!(
                        "response {status} {media} has an enum at {at}; list the values in the description instead"
                    );
                    problem(&op.label, reason)
                }));
            }
        }
    }
    problems
}

/// Pushes the pointer of every schema with `enum` reachable from `schema`; `seen` holds the
/// references already followed, so recursive schemas end.
fn find(doc: &Value, schema: &Value, at: String, seen: &mut HashSet<String>, found: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        // OpenAPI 3.0 ignores the siblings of `$ref`, so only the target counts.
        if seen.insert(reference.to_string()) {
            if let Some(target) = pointee(doc, reference) {
                find(doc, target, reference.to_string(), seen, found);
            }
        }
        return;
    }
    if schema.get("enum").is_some() {
        found.push(at.clone());
    }
    for (sub_at, sub) in subschemas(schema, &at) {
        find(doc, sub, sub_at, seen, found);
    }
}
