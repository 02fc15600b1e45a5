//! What the spec says, in the shapes the comparison needs. Read as plain JSON (like
//! `lint-spec`), so the command works whatever the client build thinks of the spec.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use spec_model::{self, resolve};

/// One operation.
#[derive(Debug)]
pub struct Operation {
    pub id: String,
    pub method: String,
    /// As written in the spec (`/files/pin/{cid}`).
    pub path: String,
    /// Comparable form (`/files/pin/{}`).
    pub normalized: String,
    /// `x-scope`; None on public operations.
    pub scope: Option<String>,
    /// `security: []`: no credentials needed.
    pub public: bool,
    pub success: Vec<u16>,
    pub errors: BTreeSet<u16>,
    pub query: BTreeSet<String>,
    /// Request body fields of every media type (JSON properties, multipart parts).
    pub body: BTreeSet<String>,
    /// The request body's media types.
    pub media_types: BTreeSet<String>,
    /// The success body schema, `$ref`s resolved at the top.
    pub response: Option<Value>,
    pub deviations: Vec<Deviation>,
}

/// One `x-evidence.deviations` entry.
#[derive(Debug, Clone)]
pub struct Deviation {
    pub topic: String,
    pub spec_follows: String,
    pub against: String,
    pub reason: String,
}

pub struct Spec {
    pub doc: Value,
    pub servers: Vec<String>,
    pub operations: Vec<Operation>,
    /// Every scope the spec knows (the token scope enum and every `x-scope`).
    pub scopes: BTreeSet<String>,
    /// Error `code` values and their statuses, from `ErrorBody.code`'s `x-codes`.
    pub error_codes: BTreeMap<String, BTreeSet<u16>>,
    /// Request headers: security schemes and header parameters.
    pub request_headers: BTreeSet<String>,
    /// Response headers of any response.
    pub response_headers: BTreeSet<String>,
    /// The 429 body schema.
    pub rate_limit_body: Option<Value>,
    /// The shared error body schema.
    pub error_body: Option<Value>,
}

impl Spec {
    /// Reads the spec file; the error names it.
    pub fn load(path: &std::path::Path) -> Result<Spec, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--spec {}: cannot read it: {e}", path.display()))?;
        let doc =
            spec_model::Document::parse(&text).map_err(|e| format!("--spec {}: {e}", path.display()))?;
        Ok(Spec::from_doc(doc.into_root()))
    }

    pub fn from_doc(doc: Value) -> Spec {
        let servers = doc
            .get("servers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("url").and_then(Value::as_str))
            .map(|u| u.trim_end_matches('/').to_string())
            .collect();
        let mut operations = Vec::new();
        let mut scopes = BTreeSet::new();
        let mut request_headers = BTreeSet::new();
        let mut response_headers = BTreeSet::new();
        for found in spec_model::operations(&doc) {
            let op = operation(&doc, &found, &mut request_headers, &mut response_headers);
            scopes.extend(op.scope.clone().filter(|s| s != "none-documented"));
            operations.push(op);
        }
        let enum_scopes = doc.pointer("/components/schemas/Scope/enum");
        scopes.extend(
            enum_scopes
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(String::from),
        );
        let schemes = doc.pointer("/components/securitySchemes").and_then(Value::as_object);
        for scheme in schemes.into_iter().flat_map(|s| s.values()) {
            match scheme.get("type").and_then(Value::as_str) {
                Some("apiKey") if scheme.get("in").and_then(Value::as_str) == Some("header") => {
                    request_headers.extend(scheme.get("name").and_then(Value::as_str).map(String::from));
                }
                Some("http") => {
                    request_headers.insert("Authorization".into());
                }
                _ => {}
            }
        }
        let mut error_codes: BTreeMap<String, BTreeSet<u16>> = BTreeMap::new();
        let listed =
            doc.pointer("/components/schemas/ErrorBody/properties/code/x-codes").and_then(Value::as_array);
        for entry in listed.into_iter().flatten() {
            let Some(code) = entry.get("code").and_then(Value::as_str) else { continue };
            let statuses = entry.get("statuses").and_then(Value::as_array).into_iter().flatten();
            let statuses = statuses.filter_map(Value::as_u64).filter_map(|s| u16::try_from(s).ok());
            error_codes.entry(code.to_string()).or_default().extend(statuses);
        }
        let rate_limit_body = response_schema(&doc, doc.pointer("/components/responses/TooManyRequests"));
        let error_body = doc.pointer("/components/schemas/ErrorBody").cloned();
        Spec {
            doc,
            servers,
            operations,
            scopes,
            error_codes,
            request_headers,
            response_headers,
            rate_limit_body,
            error_body,
        }
    }

    /// The deviation `topic` of operation `id`, if the spec records it.
    pub fn deviation(&self, id: &str, topic: &str) -> Option<&Deviation> {
        self.operations.iter().find(|o| o.id == id)?.deviations.iter().find(|d| d.topic == topic)
    }

    /// `components.schemas`, for validating examples.
    pub fn schemas(&self) -> Value {
        self.doc.pointer("/components/schemas").cloned().unwrap_or(Value::Null)
    }

    /// Follows `$ref`s to the schema they name.
    pub fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        resolve(&self.doc, schema).map_or(schema, |found| found.node)
    }
}

fn operation(
    doc: &Value,
    found: &spec_model::Operation<'_>,
    request_headers: &mut BTreeSet<String>,
    response_headers: &mut BTreeSet<String>,
) -> Operation {
    let node = found.node;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
    let mut query = BTreeSet::new();
    for parameter in found.parameters(doc).into_iter().flatten() {
        match parameter.location {
            "query" => {
                query.insert(parameter.name.to_string());
            }
            "header" => {
                request_headers.insert(parameter.name.to_string());
            }
            _ => {}
        }
    }
    let mut body = BTreeSet::new();
    let mut media_types = BTreeSet::new();
    if let Some(request_body) = node.get("requestBody").and_then(|b| resolve(doc, b).ok()).map(|b| b.node) {
        let content = request_body.get("content").and_then(Value::as_object);
        media_types.extend(content.into_iter().flat_map(|c| c.keys().cloned()));
        for media in content.into_iter().flat_map(|c| c.values()) {
            if let Some(schema) = media.get("schema").and_then(|s| resolve(doc, s).ok()).map(|s| s.node) {
                body.extend(
                    schema
                        .get("properties")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flat_map(|p| p.keys().cloned()),
                );
            }
        }
    }
    let mut success = Vec::new();
    let mut errors = BTreeSet::new();
    let mut response = None;
    for (status, value) in node.get("responses").and_then(Value::as_object).into_iter().flatten() {
        let Ok(code) = status.parse::<u16>() else { continue };
        let resolved = resolve(doc, value).ok().map(|found| found.node);
        for name in resolved
            .and_then(|r| r.get("headers"))
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|h| h.keys())
        {
            response_headers.insert(name.clone());
        }
        if (200..300).contains(&code) {
            success.push(code);
            response = response_schema(doc, resolved);
        } else {
            errors.insert(code);
        }
    }
    let deviations = node
        .pointer("/x-evidence/deviations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|d| Deviation {
            topic: text(d.get("topic")),
            spec_follows: text(d.get("spec_follows")),
            against: text(d.get("against")),
            reason: text(d.get("reason")),
        })
        .collect();
    Operation {
        id: text(node.get("operationId")),
        method: found.method.to_string(),
        path: found.path.to_string(),
        normalized: crate::check_docs::claims::normalize_path(found.path),
        scope: node.get("x-scope").and_then(Value::as_str).map(String::from),
        public: node.get("security").and_then(Value::as_array).is_some_and(Vec::is_empty),
        success,
        errors,
        query,
        body,
        media_types,
        response,
        deviations,
    }
}

/// The `application/json` schema of a response, resolved at the top.
fn response_schema(doc: &Value, response: Option<&Value>) -> Option<Value> {
    let response = resolve(doc, response?).ok()?.node;
    let schema = response.pointer("/content/application~1json/schema")?;
    Some(resolve(doc, schema).map_or(schema, |found| found.node).clone())
}
