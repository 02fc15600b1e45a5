//! No `enum` in response schemas: the generated client turns one into a closed Rust enum, and a
//! value the server adds later would then fail to decode the whole response.

use std::collections::HashSet;

use serde_json::Value;

use super::json::subschemas;
use super::problem;
use crate::codegen::Problem;
use spec_model::{self, escape, pointee, resolve};

pub fn in_responses(doc: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    for op in spec_model::operations(doc) {
        let responses = op.node.get("responses").and_then(Value::as_object);
        for (status, response) in responses.into_iter().flatten() {
            // A $ref that cannot be followed is reported by the $ref check.
            let Ok(found) = resolve(doc, response) else {
                continue;
            };
            let at = found.pointer(&format!("{}/responses/{}", op.pointer, escape(status)));
            let response = found.node;
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
                    problem(op.label(), reason)
                }));
            }
        }
    }
    problems
}

/// Pushes the pointer of every schema with `enum` reachable from `schema`; `seen` holds the
/// references already followed, so recursive schemas end. Iterative: a chain of schemas that
/// reference each other through their properties can be as long as the file allows.
fn find(doc: &Value, schema: &Value, at: String, seen: &mut HashSet<String>, found: &mut Vec<String>) {
    let mut stack = vec![(schema, at)];
    while let Some((schema, at)) = stack.pop() {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            // OpenAPI 3.0 ignores the siblings of `$ref`, so only the target counts.
            if seen.insert(reference.to_string()) {
                if let Ok(target) = pointee(doc, reference) {
                    stack.push((target, reference.to_string()));
                }
            }
            continue;
        }
        if schema.get("enum").is_some() {
            found.push(at.clone());
        }
        // Reversed, so schemas are reported in document order.
        stack.extend(subschemas(schema, &at).into_iter().rev().map(|(sub_at, sub)| (sub, sub_at)));
    }
}
