//! Turns `openapi/pinarkive-v3.yaml` into Rust.
//!
//! Shared by `build.rs` and `cargo xtask codegen` (each includes it with `#[path]`), so the
//! code a user compiles and the code a maintainer reads are made by the same settings.
//! It depends only on crates both callers already have: progenitor, openapiv3, serde_yaml,
//! prettyplease, syn, quote and proc-macro2 (all of which progenitor itself builds on).

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
    /// The spec's names as types, for `src/spec.rs` (see [`names_code`]).
    pub names: String,
    /// Typed `httpmock` helpers for the generated operations.
    pub httpmock: String,
    /// Operations left out of `client`, sorted by operationId.
    pub handwritten: Vec<HandwrittenOperation>,
}

/// The public API a spec generates, for tools that compare two specs' clients.
pub struct ClientApi {
    /// As [`Generated::client`].
    pub client: String,
    /// As [`Generated::names`]; None for a spec that lacks what they need (`components.schemas.
    /// Scope`, `x-codes`), as specs from before they were added do.
    pub names: Option<String>,
    /// As [`Generated::handwritten`].
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
        if op.responses.default.is_some() {
            problem(format!(
                "has a `default` response, which codegen.rs refuses: {ENVELOPE_RULE}; list the error \
                 statuses one by one"
            ));
        }
        for status in op.responses.responses.keys() {
            match status {
                openapiv3::StatusCode::Range(class) => problem(format!(
                    "has a `{class}XX` response, which codegen.rs refuses: {ENVELOPE_RULE}, and so \
                     takes exact statuses only; list them one by one"
                )),
                openapiv3::StatusCode::Code(ENVELOPE_STATUS) => problem(format!(
                    "documents status {ENVELOPE_STATUS}, which codegen.rs refuses: {ENVELOPE_RULE}"
                )),
                openapiv3::StatusCode::Code(_) => {}
            }
        }
        let responses = op.responses.responses.iter().map(|(s, r)| (s.to_string(), r));
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

/// The status of the client's capture envelope (`ENVELOPE_STATUS` in src/error.rs).
const ENVELOPE_STATUS: u16 = 599;

/// Why the generated code must see exact statuses only.
const ENVELOPE_RULE: &str = "the client captures every response that is not a 2xx before the \
    generated code sees it and hands it on as status 599 (src/error.rs), which a `default` or `5XX` \
    response would take as its own and fail to decode, losing the real status";

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

/// What the library's `schemars` feature adds to every generated type (`build.rs` passes it to
/// [`generate_deriving`]); the default build, and `cargo xtask codegen`, go without it.
pub const JSON_SCHEMA_DERIVE: &str = "schemars::JsonSchema";

fn settings(derives: &[&str]) -> progenitor::GenerationSettings {
    let mut settings = progenitor::GenerationSettings::new();
    for derive in derives {
        settings.with_derive(derive);
    }
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        // Our `ClientHooks` impl (auth-free retries and error capture) must exist: forgetting it
        // would silently turn retries off.
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type("crate::client::Inner".parse().expect("a Rust path"));
    settings
}

/// Generates the client, the spec's names and the typed mocks, or says why it cannot.
pub fn generate(spec: &OpenAPI) -> Result<Generated, Vec<Problem>> {
    generate_deriving(spec, &[])
}

/// [`generate`], every generated type also deriving each of `derives` (paths such as
/// [`JSON_SCHEMA_DERIVE`]).
pub fn generate_deriving(spec: &OpenAPI, derives: &[&str]) -> Result<Generated, Vec<Problem>> {
    let (generatable, handwritten) = generatable(spec)?;
    let client = client_file(&generatable, derives)?;
    let names = names_code(spec, &client)?;
    let tokens = run_progenitor("httpmock", || {
        progenitor::Generator::new(&settings(derives)).httpmock(&generatable, "crate")
    })?;
    let mut httpmock = parse_generated(tokens)?;
    syn::visit_mut::VisitMut::visit_file_mut(&mut EscapePathMatchers, &mut httpmock);
    Ok(Generated { client: format_code(&client), names, httpmock: format_code(&httpmock), handwritten })
}

/// The client and, where the spec has what they need, its names; no mocks.
pub fn generate_client(spec: &OpenAPI) -> Result<ClientApi, Vec<Problem>> {
    let (generatable, handwritten) = generatable(spec)?;
    let client = client_file(&generatable, &[])?;
    let names = names_code(spec, &client).ok();
    Ok(ClientApi { client: format_code(&client), names, handwritten })
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

/// The client as progenitor generates it, with its `send` methods rewritten (see
/// [`ConvertSendErrors`]) and `Client::builder()` the only constructor.
fn client_file(spec: &OpenAPI, derives: &[&str]) -> Result<syn::File, Vec<Problem>> {
    let tokens =
        run_progenitor("client", || progenitor::Generator::new(&settings(derives)).generate_tokens(spec))?;
    let mut file = parse_generated(tokens)?;
    rewrite_sends(&mut file, &expected_sends(spec))
        .map_err(|reason| vec![Problem { at: "progenitor's generated code".into(), reason }])?;
    syn::visit_mut::VisitMut::visit_file_mut(&mut BuilderOnly, &mut file);
    Ok(file)
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

fn parse_generated(tokens: proc_macro2::TokenStream) -> Result<syn::File, Vec<Problem>> {
    syn::parse2(tokens)
        .map_err(|e| vec![Problem { at: "generated code".into(), reason: format!("does not parse: {e}") }])
}

fn format_code(file: &syn::File) -> String {
    format!(
        "// Generated from {SPEC_PATH} by codegen.rs (progenitor 0.15.1). Do not edit.\n\n{}",
        prettyplease::unparse(file)
    )
}

/// What [`rewrite_sends`] must find: every generated operation by operationId, and whether its
/// success response has a JSON body (whose decoding is rewritten).
fn expected_sends(spec: &OpenAPI) -> BTreeMap<String, bool> {
    operations(spec)
        .into_iter()
        .map(|(_, _, op)| {
            let json = op.responses.responses.iter().any(|(status, response)| {
                let success =
                    matches!(status, openapiv3::StatusCode::Code(code) if (200..300).contains(code));
                success
                    && resolve_response(spec, response)
                        .is_some_and(|r| r.content.contains_key("application/json"))
            });
            (op.operation_id.clone().unwrap_or_default(), json)
        })
        .collect()
}

/// Rewrites every generated `send()` (see [`ConvertSendErrors`]) and checks that each operation
/// of `expected` was rewritten exactly once, with its success body decoded by the crate: a
/// progenitor whose code has another shape fails the build here, naming the operations, instead
/// of leaving them on progenitor's own error and decoding.
fn rewrite_sends(file: &mut syn::File, expected: &BTreeMap<String, bool>) -> Result<(), String> {
    let mut rewrite = ConvertSendErrors::default();
    syn::visit_mut::VisitMut::visit_file_mut(&mut rewrite, file);
    let mut wrong = Vec::new();
    for (id, json) in expected {
        let sends = rewrite.sends.get(id).copied().unwrap_or(0);
        let decoded = rewrite.decoded.get(id).copied().unwrap_or(0);
        if sends != 1 || decoded != usize::from(*json) {
            wrong.push(format!("{id} ({sends} send rewritten, {decoded} success body decoded)"));
        }
    }
    let unknown: Vec<&String> = rewrite.sends.keys().filter(|id| !expected.contains_key(*id)).collect();
    if !unknown.is_empty() {
        wrong.push(format!("`send` methods of no operation of the spec: {unknown:?}"));
    }
    let rewritten = rewrite.sends.values().sum::<usize>();
    match wrong.is_empty() {
        true => Ok(()),
        false => Err(format!(
            "{rewritten} `send` methods were rewritten for {} generated operations; progenitor's code \
             no longer has the shape codegen.rs rewrites (ConvertSendErrors): {}",
            expected.len(),
            wrong.join(", ")
        )),
    }
}

/// Makes every generated `send()` return the crate's own `Error`, so that no caller handles
/// progenitor's error type (whose view of a response the client has captured would mislead):
/// the generated method becomes the private `send_unconverted`, and a new `send` converts
/// (through `Client::error_from`, which also redacts the credentials). In `send_unconverted`
/// the success body is decoded by `crate::decode::generated`, which parses it once and keeps
/// the status when it does not decode.
///
/// Counts what it rewrote, by operationId, for [`rewrite_sends`] to check.
#[derive(Default)]
struct ConvertSendErrors {
    sends: BTreeMap<String, usize>,
    decoded: BTreeMap<String, usize>,
}

impl syn::visit_mut::VisitMut for ConvertSendErrors {
    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        let mut converting = Vec::new();
        for impl_item in &mut item.items {
            let syn::ImplItem::Fn(generated) = impl_item else { continue };
            if generated.sig.ident != "send" || generated.sig.asyncness.is_none() {
                continue;
            }
            let Some(id) = operation_id(&generated.block) else { continue };
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
            let mut decode = DecodeSuccess::default();
            syn::visit_mut::VisitMut::visit_block_mut(&mut decode, &mut generated.block);
            *self.decoded.entry(id.clone()).or_default() += decode.rewritten;
            *self.sends.entry(id).or_default() += 1;
            generated.sig.ident = syn::Ident::new("send_unconverted", generated.sig.ident.span());
            generated.vis = syn::Visibility::Inherited;
            generated.attrs.retain(|attribute| !attribute.path().is_ident("doc"));
            converting.push(syn::ImplItem::Fn(send));
        }
        item.items.extend(converting);
        syn::visit_mut::visit_item_impl_mut(self, item);
    }
}

/// The operationId a generated `send` names in its `OperationInfo { operation_id: "..." }`.
fn operation_id(block: &syn::Block) -> Option<String> {
    struct Find(Option<String>);
    impl<'ast> syn::visit::Visit<'ast> for Find {
        fn visit_expr_struct(&mut self, expr: &'ast syn::ExprStruct) {
            if expr.path.is_ident("OperationInfo") {
                for field in &expr.fields {
                    let is_id = matches!(&field.member, syn::Member::Named(name) if name == "operation_id");
                    if let (true, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(id), .. })) =
                        (is_id, &field.expr)
                    {
                        self.0 = Some(id.value());
                    }
                }
            }
            syn::visit::visit_expr_struct(self, expr);
        }
    }
    let mut find = Find(None);
    syn::visit::Visit::visit_block(&mut find, block);
    find.0
}

/// In the `match response.status().as_u16()` of a generated `send`, makes the arm of a 2xx
/// status that decodes JSON (`ResponseValue::from_response(response).await`) call
/// `crate::decode::generated(response).await` instead.
#[derive(Default)]
struct DecodeSuccess {
    rewritten: usize,
}

impl syn::visit_mut::VisitMut for DecodeSuccess {
    fn visit_expr_match_mut(&mut self, expr: &mut syn::ExprMatch) {
        let on_status = tokens(&expr.expr) == tokens(&syn::parse_quote!(response.status().as_u16()));
        let from_response: syn::Expr = syn::parse_quote!(ResponseValue::from_response(response).await);
        for arm in expr.arms.iter_mut().filter(|_| on_status) {
            if is_success_status(&arm.pat) && tokens(unblocked(&arm.body)) == tokens(&from_response) {
                *arm.body = syn::parse_quote!(crate::decode::generated(response).await);
                self.rewritten += 1;
            }
        }
        syn::visit_mut::visit_expr_match_mut(self, expr);
    }
}

/// `{ e }` as `e`.
fn unblocked(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Block(block) if block.attrs.is_empty() && block.label.is_none() => {
            match block.block.stmts.as_slice() {
                [syn::Stmt::Expr(inner, None)] => inner,
                _ => expr,
            }
        }
        _ => expr,
    }
}

fn tokens(expr: &syn::Expr) -> String {
    quote::ToTokens::to_token_stream(expr).to_string()
}

/// A pattern such as `200u16`: one 2xx status.
fn is_success_status(pat: &syn::Pat) -> bool {
    match pat {
        syn::Pat::Lit(syn::PatLit { lit: syn::Lit::Int(status), .. }) => {
            status.base10_parse::<u16>().is_ok_and(|s| (200..300).contains(&s))
        }
        _ => false,
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

/// The spec's names as Rust, for `src/spec.rs` (which defines `Operation` and the accessors):
///
/// - `OperationId`, one variant per operation in document order, and `OPERATIONS`, the facts
///   of each (method, path, summary, `x-scope`, authentication, tag, success status, whether it
///   takes `X-Cluster`, whether it is hand-written), indexed by the variant;
/// - `Scope::ALL` and `Scope::as_str`, read off the `Scope` enum progenitor generated from
///   `components.schemas.Scope`, so the variants are progenitor's own;
/// - `ErrorCode`, from the `x-codes` of `ErrorBody.code`, with each code's statuses.
///
/// Fails, naming the place, on an `x-scope` that is no scope, or an `x-codes` list that cannot
/// be turned into variants.
pub fn names_code(spec: &OpenAPI, client: &syn::File) -> Result<String, Vec<Problem>> {
    let mut problems = Vec::new();
    let scopes = scope_variants(client);
    if scopes.is_empty() {
        problems.push(Problem {
            at: "components.schemas.Scope".into(),
            reason: "is missing or not a string enum; it lists the token scopes, which `x-scope` names"
                .into(),
        });
    }
    let handwritten: HashSet<String> =
        handwritten_operations(spec).into_iter().map(|op| op.operation_id).collect();
    let mut variants = String::new();
    let mut all = String::new();
    let mut facts = String::new();
    let mut lookup = String::new();
    let operations = operations(spec);
    for (method, path, op) in &operations {
        let id = op.operation_id.clone().unwrap_or_default();
        let variant = pascal_case(&id);
        let summary = op.summary.as_deref().unwrap_or("").trim();
        let scope = match op.extensions.get("x-scope").map(|v| v.as_str()) {
            None | Some(Some(NONE_DOCUMENTED)) => "None".to_string(),
            Some(Some(value)) => match scopes.iter().find(|(name, _)| name == value) {
                Some((_, scope)) => format!("Some(Scope::{scope})"),
                None => {
                    problems.push(Problem {
                        at: label(method, path, op),
                        reason: format!(
                            "x-scope `{value}` is not a value of components.schemas.Scope (nor \
                             `{NONE_DOCUMENTED}`)"
                        ),
                    });
                    "None".to_string()
                }
            },
            Some(None) => {
                problems
                    .push(Problem { at: label(method, path, op), reason: "x-scope is not a string".into() });
                "None".to_string()
            }
        };
        let authenticated = op.security.as_ref().or(spec.security.as_ref()).is_some_and(|s| !s.is_empty());
        let tag = op.tags.first().map(String::as_str).unwrap_or("");
        let success_status = op
            .responses
            .responses
            .keys()
            .find_map(|status| match status {
                openapiv3::StatusCode::Code(code) if (200..300).contains(code) => Some(*code),
                _ => None,
            })
            .unwrap_or(0);
        let cluster_header = op
            .parameters
            .iter()
            .filter_map(|p| {
                resolve(p, "#/components/parameters/", |name| spec.components.as_ref()?.parameters.get(name))
            })
            .any(|p| p.parameter_data_ref().name.eq_ignore_ascii_case("x-cluster"));
        let doc = format!(" `{id}`: `{method} {path}`. {summary}");
        variants.push_str(&format!("    #[doc = {doc:?}]\n    {variant},\n"));
        all.push_str(&format!("OperationId::{variant}, "));
        lookup.push_str(&format!("{id:?} => Some(OperationId::{variant}),\n"));
        facts.push_str(&format!(
            "    Operation {{ id: {id:?}, method: {method:?}, path: {path:?}, summary: {summary:?}, \
             scope: {scope}, authenticated: {authenticated}, tag: {tag:?}, \
             success_status: {success_status}, cluster_header: {cluster_header}, handwritten: {} }},\n",
            handwritten.contains(&id)
        ));
    }
    let codes = error_codes(spec).unwrap_or_else(|mut found| {
        problems.append(&mut found);
        Vec::new()
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    let scope_all: String = scopes.iter().map(|(_, variant)| format!("Scope::{variant}, ")).collect();
    let scope_names: String =
        scopes.iter().map(|(name, variant)| format!("Scope::{variant} => {name:?},\n")).collect();
    let mut code_variants = String::new();
    let mut code_known = String::new();
    let mut code_names = String::new();
    let mut code_parse = String::new();
    let mut code_statuses = String::new();
    for code in &codes {
        let statuses: Vec<String> = code.statuses.iter().map(u16::to_string).collect();
        let doc = format!(" `{}` ({}): {}", code.code, statuses.join(", "), code.description);
        code_variants.push_str(&format!("    #[doc = {doc:?}]\n    {},\n", code.name));
        code_known.push_str(&format!("ErrorCode::{}, ", code.name));
        code_names.push_str(&format!("ErrorCode::{} => {:?},\n", code.name, code.code));
        code_parse.push_str(&format!("{:?} => ErrorCode::{},\n", code.code, code.name));
        code_statuses.push_str(&format!("ErrorCode::{} => &[{}],\n", code.name, statuses.join(", ")));
    }
    let count = operations.len();
    let text = format!(
        r#"
/// An operation of the API, by its `operationId`: one variant per operation of the spec, in
/// its order. What the spec says of each is read with the methods of [`OperationId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum OperationId {{
{variants}}}

impl OperationId {{
    /// Every operation, in the spec's order.
    pub const ALL: &'static [OperationId] = &[{all}];
}}

/// The facts of every operation, indexed by [`OperationId`].
const OPERATIONS: [Operation; {count}] = [
{facts}];

/// The operation of an `operationId` (a `match`: the client hook asks on every call).
fn lookup(id: &str) -> Option<OperationId> {{
    match id {{
        {lookup}
        _ => None,
    }}
}}

impl Scope {{
    /// Every scope, in the spec's order.
    pub const ALL: &'static [Scope] = &[{scope_all}];

    /// The scope as the API spells it, such as `files:read`.
    pub const fn as_str(self) -> &'static str {{
        match self {{
            {scope_names}
        }}
    }}
}}

/// An error code of the API (the error body's `code`): the codes the spec lists, each with
/// the statuses it comes with, and [`ErrorCode::Other`] for any other.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {{
{code_variants}    /// A code this version does not know.
    Other(String),
}}

impl ErrorCode {{
    /// Every code the spec lists, in its order.
    pub const KNOWN: &'static [ErrorCode] = &[{code_known}];

    /// The code as the API spells it.
    pub fn as_str(&self) -> &str {{
        match self {{
            {code_names}
            ErrorCode::Other(code) => code,
        }}
    }}

    /// The statuses the spec says the code comes with; none for [`ErrorCode::Other`].
    pub fn statuses(&self) -> &'static [u16] {{
        match self {{
            {code_statuses}
            ErrorCode::Other(_) => &[],
        }}
    }}
}}

impl From<&str> for ErrorCode {{
    fn from(code: &str) -> Self {{
        match code {{
            {code_parse}
            other => ErrorCode::Other(other.to_string()),
        }}
    }}
}}
"#
    );
    let file = syn::parse_file(&text).map_err(|e| {
        vec![Problem {
            at: "the spec's names".into(),
            reason: format!("the generated code does not parse: {e}"),
        }]
    })?;
    Ok(format_code(&file))
}

/// The `x-scope` of an authenticated route for which no source names a scope.
pub const NONE_DOCUMENTED: &str = "none-documented";

/// The variants of `types::Scope` as progenitor generated them: (the value, the variant).
fn scope_variants(client: &syn::File) -> Vec<(String, String)> {
    let types = client.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    });
    let scope = types.into_iter().flatten().find_map(|item| match item {
        syn::Item::Enum(e) if e.ident == "Scope" => Some(e),
        _ => None,
    });
    let mut out = Vec::new();
    for variant in scope.into_iter().flat_map(|e| &e.variants) {
        let mut value = None;
        for attribute in variant.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            let _ = attribute.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    value = Some(meta.value()?.parse::<syn::LitStr>()?.value());
                }
                Ok(())
            });
        }
        out.push((value.unwrap_or_else(|| variant.ident.to_string()), variant.ident.to_string()));
    }
    out
}

/// `users_me_get` as `UsersMeGet`.
fn pascal_case(id: &str) -> String {
    id.split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The `x-codes` extension of `ErrorBody.code`, if it has one.
pub fn x_codes(spec: &OpenAPI) -> Option<&serde_json::Value> {
    let code = spec
        .components
        .as_ref()
        .and_then(|c| c.schemas.get("ErrorBody"))
        .and_then(ReferenceOr::as_item)
        .and_then(|schema| match &schema.schema_kind {
            openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)) => object.properties.get("code"),
            _ => None,
        })
        .and_then(ReferenceOr::as_item)?;
    code.schema_data.extensions.get("x-codes")
}

/// One entry of `x-codes`.
struct KnownCode {
    code: String,
    name: String,
    statuses: Vec<u16>,
    description: String,
}

/// The `x-codes` of `ErrorBody.code`, checked: each has a `code`, a `name` that can be a Rust
/// variant (PascalCase, not `Other`), error `statuses` and a `description`; codes and names are
/// unique.
fn error_codes(spec: &OpenAPI) -> Result<Vec<KnownCode>, Vec<Problem>> {
    const AT: &str = "components.schemas.ErrorBody.properties.code.x-codes";
    let problem = |at: String, reason: &str| Problem { at, reason: reason.to_string() };
    let Some(list) = x_codes(spec) else {
        return Err(vec![problem(
            AT.into(),
            "is missing: it lists the error codes the API is known to send",
        )]);
    };
    let Some(entries) = list.as_array() else { return Err(vec![problem(AT.into(), "is not a list")]) };
    let mut problems = Vec::new();
    let mut codes: Vec<KnownCode> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("{AT}[{i}]");
        let text =
            |key: &str| entry.get(key).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty());
        let (Some(code), Some(name), Some(description)) = (text("code"), text("name"), text("description"))
        else {
            problems.push(problem(at, "needs `code`, `name` and `description`, each a non-empty string"));
            continue;
        };
        let variant = name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if !variant || name == "Other" {
            problems.push(problem(
                at.clone(),
                "`name` must be a PascalCase word (letters and digits) other than `Other`",
            ));
        }
        let statuses: Option<Vec<u16>> = entry.get("statuses").and_then(|v| v.as_array()).and_then(|list| {
            list.iter()
                .map(|s| s.as_u64().and_then(|s| u16::try_from(s).ok()).filter(|s| (400..600).contains(s)))
                .collect()
        });
        let statuses = match statuses {
            Some(statuses) if !statuses.is_empty() => statuses,
            _ => {
                problems.push(problem(
                    at.clone(),
                    "`statuses` must list the error statuses (400 to 599) the code comes with",
                ));
                Vec::new()
            }
        };
        if codes.iter().any(|known| known.code == code || known.name == name) {
            problems.push(problem(at, &format!("code `{code}` or name `{name}` is listed twice")));
        }
        codes.push(KnownCode {
            code: code.into(),
            name: name.into(),
            statuses,
            description: description.into(),
        });
    }
    match problems.is_empty() {
        true => Ok(codes),
        false => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spec with what generation needs: one operation, the scopes and the error codes.
    fn spec(extra_responses: &str) -> OpenAPI {
        let text = format!(
            r#"
openapi: 3.0.3
info: {{title: t, version: "1"}}
paths:
  /things/{{id}}:
    get:
      operationId: things_get
      summary: A thing
      tags: [things]
      x-scope: files:read
      security: [{{ApiKeyHeader: []}}]
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Thing'}}
        '404':
          $ref: '#/components/responses/Error'
{extra_responses}
components:
  securitySchemes:
    ApiKeyHeader: {{type: apiKey, in: header, name: X-API-Key}}
  responses:
    Error:
      description: error
      content:
        application/json:
          schema: {{$ref: '#/components/schemas/ErrorBody'}}
  schemas:
    Thing:
      type: object
      properties:
        cid: {{type: string}}
    Scope:
      type: string
      enum: [files:read, files:write]
    ErrorBody:
      type: object
      properties:
        code:
          type: string
          x-codes:
            - {{code: NOPE, name: Nope, statuses: [404], description: Not there.}}
"#
        );
        serde_yaml::from_str(&text).expect("a valid test spec")
    }

    fn reasons(problems: Vec<Problem>) -> String {
        problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn every_send_is_rewritten_and_the_names_are_generated() {
        let generated = generate(&spec("")).unwrap_or_else(|p| panic!("{}", reasons(p)));
        assert!(
            generated.client.contains("crate::decode::generated(response).await"),
            "{}",
            generated.client
        );
        assert!(generated.client.contains("async fn send_unconverted"));
        for expected in [
            "/// `things_get`: `GET /things/{id}`. A thing\n    ThingsGet,",
            "id: \"things_get\",\n        method: \"GET\",\n        path: \"/things/{id}\",",
            "scope: Some(Scope::FilesRead)",
            "Scope::FilesWrite => \"files:write\"",
            "\"NOPE\" => ErrorCode::Nope",
            "ErrorCode::Nope => &[404]",
        ] {
            assert!(generated.names.contains(expected), "{expected} is missing from:\n{}", generated.names);
        }
    }

    #[test]
    fn a_default_response_fails_naming_the_operation_and_why() {
        let extra = "        default:\n          $ref: '#/components/responses/Error'";
        let problems = reasons(generate(&spec(extra)).err().expect("refused"));
        assert!(problems.contains("things_get (GET /things/{id}): has a `default` response"), "{problems}");
        assert!(problems.contains("status 599"), "{problems}");
    }

    #[test]
    fn status_ranges_and_the_envelope_status_fail_naming_the_operation() {
        let extra = "        5XX:\n          $ref: '#/components/responses/Error'";
        let problems = reasons(generate(&spec(extra)).err().expect("refused"));
        assert!(problems.contains("things_get (GET /things/{id}): has a `5XX` response"), "{problems}");
        let extra = "        '599':\n          $ref: '#/components/responses/Error'";
        let problems = reasons(generate(&spec(extra)).err().expect("refused"));
        assert!(problems.contains("things_get (GET /things/{id}): documents status 599"), "{problems}");
    }

    /// A progenitor whose `send` or success arm has another shape than the one rewritten fails
    /// the build, naming the operations it missed.
    #[test]
    fn a_send_of_another_shape_fails_the_build() {
        let expected: BTreeMap<String, bool> =
            [("things_get".to_string(), true), ("things_list".to_string(), true)].into();
        let send = |body: &str| -> String {
            format!(
                r#"impl<'a> ThingsGet<'a> {{
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::ErrorBody>> {{
                        let info = OperationInfo {{ operation_id: "things_get" }};
                        let response = result?;
                        match response.status().as_u16() {{ {body} _ => Err(Error::UnexpectedResponse(response)) }}
                    }}
                }}"#
            )
        };
        let mut file =
            syn::parse_file(&send("200u16 => ResponseValue::from_response(response).await,")).unwrap();
        let missing = rewrite_sends(&mut file, &expected).unwrap_err();
        assert!(missing.contains("things_list (0 send rewritten, 0 success body decoded)"), "{missing}");
        assert!(!missing.contains("things_get"), "{missing}");

        let only_get: BTreeMap<String, bool> = [("things_get".to_string(), true)].into();
        let mut file =
            syn::parse_file(&send("200u16 => ResponseValue::from_response(response).await,")).unwrap();
        assert_eq!(rewrite_sends(&mut file, &only_get), Ok(()));

        // The success body decoded some other way: the decoding is not the crate's.
        let other = send("200u16 => ResponseValue::from_response_json(response).await,");
        let mut file = syn::parse_file(&other).unwrap();
        let problem = rewrite_sends(&mut file, &only_get).unwrap_err();
        assert!(problem.contains("things_get (1 send rewritten, 0 success body decoded)"), "{problem}");

        // `send` no longer async, or gone: nothing is rewritten.
        let sync =
            send("200u16 => ResponseValue::from_response(response).await,").replace("pub async fn", "pub fn");
        let mut file = syn::parse_file(&sync).unwrap();
        let problem = rewrite_sends(&mut file, &only_get).unwrap_err();
        assert!(
            problem.starts_with("0 `send` methods were rewritten for 1 generated operations"),
            "{problem}"
        );
    }
}
