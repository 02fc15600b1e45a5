//! From blocks to claims. Nothing here looks at file names, folder names or front matter: what
//! a page is about is read from its text, in order.
//!
//! Most claims are about "the current endpoint": the last one a page *declared* (in a heading,
//! an `Endpoint:` / `API:` line, a Method/URL table, a request snippet, or the first endpoint a
//! page mentions at all). Claims found before any endpoint (a `Scope required:` line above the
//! endpoint table) wait for the next one. A line that names exactly one endpoint keeps its own
//! claims (API.md's `POST /auth/verify-email` (body: `{ token }`)).

mod api_md;
mod prose;
mod snippets;
mod tables;

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::claims::{self, BodyKind, Claim, Endpoint, What};
use super::pages::{Block, Page, TextLine, Warning};

/// Every claim of every page, and warnings about what could not be read (a JSON example that
/// does not parse).
pub fn claims(pages: &[Page]) -> (Vec<Claim>, Vec<Warning>) {
    let mut all = Vec::new();
    let mut warnings = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        let mut extractor = Extractor::new(index, &page.name);
        for block in &page.blocks {
            match block {
                Block::Heading { level, content } => extractor.heading(*level, content),
                Block::Text(line) => extractor.text(line),
                Block::Table { header, rows } => extractor.table(header, rows),
                Block::Code { line, lang, text } => extractor.code(*line, lang, text),
            }
        }
        let (page_claims, page_warnings) = extractor.finish();
        all.extend(page_claims);
        warnings.extend(page_warnings);
    }
    (all, warnings)
}

/// How strongly a mention sets the current endpoint.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Strength {
    /// A heading, an `Endpoint:` line, a Method/URL pair, a snippet: becomes the current one.
    Declared,
    /// Any other mention: becomes the current one only when there is none yet.
    Mention,
}

struct Extractor {
    page: usize,
    page_name: String,
    claims: Vec<Claim>,
    warnings: Vec<Warning>,
    current: Option<Endpoint>,
    /// Claims that need an endpoint and came before any.
    waiting: Vec<Claim>,
    /// What a JSON example or field table below the last label describes.
    body: Option<BodyKind>,
    /// The module prefix of API.md-style route tables (`/files` under "Files – `/api/v3/files`").
    prefix: String,
    /// A `Method` row or line waiting for its `URL`.
    method: Option<String>,
    /// The previous text line was a `Body:` line, so an `Optional:` line continues it.
    in_body_list: bool,
    /// The last base URL claim, which a following base-prefix line completes.
    last_base: Option<usize>,
    /// Resource names of scopes seen in scope contexts (`files` of `files:read`), so a bare
    /// `worker:expire` is not taken for a scope.
    scope_resources: Vec<String>,
}

impl Extractor {
    fn new(page: usize, page_name: &str) -> Self {
        Extractor {
            page,
            page_name: page_name.to_string(),
            claims: Vec::new(),
            warnings: Vec::new(),
            current: None,
            waiting: Vec::new(),
            body: None,
            prefix: String::new(),
            method: None,
            in_body_list: false,
            last_base: None,
            scope_resources: [
                "files",
                "user",
                "users",
                "tokens",
                "plans",
                "referrals",
                "logs",
                "cluster",
                "clusters",
            ]
            .map(String::from)
            .to_vec(),
        }
    }

    fn finish(mut self) -> (Vec<Claim>, Vec<Warning>) {
        // Claims that never found an endpoint stay unattached; comparison skips them.
        self.claims.append(&mut self.waiting);
        (self.claims, self.warnings)
    }

    fn warn(&mut self, line: usize, message: String) {
        self.warnings.push(Warning { page: self.page_name.clone(), line, message });
    }

    /// An endpoint the page names; it may become the current one.
    fn endpoint(&mut self, line: usize, endpoint: Endpoint, strength: Strength) {
        self.claims.push(Claim {
            page: self.page,
            line,
            endpoint: Some(endpoint.clone()),
            what: What::Endpoint,
        });
        if strength == Strength::Declared || self.current.is_none() {
            for mut claim in std::mem::take(&mut self.waiting) {
                claim.endpoint = Some(endpoint.clone());
                self.claims.push(claim);
            }
            self.current = Some(endpoint);
        }
    }

    /// A claim about the current endpoint (or waiting for one, if it needs one).
    fn about_current(&mut self, line: usize, what: What) {
        let claim = Claim { page: self.page, line, endpoint: self.current.clone(), what };
        if claim.endpoint.is_none() && (claim.what.needs_endpoint() || matches!(claim.what, What::Scope(_))) {
            self.waiting.push(claim);
        } else {
            self.claims.push(claim);
        }
    }

    /// A claim about a given endpoint, or about the current one when `endpoint` is None.
    fn about(&mut self, line: usize, endpoint: Option<&Endpoint>, what: What) {
        match endpoint {
            Some(endpoint) => {
                self.claims.push(Claim { page: self.page, line, endpoint: Some(endpoint.clone()), what })
            }
            None => self.about_current(line, what),
        }
    }

    /// A claim that stands alone (an error code, a header, a scope's existence).
    fn fact(&mut self, line: usize, what: What) {
        self.claims.push(Claim { page: self.page, line, endpoint: None, what });
    }

    /// A base URL; a URL of the API in any form counts.
    fn base_url(&mut self, line: usize, url: &str) {
        if let Some((base, _)) = claims::split_api_url(url) {
            self.last_base = Some(self.claims.len());
            self.fact(line, What::BaseUrl(base));
        }
    }

    /// A `resource:action` code span outside a scope label: a scope if its resource is a known
    /// one or the line talks about scopes (`mentions_scopes`, found once per line).
    fn looks_like_scope(&self, span: &str, mentions_scopes: bool) -> bool {
        let resource = span.split(':').next().unwrap_or("");
        mentions_scopes || self.scope_resources.iter().any(|r| r == resource)
    }

    /// Fields, statuses and types of a JSON body shown under the current label.
    /// `line` is the block's first line; each field gets the line where its key is written.
    fn json_body(&mut self, line: usize, raw: &str, value: serde_json::Value) {
        let Some(kind) = self.body else { return };
        // serde_json keeps keys sorted, not in page order, so each key's line comes from an
        // index of where every quoted string first appears, built in one pass.
        let quoted = QuotedIndex::new(raw);
        let lines = LineStarts::new(raw);
        let field_line = |path: &str| {
            let key = path.rsplit(['.', ']']).next().unwrap_or(path);
            quoted.first(key, 0).map_or(line, |i| line + lines.line_of(i))
        };
        let fields: Vec<(String, usize, claims::JsonType)> = json_fields(&value)
            .into_iter()
            .map(|(path, v)| (path.clone(), field_line(&path), claims::JsonType::of(v)))
            .collect();
        match kind {
            BodyKind::Success => {
                for (path, at, json_type) in fields {
                    self.about_current(
                        at,
                        What::ResponseField { path, types: vec![json_type], exact_path: true },
                    );
                }
            }
            BodyKind::RateLimit => {
                for (path, at, json_type) in fields {
                    self.fact(at, What::RateLimitField { name: path, types: vec![json_type] });
                }
            }
            BodyKind::Error => {
                if let Some(code) = value.get("code").and_then(serde_json::Value::as_str) {
                    self.fact(line, What::ErrorCode { code: code.to_string(), status: None });
                }
            }
        }
        let example = What::Example { body: kind, value };
        match kind {
            BodyKind::Success => self.about_current(line, example),
            _ => self.fact(line, example),
        }
    }
}

/// Every field of a JSON value, as `a.b`, with `[]` for array items (the first item stands for
/// all), parents before children.
pub fn json_fields(value: &serde_json::Value) -> Vec<(String, &serde_json::Value)> {
    fn walk<'a>(prefix: &str, value: &'a serde_json::Value, out: &mut Vec<(String, &'a serde_json::Value)>) {
        match value {
            serde_json::Value::Object(fields) => {
                for (name, child) in fields {
                    let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
                    out.push((path.clone(), child));
                    walk(&path, child, out);
                }
            }
            serde_json::Value::Array(items) => {
                if let Some(first) = items.first() {
                    walk(&format!("{prefix}[]"), first, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

static ENDPOINT_MENTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(GET|POST|PUT|PATCH|DELETE)\s+(https?://[^\s`'"<>)]+|/[^\s`'",;)<>]*)"#)
        .expect("valid regex")
});
static SCOPE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z]+:[a-z]+$").expect("valid regex"));
static IDENTIFIER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*(\[\])?\??$").expect("valid regex"));
static HEADER_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(X-[A-Za-z][A-Za-z-]*|Authorization|Retry-After)$").expect("valid regex"));
static HEADER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(X-[A-Za-z][A-Za-z-]*|Authorization|Retry-After)\s*:").expect("valid regex")
});
static MEDIA_TYPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(application|multipart|text)/[a-z0-9.+-]+$").expect("valid regex"));
static STATUS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b([1-5]\d\d)\b").expect("valid regex"));

/// The endpoints named in `text` (`POST /files/pin/:cid`, `GET https://…`), with the module
/// prefix put in front of paths that are relative to it.
fn mentions(text: &str) -> Vec<(String, String)> {
    // Most spans name no endpoint; finding that out allocates nothing.
    if !ENDPOINT_MENTION.is_match(text) {
        return Vec::new();
    }
    ENDPOINT_MENTION
        .captures_iter(text)
        .map(|c| {
            let path = c[2].trim_end_matches(['.', ',', ':', ';', '*']).to_string();
            (c[1].to_string(), path)
        })
        .collect()
}

/// The endpoints named in a line's code spans and bold runs (plain prose is not read: link text
/// like "POST /pin" abbreviates).
fn line_mentions(line: &TextLine, prefix: &str) -> Vec<Endpoint> {
    let mut out: Vec<Endpoint> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for run in line.code.iter().chain(&line.strong) {
        for (method, path) in mentions(run) {
            let endpoint = prefixed(prefix, &method, &path);
            if seen.insert(endpoint.to_string()) {
                out.push(endpoint);
            }
        }
    }
    out
}

/// An endpoint, with a path relative to a route-table module (`/pin/:cid` under Files) joined
/// to it. Paths written from the API root (`/api/v3/…` or a full URL) are left alone.
fn prefixed(prefix: &str, method: &str, path: &str) -> Endpoint {
    let absolute = path.starts_with("http") || path.starts_with("/api/");
    let path = claims::split_api_url(path).map_or_else(|| path.to_string(), |(_, p)| p);
    let path = claims::normalize_path(&path);
    let joined = if prefix.is_empty() || absolute || path == prefix || path.starts_with(&format!("{prefix}/"))
    {
        path
    } else if path == "/" {
        prefix.to_string()
    } else {
        format!("{prefix}{path}")
    };
    Endpoint { method: method.to_ascii_uppercase(), path: claims::normalize_path(&joined) }
}

/// Object keys of a `{ a, b?, "c": 1, d: [ { e } ] }` snippet: the top-level ones, then (with
/// `nested`) the keys inside nested objects too, to a depth of [`NESTED_KEYS_DEPTH`].
fn object_keys(text: &str, nested: bool) -> Vec<String> {
    let mut keys = Vec::new();
    // Depth first, each key followed by the keys inside its value, without recursion.
    let mut open = vec![object_entries(text).into_iter()];
    while let Some(entries) = open.last_mut() {
        let Some((key, value)) = entries.next() else {
            open.pop();
            continue;
        };
        keys.push(key);
        if let (true, Some(value)) = (nested && open.len() <= NESTED_KEYS_DEPTH, value) {
            if value.contains('{') {
                open.push(object_entries(value).into_iter());
            }
        }
    }
    keys
}

/// How deep `object_keys` looks into nested objects.
const NESTED_KEYS_DEPTH: usize = 8;

/// The top-level entries of an object snippet: each key that is a name, with its value text.
fn object_entries(text: &str) -> Vec<(String, Option<&str>)> {
    let text = text.trim();
    let inner = match (text.find('{'), text.rfind('}')) {
        (Some(a), Some(b)) if a < b => &text[a + 1..b],
        _ => return Vec::new(),
    };
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut part_start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' | '[' | '(' => depth += 1,
            '}' | ']' | ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&inner[part_start..i]);
                part_start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[part_start..]);
    parts
        .into_iter()
        .filter_map(|part| {
            let (key, value) = match part.split_once(':') {
                Some((k, v)) => (k, Some(v)),
                None => (part, None),
            };
            let key = key.trim().trim_matches(['"', '\'']).trim_end_matches('?');
            IDENTIFIER.is_match(key).then(|| (key.to_string(), value))
        })
        .collect()
}

/// Where each quoted string (between two `"` or two `'`) of a text first appears, by content,
/// built in one pass; `first` answers "where is `"name"` or `'name'` written, from byte `from`
/// on" without searching the text again.
pub struct QuotedIndex<'t> {
    positions: HashMap<&'t str, Vec<usize>>,
}

impl<'t> QuotedIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        let mut positions: HashMap<&str, Vec<usize>> = HashMap::new();
        for quote in ['"', '\''] {
            let marks: Vec<usize> = text.match_indices(quote).map(|(i, _)| i).collect();
            for pair in marks.windows(2) {
                let content = &text[pair[0] + 1..pair[1]];
                // Names are short; long runs between quotes are prose, not keys.
                if content.len() <= 64 && !content.contains('\n') {
                    positions.entry(content).or_default().push(pair[0]);
                }
            }
        }
        for list in positions.values_mut() {
            list.sort_unstable();
        }
        QuotedIndex { positions }
    }

    /// The offset of the opening quote of the first `"name"` or `'name'` at or after `from`.
    pub fn first(&self, name: &str, from: usize) -> Option<usize> {
        let list = self.positions.get(name)?;
        list.get(list.partition_point(|&at| at < from)).copied()
    }
}

/// Line starts of a text, for turning byte offsets into lines by binary search.
pub struct LineStarts(Vec<usize>);

impl LineStarts {
    pub fn new(text: &str) -> Self {
        LineStarts(std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect())
    }

    /// 0-based line of byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset).saturating_sub(1)
    }
}

/// A field name as the docs write it in a code span (`timelock`, `files[]`, `hasExpiration=true`,
/// `?cl=`), or None when the span is no field name.
fn field_name(span: &str) -> Option<String> {
    let name = span.trim().trim_start_matches('?');
    let name = name.split('=').next().unwrap_or(name).trim().trim_end_matches('?');
    IDENTIFIER.is_match(name).then(|| name.to_string())
}

/// Status codes written in a label like `Success (200 / 201)`.
fn statuses(text: &str) -> Vec<u16> {
    STATUS.captures_iter(text).filter_map(|c| c[1].parse().ok()).collect()
}
