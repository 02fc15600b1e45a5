//! Every `$ref` in the document must resolve, without a cycle and without a long chain of
//! references to references: a dangling one makes progenitor fail with a message that names no
//! operation, and a cycle or a very long chain makes it recurse until the stack overflows.

use serde_json::Value;

use super::json::owner;
use super::problem;
use crate::codegen::Problem;

pub fn dangling(doc: &Value) -> Vec<Problem> {
    spec_model::ref_problems(doc)
        .into_iter()
        .map(|(at, error)| {
            let tokens = tokens(&at);
            problem(owner(doc, &tokens), format!("{error} (at {at})"))
        })
        .collect()
}

/// The unescaped tokens of a `#/a/b` pointer.
fn tokens(pointer: &str) -> Vec<String> {
    let rest = pointer.trim_start_matches('#').trim_start_matches('/');
    if rest.is_empty() {
        return Vec::new();
    }
    rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect()
}
