//! Claims against the spec: findings (docs say something the spec does not), information (the
//! spec has something no doc mentions), and the counts of what was cross-checked.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::claims::{BodyKind, Claim, Endpoint, JsonType, What};
use super::spec_side::{Operation, Spec};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    EndpointNotInSpec,
    MethodDiffers,
    BaseUrlDiffers,
    ScopeDiffers,
    ScopeMissingInSpec,
    QueryParamMissing,
    BodyFieldMissing,
    ResponseFieldMissing,
    ResponseFieldTypeDiffers,
    SuccessStatusDiffers,
    ErrorStatusMissing,
    ErrorCodeMissing,
    ErrorCodeStatusDiffers,
    HeaderMissing,
    RateLimitFieldMissing,
    ExampleInvalid,
    AuthDiffers,
    MediaTypeDiffers,
}

impl Kind {
    pub const ALL: [Kind; 18] = [
        Kind::EndpointNotInSpec,
        Kind::MethodDiffers,
        Kind::BaseUrlDiffers,
        Kind::ScopeDiffers,
        Kind::ScopeMissingInSpec,
        Kind::QueryParamMissing,
        Kind::BodyFieldMissing,
        Kind::ResponseFieldMissing,
        Kind::ResponseFieldTypeDiffers,
        Kind::SuccessStatusDiffers,
        Kind::ErrorStatusMissing,
        Kind::ErrorCodeMissing,
        Kind::ErrorCodeStatusDiffers,
        Kind::HeaderMissing,
        Kind::RateLimitFieldMissing,
        Kind::ExampleInvalid,
        Kind::AuthDiffers,
        Kind::MediaTypeDiffers,
    ];

    /// The name reports and waivers use.
    pub fn name(self) -> &'static str {
        match self {
            Kind::EndpointNotInSpec => "endpoint-not-in-spec",
            Kind::MethodDiffers => "method-differs",
            Kind::BaseUrlDiffers => "base-url-differs",
            Kind::ScopeDiffers => "scope-differs",
            Kind::ScopeMissingInSpec => "scope-missing-in-spec",
            Kind::QueryParamMissing => "query-param-missing",
            Kind::BodyFieldMissing => "body-field-missing",
            Kind::ResponseFieldMissing => "response-field-missing",
            Kind::ResponseFieldTypeDiffers => "response-field-type-differs",
            Kind::SuccessStatusDiffers => "success-status-differs",
            Kind::ErrorStatusMissing => "error-status-missing",
            Kind::ErrorCodeMissing => "error-code-missing",
            Kind::ErrorCodeStatusDiffers => "error-code-status-differs",
            Kind::HeaderMissing => "header-missing",
            Kind::RateLimitFieldMissing => "rate-limit-field-missing",
            Kind::ExampleInvalid => "example-invalid",
            Kind::AuthDiffers => "auth-differs",
            Kind::MediaTypeDiffers => "media-type-differs",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Something the docs say that the spec does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub page: usize,
    pub line: usize,
    /// What the finding is about, in a stable form waivers can name (`POST /files/pin/{cid} cl`).
    pub subject: String,
    pub docs: String,
    pub spec: String,
    /// The waiver that covers it, by index.
    pub waiver: Option<usize>,
}

/// Something the spec has that no doc mentions: information, never a failure.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SpecOnly {
    pub subject: String,
    pub detail: String,
}

/// How much was cross-checked.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub claims: usize,
    pub endpoints: usize,
    pub scopes: usize,
    pub fields: usize,
    pub error_codes: usize,
    /// Claims that needed an endpoint but came on a page that never names one.
    pub unattached: usize,
}

pub struct Comparison {
    pub findings: Vec<Finding>,
    pub spec_only: Vec<SpecOnly>,
    pub counts: Counts,
}

/// Where a docs endpoint lands in the spec.
struct Resolved<'a> {
    /// Operations with the same path and method.
    matches: Vec<&'a Operation>,
    /// Operations with the same path and another method.
    other_methods: Vec<&'a Operation>,
}

pub fn compare(spec: &Spec, claims: &[Claim]) -> Comparison {
    let mut c = Comparer { spec, findings: Vec::new(), seen: Default::default(), validators: HashMap::new() };
    let mut counts = Counts { claims: claims.len(), ..Counts::default() };
    let mut endpoints = BTreeSet::new();
    let mut scopes = BTreeSet::new();
    let mut fields = BTreeSet::new();
    let mut codes = BTreeSet::new();
    let mut mentioned_fields: BTreeSet<(String, String)> = BTreeSet::new();

    for claim in claims {
        if claim.what.needs_endpoint() && claim.endpoint.is_none() {
            counts.unattached += 1;
            continue;
        }
        let resolved = claim.endpoint.as_ref().map(|e| (e, c.resolve(e)));
        if let Some((_, r)) = &resolved {
            endpoints.extend(r.matches.iter().map(|op| op.id.clone()));
        }
        match &claim.what {
            What::Endpoint => {
                if let Some((endpoint, r)) = &resolved {
                    c.endpoint(claim, endpoint, r);
                }
            }
            What::BaseUrl(base) => {
                if !spec.servers.iter().any(|s| s == base) {
                    c.push(claim, Kind::BaseUrlDiffers, base.clone(), base.clone(), spec.servers.join(", "));
                }
            }
            What::Scope(scope) => match &resolved {
                Some((_, r)) => {
                    for op in &r.matches {
                        scopes.insert(format!("{} {scope}", op.id));
                        c.scope(claim, op, scope);
                    }
                }
                None => {
                    scopes.insert(scope.clone());
                    if !spec.scopes.contains(scope) {
                        let known = format!("known scopes: {}", join(&spec.scopes));
                        c.push(
                            claim,
                            Kind::ScopeMissingInSpec,
                            format!("scope {scope}"),
                            scope.clone(),
                            known,
                        );
                    }
                }
            },
            What::ErrorCode { code, status } => {
                codes.insert(code.clone());
                c.error_code(claim, code, *status);
            }
            What::Header(name) => {
                if !spec.request_headers.iter().any(|h| h.eq_ignore_ascii_case(name)) {
                    let known = format!("request headers: {}", join(&spec.request_headers));
                    c.push(claim, Kind::HeaderMissing, name.clone(), format!("send header {name}"), known);
                }
            }
            What::RateLimitHeader(name) => {
                if !spec.response_headers.iter().any(|h| h.eq_ignore_ascii_case(name)) {
                    let known = format!("response headers: {}", join(&spec.response_headers));
                    c.push(
                        claim,
                        Kind::HeaderMissing,
                        name.clone(),
                        format!("response header {name}"),
                        known,
                    );
                }
            }
            What::RateLimitField { name, types } => {
                fields.insert(format!("429 {name}"));
                c.rate_limit_field(claim, name, types);
            }
            What::Example { body, value } if *body != BodyKind::Success => {
                let schema =
                    if *body == BodyKind::RateLimit { &spec.rate_limit_body } else { &spec.error_body };
                if let Some(schema) = schema {
                    let label = if *body == BodyKind::RateLimit { "429 body" } else { "error body" };
                    c.example(claim, label.to_string(), schema, value);
                }
            }
            what => {
                // The rest is about an operation.
                let Some((_, r)) = &resolved else { continue };
                for op in &r.matches {
                    match what {
                        What::QueryParam(name) => {
                            fields.insert(format!("{} ?{name}", op.id));
                            mentioned_fields.insert((op.id.clone(), format!("query {name}")));
                            if !op.query.contains(name) {
                                c.push(
                                    claim,
                                    Kind::QueryParamMissing,
                                    format!("{} ?{name}", label(op)),
                                    format!("query parameter {name}"),
                                    format!("query parameters: {}", join(&op.query)),
                                );
                            }
                        }
                        What::BodyField { name, multipart } => {
                            fields.insert(format!("{} body {name}", op.id));
                            mentioned_fields.insert((op.id.clone(), format!("body {name}")));
                            if !op.body.contains(name) {
                                let what = if *multipart { "multipart field" } else { "body field" };
                                c.push(
                                    claim,
                                    Kind::BodyFieldMissing,
                                    format!("{} {name}", label(op)),
                                    format!("{what} {name}"),
                                    format!("body fields: {}", join(&op.body)),
                                );
                            }
                        }
                        What::SuccessStatus(statuses) if !op.success.iter().any(|s| statuses.contains(s)) => {
                            c.push(
                                claim,
                                Kind::SuccessStatusDiffers,
                                format!("{} {}", label(op), list(statuses)),
                                format!("success {}", list(statuses)),
                                format!("success {}", list(&op.success)),
                            );
                        }
                        What::ErrorStatus(status) if !op.errors.contains(status) => {
                            c.push(
                                claim,
                                Kind::ErrorStatusMissing,
                                format!("{} {status}", label(op)),
                                format!("answers {status}"),
                                format!(
                                    "error statuses: {}",
                                    list(&op.errors.iter().copied().collect::<Vec<_>>())
                                ),
                            );
                        }
                        What::ResponseField { path, types, exact_path } => {
                            fields.insert(format!("{} response {path}", op.id));
                            c.response_field(claim, op, path, types, *exact_path);
                        }
                        What::Auth(required) if *required == op.public => {
                            let (docs, spec) = if *required {
                                ("needs credentials", "public (security: [])")
                            } else {
                                ("public, no credentials", "X-API-Key or Bearer")
                            };
                            c.push(claim, Kind::AuthDiffers, label(op), docs.into(), spec.into());
                        }
                        What::BodyMediaType(media) if !op.media_types.contains(media) => {
                            let spec = if op.media_types.is_empty() {
                                "no request body".to_string()
                            } else {
                                format!("request body {}", join(&op.media_types))
                            };
                            c.push(
                                claim,
                                Kind::MediaTypeDiffers,
                                format!("{} {media}", label(op)),
                                media.clone(),
                                spec,
                            );
                        }
                        What::Example { value, .. } => {
                            if let Some(schema) = &op.response {
                                c.example(claim, format!("{} success body", label(op)), schema, value);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    counts.endpoints = endpoints.len();
    counts.scopes = scopes.len();
    counts.fields = fields.len();
    counts.error_codes = codes.len();
    let spec_only = spec_only(spec, &endpoints, &mentioned_fields);
    let mut findings = c.findings;
    findings.sort_by(|a, b| (a.page, a.line, a.kind, &a.subject).cmp(&(b.page, b.line, b.kind, &b.subject)));
    Comparison { findings, spec_only, counts }
}

/// Operations no doc mentions; and for the ones docs mention, request fields no doc names.
fn spec_only(
    spec: &Spec,
    endpoints: &BTreeSet<String>,
    mentioned: &BTreeSet<(String, String)>,
) -> Vec<SpecOnly> {
    let mut out = Vec::new();
    for op in &spec.operations {
        if !endpoints.contains(&op.id) {
            out.push(SpecOnly { subject: label(op), detail: format!("{}: no page mentions it", op.id) });
            continue;
        }
        let unmentioned: Vec<String> = op
            .query
            .iter()
            .map(|q| format!("query {q}"))
            .chain(op.body.iter().map(|b| format!("body {b}")))
            .filter(|f| !mentioned.contains(&(op.id.clone(), f.clone())))
            .collect();
        if !unmentioned.is_empty() {
            out.push(SpecOnly {
                subject: label(op),
                detail: format!("no page names {}", unmentioned.join(", ")),
            });
        }
    }
    out
}

/// `POST /files/pin/{cid}`.
fn label(op: &Operation) -> String {
    format!("{} {}", op.method, op.path)
}

fn join(items: &BTreeSet<String>) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

fn list(statuses: &[u16]) -> String {
    statuses.iter().map(u16::to_string).collect::<Vec<_>>().join("/")
}

struct Comparer<'a> {
    spec: &'a Spec,
    findings: Vec<Finding>,
    seen: BTreeSet<(Kind, String, usize, usize)>,
    /// Validators by the address of the spec schema they were built for: a page of thousands
    /// of examples builds each once.
    validators: HashMap<usize, Result<jsonschema::Validator, String>>,
}

static STEP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[\]|[^.\[\]]+").expect("valid regex"));

impl<'a> Comparer<'a> {
    fn push(&mut self, claim: &Claim, kind: Kind, subject: String, docs: String, spec: String) {
        if self.seen.insert((kind, subject.clone(), claim.page, claim.line)) {
            self.findings.push(Finding {
                kind,
                page: claim.page,
                line: claim.line,
                subject,
                docs,
                spec,
                waiver: None,
            });
        }
    }

    /// Exact path first; then a `*` glob (`POST /files/*`); then, for a path whose first segment
    /// is no top-level segment of the spec (API.md's `/me`, `/remove/:cid`), the one spec path
    /// that ends with it.
    fn resolve(&self, endpoint: &Endpoint) -> Resolved<'a> {
        let ops = &self.spec.operations;
        let same_path =
            |path: &str| -> Vec<&'a Operation> { ops.iter().filter(|op| op.normalized == path).collect() };
        let mut candidates: Vec<&Operation> = same_path(&endpoint.path);
        if let Some(prefix) = endpoint.path.strip_suffix("/*") {
            candidates = ops
                .iter()
                .filter(|op| op.normalized == prefix || op.normalized.starts_with(&format!("{prefix}/")))
                .collect();
        }
        if candidates.is_empty() {
            let first = endpoint.path.split('/').nth(1).unwrap_or("");
            let top_level = ops.iter().any(|op| op.normalized.split('/').nth(1) == Some(first));
            if !top_level && endpoint.path != "/" {
                let paths: BTreeSet<&str> = ops
                    .iter()
                    .filter(|op| op.normalized.ends_with(&endpoint.path))
                    .map(|op| op.normalized.as_str())
                    .collect();
                if let [only] = paths.into_iter().collect::<Vec<_>>().as_slice() {
                    candidates = same_path(only);
                }
            }
        }
        let (matches, other_methods) = candidates.into_iter().partition(|op| op.method == endpoint.method);
        Resolved { matches, other_methods }
    }

    fn endpoint(&mut self, claim: &Claim, endpoint: &Endpoint, r: &Resolved) {
        if !r.matches.is_empty() {
            return;
        }
        let docs = endpoint.to_string();
        if !r.other_methods.is_empty() {
            let spec: Vec<String> = r.other_methods.iter().map(|op| label(op)).collect();
            self.push(
                claim,
                Kind::MethodDiffers,
                docs.clone(),
                docs,
                format!("spec has {}", spec.join(", ")),
            );
            return;
        }
        // Name the nearest operations, so a wrong path is easy to see.
        let parent = endpoint.path.rsplit_once('/').map_or("", |(p, _)| p).to_string();
        let near: Vec<String> = self
            .spec
            .operations
            .iter()
            .filter(|op| !parent.is_empty() && op.normalized.starts_with(&format!("{parent}/")))
            .map(label)
            .collect();
        let spec = if near.is_empty() {
            "no such path".into()
        } else {
            format!("no such path; near: {}", near.join(", "))
        };
        self.push(claim, Kind::EndpointNotInSpec, docs.clone(), docs, spec);
    }

    fn scope(&mut self, claim: &Claim, op: &Operation, scope: &str) {
        let subject = format!("{} scope {scope}", label(op));
        match op.scope.as_deref() {
            Some(s) if s == scope => {}
            None | Some("none-documented") => {
                let spec = format!("x-scope {}", op.scope.as_deref().unwrap_or("absent (public)"));
                self.push(claim, Kind::ScopeMissingInSpec, subject, format!("needs {scope}"), spec);
            }
            Some(other) => {
                self.push(
                    claim,
                    Kind::ScopeDiffers,
                    subject,
                    format!("needs {scope}"),
                    format!("x-scope {other}"),
                );
            }
        }
    }

    fn error_code(&mut self, claim: &Claim, code: &str, status: Option<u16>) {
        match self.spec.error_codes.get(code) {
            None => {
                let known = self.spec.error_codes.keys().cloned().collect::<Vec<_>>().join(", ");
                let docs = status.map_or_else(|| format!("code {code}"), |s| format!("code {code} ({s})"));
                self.push(
                    claim,
                    Kind::ErrorCodeMissing,
                    code.to_string(),
                    docs,
                    format!("ErrorBody.code lists {known}"),
                );
            }
            Some(statuses) => {
                if let Some(s) = status.filter(|s| !statuses.contains(s)) {
                    let spec = format!(
                        "ErrorBody.code lists {code} under {}",
                        list(&statuses.iter().copied().collect::<Vec<_>>())
                    );
                    self.push(
                        claim,
                        Kind::ErrorCodeStatusDiffers,
                        format!("{code} {s}"),
                        format!("{code} with {s}"),
                        spec,
                    );
                }
            }
        }
    }

    fn rate_limit_field(&mut self, claim: &Claim, name: &str, types: &[JsonType]) {
        let Some(body) = self.spec.rate_limit_body.as_ref() else { return };
        match body.pointer(&format!("/properties/{name}")) {
            None => {
                let known = properties(body);
                self.push(
                    claim,
                    Kind::RateLimitFieldMissing,
                    name.to_string(),
                    format!("429 body field {name}"),
                    format!("429 body fields: {known}"),
                );
            }
            Some(schema) => {
                let required = is_required(body, name);
                self.check_types(claim, format!("429 {name}"), schema, types, required);
            }
        }
    }

    fn response_field(&mut self, claim: &Claim, op: &Operation, path: &str, types: &[JsonType], exact: bool) {
        let subject = format!("{} {path}", label(op));
        let Some(schema) = op.response.as_ref() else {
            self.push(
                claim,
                Kind::ResponseFieldMissing,
                subject,
                format!("field {path}"),
                "no success body".into(),
            );
            return;
        };
        let found = if exact { self.at_path(schema, path) } else { self.anywhere(schema, path, 0) };
        match found {
            Lookup::Open => {}
            Lookup::Missing => {
                let spec = format!("fields: {}", properties(self.spec.resolve(schema)));
                self.push(claim, Kind::ResponseFieldMissing, subject, format!("field {path}"), spec);
            }
            Lookup::Found(field, required) => self.check_types(claim, subject, field, types, required),
        }
    }

    fn check_types(
        &mut self,
        claim: &Claim,
        subject: String,
        schema: &Value,
        types: &[JsonType],
        required: bool,
    ) {
        let schema = self.spec.resolve(schema);
        let Some(spec_type) = schema.get("type").and_then(Value::as_str) else { return };
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        for docs_type in types {
            // `null` needs `nullable: true`: the contract suite validates real answers against
            // the schema, so an optional field that may be null must say so.
            let fits = match docs_type {
                JsonType::Null => nullable,
                JsonType::Integer => spec_type == "integer" || spec_type == "number",
                other => other.name() == spec_type,
            };
            if !fits {
                let spec = format!("{spec_type}{}", if required { ", required" } else { "" });
                self.push(
                    claim,
                    Kind::ResponseFieldTypeDiffers,
                    subject.clone(),
                    docs_type.name().to_string(),
                    spec,
                );
            }
        }
    }

    /// The schema of the field at `path` (`uploads[].cid`).
    fn at_path(&self, schema: &'a Value, path: &str) -> Lookup<'a> {
        let mut current = self.spec.resolve(schema);
        let mut required = true;
        for step in STEP.find_iter(path).map(|m| m.as_str()) {
            if is_open(current) {
                return Lookup::Open;
            }
            if step == "[]" {
                match current.get("items") {
                    Some(items) => current = self.spec.resolve(items),
                    None => {
                        return if current.get("type").is_none() { Lookup::Open } else { Lookup::Missing }
                    }
                }
            } else {
                match current.pointer(&format!("/properties/{step}")) {
                    Some(field) => {
                        required = is_required(current, step);
                        current = self.spec.resolve(field);
                    }
                    None => return Lookup::Missing,
                }
            }
        }
        Lookup::Found(current, required)
    }

    /// A field named `name` anywhere in the schema (docs often name an item's field without
    /// saying where it sits).
    fn anywhere(&self, schema: &'a Value, name: &str, depth: usize) -> Lookup<'a> {
        let schema = self.spec.resolve(schema);
        if depth > 8 || is_open(schema) {
            return Lookup::Open;
        }
        if let Some(field) = schema.pointer(&format!("/properties/{name}")) {
            return Lookup::Found(field, is_required(schema, name));
        }
        let mut open = false;
        let children = schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.values())
            .chain(schema.get("items"));
        for child in children {
            match self.anywhere(child, name, depth + 1) {
                found @ Lookup::Found(..) => return found,
                Lookup::Open => open = true,
                Lookup::Missing => {}
            }
        }
        if open {
            Lookup::Open
        } else {
            Lookup::Missing
        }
    }

    /// Validates an example the way `lint-spec` does. Type mismatches are left to the field
    /// checks, which name the field; what remains (a missing required field, a bad format, a
    /// negative count) is reported here.
    fn example(&mut self, claim: &Claim, subject: String, schema: &Value, value: &Value) {
        let spec = self.spec;
        let validator = self
            .validators
            .entry(schema as *const Value as usize)
            .or_insert_with(|| spec_model::validator(&spec.schemas(), schema));
        let validator = match validator {
            Ok(v) => v,
            Err(e) => {
                let e = e.clone();
                self.push(
                    claim,
                    Kind::ExampleInvalid,
                    subject,
                    "example".into(),
                    format!("cannot be checked: {e}"),
                );
                return;
            }
        };
        let errors: Vec<String> = validator
            .iter_errors(value)
            .filter(|e| !matches!(e.kind(), jsonschema::error::ValidationErrorKind::Type { .. }))
            .map(|e| {
                let at = e.instance_path().to_string();
                format!("{e} at {}", if at.is_empty() { "/" } else { &at })
            })
            .collect();
        if !errors.is_empty() {
            self.push(claim, Kind::ExampleInvalid, subject, "example".into(), errors.join("; "));
        }
    }
}

enum Lookup<'a> {
    /// The field's schema, and whether it is required where it sits.
    Found(&'a Value, bool),
    Missing,
    /// The schema does not say (untyped JSON): anything may be there.
    Open,
}

/// Untyped JSON, or an object that lists no properties: its fields are not described.
fn is_open(schema: &Value) -> bool {
    let typed = schema.get("type").is_some();
    let described = schema.get("properties").is_some() || schema.get("items").is_some();
    let object = schema.get("type") == Some(&Value::String("object".into()));
    !described && (!typed || object)
}

fn is_required(schema: &Value, name: &str) -> bool {
    schema.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|n| n == name))
}

fn properties(schema: &Value) -> String {
    let names: Vec<&str> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}
