//! Does a response conform to the spec?
//!
//! [`Conformance::embedded`] compiles, once, a validator for every response the spec documents
//! (`openapi/pinarkive-v3.yaml`, embedded in the crate), and [`Conformance::check`] answers for
//! one response (operation id, status, headers, body bytes):
//!
//! - the status is listed for the operation, or covered by a `4XX`-style range or `default`;
//! - a response documented as `application/json` says so in `Content-Type`, and its body parses
//!   and is valid against the response schema (OpenAPI 3.0 schemas checked as JSON Schema draft 4
//!   with formats; `nullable: true` allows `null`; `$ref`s resolve to `components.schemas`);
//! - every documented header that is present is valid against its schema (`Retry-After` on a
//!   429 must be a number of seconds), and a header the spec marks `required` is present.
//!
//! The contract suite (`cargo xtask contract`) and the emulator's own tests use it, so both
//! judge responses by the spec and nothing else.
//!
//! ```
//! let spec = pinarkive_contract::conformance::Conformance::embedded();
//! let mut headers = http::HeaderMap::new();
//! headers.insert("content-type", "application/json".parse().unwrap());
//! assert!(spec.check("health_get", 200, &headers, br#"{"status":"ok"}"#).is_ok());
//! let wrong = spec.check("health_get", 200, &headers, br#"{"status":1}"#).unwrap_err();
//! assert_eq!(wrong.problems[0].pointer, "/status");
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};

/// Compiled validators for every response of a spec.
pub struct Conformance {
    document: Value,
    operations: HashMap<String, Vec<DocumentedResponse>>,
    error_body: Option<Arc<jsonschema::Validator>>,
}

impl fmt::Debug for Conformance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conformance").field("operations", &self.operations.len()).finish_non_exhaustive()
    }
}

/// One entry of an operation's `responses`.
struct DocumentedResponse {
    key: StatusKey,
    /// The JSON body's validator, when the response documents `application/json`.
    json: Option<Arc<jsonschema::Validator>>,
    headers: Vec<DocumentedHeader>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusKey {
    Exact(u16),
    /// `4XX`: the hundreds digit.
    Range(u16),
    Default,
}

impl StatusKey {
    fn parse(key: &str) -> Option<StatusKey> {
        if key == "default" {
            return Some(StatusKey::Default);
        }
        if let Ok(status) = key.parse::<u16>() {
            return (100..600).contains(&status).then_some(StatusKey::Exact(status));
        }
        match key.as_bytes() {
            [d @ b'1'..=b'5', b'X' | b'x', b'X' | b'x'] => Some(StatusKey::Range(u16::from(d - b'0'))),
            _ => None,
        }
    }

    fn matches(self, status: u16) -> bool {
        match self {
            StatusKey::Exact(s) => s == status,
            StatusKey::Range(class) => status / 100 == class,
            StatusKey::Default => true,
        }
    }
}

impl fmt::Display for StatusKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusKey::Exact(s) => write!(f, "{s}"),
            StatusKey::Range(class) => write!(f, "{class}XX"),
            StatusKey::Default => f.write_str("default"),
        }
    }
}

struct DocumentedHeader {
    name: String,
    required: bool,
    /// Whether the schema's `type` is not a string, so the value is parsed as JSON first.
    typed: bool,
    validator: Arc<jsonschema::Validator>,
}

/// A response that does not conform, with everything that is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nonconformance {
    /// The operation's `operationId`.
    pub operation: String,
    /// The status the response had.
    pub status: u16,
    /// What is wrong, at least one item.
    pub problems: Vec<Problem>,
}

impl fmt::Display for Nonconformance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: ", self.operation, self.status)?;
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Nonconformance {}

/// One thing wrong with a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: a JSON pointer into the body (`""` is the whole body, `/uploads/0/cid` a field), or
    /// `header NAME`, or `status`.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    fn new(pointer: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem { pointer: pointer.into(), message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "body: {}", self.message)
        } else if self.pointer.starts_with('/') {
            write!(f, "body {}: {}", self.pointer, self.message)
        } else {
            write!(f, "{}: {}", self.pointer, self.message)
        }
    }
}

/// The spec could not be turned into validators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError(String);

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

impl Conformance {
    /// The validators for the spec embedded in this crate, compiled on first use.
    ///
    /// # Panics
    ///
    /// If the embedded spec cannot be compiled, which the crate's own tests rule out.
    pub fn embedded() -> &'static Conformance {
        static EMBEDDED: OnceLock<Conformance> = OnceLock::new();
        EMBEDDED.get_or_init(|| match Conformance::from_yaml(pinarkive::spec::YAML) {
            Ok(conformance) => conformance,
            Err(e) => panic!("the embedded openapi/pinarkive-v3.yaml cannot be compiled: {e}"),
        })
    }

    /// Validators for a spec in YAML or JSON.
    pub fn from_yaml(yaml: &str) -> Result<Conformance, SpecError> {
        let document =
            spec_model::Document::parse(yaml).map_err(|e| SpecError(format!("the spec is {e}")))?;
        Conformance::from_document(document.into_root())
    }

    /// Validators for a spec already parsed to JSON.
    pub fn from_document(document: Value) -> Result<Conformance, SpecError> {
        let mut compiler = Compiler::new(&document);
        let mut operations = HashMap::new();
        for found in spec_model::operations(&document) {
            let Some(id) = found.id else {
                return Err(SpecError(format!("{} {} has no operationId", found.method, found.path)));
            };
            let responses = compiler.responses(id, found.node)?;
            if operations.insert(id.to_string(), responses).is_some() {
                return Err(SpecError(format!("operationId {id} is used twice")));
            }
        }
        let error_body = match document.pointer("/components/schemas/ErrorBody") {
            Some(_) => {
                Some(compiler.validator("ErrorBody", &json!({"$ref": "#/components/schemas/ErrorBody"}))?)
            }
            None => None,
        };
        Ok(Conformance { document, operations, error_body })
    }

    /// The spec as JSON (what the API serves at `/docs/openapi.json`).
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// Whether the spec has an operation with this `operationId`.
    pub fn has_operation(&self, operation_id: &str) -> bool {
        self.operations.contains_key(operation_id)
    }

    /// The response keys the spec lists for an operation (`200`, `4XX`, `default`), in order.
    pub fn documented_statuses(&self, operation_id: &str) -> Option<Vec<String>> {
        let responses = self.operations.get(operation_id)?;
        Some(responses.iter().map(|r| r.key.to_string()).collect())
    }

    /// Whether `status` is listed for the operation (exactly, by a range, or by `default`).
    pub fn is_documented(&self, operation_id: &str, status: u16) -> bool {
        self.operations.get(operation_id).is_some_and(|responses| find(responses, status).is_some())
    }

    /// Checks one response of `operation_id` against the spec.
    ///
    /// # Errors
    ///
    /// Everything that does not conform: an unknown operation, an undocumented status, a
    /// missing or wrong `Content-Type`, a body that is not JSON or not valid against the schema
    /// (with the JSON pointer of each invalid value), a documented header with an invalid value
    /// or a required header that is missing.
    pub fn check(
        &self,
        operation_id: &str,
        status: u16,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<(), Nonconformance> {
        let fail =
            |problems: Vec<Problem>| Nonconformance { operation: operation_id.into(), status, problems };
        let Some(responses) = self.operations.get(operation_id) else {
            return Err(fail(vec![Problem::new(
                "operation",
                "no operation with this operationId in the spec",
            )]));
        };
        let Some(response) = find(responses, status) else {
            let listed: Vec<String> = responses.iter().map(|r| r.key.to_string()).collect();
            let message = format!("status {status} is not documented (documented: {})", listed.join(", "));
            return Err(fail(vec![Problem::new("status", message)]));
        };
        let mut problems = Vec::new();
        for header in &response.headers {
            header.check(headers, &mut problems);
        }
        if let Some(validator) = &response.json {
            check_json(validator, headers, body, &mut problems);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(fail(problems))
        }
    }

    /// Checks a body against the shared error schema (`components.schemas.ErrorBody`).
    ///
    /// # Errors
    ///
    /// The body is not JSON, or not valid against the error schema, or the spec has no
    /// `ErrorBody` schema.
    pub fn check_error_body(&self, body: &[u8]) -> Result<(), Vec<Problem>> {
        let Some(validator) = &self.error_body else {
            return Err(vec![Problem::new("spec", "the spec has no components.schemas.ErrorBody")]);
        };
        let mut problems = Vec::new();
        validate_body(validator, body, &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// The most specific documented response for `status`: exact, then range, then `default`.
fn find(responses: &[DocumentedResponse], status: u16) -> Option<&DocumentedResponse> {
    let exact = responses.iter().find(|r| r.key == StatusKey::Exact(status));
    let range = || responses.iter().find(|r| matches!(r.key, StatusKey::Range(_)) && r.key.matches(status));
    exact.or_else(range).or_else(|| responses.iter().find(|r| r.key == StatusKey::Default))
}

impl DocumentedHeader {
    fn check(&self, headers: &http::HeaderMap, problems: &mut Vec<Problem>) {
        let at = format!("header {}", self.name);
        let Some(value) = headers.get(self.name.as_str()) else {
            if self.required {
                problems.push(Problem::new(at, "required by the spec but missing"));
            }
            return;
        };
        let Ok(text) = value.to_str() else {
            problems.push(Problem::new(at, "is not visible ASCII"));
            return;
        };
        let instance = match self.typed {
            true => serde_json::from_str::<Value>(text.trim()).unwrap_or_else(|_| Value::String(text.into())),
            false => Value::String(text.into()),
        };
        for error in self.validator.iter_errors(&instance) {
            problems.push(Problem::new(at.clone(), format!("{text:?}: {error}")));
        }
    }
}

fn check_json(
    validator: &jsonschema::Validator,
    headers: &http::HeaderMap,
    body: &[u8],
    problems: &mut Vec<Problem>,
) {
    let content_type = headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    match content_type {
        None => {
            problems.push(Problem::new("header Content-Type", "missing; the spec documents application/json"))
        }
        Some(value) if !is_json_media_type(value) => problems.push(Problem::new(
            "header Content-Type",
            format!("{value:?}; the spec documents application/json"),
        )),
        Some(_) => {}
    }
    validate_body(validator, body, problems);
}

fn is_json_media_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn validate_body(validator: &jsonschema::Validator, body: &[u8], problems: &mut Vec<Problem>) {
    if body.iter().all(u8::is_ascii_whitespace) {
        problems.push(Problem::new("", "empty, but the spec documents a JSON body"));
        return;
    }
    let instance: Value = match serde_json::from_slice(body) {
        Ok(instance) => instance,
        Err(e) => {
            problems.push(Problem::new("", format!("not JSON ({e})")));
            return;
        }
    };
    for error in validator.iter_errors(&instance) {
        let message = error.to_string();
        problems.push(Problem::new(error.instance_path().to_string(), message));
    }
}

/// Compiles schemas against the spec's `components.schemas`, each distinct schema once.
struct Compiler<'a> {
    document: &'a Value,
    schemas: Value,
    cache: HashMap<String, Arc<jsonschema::Validator>>,
}

impl<'a> Compiler<'a> {
    fn new(document: &'a Value) -> Self {
        let schemas = document.pointer("/components/schemas").cloned().unwrap_or_else(|| json!({}));
        Compiler { document, schemas, cache: HashMap::new() }
    }

    fn responses(&mut self, id: &str, operation: &'a Value) -> Result<Vec<DocumentedResponse>, SpecError> {
        let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
            return Err(SpecError(format!("{id} has no responses")));
        };
        let mut documented = Vec::new();
        for (key, response) in responses {
            let at = format!("{id} response {key}");
            let status =
                StatusKey::parse(key).ok_or_else(|| SpecError(format!("{at}: not a status code")))?;
            let response = self.resolve(&at, response)?;
            let json = match response.pointer("/content/application~1json/schema") {
                Some(schema) => Some(self.validator(&at, schema)?),
                None => None,
            };
            let mut headers = Vec::new();
            for (name, header) in response.get("headers").and_then(Value::as_object).into_iter().flatten() {
                let at = format!("{at} header {name}");
                let header = self.resolve(&at, header)?;
                let schema = header.get("schema").cloned().unwrap_or_else(|| json!({}));
                let typed = schema.get("type").and_then(Value::as_str).is_some_and(|t| t != "string");
                headers.push(DocumentedHeader {
                    name: name.clone(),
                    required: header.get("required") == Some(&Value::Bool(true)),
                    typed,
                    validator: self.validator(&at, &schema)?,
                });
            }
            documented.push(DocumentedResponse { key: status, json, headers });
        }
        Ok(documented)
    }

    /// Follows `$ref`s inside the document (responses and headers may be references).
    fn resolve(&self, at: &str, node: &'a Value) -> Result<&'a Value, SpecError> {
        spec_model::resolve(self.document, node)
            .map(|found| found.node)
            .map_err(|e| SpecError(format!("{at}: {e}")))
    }

    fn validator(&mut self, at: &str, schema: &Value) -> Result<Arc<jsonschema::Validator>, SpecError> {
        let key = schema.to_string();
        if let Some(validator) = self.cache.get(&key) {
            return Ok(validator.clone());
        }
        let validator = spec_model::validator(&self.schemas, schema)
            .map_err(|e| SpecError(format!("{at}: the schema cannot be compiled: {e}")))?;
        let validator = Arc::new(validator);
        self.cache.insert(key, validator.clone());
        Ok(validator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_headers() -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::CONTENT_TYPE, "application/json; charset=utf-8".parse().unwrap());
        headers
    }

    fn pointers(e: &Nonconformance) -> Vec<&str> {
        e.problems.iter().map(|p| p.pointer.as_str()).collect()
    }

    #[test]
    fn embedded_spec_covers_every_operation_of_the_table() {
        let spec = Conformance::embedded();
        for op in pinarkive::OperationId::ALL {
            assert!(spec.has_operation(op.as_str()), "{op} is missing");
            assert!(spec.is_documented(op.as_str(), op.success_status()), "{op} {}", op.success_status());
        }
        assert_eq!(spec.document()["openapi"], "3.0.3");
    }

    #[test]
    fn a_valid_body_conforms() {
        let spec = Conformance::embedded();
        let body = br#"{"uploads":[{"cid":"bafy","size":3,"createdAt":"2026-01-01T00:00:00Z"}],"total":1}"#;
        assert_eq!(spec.check("users_me_uploads_list", 200, &json_headers(), body), Ok(()));
        let error = br#"{"error":"Forbidden","code":"missing_scope","required":"files:read"}"#;
        assert_eq!(spec.check("users_me_uploads_list", 403, &json_headers(), error), Ok(()));
    }

    #[test]
    fn invalid_values_are_named_by_their_json_pointer() {
        let spec = Conformance::embedded();
        let body = br#"{"uploads":[{"cid":5},{"size":-1}]}"#;
        let e = spec.check("users_me_uploads_list", 200, &json_headers(), body).unwrap_err();
        assert_eq!(e.operation, "users_me_uploads_list");
        assert_eq!(e.status, 200);
        let mut found = pointers(&e);
        found.sort_unstable();
        assert_eq!(found, ["/uploads/0/cid", "/uploads/1", "/uploads/1/size"], "{e}");
        let text = e.to_string();
        assert!(text.starts_with("users_me_uploads_list 200: "), "{text}");
        assert!(text.contains("body /uploads/0/cid: 5 is not of type \"string\""), "{text}");
    }

    #[test]
    fn formats_are_checked() {
        let spec = Conformance::embedded();
        let body = br#"{"uploads":[{"cid":"bafy","expiresAt":"next tuesday"}]}"#;
        let e = spec.check("users_me_uploads_list", 200, &json_headers(), body).unwrap_err();
        assert_eq!(pointers(&e), ["/uploads/0/expiresAt"], "{e}");
    }

    #[test]
    fn an_undocumented_status_lists_the_documented_ones() {
        let spec = Conformance::embedded();
        let e = spec.check("health_get", 404, &json_headers(), b"{}").unwrap_err();
        assert_eq!(e.problems[0].pointer, "status");
        assert_eq!(e.problems[0].message, "status 404 is not documented (documented: 200, 429, 500)");
    }

    #[test]
    fn bodies_that_are_not_json_or_not_labelled_json_are_reported() {
        let spec = Conformance::embedded();
        let e = spec.check("health_get", 200, &json_headers(), b"<html>").unwrap_err();
        assert_eq!(e.problems.len(), 1);
        assert!(e.problems[0].message.starts_with("not JSON"), "{e}");
        let e = spec.check("health_get", 200, &json_headers(), b"").unwrap_err();
        assert!(e.problems[0].message.starts_with("empty"), "{e}");

        let mut html = http::HeaderMap::new();
        html.insert(http::header::CONTENT_TYPE, "text/html".parse().unwrap());
        let e = spec.check("health_get", 200, &html, b"{}").unwrap_err();
        assert_eq!(pointers(&e), ["header Content-Type"]);
        let e = spec.check("health_get", 200, &http::HeaderMap::new(), b"{}").unwrap_err();
        assert_eq!(pointers(&e), ["header Content-Type"]);
        assert!(is_json_media_type("application/problem+json"));
    }

    #[test]
    fn documented_headers_are_checked_when_present() {
        let spec = Conformance::embedded();
        let body = br#"{"error":"Too Many Requests","retryAfter":1}"#;
        let mut headers = json_headers();
        headers.insert("retry-after", "1".parse().unwrap());
        headers.insert("x-ratelimit-reset", "2026-03-09T17:00:00.000Z".parse().unwrap());
        assert_eq!(spec.check("users_me_get", 429, &headers, body), Ok(()));

        headers.insert("retry-after", "soon".parse().unwrap());
        headers.insert("x-ratelimit-remaining", "-3".parse().unwrap());
        let e = spec.check("users_me_get", 429, &headers, body).unwrap_err();
        let mut found = pointers(&e);
        found.sort_unstable();
        assert_eq!(found, ["header Retry-After", "header X-RateLimit-Remaining"], "{e}");
        assert!(e.to_string().contains("header Retry-After: \"soon\""), "{e}");
    }

    #[test]
    fn a_429_without_retry_after_does_not_conform() {
        let body = br#"{"error":"Too Many Requests","retryAfter":1}"#;
        let e = Conformance::embedded().check("users_me_get", 429, &json_headers(), body).unwrap_err();
        assert_eq!(pointers(&e), ["header Retry-After"], "{e}");
        assert!(e.to_string().contains("required by the spec but missing"), "{e}");
    }

    #[test]
    fn error_bodies_are_checked_against_the_error_schema() {
        let spec = Conformance::embedded();
        assert_eq!(spec.check_error_body(br#"{"error":"Unauthorized","code":"INVALID_API_KEY"}"#), Ok(()));
        let problems = spec.check_error_body(br#"{"error":"x","retryAfter":"1"}"#).unwrap_err();
        assert_eq!(problems[0].pointer, "/retryAfter");
        assert!(spec.check_error_body(b"Unauthorized").is_err());
    }

    #[test]
    fn unknown_operations_are_an_error_not_a_panic() {
        let e = Conformance::embedded().check("nope", 200, &json_headers(), b"{}").unwrap_err();
        assert_eq!(e.problems[0].pointer, "operation");
    }

    #[test]
    fn nullable_ranges_and_default_follow_openapi() {
        let spec = Conformance::from_yaml(
            r#"
paths:
  /x:
    get:
      operationId: x_get
      responses:
        '200':
          description: ok
          headers:
            X-Id: { required: true, schema: { type: string } }
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Thing' }
        '4XX':
          description: client error
          content:
            application/json:
              schema: { type: object, required: [error] }
        default:
          description: anything else
components:
  schemas:
    Thing:
      type: object
      properties:
        at: { type: string, nullable: true }
        kind: { type: string, enum: [a, b], nullable: true }
"#,
        )
        .unwrap();
        let mut headers = json_headers();
        headers.insert("x-id", "1".parse().unwrap());
        assert_eq!(spec.check("x_get", 200, &headers, br#"{"at":null,"kind":null}"#), Ok(()));
        let e = spec.check("x_get", 200, &json_headers(), br#"{"at":1}"#).unwrap_err();
        let mut found = pointers(&e);
        found.sort_unstable();
        assert_eq!(found, ["/at", "header X-Id"], "{e}");
        assert!(spec.check("x_get", 418, &headers, b"{}").is_err());
        assert_eq!(spec.check("x_get", 418, &headers, br#"{"error":"teapot"}"#), Ok(()));
        assert_eq!(spec.check("x_get", 302, &http::HeaderMap::new(), b""), Ok(()));
        assert_eq!(spec.documented_statuses("x_get").unwrap(), ["200", "4XX", "default"]);
    }

    #[test]
    fn a_broken_spec_is_an_error() {
        let e =
            Conformance::from_yaml("paths: {/x: {get: {responses: {'200': {$ref: '#/nope'}}}}}").unwrap_err();
        assert!(e.to_string().contains("no operationId"), "{e}");
        let e = Conformance::from_yaml(
            "paths: {/x: {get: {operationId: a, responses: {'200': {$ref: '#/nope'}}}}}",
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "a response 200: $ref '#/nope' does not resolve");
        assert!(Conformance::from_yaml(": :").is_err());
    }
}
