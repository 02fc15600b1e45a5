//! Every `$ref` in the document must resolve: a dangling one makes progenitor fail with a message
//! that names no operation.

use serde_json::Value;

use super::json::{owner, pointee, pointer};
use super::problem;
use crate::codegen::Problem;

pub fn dangling(doc: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    walk(doc, doc, &mut Vec::new(), &mut problems);
    problems
}

/// Visits every node, keeping the path to it in `at` for the message.
fn walk(doc: &Value, node: &Value, at: &mut Vec<String>, problems: &mut Vec<Problem>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                if key == "$ref" {
                    if let Some(reason) = value.as_str().and_then(|r| broken(doc, r)) {
                        let reason = format!("{reason} (at {})", pointer(at));
                        problems.push(problem(owner(doc, at), reason));
                    }
                    continue;
                }
                at.push(key.clone());
                walk(doc, value, at, problems);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                at.push(i.to_string());
                walk(doc, item, at, problems);
                at.pop();
            }
        }
        _ => {}
    }
}

fn broken(doc: &Value, reference: &str) -> Option<String> {
    if !reference.starts_with('#') {
        return Some(format!("$ref '{reference}' points outside the file; the spec must be self-contained"));
    }
    pointee(doc, reference).is_none().then(|| format!("$ref '{reference}' does not resolve"))
}
