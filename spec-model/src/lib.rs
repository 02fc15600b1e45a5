//! The OpenAPI document as the workspace's tools read it: a plain JSON tree (from YAML or JSON
//! text, OpenAPI 3.0 or 3.1), the one `$ref` resolver they share, and the operations with their
//! path-level parameters merged and their routes normalised.
//!
//! Nothing here trusts the file. The text's size is capped, its nesting is bounded by the
//! parsers (serde_yaml and serde_json both stop at 128 levels), every walk over the tree is
//! iterative, and a `$ref` chain that loops or runs longer than [`MAX_REF_HOPS`] is an error that
//! names where it starts, never a hang or a stack overflow.
//!
//! The workspace's tools read the spec through this crate: `cargo xtask lint-spec`, `check-docs`
//! and `spec-diff`, and the contract suite's conformance checks and observations. It does not
//! depend on the client crate, so the spec tools work when the spec breaks the client's build.
//! (`codegen.rs` keeps its own small reading of `openapiv3` types: it runs in the client's build
//! script, where only published crates may be used.)

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use serde_json::Value;

/// The largest spec text read (the real one is about 150 KB).
pub const MAX_SPEC_BYTES: usize = 16 << 20;

/// The deepest nesting a document may have: the parsers' own limit.
pub const MAX_NESTING: usize = 128;

/// The longest chain of `$ref`s to `$ref`s that is followed.
pub const MAX_REF_HOPS: usize = 32;

/// The most operations, component schemas and values of one enum that the tools hand to
/// progenitor: its time grows with them (about a millisecond per operation), and a client
/// beyond them would be of no use anyway.
pub const MAX_GENERATED_OPERATIONS: usize = 2_000;
pub const MAX_GENERATED_SCHEMAS: usize = 5_000;
pub const MAX_ENUM_VALUES: usize = 10_000;

/// The keys of a path item that hold operations, in the order reports list them.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/// A parsed document.
#[derive(Debug, Clone)]
pub struct Document {
    root: Value,
}

/// Why a `$ref` cannot be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    /// Not a local reference (`other.yaml#/x`, `https://…`).
    External(String),
    /// Names nothing in the document.
    Dangling(String),
    /// References that lead back to themselves, in the order followed.
    Cycle(Vec<String>),
    /// A chain longer than [`MAX_REF_HOPS`]: the references followed.
    TooLong(Vec<String>),
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefError::External(r) => {
                write!(f, "$ref '{r}' points outside the file; the spec must be self-contained")
            }
            RefError::Dangling(r) => write!(f, "$ref '{r}' does not resolve"),
            RefError::Cycle(chain) => write!(f, "$ref cycle: {} -> {}", chain.join(" -> "), chain[0]),
            RefError::TooLong(chain) => write!(
                f,
                "$ref '{}' starts a chain of more than {MAX_REF_HOPS} references to references",
                chain[0]
            ),
        }
    }
}

/// A node with its `$ref`s followed.
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'a> {
    pub node: &'a Value,
    /// The last reference followed (`#/components/schemas/Pin`); None when the node was no
    /// reference.
    pub reference: Option<&'a str>,
}

impl Resolved<'_> {
    /// Where the node is: the last reference followed, else `written_at`.
    pub fn pointer(&self, written_at: &str) -> String {
        self.reference.map_or_else(|| written_at.to_string(), str::to_string)
    }
}

impl Document {
    /// Parses YAML or JSON text; the error says why it is no OpenAPI document.
    pub fn parse(text: &str) -> Result<Document, String> {
        if text.len() > MAX_SPEC_BYTES {
            return Err(format!(
                "the document is {} bytes, more than the {} MiB a spec may have",
                text.len(),
                MAX_SPEC_BYTES >> 20
            ));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let root: Value = if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?
        } else {
            // serde_yaml stops at 128 levels too, but only after time quadratic in the depth,
            // and it overflows the stack on deeper input; so the depth is measured first.
            if let Some(line) = too_deep_yaml(text) {
                return Err(format!(
                    "not YAML this tool reads: line {line} nests more than {MAX_NESTING} levels deep"
                ));
            }
            serde_yaml::from_str(text).map_err(|e| format!("not YAML: {e}"))?
        };
        if !root.is_object() {
            return Err("the document is not an object".into());
        }
        if !root.get("paths").is_none_or(Value::is_object) {
            return Err("`paths` is not an object".into());
        }
        Ok(Document { root })
    }

    /// A document already parsed (the contract suite's embedded spec).
    pub fn from_value(root: Value) -> Document {
        Document { root }
    }

    pub fn root(&self) -> &Value {
        &self.root
    }

    pub fn into_root(self) -> Value {
        self.root
    }

    /// `openapi`, such as `3.0.3`.
    pub fn version(&self) -> &str {
        self.root.get("openapi").and_then(Value::as_str).unwrap_or("")
    }

    /// See [`ref_problems`].
    pub fn ref_problems(&self) -> Vec<(String, RefError)> {
        ref_problems(&self.root)
    }

    /// See [`operations`].
    pub fn operations(&self) -> Vec<Operation<'_>> {
        operations(&self.root)
    }
}

/// Every `$ref` below `root` that cannot be followed, with the pointer of the object holding
/// it. A cycle is reported once, where the walk first meets it, and so is a long chain (not
/// once per reference in it).
pub fn ref_problems(root: &Value) -> Vec<(String, RefError)> {
    let mut problems = Vec::new();
    let mut cycles: HashSet<Vec<String>> = HashSet::new();
    let mut in_long_chains: HashSet<String> = HashSet::new();
    for_each_node(root, |tokens, node| {
        let Some(Value::String(reference)) = node.get("$ref") else { return };
        match resolve(root, node) {
            Ok(_) => {}
            Err(RefError::Cycle(chain)) => {
                let mut members = chain.clone();
                members.sort();
                if cycles.insert(members) {
                    problems.push((pointer(tokens), RefError::Cycle(chain)));
                }
            }
            Err(RefError::TooLong(chain)) => {
                if in_long_chains.insert(reference.clone()) {
                    // Every reference further down the chain is part of this problem.
                    let mut next = Some(reference.as_str());
                    while let Some(target) = next.and_then(|r| pointee(root, r).ok()) {
                        next = target
                            .get("$ref")
                            .and_then(Value::as_str)
                            .filter(|r| in_long_chains.insert(r.to_string()));
                    }
                    problems.push((pointer(tokens), RefError::TooLong(chain)));
                }
            }
            Err(e) => problems.push((pointer(tokens), e)),
        }
    });
    problems
}

/// Why the tools will not generate a client from `root`, if it is too large (see
/// [`MAX_GENERATED_OPERATIONS`]).
pub fn beyond_generation_limits(root: &Value) -> Option<String> {
    let operations = operations(root).len();
    if operations > MAX_GENERATED_OPERATIONS {
        return Some(format!(
            "it has {operations} operations; the tools generate at most {MAX_GENERATED_OPERATIONS}"
        ));
    }
    let schemas = root.pointer("/components/schemas").and_then(Value::as_object).map_or(0, |s| s.len());
    if schemas > MAX_GENERATED_SCHEMAS {
        return Some(format!(
            "it has {schemas} component schemas; the tools generate at most {MAX_GENERATED_SCHEMAS}"
        ));
    }
    let mut huge = None;
    for_each_node(root, |tokens, node| {
        let values = node.get("enum").and_then(Value::as_array).map_or(0, Vec::len);
        if values > MAX_ENUM_VALUES && huge.is_none() {
            huge = Some(format!(
                "the enum at {} has {values} values; the tools generate at most {MAX_ENUM_VALUES}",
                pointer(tokens)
            ));
        }
    });
    huge
}

/// Every operation, in document order (paths as written, methods in [`METHODS`] order). A path
/// item given by `$ref` is followed; one that does not resolve has no operations
/// ([`ref_problems`] names it).
pub fn operations(root: &Value) -> Vec<Operation<'_>> {
    let Some(paths) = root.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, item) in paths {
        let Ok(item) = resolve(root, item) else { continue };
        for method in METHODS {
            let Some(node) = item.node.get(method).filter(|n| n.is_object()) else { continue };
            out.push(Operation {
                method: upper_case(method),
                path,
                route: route(path),
                id: node.get("operationId").and_then(Value::as_str),
                pointer: format!("#/paths/{}/{method}", escape(path)),
                node,
                path_item: item.node,
                path_item_pointer: item.pointer(&format!("#/paths/{}", escape(path))),
            });
        }
    }
    out
}

/// `GET` for `get`: how reports spell a path item's method key.
fn upper_case(method: &str) -> &'static str {
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

/// The first line where YAML `text` nests deeper than [`MAX_NESTING`], in one pass over it.
///
/// An estimate from above that needs no parser: every open block (by indentation, each dash of
/// a `- - x` line counting once) and every open flow bracket counts as a level. Brackets inside
/// plain, quoted and block scalars are text and do not count.
fn too_deep_yaml(text: &str) -> Option<usize> {
    let mut blocks: Vec<usize> = Vec::new(); // indentation of the open blocks
    let mut flow = 0usize; // open flow brackets
    let mut quote: Option<u8> = None; // inside a quoted scalar, which may span lines
    let mut scalar_above: Option<usize> = None; // inside a block scalar of a line so indented
    for (n, line) in text.lines().enumerate() {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        if let Some(owner) = scalar_above {
            if indent > owner || indent == bytes.len() {
                continue;
            }
            scalar_above = None;
        }
        let mut at = indent;
        let mut value_start = false;
        if flow == 0 && quote.is_none() {
            if at == bytes.len() || bytes[at] == b'#' {
                continue;
            }
            while blocks.last().is_some_and(|&open| open >= indent) {
                blocks.pop();
            }
            blocks.push(indent);
            // `- - x`: each dash opens a sequence whose items sit further right.
            while bytes.get(at) == Some(&b'-') && matches!(bytes.get(at + 1), Some(b' ') | None) {
                at += 1;
                at += bytes[at..].iter().take_while(|&&b| b == b' ').count();
                blocks.push(at);
            }
            value_start = true;
        }
        while at < bytes.len() {
            let b = bytes[at];
            let next = bytes.get(at + 1).copied();
            let after_space = at == 0 || bytes[at - 1] == b' ';
            if let Some(q) = quote {
                if q == b'"' && b == b'\\' {
                    at += 1; // the escaped character
                } else if b == q && q == b'\'' && next == Some(b'\'') {
                    at += 1; // `''` is a quote inside a single-quoted scalar
                } else if b == q {
                    quote = None;
                }
            } else if flow > 0 {
                let token_start = at == 0 || matches!(bytes[at - 1], b' ' | b',' | b'[' | b'{' | b':');
                match b {
                    b'"' | b'\'' if token_start => quote = Some(b),
                    b'[' | b'{' => flow += 1,
                    b']' | b'}' => flow -= 1,
                    b'#' if after_space => break,
                    _ => {}
                }
            } else if value_start && b != b' ' {
                value_start = false;
                match b {
                    b'[' | b'{' => flow += 1,
                    b'"' | b'\'' => quote = Some(b),
                    b'#' => break,
                    b'&' | b'!' | b'?' => value_start = true, // an anchor, a tag or a key comes first
                    b'|' | b'>' => {
                        let indicators = line[at + 1..]
                            .trim_start_matches(['-', '+', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
                        let rest = indicators.trim_start();
                        if rest.is_empty() || rest.starts_with('#') {
                            scalar_above = Some(indent);
                            break;
                        }
                    }
                    _ => {}
                }
                if value_start {
                    // Skip the anchor, tag or `?` up to the next space.
                    at += bytes[at..].iter().take_while(|&&b| b != b' ').count();
                    continue;
                }
            } else if b == b':' && matches!(next, Some(b' ') | None) {
                value_start = true;
            } else if b == b'#' && after_space {
                break;
            }
            if flow > MAX_NESTING {
                return Some(n + 1);
            }
            at += 1;
        }
        if blocks.len() + flow > MAX_NESTING {
            return Some(n + 1);
        }
    }
    None
}

/// A schema as the tools compare and check it, read from either spelling: `$ref`s of its
/// `allOf` branches followed and merged in, OpenAPI 3.0 and 3.1 spellings read alike
/// (`nullable: true` and `type: [.., "null"]`, an `anyOf` with a `null` branch,
/// `exclusiveMinimum` as a flag or a number, `const` as a one-value `enum`).
#[derive(Default)]
pub struct Schema<'a> {
    /// None: any type. `null` is in the set when null is accepted.
    pub types: Option<BTreeSet<String>>,
    pub format: Option<&'a str>,
    pub enumeration: Option<Vec<&'a Value>>,
    /// Name → (schema, its pointer).
    pub properties: BTreeMap<&'a str, (&'a Value, String)>,
    pub required: BTreeSet<&'a str>,
    pub items: Option<(&'a Value, String)>,
    pub additional: Additional<'a>,
    /// `oneOf` / `anyOf` branches that are not the `null` of a 3.1 nullable.
    pub alternatives: Vec<(&'a Value, String)>,
    pub lower: Option<(f64, bool)>,
    pub upper: Option<(f64, bool)>,
    /// Integer constraints that tighten as they grow (`minLength`), or as they shrink.
    pub at_least: BTreeMap<&'static str, f64>,
    pub at_most: BTreeMap<&'static str, f64>,
    pub pattern: Option<&'a str>,
    pub multiple_of: Option<f64>,
    pub unique_items: bool,
    pub default: Option<&'a Value>,
    pub deprecated: bool,
    pub description: Option<&'a str>,
    pub example: Option<&'a Value>,
    pub extensions: BTreeMap<&'a str, &'a Value>,
}

#[derive(Default, Clone, Copy)]
pub enum Additional<'a> {
    /// Absent, `true` or `{}`.
    #[default]
    Any,
    /// `false`.
    Nothing,
    Schema(&'a Value),
}

impl<'a> Schema<'a> {
    /// Reads `schema` (already resolved) found at `pointer`; `allOf` branches merge into it.
    pub fn read(root: &'a Value, schema: &'a Value, pointer: &str) -> Schema<'a> {
        let mut view = Schema::default();
        view.merge(root, schema, pointer, 0);
        view
    }

    fn merge(&mut self, root: &'a Value, schema: &'a Value, pointer: &str, depth: usize) {
        let Some(map) = schema.as_object() else {
            if schema == &Value::Bool(false) {
                self.types = Some(BTreeSet::new());
            }
            return;
        };
        let mut types: Option<BTreeSet<String>> = match map.get("type") {
            Some(Value::String(t)) => Some([t.clone()].into()),
            Some(Value::Array(ts)) => Some(ts.iter().filter_map(Value::as_str).map(str::to_string).collect()),
            _ => None,
        };
        if map.get("nullable") == Some(&Value::Bool(true)) {
            if let Some(types) = types.as_mut() {
                types.insert("null".into());
            }
        }
        // 3.1 writes a nullable `X` as `anyOf: [X, {type: "null"}]`.
        for key in ["oneOf", "anyOf"] {
            let Some(branches) = map.get(key).and_then(Value::as_array) else { continue };
            let is_null = |b: &Value| b.get("type").and_then(Value::as_str) == Some("null");
            let others: Vec<(usize, &Value)> =
                branches.iter().enumerate().filter(|(_, b)| !is_null(b)).collect();
            if others.len() == 1 && branches.len() == 2 && depth < 8 {
                let (i, other) = others[0];
                let at = format!("{pointer}/{key}/{i}");
                if let Ok(found) = resolve(root, other) {
                    self.merge(root, found.node, &found.pointer(&at), depth + 1);
                }
                let mut with_null = self.types.clone().unwrap_or_default();
                with_null.insert("null".into());
                self.types = Some(with_null);
            } else {
                for (i, branch) in branches.iter().enumerate() {
                    self.alternatives.push((branch, format!("{pointer}/{key}/{i}")));
                }
            }
        }
        if let Some(types) = types {
            self.types = Some(match self.types.take() {
                Some(mine) if !mine.is_empty() => mine.intersection(&types).cloned().collect(),
                _ => types,
            });
        }
        self.format = self.format.or(map.get("format").and_then(Value::as_str));
        if let Some(values) = map.get("enum").and_then(Value::as_array) {
            self.enumeration = Some(values.iter().collect());
        } else if let Some(value) = map.get("const") {
            self.enumeration = Some(vec![value]);
        }
        for (name, property) in map.get("properties").and_then(Value::as_object).into_iter().flatten() {
            let at = format!("{pointer}/properties/{}", escape(name));
            self.properties.entry(name).or_insert((property, at));
        }
        self.required.extend(
            map.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str),
        );
        if let Some(items) = map.get("items") {
            self.items = Some((items, format!("{pointer}/items")));
        }
        match map.get("additionalProperties") {
            Some(Value::Bool(false)) => self.additional = Additional::Nothing,
            Some(schema @ Value::Object(fields)) if !fields.is_empty() => {
                self.additional = Additional::Schema(schema)
            }
            _ => {}
        }
        let number = |key: &str| map.get(key).and_then(Value::as_f64);
        let flag = |key: &str| map.get(key) == Some(&Value::Bool(true));
        // 3.0: `minimum` with `exclusiveMinimum: true`; 3.1: `exclusiveMinimum: 5`.
        if let Some(min) = number("exclusiveMinimum") {
            self.lower = Some((min, true));
        } else if let Some(min) = number("minimum") {
            self.lower = Some((min, flag("exclusiveMinimum")));
        }
        if let Some(max) = number("exclusiveMaximum") {
            self.upper = Some((max, true));
        } else if let Some(max) = number("maximum") {
            self.upper = Some((max, flag("exclusiveMaximum")));
        }
        for key in ["minLength", "minItems", "minProperties"] {
            if let Some(n) = number(key) {
                self.at_least.insert(key_name(key), n);
            }
        }
        for key in ["maxLength", "maxItems", "maxProperties"] {
            if let Some(n) = number(key) {
                self.at_most.insert(key_name(key), n);
            }
        }
        self.pattern = self.pattern.or(map.get("pattern").and_then(Value::as_str));
        self.multiple_of = self.multiple_of.or(number("multipleOf"));
        self.unique_items |= flag("uniqueItems");
        self.default = self.default.or(map.get("default"));
        self.deprecated |= flag("deprecated");
        self.description = self.description.or(map.get("description").and_then(Value::as_str));
        self.example = self.example.or(map.get("example")).or(map.get("examples"));
        for (key, value) in map.iter().filter(|(k, _)| k.starts_with("x-")) {
            self.extensions.insert(key, value);
        }
        for (i, branch) in map.get("allOf").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let at = format!("{pointer}/allOf/{i}");
            if depth < 32 {
                if let Ok(found) = resolve(root, branch) {
                    self.merge(root, found.node, &found.pointer(&at), depth + 1);
                }
            }
        }
    }

    pub fn accepts_null(&self) -> bool {
        self.types.as_ref().is_none_or(|t| t.contains("null"))
    }

    /// The types other than `null`; None is any.
    pub fn value_types(&self) -> Option<BTreeSet<&str>> {
        self.types.as_ref().map(|t| t.iter().map(String::as_str).filter(|t| *t != "null").collect())
    }
}

fn key_name(key: &str) -> &'static str {
    match key {
        "minLength" => "minLength",
        "minItems" => "minItems",
        "minProperties" => "minProperties",
        "maxLength" => "maxLength",
        "maxItems" => "maxItems",
        _ => "maxProperties",
    }
}

/// One operation of the document.
#[derive(Debug, Clone)]
pub struct Operation<'a> {
    /// Upper case: `GET`.
    pub method: &'static str,
    /// As written: `/files/pin/{cid}`.
    pub path: &'a str,
    /// Comparable: see [`route`].
    pub route: String,
    pub id: Option<&'a str>,
    /// `#/paths/~1files~1pin~1{cid}/post`.
    pub pointer: String,
    pub node: &'a Value,
    pub path_item: &'a Value,
    path_item_pointer: String,
}

/// A parameter, with its `$ref` followed.
#[derive(Debug, Clone)]
pub struct Parameter<'a> {
    pub name: &'a str,
    /// `path`, `query`, `header` or `cookie`.
    pub location: &'a str,
    pub node: &'a Value,
    /// Where it is defined: `#/components/parameters/Cid` or `#/paths/…/parameters/0`.
    pub pointer: String,
}

impl<'a> Operation<'a> {
    /// How reports name it: its operationId, else `METHOD path`.
    pub fn label(&self) -> String {
        self.id.map_or_else(|| format!("{} {}", self.method, self.path), str::to_string)
    }

    /// The path item's parameters overridden by the operation's own (same name and location),
    /// `$ref`s followed. One that cannot be followed is an error with where it is written.
    pub fn parameters(&self, root: &'a Value) -> Vec<Result<Parameter<'a>, (String, RefError)>> {
        let mut out: Vec<Result<Parameter<'a>, (String, RefError)>> = Vec::new();
        let owners = [(self.path_item, self.path_item_pointer.as_str()), (self.node, self.pointer.as_str())];
        for (owner, owner_pointer) in owners {
            let list = owner.get("parameters").and_then(Value::as_array);
            for (i, written) in list.into_iter().flatten().enumerate() {
                let at = format!("{owner_pointer}/parameters/{i}");
                let parameter = resolve(root, written).map_err(|e| (at.clone(), e)).map(|found| Parameter {
                    name: found.node.get("name").and_then(Value::as_str).unwrap_or(""),
                    location: found.node.get("in").and_then(Value::as_str).unwrap_or(""),
                    node: found.node,
                    pointer: found.pointer(&at),
                });
                if let Ok(new) = &parameter {
                    // The operation's own parameter replaces the path item's.
                    out.retain(|old| {
                        !old.as_ref().is_ok_and(|old| {
                            old.location == new.location && same_name(old.location, old.name, new.name)
                        })
                    });
                }
                out.push(parameter);
            }
        }
        out
    }
}

/// Header names compare without case; other names exactly.
pub fn same_name(location: &str, a: &str, b: &str) -> bool {
    if location == "header" {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// A path as routes compare: parameters are `{}` whatever their name, and empty segments
/// (a trailing or doubled slash) are dropped. `/files/pin/{cid}/` is `/files/pin/{}`.
pub fn route(path: &str) -> String {
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| if s.starts_with('{') && s.ends_with('}') { "{}" } else { s })
        .collect();
    format!("/{}", segments.join("/"))
}

/// The node a local reference (`#/a/b`, `~` and `/` escaped as `~0` and `~1`, percent-encoding
/// allowed) names.
pub fn pointee<'a>(root: &'a Value, reference: &str) -> Result<&'a Value, RefError> {
    let Some(fragment) = reference.strip_prefix('#') else {
        return Err(RefError::External(reference.to_string()));
    };
    let fragment = percent_decode(fragment);
    root.pointer(&fragment).ok_or_else(|| RefError::Dangling(reference.to_string()))
}

fn percent_decode(text: &str) -> Cow<'_, str> {
    if !text.contains('%') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Follows `$ref`s from `node` (a `$ref` whose value is not a string is no reference) to a node
/// that is not one. OpenAPI 3.0 ignores the siblings of `$ref`, so only the target counts.
pub fn resolve<'a>(root: &'a Value, node: &'a Value) -> Result<Resolved<'a>, RefError> {
    let mut node = node;
    let mut followed: Vec<&'a str> = Vec::new();
    while let Some(Value::String(reference)) = node.get("$ref") {
        if let Some(start) = followed.iter().position(|r| *r == reference) {
            return Err(RefError::Cycle(followed[start..].iter().map(|r| r.to_string()).collect()));
        }
        if followed.len() == MAX_REF_HOPS {
            return Err(RefError::TooLong(followed.iter().map(|r| r.to_string()).collect()));
        }
        followed.push(reference);
        node = pointee(root, reference)?;
    }
    Ok(Resolved { node, reference: followed.last().copied() })
}

/// Calls `visit` with every node below `root` (and `root`) and the unescaped pointer tokens to
/// it, depth first in document order, without recursion.
pub fn for_each_node(root: &Value, mut visit: impl FnMut(&[String], &Value)) {
    // (node, its key or index, depth); `tokens` holds the path to the node last visited.
    let mut stack: Vec<(&Value, Option<String>, usize)> = vec![(root, None, 0)];
    let mut tokens: Vec<String> = Vec::new();
    while let Some((node, token, depth)) = stack.pop() {
        tokens.truncate(depth.saturating_sub(1));
        if let Some(token) = token {
            tokens.push(token);
        }
        visit(&tokens, node);
        match node {
            Value::Object(map) => {
                for (key, child) in map.iter().rev() {
                    stack.push((child, Some(key.clone()), depth + 1));
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate().rev() {
                    stack.push((child, Some(i.to_string()), depth + 1));
                }
            }
            _ => {}
        }
    }
}

/// A validator for an OpenAPI 3.0 schema, checked as JSON Schema draft 4 with formats:
/// `nullable: true` allows `null` (in `type` and `enum`), and `schemas` (the document's
/// `components.schemas`) sit where its `#/components/schemas/...` references point. Unknown
/// keywords (`example`, `x-*`) and formats (`binary`) are ignored. The one translation the
/// contract suite judges answers by and lint-spec and check-docs judge examples by.
pub fn validator(schemas: &Value, schema: &Value) -> Result<jsonschema::Validator, String> {
    let mut schemas = schemas.clone();
    allow_nulls(&mut schemas);
    let mut schema = schema.clone();
    allow_nulls(&mut schema);
    // `allOf` keeps a root `$ref` from hiding its siblings (draft 4 ignores them).
    let root = serde_json::json!({ "allOf": [schema], "components": { "schemas": schemas } });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&root)
        .map_err(|e| e.to_string())
}

/// OpenAPI 3.0's `nullable: true` has no draft 4 equivalent: it adds `null` to `type` (and to
/// `enum`).
fn allow_nulls(schema: &mut Value) {
    let mut pending = vec![schema];
    while let Some(node) = pending.pop() {
        match node {
            Value::Object(fields) => {
                if fields.get("nullable") == Some(&Value::Bool(true)) {
                    match fields.get("type").cloned() {
                        Some(Value::String(kind)) => {
                            fields.insert("type".into(), serde_json::json!([kind, "null"]));
                        }
                        Some(Value::Array(mut kinds)) if !kinds.contains(&Value::from("null")) => {
                            kinds.push("null".into());
                            fields.insert("type".into(), Value::Array(kinds));
                        }
                        _ => {}
                    }
                    if let Some(Value::Array(values)) = fields.get_mut("enum") {
                        if !values.contains(&Value::Null) {
                            values.push(Value::Null);
                        }
                    }
                }
                pending.extend(fields.values_mut());
            }
            Value::Array(items) => pending.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// One JSON-pointer token, escaped (`/files` becomes `~1files`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescaped `tokens` as a `$ref`-style pointer (`#/paths/~1files`).
pub fn pointer(tokens: &[String]) -> String {
    let escaped: Vec<String> = tokens.iter().map(|t| escape(t)).collect();
    format!("#/{}", escaped.join("/"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc(value: Value) -> Document {
        Document::from_value(value)
    }

    #[test]
    fn references_are_followed_and_their_problems_named() {
        let d = doc(json!({
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"type": "string"},
                "Loop1": {"$ref": "#/components/schemas/Loop2"},
                "Loop2": {"$ref": "#/components/schemas/Loop1"},
                "Self": {"$ref": "#/components/schemas/Self"},
                "Gone": {"$ref": "#/components/schemas/Nothing"},
                "Far": {"$ref": "other.yaml#/x"},
                "Escaped": {"$ref": "#/paths/~1a~1%7Bid%7D"},
            }},
            "paths": {"/a/{id}": {"type": "integer"}}
        }));
        let a = resolve(d.root(), &d.root()["components"]["schemas"]["A"]).unwrap();
        assert_eq!((a.node, a.reference), (&json!({"type": "string"}), Some("#/components/schemas/B")));
        let escaped = resolve(d.root(), &d.root()["components"]["schemas"]["Escaped"]).unwrap();
        assert_eq!(escaped.node, &json!({"type": "integer"}));
        let problems: Vec<String> = d.ref_problems().iter().map(|(at, e)| format!("{at}: {e}")).collect();
        assert_eq!(
            problems,
            [
                "#/components/schemas/Far: $ref 'other.yaml#/x' points outside the file; the spec must be self-contained",
                "#/components/schemas/Gone: $ref '#/components/schemas/Nothing' does not resolve",
                "#/components/schemas/Loop1: $ref cycle: #/components/schemas/Loop2 -> #/components/schemas/Loop1 -> #/components/schemas/Loop2",
                "#/components/schemas/Self: $ref cycle: #/components/schemas/Self -> #/components/schemas/Self",
            ]
        );
    }

    #[test]
    fn a_long_chain_of_references_is_an_error_not_a_stack_overflow() {
        let n = 100_000;
        let mut schemas = serde_json::Map::new();
        for i in 0..n {
            schemas.insert(format!("S{i}"), json!({"$ref": format!("#/components/schemas/S{}", i + 1)}));
        }
        schemas.insert(format!("S{n}"), json!({"type": "string"}));
        let d = doc(json!({"components": {"schemas": schemas}}));
        let e = resolve(d.root(), &d.root()["components"]["schemas"]["S0"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "$ref '#/components/schemas/S1' starts a chain of more than 32 references to references"
        );
        // The chain is reported once, not at each of its 100,000 references.
        assert_eq!(d.ref_problems().len(), 1);
        let near_the_end = &d.root()["components"]["schemas"][format!("S{}", n - MAX_REF_HOPS)];
        assert!(resolve(d.root(), near_the_end).is_ok());
    }

    #[test]
    fn deep_nesting_is_refused_with_a_reason_before_the_parser_struggles() {
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = Document::parse(&format!("openapi: 3.0.3\nx: {deep}\n")).unwrap_err();
        assert_eq!(e, "not YAML this tool reads: line 2 nests more than 128 levels deep");
        let block: String = (0..200).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        let e = Document::parse(&block).unwrap_err();
        assert_eq!(e, "not YAML this tool reads: line 129 nests more than 128 levels deep");
        let dashes = format!("x:\n  {}1\n", "- ".repeat(200));
        assert!(Document::parse(&dashes).unwrap_err().contains("line 2 nests"));
        // Nesting the parser accepts is read, text that only looks nested is not counted.
        let fine = format!("x: {}1{}\n", "[".repeat(100), "]".repeat(100));
        assert!(Document::parse(&fine).is_ok());
        let text = format!(
            "a: |\n{}\nb: '{} ''['\nc: \"{}\\\"\"\nd: see [1] {} # [[[\n",
            (0..300).map(|i| format!("  {}x", " ".repeat(i))).collect::<Vec<_>>().join("\n"),
            "[".repeat(300),
            "{".repeat(300),
            "[".repeat(300)
        );
        let parsed = Document::parse(&text).unwrap();
        assert_eq!(parsed.root()["b"], json!(format!("{} '[", "[".repeat(300))));
        let e = Document::parse(&format!("{{\"x\": {deep}}}")).unwrap_err();
        assert!(e.contains("recursion limit exceeded"), "{e}");
        let e = Document::parse(&" ".repeat(MAX_SPEC_BYTES + 1)).unwrap_err();
        assert!(e.contains("more than the 16 MiB"), "{e}");
        // The walk over a tree as deep as the parsers allow needs no recursion either.
        let mut value = json!(1);
        for _ in 0..100_000 {
            value = Value::Array(vec![value]);
        }
        let mut deepest = 0;
        for_each_node(&value, |tokens, _| deepest = deepest.max(tokens.len()));
        assert_eq!(deepest, 100_000);
        // Dropping so deep a value recurses in serde_json; leak it instead (only this test).
        std::mem::forget(value);
    }

    #[test]
    fn operations_merge_path_parameters_and_normalise_routes() {
        let d = doc(json!({
            "components": {"parameters": {"Id": {"name": "id", "in": "path", "required": true}}},
            "paths": {
                "/a/{id}/": {
                    "parameters": [{"$ref": "#/components/parameters/Id"}, {"name": "X-Trace", "in": "header"}],
                    "get": {"operationId": "a_get", "parameters": [{"name": "x-trace", "in": "header", "required": true}]},
                    "summary": "not an operation"
                }
            }
        }));
        let ops = d.operations();
        assert_eq!(ops.len(), 1);
        assert_eq!((ops[0].method, ops[0].route.as_str(), ops[0].label()), ("GET", "/a/{}", "a_get".into()));
        let parameters: Vec<(String, String)> = ops[0]
            .parameters(d.root())
            .into_iter()
            .map(|p| p.unwrap())
            .map(|p| (format!("{} {}", p.location, p.name), p.pointer))
            .collect();
        assert_eq!(
            parameters,
            [
                ("path id".to_string(), "#/components/parameters/Id".to_string()),
                ("header x-trace".to_string(), "#/paths/~1a~1{id}~1/get/parameters/0".to_string())
            ]
        );
        assert_eq!(route("/"), "/");
        assert_eq!(route("//files//pin/{cid}"), "/files/pin/{}");
    }
}
