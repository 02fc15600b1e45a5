//! Turns `openapi/pinarkive-v3.yaml` into Rust.
//!
//! Shared by `build.rs` and `cargo xtask codegen` (each includes it with `#[path]`), so the
//! code a user compiles and the code a maintainer reads are made by the same settings.
//! It depends only on crates both callers already have: progenitor, openapiv3, serde_yaml,
//! prettyplease, syn and proc-macro2.

#![allow(dead_code)] // Each caller uses a different part.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;

use openapiv3::{OpenAPI, Operation, ReferenceOr};

/// The spec, relative to the crate root.
pub const SPEC_PATH: &str = "openapi/pinarkive-v3.yaml";

/// Request-body media types progenitor 0.15.1 can generate (`BodyContentType::from_str`).
/// An operation with any other body (multipart) is left out of generation and written by hand.
pub const GENERATABLE_BODY_TYPES: &[&str] = &[
    "application/json",
    "application/octet-stream",
    "application/x-www-form-urlencoded",
    "text/plain",
    "text/x-markdown",
];

/// Why the spec cannot be turned into code, naming the operation where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `operationId (method path)`, or the part of the document at fault.
    pub at: String,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.reason)
    }
}

/// An operation in the spec that generation leaves to hand-written code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandwrittenOperation {
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub reason: String,
}

/// Everything generation produces.
pub struct Generated {
    /// The typed client: `types`, `Client` and one builder per generated operation.
    pub client: String,
    /// Typed `httpmock` helpers for the generated operations.
    pub httpmock: String,
    /// Operations left out of `client`, sorted by operationId.
    pub handwritten: Vec<HandwrittenOperation>,
}

/// Reads and parses the spec; the error says which file and why.
pub fn load_spec(path: &Path) -> Result<OpenAPI, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_yaml::from_str(&text).map_err(|e| format!("cannot parse {}: {e}", path.display()))
}

/// Every `(method, path, operation)` in document order.
pub fn operations(spec: &OpenAPI) -> Vec<(&'static str, &str, &Operation)> {
    let mut out = Vec::new();
    for (path, item) in spec.paths.paths.iter() {
        if let ReferenceOr::Item(item) = item {
            for (method, op) in item.iter() {
                out.push((method_name(method), path.as_str(), op));
            }
        }
    }
    out
}

/// `GET` for `get`: how reports and the operation table spell a path item's method key.
pub fn method_name(method: &str) -> &'static str {
    match method {
        "get" => "GET",
        "put" => "PUT",
        "post" => "POST",
        "delete" => "DELETE",
        "patch" => "PATCH",
        "head" => "HEAD",
        "options" => "OPTIONS",
        _ => "TRACE",
    }
}

fn label(method: &str, path: &str, op: &Operation) -> String {
    match &op.operation_id {
        Some(id) => format!("{id} ({method} {path})"),
        None => format!("{method} {path}"),
    }
}

/// The media type that keeps an operation out of generation, if any.
fn ungeneratable_body(spec: &OpenAPI, op: &Operation) -> Option<String> {
    let body = resolve(op.request_body.as_ref()?, "#/components/requestBodies/", |name| {
        spec.components.as_ref()?.request_bodies.get(name)
    })?;
    body.content.keys().find(|media| !GENERATABLE_BODY_TYPES.contains(&media.as_str())).cloned()
}

/// The operations generation leaves out, without changing the spec.
pub fn handwritten_operations(spec: &OpenAPI) -> Vec<HandwrittenOperation> {
    let mut out: Vec<_> = operations(spec)
        .into_iter()
        .filter_map(|(method, path, op)| {
            let media = ungeneratable_body(spec, op)?;
            Some(HandwrittenOperation {
                operation_id: op.operation_id.clone().unwrap_or_default(),
                method: method.to_string(),
                path: path.to_string(),
                reason: format!("request body is {media}, which progenitor cannot generate"),
            })
        })
        .collect();
    out.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));
    out
}

/// Removes the hand-written operations from `spec`, so progenitor sees only what it supports.
fn without_handwritten(mut spec: OpenAPI) -> OpenAPI {
    let left_out: HashSet<String> =
        handwritten_operations(&spec).into_iter().map(|op| op.operation_id).collect();
    for item in spec.paths.paths.values_mut() {
        if let ReferenceOr::Item(item) = item {
            for slot in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
                &mut item.options,
                &mut item.trace,
            ] {
                let drop = slot
                    .as_ref()
                    .and_then(|op| op.operation_id.as_ref())
                    .is_some_and(|id| left_out.contains(id));
                if drop {
                    *slot = None;
                }
            }
        }
    }
    spec.paths.paths.retain(|_, item| match item {
        ReferenceOr::Item(item) => item.iter().next().is_some(),
        ReferenceOr::Reference { .. } => true,
    });
    spec
}

/// The rules progenitor 0.15.1 enforces by panicking or by failing the whole document,
/// checked first so the message names the operation.
pub fn generation_problems(spec: &OpenAPI) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !spec.openapi.starts_with("3.0.") {
        problems.push(Problem {
            at: "openapi".into(),
            reason: format!("version is {}, progenitor accepts only 3.0.x", spec.openapi),
        });
    }
    for (path, item) in spec.paths.paths.iter() {
        if item.as_item().is_none() {
            problems.push(Problem {
                at: path.clone(),
                reason: "path items given by $ref are not supported".into(),
            });
        }
    }
    let mut seen = HashSet::new();
    for (method, path, op) in operations(spec) {
        let at = label(method, path, op);
        let mut problem = |reason: String| problems.push(Problem { at: at.clone(), reason });
        match &op.operation_id {
            None => problem("has no operationId".into()),
            Some(id) if !seen.insert(id.clone()) => problem("operationId is used twice".into()),
            Some(_) => {}
        }
        let mut success: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut failure: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut responses: Vec<_> = op.responses.responses.iter().map(|(s, r)| (s.to_string(), r)).collect();
        responses.extend(op.responses.default.iter().map(|r| ("default".to_string(), r)));
        for (status, response) in responses {
            let Some(response) = resolve_response(spec, response) else {
                problem(format!("response {status} is a $ref that does not resolve"));
                continue;
            };
            for media in response.content.keys().filter(|m| *m != "application/json") {
                problem(format!("response {status} is {media}; only application/json is generated"));
            }
            let bucket = if status.starts_with('2') { &mut success } else { &mut failure };
            bucket.entry(body_key(response)).or_default().push(status);
        }
        if success.len() > 1 {
            problem(format!("success responses have {} different bodies: {success:?}", success.len()));
        }
        if failure.len() > 1 {
            problem(format!("error responses have {} different bodies: {failure:?}", failure.len()));
        }
    }
    problems
}

/// Follows `#/components/<kind>/...` references through `lookup` (a few hops at most, so a
/// loop ends); the one resolver for responses, request bodies and parameters.
fn resolve<'a, T>(
    mut item: &'a ReferenceOr<T>,
    prefix: &str,
    lookup: impl Fn(&str) -> Option<&'a ReferenceOr<T>>,
) -> Option<&'a T> {
    for _ in 0..8 {
        match item {
            ReferenceOr::Item(found) => return Some(found),
            ReferenceOr::Reference { reference } => item = lookup(reference.strip_prefix(prefix)?)?,
        }
    }
    None
}

/// A response, with `#/components/responses/...` references followed.
pub fn resolve_response<'a>(
    spec: &'a OpenAPI,
    response: &'a ReferenceOr<openapiv3::Response>,
) -> Option<&'a openapiv3::Response> {
    resolve(response, "#/components/responses/", |name| spec.components.as_ref()?.responses.get(name))
}

/// What a response's body is, for comparing bodies: a schema `$ref`, an inline schema, or none.
fn body_key(response: &openapiv3::Response) -> String {
    match response.content.get("application/json").and_then(|m| m.schema.as_ref()) {
        None if response.content.is_empty() => "no body".into(),
        None => "non-JSON body".into(),
        Some(ReferenceOr::Reference { reference }) => reference.clone(),
        Some(ReferenceOr::Item(schema)) => serde_json::to_string(schema).unwrap_or_default(),
    }
}

fn settings() -> progenitor::GenerationSettings {
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        // Our `ClientHooks` impl (auth-free retries and error capture) must exist: forgetting it
        // would silently turn retries off.
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type("crate::client::Inner".parse().expect("a Rust path"));
    settings
}

/// Generates the client and the typed mocks, or says why it cannot.
pub fn generate(spec: &OpenAPI) -> Result<Generated, Vec<Problem>> {
    let (spec, handwritten) = generatable(spec)?;
    let client = client_code(&spec)?;
    let httpmock =
        run_progenitor("httpmock", || progenitor::Generator::new(&settings()).httpmock(&spec, "crate"))?;
    let httpmock = format_code(httpmock, |file| {
        syn::visit_mut::VisitMut::visit_file_mut(&mut EscapePathMatchers, file)
    })?;
    Ok(Generated { client, httpmock, handwritten })
}

/// Only the typed client (`Generated::client`), for tools that compare clients and need no
/// mocks, with the operations left to hand-written code.
pub fn generate_client(spec: &OpenAPI) -> Result<(String, Vec<HandwrittenOperation>), Vec<Problem>> {
    let (spec, handwritten) = generatable(spec)?;
    Ok((client_code(&spec)?, handwritten))
}

/// The spec without the hand-written operations, once it passes the checks progenitor needs.
fn generatable(spec: &OpenAPI) -> Result<(OpenAPI, Vec<HandwrittenOperation>), Vec<Problem>> {
    let handwritten = handwritten_operations(spec);
    let spec = without_handwritten(spec.clone());
    let problems = generation_problems(&spec);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok((spec, handwritten))
}

fn client_code(spec: &OpenAPI) -> Result<String, Vec<Problem>> {
    let client = run_progenitor("client", || progenitor::Generator::new(&settings()).generate_tokens(spec))?;
    format_code(client, |file| {
        syn::visit_mut::VisitMut::visit_file_mut(&mut ConvertSendErrors, file);
        syn::visit_mut::VisitMut::visit_file_mut(&mut BuilderOnly, file);
    })
}

/// progenitor reports some limits by panicking; a panic becomes a problem like any other.
fn run_progenitor(
    what: &str,
    run: impl FnOnce() -> Result<proc_macro2::TokenStream, progenitor::Error> + std::panic::UnwindSafe,
) -> Result<proc_macro2::TokenStream, Vec<Problem>> {
    let at = format!("progenitor ({what})");
    match std::panic::catch_unwind(run) {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(vec![Problem { at, reason: e.to_string() }]),
        Err(panic) => {
            let reason = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panicked".into());
            Err(vec![Problem { at, reason: format!("panicked: {reason}") }])
        }
    }
}

fn format_code(
    tokens: proc_macro2::TokenStream,
    edit: impl FnOnce(&mut syn::File),
) -> Result<String, Vec<Problem>> {
    let mut file = syn::parse2(tokens)
        .map_err(|e| vec![Problem { at: "generated code".into(), reason: format!("does not parse: {e}") }])?;
    edit(&mut file);
    Ok(format!(
        "// Generated from {SPEC_PATH} by codegen.rs (progenitor 0.15.1). Do not edit.\n\n{}",
        prettyplease::unparse(&file)
    ))
}

/// Makes every generated `send()` return the crate's own `Error`, so that no caller handles
/// progenitor's error type (whose view of a response the client has captured would mislead):
/// the generated method becomes the private `send_unconverted`, and a new `send` converts
/// (through `Client::error_from`, which also redacts the credentials).
struct ConvertSendErrors;

impl syn::visit_mut::VisitMut for ConvertSendErrors {
    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        let mut converting = Vec::new();
        for impl_item in &mut item.items {
            let syn::ImplItem::Fn(generated) = impl_item else { continue };
            if generated.sig.ident != "send" || generated.sig.asyncness.is_none() {
                continue;
            }
            let mut send = generated.clone();
            let syn::ReturnType::Type(_, output) = &mut send.sig.output else { continue };
            let syn::Type::Path(result) = output.as_mut() else { continue };
            let Some(segment) = result.path.segments.last_mut() else { continue };
            let syn::PathArguments::AngleBracketed(arguments) = &mut segment.arguments else { continue };
            let Some(syn::GenericArgument::Type(error)) = arguments.args.iter_mut().nth(1) else { continue };
            *error = syn::parse_quote!(crate::Error);
            // The client redacts its credentials from the error (a server may echo them).
            send.block = syn::parse_quote!({
                let client = self.client;
                self.send_unconverted().await.map_err(|error| client.error_from(error))
            });
            generated.sig.ident = syn::Ident::new("send_unconverted", generated.sig.ident.span());
            generated.vis = syn::Visibility::Inherited;
            generated.attrs.retain(|attribute| !attribute.path().is_ident("doc"));
            converting.push(syn::ImplItem::Fn(send));
        }
        item.items.extend(converting);
        syn::visit_mut::visit_item_impl_mut(self, item);
    }
}

/// Leaves `Client::builder()` the only way to make a client. progenitor's `Client::new` builds a
/// `reqwest::Client` that follows redirects, and `new_with_client` takes any: either would let a
/// redirect carry the credentials to another origin. `new` goes, and `new_with_client` becomes
/// crate-private (the builder passes it a client that follows no redirect).
struct BuilderOnly;

impl syn::visit_mut::VisitMut for BuilderOnly {
    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        let is_client = item.trait_.is_none()
            && matches!(item.self_ty.as_ref(), syn::Type::Path(ty) if ty.path.is_ident("Client"));
        if is_client {
            item.items.retain(|member| !matches!(member, syn::ImplItem::Fn(f) if f.sig.ident == "new"));
            for member in &mut item.items {
                if let syn::ImplItem::Fn(constructor) = member {
                    if constructor.sig.ident == "new_with_client" {
                        constructor.vis = syn::parse_quote!(pub(crate));
                    }
                }
            }
        }
        syn::visit_mut::visit_item_impl_mut(self, item);
    }
}

/// Makes the typed mocks' path matchers match what the client sends: progenitor pastes a path
/// parameter into the path regex as is, so `name("a b")` never matched the client's `a%20b`
/// and `name("a.c")` also matched `abc`. The value is percent-encoded as the client does, then
/// escaped.
struct EscapePathMatchers;

impl syn::visit_mut::VisitMut for EscapePathMatchers {
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        let is_path_regex = mac.path.is_ident("format") && mac.tokens.to_string().starts_with("\"^/");
        let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let (true, Ok(mut arguments)) =
            (is_path_regex, syn::parse::Parser::parse2(parser, mac.tokens.clone()))
        {
            for argument in arguments.iter_mut().skip(1) {
                *argument = syn::parse_quote!(regex::escape(&progenitor_client::encode_path(&#argument)));
            }
            mac.tokens = syn::parse_quote!(#arguments);
        }
        syn::visit_mut::visit_macro_mut(self, mac);
    }
}

/// What the crate needs to know about every operation at run time, as Rust source for
/// `src/spec.rs`: the coverage tests, the operation-table snapshot, default-cluster and CID
/// checks all read this one table.
pub fn operation_table_source(spec: &OpenAPI) -> String {
    let handwritten: HashSet<String> =
        handwritten_operations(spec).into_iter().map(|op| op.operation_id).collect();
    let mut out = String::from(
        "/// Every operation in the spec, in document order.\npub const OPERATIONS: &[Operation] = &[\n",
    );
    for (method, path, op) in operations(spec) {
        let id = op.operation_id.clone().unwrap_or_default();
        let scope = op.extensions.get("x-scope").and_then(|v| v.as_str());
        let authenticated = op.security.as_ref().or(spec.security.as_ref()).is_some_and(|s| !s.is_empty());
        let success_status = op
            .responses
            .responses
            .keys()
            .map(|s| s.to_string())
            .find(|s| s.starts_with('2'))
            .and_then(|s| s.parse::<u16>().ok())
            .unwrap_or(0);
        let parameter_names: Vec<String> = op
            .parameters
            .iter()
            .filter_map(|p| {
                resolve(p, "#/components/parameters/", |name| spec.components.as_ref()?.parameters.get(name))
            })
            .map(|p| p.parameter_data_ref().name.clone())
            .collect();
        let cluster = parameter_names.iter().any(|n| n.eq_ignore_ascii_case("x-cluster"));
        out.push_str(&format!(
            "    Operation {{ id: {id:?}, method: {method:?}, path: {path:?}, scope: {scope:?}, \
             authenticated: {authenticated}, success_status: {success_status}, \
             cluster_header: {cluster}, handwritten: {} }},\n",
            handwritten.contains(&id)
        ));
    }
    out.push_str("];\n");
    out
}
