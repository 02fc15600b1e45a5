//! Headings and lines of prose: labels (`Endpoint:`, `Scope required:`, `Body:`, `Query
//! parameters:`, `Success (200)`, `Common codes:`), endpoint mentions, scopes, error codes,
//! headers and base URLs.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::{
    claims, field_name, line_mentions, mentions, object_keys, prefixed, statuses, BodyKind, Endpoint,
    Extractor, Strength, What, HEADER_LINE, HEADER_NAME, MEDIA_TYPE, SCOPE, STATUS,
};
use crate::check_docs::pages::TextLine;

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

static DECLARING_LABEL: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(api endpoint|endpoint|api|url)\s*:"));
static METHOD_LABEL: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)^(method|método)\s*:"));
static URL_LABEL: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)^url\s*:"));
static BASE_LABEL: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\b(base url|api base)\b"));
static PREFIX_LABEL: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(prefijo base|base prefix|base path)\b"));
/// Matched against the text just before a scope's code span: the label must lead right to it.
static SCOPE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)(scope required|requires scope|required scope|requiere scope|missing scope|^\W*scope)\W*$")
});
/// A mention of scopes anywhere in a line.
static SCOPE_WORD: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)scope"));
static BODY_LABEL: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)(^body\b[^:]*:|\bbody\s*:|request body can include|form field)"));
static CONTENT_TYPE_LABEL: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)^content-type\s*:"));
static OPTIONAL_CONTINUATION: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)^optional\s*:"));
static QUERY_LABEL: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\bquery( parameters)?\s*:"));
static SUCCESS_LABEL: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)^(success|response|respuesta|éxito)\s*(\(([^)]*)\))?\s*($|—|-|:)"));
static ERROR_LABEL: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)^(error|common codes|common)\b"));
static RATE_LIMIT_BODY: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)429.*\b(body|cuerpo)\b|\b(body|cuerpo)\b.*429"));
/// `code: missing_scope`, `code: 2fa_required or 2fa_invalid`; a code has a letter (so "Exit
/// code: 0" is none).
static ERROR_CODE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(\w+\s+)?code:\s*([A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*)((?:\s+(?:or|o)\s+(?:code:\s*)?[A-Za-z0-9_]+)*)",
    )
});
static ALTERNATIVE_CODE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?:or|o)\s+(?:code:\s*)?([A-Za-z0-9_]+)"));
static MULTIPART_FIELD: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)multipart\s+$"));

impl Extractor {
    pub(super) fn heading(&mut self, _level: u8, content: &TextLine) {
        let text = content.text.trim();
        self.method = None;
        self.in_body_list = false;
        // A route table's module prefix comes from its heading ("Files – `/api/v3/files`").
        self.prefix = content
            .code
            .iter()
            .find_map(|c| c.strip_prefix("/api/v3").filter(|rest| rest.starts_with('/')).map(str::to_string))
            .unwrap_or_default();
        let lower = text.to_lowercase();
        self.body = if lower.contains("429") && (lower.contains("body") || lower.contains("response")) {
            Some(BodyKind::RateLimit)
        } else if lower.contains("error") {
            Some(BodyKind::Error)
        } else if (lower.contains("success") || lower.contains("response") || lower.contains("respuesta"))
            && !lower.contains("header")
        {
            let found = statuses(text);
            if !found.is_empty() {
                self.about_current(content.line, What::SuccessStatus(found));
            }
            Some(BodyKind::Success)
        } else {
            None
        };
        // A heading names its endpoint in plain text too ("## POST /files/pin/:cid").
        let mut mentioned = line_mentions(content, &self.prefix);
        if mentioned.is_empty() {
            mentioned =
                mentions(text).iter().map(|(method, path)| prefixed(&self.prefix, method, path)).collect();
        }
        if let [endpoint] = mentioned.as_slice() {
            self.endpoint(content.line, endpoint.clone(), Strength::Declared);
        }
        self.facts_of(content);
    }

    pub(super) fn text(&mut self, line: &TextLine) {
        let text = line.text.trim();
        let at = line.line;
        let mentioned = line_mentions(line, &self.prefix);

        // Endpoints: declared by a label, or merely mentioned.
        let declared = DECLARING_LABEL.is_match(text) && mentioned.len() == 1;
        for endpoint in &mentioned {
            let strength = if declared { Strength::Declared } else { Strength::Mention };
            self.endpoint(at, endpoint.clone(), strength);
        }
        // `**Method:** GET` then `**URL:** https://…`.
        if METHOD_LABEL.is_match(text) {
            self.method = line.code.first().map(|m| m.trim().to_uppercase());
        }
        if URL_LABEL.is_match(text) {
            if let (Some(method), Some(url)) = (self.method.take(), line.code.first()) {
                self.endpoint(at, claims::endpoint(&method, url), Strength::Declared);
            }
        }
        // A line naming one endpoint keeps its own claims.
        let own = (mentioned.len() == 1).then(|| mentioned[0].clone());
        let own = own.as_ref();

        if BASE_LABEL.is_match(text) || PREFIX_LABEL.is_match(text) {
            self.base_lines(line);
        }

        // Response labels set what the next JSON block or field table describes.
        if let Some(c) = SUCCESS_LABEL.captures(text) {
            self.body = Some(BodyKind::Success);
            let found = c.get(3).map(|m| statuses(m.as_str())).unwrap_or_default();
            if !found.is_empty() {
                self.about(at, own, What::SuccessStatus(found));
            }
            // "Same shape as …: `cid`, `clusterId`, optional `expiresAt`."
            for name in line.code.iter().filter_map(|c| field_name(c)) {
                self.about(at, own, What::ResponseField { path: name, types: Vec::new(), exact_path: false });
            }
        } else if ERROR_LABEL.is_match(text) {
            self.body = Some(BodyKind::Error);
            let after_label = text.split_once(['—', ':']).map_or("", |(_, rest)| rest);
            for status in statuses(after_label).into_iter().filter(|s| *s >= 400) {
                self.about(at, own, What::ErrorStatus(status));
            }
        } else if RATE_LIMIT_BODY.is_match(text) {
            self.body = Some(BodyKind::RateLimit);
            for span in &line.code {
                if HEADER_NAME.is_match(span) {
                    self.fact(at, What::RateLimitHeader(span.clone()));
                } else if let Some(name) = field_name(span) {
                    self.fact(at, What::RateLimitField { name, types: Vec::new() });
                }
            }
        }

        // `**Content-Type:** `multipart/form-data``.
        // A line naming several ("`application/json` for JSON; `multipart/form-data` for uploads")
        // is a general note, not about one endpoint.
        if CONTENT_TYPE_LABEL.is_match(text) {
            let media: Vec<&String> = line.code.iter().filter(|c| MEDIA_TYPE.is_match(c)).collect();
            if let [media] = media.as_slice() {
                self.about(at, own, What::BodyMediaType(media.to_string()));
            }
        }
        // Labelled field lists. A line that names one endpoint reads like a route table's
        // description cell instead (`POST /auth/verify-email` (body: `{ token }`)).
        let continues_body = self.in_body_list && OPTIONAL_CONTINUATION.is_match(text);
        self.in_body_list = false;
        if let Some(endpoint) = own {
            self.description(at, endpoint, line);
        } else if let Some(m) =
            BODY_LABEL.find(text).filter(|_| !text.to_lowercase().starts_with("content-type"))
        {
            let multipart =
                text.to_lowercase().contains("form field") || text.to_lowercase().contains("multipart");
            self.body_fields(at, own, line, m.start(), multipart);
            self.in_body_list = true;
        } else if continues_body {
            self.body_fields(at, own, line, 0, false);
        }
        if let Some(m) = QUERY_LABEL.find(text).filter(|_| own.is_none()) {
            for name in spans_after(line, m.end()).iter().filter_map(|c| field_name(c)) {
                self.about(at, own, What::QueryParam(name));
            }
        }
        // `(multipart `file`)` after an endpoint.
        for (span, &pos) in line.code.iter().zip(&line.code_at) {
            if MULTIPART_FIELD.is_match(&text_before(line, pos)) {
                if let Some(name) = field_name(span) {
                    self.about(at, own, What::BodyField { name, multipart: true });
                }
            }
        }

        // Scopes: required by the endpoint when labelled, else only named.
        let mentions_scopes = SCOPE_WORD.is_match(text);
        for (span, &pos) in line.code.iter().zip(&line.code_at).filter(|(c, _)| SCOPE.is_match(c)) {
            if SCOPE_LABEL.is_match(&text_before(line, pos)) {
                self.about(at, own, What::Scope(span.clone()));
            } else if self.looks_like_scope(span, mentions_scopes) {
                self.fact(at, What::Scope(span.clone()));
            }
        }
        self.facts_of(line);
    }

    /// Error codes, headers and API URLs, wherever they appear in a line.
    fn facts_of(&mut self, line: &TextLine) {
        self.error_codes(line.line, &line.text, None);
        for span in line.code.iter().chain(&line.strong) {
            let span = span.trim();
            if HEADER_LINE.is_match(span) {
                let name = HEADER_LINE.captures(span).map(|c| c[1].to_string()).unwrap_or_default();
                self.header(line.line, &name);
            } else if HEADER_NAME.is_match(span) {
                self.header(line.line, span);
            }
            for url in span.split_whitespace().filter(|w| w.starts_with("http")) {
                self.base_url(line.line, url);
            }
        }
    }

    pub(super) fn header(&mut self, line: usize, name: &str) {
        let rate_limit =
            name.eq_ignore_ascii_case("retry-after") || name.to_lowercase().starts_with("x-ratelimit");
        if rate_limit {
            self.fact(line, What::RateLimitHeader(name.to_string()));
        } else {
            self.fact(line, What::Header(name.to_string()));
        }
    }

    /// `code: missing_scope`, `code: 2fa_required or 2fa_invalid`, with the status written
    /// before it in the same text (else `default_status`).
    pub(super) fn error_codes(&mut self, line: usize, text: &str, default_status: Option<u16>) {
        // Error statuses in the text, read once: each code takes the last one before it.
        let statuses: Vec<(usize, u16)> = STATUS
            .captures_iter(text)
            .filter_map(|s| Some((s.get(1)?.end(), s[1].parse::<u16>().ok()?)))
            .filter(|(_, s)| *s >= 400)
            .collect();
        for c in ERROR_CODE.captures_iter(text) {
            if c.get(1).is_some_and(|w| w.as_str().trim().eq_ignore_ascii_case("exit")) {
                continue;
            }
            let start = c.get(2).map_or(0, |m| m.start());
            let before = statuses.partition_point(|&(end, _)| end <= start);
            let status = before.checked_sub(1).map(|i| statuses[i].1).or(default_status);
            let mut codes = vec![c[2].to_string()];
            codes.extend(ALTERNATIVE_CODE.captures_iter(&c[3]).map(|a| a[1].to_string()));
            for code in codes {
                self.fact(line, What::ErrorCode { code, status });
            }
        }
    }

    /// `Base URL: https://…` and `Prefijo base: /api/v3`, which completes a host-only base.
    fn base_lines(&mut self, line: &TextLine) {
        let prefix_label = PREFIX_LABEL.is_match(&line.text);
        for span in &line.code {
            if span.starts_with('/') && prefix_label {
                if let Some(index) = self.last_base {
                    if let What::BaseUrl(base) = &mut self.claims[index].what {
                        if claims::split_api_url(base).is_some_and(|(_, path)| path.is_empty())
                            && !base.contains("/v")
                        {
                            base.push_str(span.trim_end_matches('/'));
                        }
                    }
                }
            }
        }
    }

    fn body_fields(
        &mut self,
        at: usize,
        own: Option<&Endpoint>,
        line: &TextLine,
        from: usize,
        multipart: bool,
    ) {
        for span in spans_after(line, from) {
            let names = if span.contains('{') {
                object_keys(&span, false)
            } else {
                field_name(&span).into_iter().collect()
            };
            for name in names {
                if !SCOPE.is_match(&name) {
                    self.about(at, own, What::BodyField { name, multipart });
                }
            }
        }
    }
}

/// The code spans that start at or after byte `from` of the line's text.
fn spans_after(line: &TextLine, from: usize) -> Vec<String> {
    line.code.iter().zip(&line.code_at).filter(|(_, &at)| at >= from).map(|(span, _)| span.clone()).collect()
}

/// How far before a code span its label is looked for: labels lead right to their span, and a
/// bounded window keeps a line of thousands of spans linear.
const LABEL_WINDOW: usize = 200;

/// The text before byte `pos` of the line, at most [`LABEL_WINDOW`] bytes of it. A window that
/// does not reach the line's start begins with a word character, so that `^` in a label
/// pattern still means the start of the line and nothing else.
fn text_before(line: &TextLine, pos: usize) -> Cow<'_, str> {
    let mut from = pos.saturating_sub(LABEL_WINDOW);
    while !line.text.is_char_boundary(from) {
        from -= 1;
    }
    let window = line.text.get(from..pos).unwrap_or("");
    if from == 0 {
        Cow::Borrowed(window)
    } else {
        Cow::Owned(format!("x{window}"))
    }
}
