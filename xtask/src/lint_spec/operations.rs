//! Checks on the parsed (`openapiv3`) document: the version, and per operation its metadata,
//! `x-evidence`, security and `x-scope`, and its responses.

use std::collections::hash_map::{Entry, HashMap};

use openapiv3::{OpenAPI, Operation, ReferenceOr, Response, StatusCode};
use serde_json::Value;

use super::problem;
use crate::codegen::{self, Problem, NONE_DOCUMENTED};

/// The schema that lists the token scopes; every `x-scope` is one of its values.
pub const SCOPE_SCHEMA: &str = "Scope";

/// Every authenticated operation accepts each of these, as alternatives.
pub const SCHEMES: [&str; 2] = ["ApiKeyHeader", "BearerAuth"];

/// The one error body; the generated client supports a single error type per operation.
pub const ERROR_BODY: &str = "#/components/schemas/ErrorBody";

/// The token scopes: the values of `components.schemas.Scope`.
pub fn scopes(spec: &OpenAPI) -> Vec<String> {
    let schema =
        spec.components.as_ref().and_then(|c| c.schemas.get(SCOPE_SCHEMA)).and_then(ReferenceOr::as_item);
    match schema.map(|s| &s.schema_kind) {
        Some(openapiv3::SchemaKind::Type(openapiv3::Type::String(string))) => {
            string.enumeration.iter().flatten().cloned().collect()
        }
        _ => Vec::new(),
    }
}

/// Problems of the document as a whole.
pub fn document(spec: &OpenAPI) -> Vec<Problem> {
    let mut problems = Vec::new();
    if scopes(spec).is_empty() {
        let reason = "is missing or no string enum; it lists the token scopes every x-scope names";
        problems.push(problem(format!("components.schemas.{SCOPE_SCHEMA}"), reason));
    }
    problems.extend(error_codes(spec));
    if !spec.openapi.starts_with("3.0.") {
        let reason =
            format!("version is {}; only 3.0.x is allowed (progenitor rejects other versions)", spec.openapi);
        problems.push(problem("openapi", reason));
    }
    if spec.security.is_some() {
        let reason = "top-level security is set; each operation states its own instead";
        problems.push(problem("security", reason));
    }
    let defined = spec.components.as_ref().map(|c| &c.security_schemes);
    for scheme in SCHEMES {
        if !defined.is_some_and(|d| d.contains_key(scheme)) {
            problems.push(problem("components.securitySchemes", format!("{scheme} is not defined")));
        }
    }
    problems
}

/// Problems of each operation, labelled with its operationId.
pub fn each(spec: &OpenAPI) -> Vec<Problem> {
    let scopes = scopes(spec);
    let mut problems = Vec::new();
    let mut first_use: HashMap<&str, String> = HashMap::new();
    for (method, path, op) in codegen::operations(spec) {
        let mut reasons = Vec::new();
        if let Some(id) = &op.operation_id {
            match first_use.entry(id) {
                Entry::Occupied(earlier) => {
                    reasons.push(format!("operationId is used twice: {} and {method} {path}", earlier.get()))
                }
                Entry::Vacant(slot) => {
                    slot.insert(format!("{method} {path}"));
                }
            }
        }
        reasons.extend(metadata(op));
        reasons.extend(evidence(op.extensions.get("x-evidence")));
        reasons.extend(security(op));
        reasons.extend(scope(op, &scopes));
        reasons.extend(responses(spec, op));
        let at = super::label(op.operation_id.as_deref(), method, path);
        problems.extend(reasons.into_iter().map(|reason| problem(&at, reason)));
    }
    problems
}

fn metadata(op: &Operation) -> Vec<String> {
    let mut reasons = Vec::new();
    match op.operation_id.as_deref() {
        None => reasons.push("has no operationId".into()),
        Some(id) if !is_snake_case(id) => reasons.push("operationId is not snake_case".into()),
        Some(_) => {}
    }
    if op.tags.is_empty() {
        reasons.push("has no tag".into());
    }
    if is_blank(op.summary.as_deref()) {
        reasons.push("has no summary".into());
    }
    if is_blank(op.description.as_deref()) {
        reasons.push("has no description".into());
    }
    reasons
}

fn is_snake_case(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && !id.ends_with('_')
        && !id.contains("__")
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_blank(text: Option<&str>) -> bool {
    text.is_none_or(|t| t.trim().is_empty())
}

/// `x-evidence`: where the operation's facts come from and, where sources disagree, which one
/// the spec follows; the docs drift check reads it.
/// Every known error code (`x-codes` of `ErrorBody.code`) has its `x-evidence`; the rest of
/// each entry is checked by codegen, which makes `ErrorCode` of them.
fn error_codes(spec: &OpenAPI) -> Vec<Problem> {
    let entries = codegen::x_codes(spec).and_then(Value::as_array);
    let mut problems = Vec::new();
    for (i, entry) in entries.into_iter().flatten().enumerate() {
        let name = entry.get("code").and_then(Value::as_str).unwrap_or("?");
        let at = format!("components.schemas.ErrorBody.properties.code.x-codes[{i}] ({name})");
        problems.extend(evidence(entry.get("x-evidence")).into_iter().map(|reason| problem(&at, reason)));
    }
    problems
}

fn evidence(evidence: Option<&Value>) -> Vec<String> {
    let Some(evidence) = evidence else {
        return vec!["has no x-evidence".into()];
    };
    let Some(evidence) = evidence.as_object() else {
        return vec!["x-evidence is not an object".into()];
    };
    let mut reasons = Vec::new();
    match evidence.get("sources").and_then(Value::as_array) {
        Some(sources) if !sources.is_empty() => {
            for (i, source) in sources.iter().enumerate() {
                if !is_text(Some(source)) {
                    reasons.push(format!("x-evidence.sources[{i}] is not a non-empty string"));
                }
            }
        }
        _ => reasons.push("x-evidence has no sources (a non-empty list of strings)".into()),
    }
    match evidence.get("deviations") {
        None => {}
        Some(Value::Array(deviations)) => {
            for (i, deviation) in deviations.iter().enumerate() {
                for field in ["topic", "spec_follows", "against", "reason"] {
                    if !is_text(deviation.get(field)) {
                        reasons.push(format!("x-evidence.deviations[{i}] has no {field}"));
                    }
                }
            }
        }
        Some(_) => reasons.push("x-evidence.deviations is not a list".into()),
    }
    reasons
}

fn is_text(value: Option<&Value>) -> bool {
    value.and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty())
}

/// There is no top-level security, so an operation without `security` would silently be public.
fn is_authenticated(op: &Operation) -> bool {
    op.security.as_ref().is_some_and(|s| !s.is_empty())
}

fn security(op: &Operation) -> Vec<String> {
    let Some(requirements) = &op.security else {
        return vec!["has no security; public routes say `security: []`".into()];
    };
    let mut reasons = Vec::new();
    for scheme in requirements.iter().flat_map(|r| r.keys()) {
        if !SCHEMES.contains(&scheme.as_str()) {
            reasons.push(format!("security names unknown scheme {scheme}"));
        }
    }
    if requirements.is_empty() {
        return reasons;
    }
    if requirements.iter().any(|r| r.is_empty()) {
        reasons.push("security has an empty requirement, which makes authentication optional".into());
    }
    if requirements.iter().any(|r| r.len() > 1) {
        reasons.push("a security requirement names several schemes, so all would be needed at once".into());
    }
    for scheme in SCHEMES {
        if !requirements.iter().any(|r| r.len() == 1 && r.contains_key(scheme)) {
            reasons.push(format!("security does not accept {scheme}"));
        }
    }
    reasons
}

fn scope(op: &Operation, scopes: &[String]) -> Vec<String> {
    let scope = op.extensions.get("x-scope");
    if !is_authenticated(op) {
        return match scope {
            Some(_) => vec!["is public (security: []) but has x-scope".into()],
            None => vec![],
        };
    }
    match scope.map(|s| s.as_str().ok_or(s)) {
        None => vec![format!(
            "has no x-scope (a value of components.schemas.{SCOPE_SCHEMA}, or {NONE_DOCUMENTED})"
        )],
        Some(Ok(NONE_DOCUMENTED)) => {
            let says_so = op.description.as_deref().is_some_and(|d| d.to_lowercase().contains("scope"));
            if says_so {
                vec![]
            } else {
                vec![format!(
                    "x-scope is {NONE_DOCUMENTED} but the description does not say that no source names the scope"
                )]
            }
        }
        Some(Ok(known)) if scopes.iter().any(|s| s == known) => vec![],
        Some(Ok(unknown)) => {
            vec![format!("x-scope {unknown} is not a value of components.schemas.{SCOPE_SCHEMA}")]
        }
        Some(Err(not_text)) => vec![format!("x-scope {not_text} is not a string")],
    }
}

fn responses(spec: &OpenAPI, op: &Operation) -> Vec<String> {
    let mut reasons = Vec::new();
    let required: &[u16] = if is_authenticated(op) { &[401, 403, 429, 500] } else { &[429, 500] };
    for &code in required {
        if !op.responses.responses.contains_key(&StatusCode::Code(code)) {
            reasons.push(format!("has no {code} response"));
        }
    }
    let successes = op.responses.responses.keys().filter(|s| class(s) == 2).count();
    if successes != 1 {
        reasons.push(format!("has {successes} 2xx responses; exactly one is allowed"));
    }
    let statuses = op.responses.responses.iter().map(|(s, r)| (Some(s), r));
    for (status, response) in statuses.chain(op.responses.default.iter().map(|r| (None, r))) {
        // A dangling $ref is reported by the $ref check.
        let Some(response) = codegen::resolve_response(spec, response) else {
            continue;
        };
        let name = status.map_or_else(|| "default".to_string(), ToString::to_string);
        if status == Some(&StatusCode::Code(429)) && !has_header(response, "Retry-After") {
            reasons.push("response 429 has no Retry-After header".into());
        }
        // `default` describes errors too, so it must decode as the same error type.
        let is_error = status.is_none_or(|s| matches!(class(s), 4 | 5));
        if is_error && !is_error_body(response) {
            reasons.push(format!("response {name} body must be application/json with $ref '{ERROR_BODY}'"));
        }
    }
    reasons
}

fn class(status: &StatusCode) -> u16 {
    match status {
        StatusCode::Code(code) => code / 100,
        StatusCode::Range(class) => *class,
    }
}

fn has_header(response: &Response, name: &str) -> bool {
    response.headers.keys().any(|h| h.eq_ignore_ascii_case(name))
}

fn is_error_body(response: &Response) -> bool {
    let mut media = response.content.iter();
    match (media.next(), media.next()) {
        (Some((name, media)), None) => {
            name == "application/json"
                && matches!(&media.schema, Some(ReferenceOr::Reference { reference }) if reference == ERROR_BODY)
        }
        _ => false,
    }
}
