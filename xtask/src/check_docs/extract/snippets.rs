//! Code blocks: JSON bodies, plain blocks (`POST https://…`, a base URL, `X-API-Key: …`), and
//! requests in curl, JavaScript (fetch, axios), Python (requests), Go (net/http) and PHP (curl).
//! Regexes are enough here: the snippets are short and written to be read.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::{claims, object_keys, Extractor, LineStarts, QuotedIndex, Strength, What, HEADER_LINE};

/// One HTTP request a snippet makes.
#[derive(Debug, Default)]
struct Request {
    /// Byte offset of the request in the snippet, for its line.
    at: usize,
    method: String,
    url: String,
    headers: Vec<String>,
    query: Vec<String>,
    body: Vec<String>,
    multipart: Vec<String>,
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

/// `url = "https://…"`, `const url = '…'`, `url := "…/" + cid`, `$url = "…$cid"`.
static URL_VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?m)^\s*(?:const\s+|let\s+|var\s+)?\$?(\w+)\s*:?=\s*f?(["'`])(https?://[^"'`]*)["'`](?:\s*\+\s*\$?(\w+))?"#,
    )
});
static STRING_LITERAL: LazyLock<Regex> = LazyLock::new(|| regex(r#"^f?(["'`])([^"'`]*)["'`]"#));
static CURL: LazyLock<Regex> = LazyLock::new(|| regex(r"(?m)(^|[\s;|&])curl\s"));
static CURL_METHOD: LazyLock<Regex> = LazyLock::new(|| regex(r"(?:-X|--request)\s+([A-Za-z]+)"));
static CURL_URL: LazyLock<Regex> = LazyLock::new(|| regex(r#"(https?://[^\s"']+)"#));
static CURL_HEADER: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"(?:-H|--header)\s+["']?([A-Za-z][A-Za-z0-9-]*)\s*:"#));
static CURL_FORM: LazyLock<Regex> = LazyLock::new(|| regex(r#"(?:-F|--form)\s+["']?([^=\s"']+)="#));
static CURL_DATA: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"(?:-d|--data|--data-raw|--json)\s+(?:'([^']*)'|"((?:[^"\\]|\\.)*)")"#));
static FETCH: LazyLock<Regex> = LazyLock::new(|| regex(r"\bfetch\(\s*"));
static AXIOS: LazyLock<Regex> = LazyLock::new(|| regex(r"\baxios\.(get|post|put|patch|delete)\(\s*"));
static JS_METHOD: LazyLock<Regex> = LazyLock::new(|| regex(r#"method:\s*["'`](\w+)["'`]"#));
static JS_HEADER: LazyLock<Regex> = LazyLock::new(|| regex(r#"["']([A-Za-z][A-Za-z0-9-]*)["']\s*:"#));
static JS_STRINGIFY: LazyLock<Regex> = LazyLock::new(|| regex(r"JSON\.stringify\(\s*(\{[^)]*\})"));
static JS_PARAMS: LazyLock<Regex> = LazyLock::new(|| regex(r"params:\s*(\{[^}]*\})"));
static FORM_APPEND: LazyLock<Regex> = LazyLock::new(|| regex(r#"\.append\(\s*["']([^"']+)["']"#));
static HEADERS_OBJECT: LazyLock<Regex> = LazyLock::new(|| regex(r"(?s)headers\s*[:=]\s*(\{.*?\}|\[.*?\])"));
static PY_CALL: LazyLock<Regex> = LazyLock::new(|| regex(r"\brequests\.(get|post|put|patch|delete)\(\s*"));
static PY_KEYWORD: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\b(json|files|data|params)\s*=\s*(\w+|\{[^}]*\})"));
static PY_ASSIGNMENT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?ms)^\s*(\w+)\s*=\s*([\{\[].*?[\}\]])\s*$"));
static PY_KEYS: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"(?:["']([\w\[\]]+)["']\s*:|\(\s*["']([\w\[\]]+)["']\s*,)"#));
static GO_REQUEST: LazyLock<Regex> = LazyLock::new(|| regex(r#"http\.NewRequest\(\s*"(\w+)"\s*,\s*"#));
static GO_HEADER: LazyLock<Regex> = LazyLock::new(|| regex(r#"\.Header\.(?:Set|Add)\(\s*"([^"]+)""#));
static GO_FORM: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\.(?:CreateFormFile|WriteField|CreateFormField)\(\s*"([^"]+)""#));
static GO_JSON: LazyLock<Regex> =
    LazyLock::new(|| regex(r"json\.Marshal\(\s*map\[string\][\w{}]+?\{([^}]*)\}"));
static QUOTED_KEY: LazyLock<Regex> = LazyLock::new(|| regex(r#"["'](\w+)["']\s*(?::|=>)"#));
static PHP_INIT: LazyLock<Regex> = LazyLock::new(|| regex(r"curl_init\(\s*"));
static PHP_METHOD: LazyLock<Regex> = LazyLock::new(|| regex(r#"CURLOPT_CUSTOMREQUEST\s*,\s*['"](\w+)['"]"#));
static PHP_POST: LazyLock<Regex> = LazyLock::new(|| regex(r"CURLOPT_POST\s*,\s*true"));
static PHP_HEADER: LazyLock<Regex> = LazyLock::new(|| regex(r#"['"]([A-Za-z][A-Za-z0-9-]*):\s"#));
static PHP_FIELDS: LazyLock<Regex> =
    LazyLock::new(|| regex(r"CURLOPT_POSTFIELDS\s*,\s*(json_encode\(\s*\[([^\]]*)\]|\$(\w+))"));
static PLAIN_REQUEST: LazyLock<Regex> = LazyLock::new(|| regex(r"^(GET|POST|PUT|PATCH|DELETE)\s+(\S+)$"));

impl Extractor {
    pub(super) fn code(&mut self, line: usize, lang: &str, text: &str) {
        self.in_body_list = false;
        let trimmed = text.trim();
        let looks_json = trimmed.starts_with('{') || trimmed.starts_with('[');
        if lang == "json" || (lang.is_empty() && looks_json) {
            match serde_json::from_str(trimmed) {
                Ok(value) => self.json_body(line, text, value),
                Err(e) => {
                    self.warn(line, format!("JSON example does not parse ({e}); its fields were not checked"))
                }
            }
            return;
        }
        let requests = match lang {
            "bash" | "sh" | "shell" | "console" | "curl" | "zsh" => curl(text),
            "javascript" | "js" | "typescript" | "ts" | "jsx" | "tsx" => javascript(text),
            "python" | "py" => python(text),
            "go" | "golang" => go(text),
            "php" => php(text),
            _ => {
                self.plain(line, text);
                sniffed(text)
            }
        };
        let names = NameIndex::new(text);
        for request in requests {
            self.request(line, text, &names, request);
        }
    }

    /// A block without a language: `POST https://…`, a bare base URL, `Header: value` lines.
    fn plain(&mut self, line: usize, text: &str) {
        for (i, raw) in text.lines().enumerate() {
            let raw = raw.trim();
            let at = line + i;
            if let Some(c) = PLAIN_REQUEST.captures(raw) {
                self.base_url(at, &c[2]);
                self.endpoint(at, claims::endpoint(&c[1], &c[2]), Strength::Declared);
            } else if raw.starts_with("http") && !raw.contains(' ') {
                if claims::split_api_url(raw).is_some_and(|(_, path)| path.is_empty()) {
                    self.base_url(at, raw);
                }
            } else if let Some(c) = HEADER_LINE.captures(raw) {
                self.header(at, &c[1]);
            }
        }
    }

    /// The request's claims, each on the line where its name is written (a curl `-F` line, a
    /// `form.append` line), else on the line where the request starts.
    fn request(&mut self, first_line: usize, text: &str, names: &NameIndex, request: Request) {
        if claims::split_api_url(&request.url).is_none() {
            return; // Not a call to the API (a gateway, an unresolved variable).
        }
        let line_at = |offset: usize| first_line + names.lines.line_of(offset.min(text.len()));
        let line = line_at(request.at);
        // curl commands are searched from their own start (a block may hold several).
        let from = if text[request.at..].starts_with("curl") { request.at } else { 0 };
        let line_of = |name: &str| names.first(name, from).map_or(line, line_at);
        self.base_url(line, &request.url);
        let endpoint = claims::endpoint(&request.method, &request.url);
        self.endpoint(line, endpoint.clone(), Strength::Declared);
        for name in claims::query_names(&request.url) {
            self.about(line, Some(&endpoint), What::QueryParam(name));
        }
        for name in request.query {
            self.about(line_of(&name), Some(&endpoint), What::QueryParam(name));
        }
        for name in request.headers.iter().filter(|h| !h.eq_ignore_ascii_case("content-type")) {
            self.header(line_of(name), name);
        }
        for name in request.body {
            self.about(line_of(&name), Some(&endpoint), What::BodyField { name, multipart: false });
        }
        for name in request.multipart {
            self.about(line_of(&name), Some(&endpoint), What::BodyField { name, multipart: true });
        }
    }
}

/// Where names are written in a snippet, found in one pass: quoted (`"cl"`, `'cl'`), or as a key
/// followed by `=` or `:` (`-F cl=…`, `{ cl: … }`, `X-API-Key: …`) after a character that is no
/// part of a word. A name is looked up, not searched for, so a snippet of thousands of fields
/// stays linear.
struct NameIndex<'t> {
    quoted: QuotedIndex<'t>,
    keyed: HashMap<&'t str, Vec<usize>>,
    lines: LineStarts,
}

/// The longest name looked up as a key.
const LONGEST_KEY: usize = 64;

impl<'t> NameIndex<'t> {
    fn new(text: &'t str) -> Self {
        let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c >= 0x80;
        let bytes = text.as_bytes();
        let mut keyed: HashMap<&str, Vec<usize>> = HashMap::new();
        for (at, _) in text.match_indices(['=', ':']) {
            let end = text[..at].trim_end().len();
            // Every start after a non-word character, within the longest name.
            for start in (end.saturating_sub(LONGEST_KEY)..end).rev() {
                if (start == 0 || !is_word(bytes[start - 1])) && text.is_char_boundary(start) {
                    keyed.entry(&text[start..end]).or_default().push(start);
                }
            }
        }
        for list in keyed.values_mut() {
            list.sort_unstable();
        }
        NameIndex { quoted: QuotedIndex::new(text), keyed, lines: LineStarts::new(text) }
    }

    /// Where `name` is first written, quoted or as a key, at or after byte `from`.
    fn first(&self, name: &str, from: usize) -> Option<usize> {
        let keyed =
            self.keyed.get(name).and_then(|list| list.get(list.partition_point(|&at| at < from)).copied());
        [self.quoted.first(name, from).map(|q| q + 1), keyed].into_iter().flatten().min()
    }
}

/// A block whose language is not given: try each kind of request.
fn sniffed(text: &str) -> Vec<Request> {
    if CURL.is_match(text) {
        curl(text)
    } else if FETCH.is_match(text) || AXIOS.is_match(text) {
        javascript(text)
    } else if PY_CALL.is_match(text) {
        python(text)
    } else if GO_REQUEST.is_match(text) {
        go(text)
    } else if PHP_INIT.is_match(text) {
        php(text)
    } else {
        Vec::new()
    }
}

/// String variables holding URLs, with a concatenated variable as a path parameter.
fn url_variables(text: &str) -> HashMap<String, String> {
    URL_VARIABLE
        .captures_iter(text)
        .map(|c| {
            let mut url = c[3].to_string();
            if let Some(param) = c.get(4) {
                url.push_str(&format!("{{{}}}", param.as_str()));
            }
            (c[1].to_string(), url)
        })
        .collect()
}

/// The URL argument starting at `rest`: a string literal or a variable.
fn url_argument(rest: &str, variables: &HashMap<String, String>) -> Option<String> {
    if let Some(c) = STRING_LITERAL.captures(rest) {
        return Some(c[2].to_string());
    }
    let name: String =
        rest.trim_start_matches('$').chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    variables.get(&name).cloned()
}

fn curl(text: &str) -> Vec<Request> {
    let starts: Vec<usize> =
        CURL.find_iter(text).map(|m| m.start() + m.as_str().find("curl").unwrap_or(0)).collect();
    let mut out = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        // The command runs until a line that does not end with a backslash, or the next curl.
        let limit = starts.get(i + 1).copied().unwrap_or(text.len());
        let mut end = start;
        for line in text[start..limit].split_inclusive('\n') {
            end += line.len();
            if !line.trim_end().ends_with('\\') {
                break;
            }
        }
        let command = &text[start..end];
        let Some(url) = CURL_URL.captures(command).map(|c| c[1].to_string()) else { continue };
        let multipart: Vec<String> = CURL_FORM.captures_iter(command).map(|c| c[1].to_string()).collect();
        let mut body = Vec::new();
        for c in CURL_DATA.captures_iter(command) {
            let data = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
            body.extend(json_keys(data));
        }
        let method = CURL_METHOD.captures(command).map(|c| c[1].to_uppercase()).unwrap_or_else(|| {
            if multipart.is_empty() && body.is_empty() {
                "GET".into()
            } else {
                "POST".into()
            }
        });
        out.push(Request {
            at: start,
            method,
            url,
            headers: CURL_HEADER.captures_iter(command).map(|c| c[1].to_string()).collect(),
            query: Vec::new(),
            body,
            multipart,
        });
    }
    out
}

/// The calls the regexes find, in text order, each with the text after it up to the next call
/// (or the end): what a call says is looked for there, so a snippet of thousands of calls is
/// read once.
fn calls<'t>(text: &'t str, starts: &[&Regex]) -> Vec<(regex::Captures<'t>, &'t str)> {
    let mut found: Vec<regex::Captures<'t>> = starts.iter().flat_map(|re| re.captures_iter(text)).collect();
    found.sort_by_key(|c| c.get(0).map_or(0, |m| m.start()));
    let ends: Vec<usize> = found
        .iter()
        .skip(1)
        .map(|c| c.get(0).map_or(text.len(), |m| m.start()))
        .chain([text.len()])
        .collect();
    found
        .into_iter()
        .zip(ends)
        .map(|(c, end)| {
            let after = c.get(0).map_or(0, |m| m.end()).min(end);
            (c, &text[after..end])
        })
        .collect()
}

fn javascript(text: &str) -> Vec<Request> {
    let variables = url_variables(text);
    // Written once for the whole snippet, so claimed once: with its first request.
    let mut form: Vec<String> = FORM_APPEND.captures_iter(text).map(|c| c[1].to_string()).collect();
    let mut headers = header_keys(text, &JS_HEADER);
    let mut out = Vec::new();
    for (c, rest) in calls(text, &[&FETCH, &AXIOS]) {
        let Some(url) = url_argument(rest, &variables) else { continue };
        let at = c.get(0).expect("match").start();
        let mut request = Request { at, url, headers: std::mem::take(&mut headers), ..Request::default() };
        match c.get(1) {
            // fetch(url, { method, body: JSON.stringify({...}) })
            None => {
                request.method = JS_METHOD.captures(rest).map_or("GET".into(), |c| c[1].to_uppercase());
                request.body =
                    JS_STRINGIFY.captures(rest).map(|c| object_keys(&c[1], false)).unwrap_or_default();
                if request.body.is_empty() && request.method != "GET" {
                    request.multipart = std::mem::take(&mut form);
                }
            }
            // axios.post(url, data, { params })
            Some(method) => {
                request.method = method.as_str().to_uppercase();
                request.query =
                    JS_PARAMS.captures(rest).map(|p| object_keys(&p[1], false)).unwrap_or_default();
                // For post/put/patch the second argument is the data: an object literal or a form.
                if matches!(request.method.as_str(), "POST" | "PUT" | "PATCH") {
                    let after_url = skip_argument(rest);
                    let second = after_url.trim_start().trim_start_matches(',').trim_start();
                    if second.starts_with('{') {
                        let end = matching_brace(second).unwrap_or(second.len());
                        request.body = object_keys(&second[..end], false);
                    } else {
                        request.multipart = std::mem::take(&mut form);
                    }
                }
            }
        }
        out.push(request);
    }
    out
}

fn python(text: &str) -> Vec<Request> {
    let variables = url_variables(text);
    let assignments = python_assignments(text);
    // Written once for the whole snippet, so claimed once: with its first request, and each
    // variable's keys with the first call that sends it.
    let mut headers = header_keys(text, &JS_HEADER);
    let mut sent = HashSet::new();
    let mut out = Vec::new();
    for (c, rest) in calls(text, &[&PY_CALL]) {
        let whole = c.get(0).expect("match");
        let Some(url) = url_argument(rest, &variables) else { continue };
        let call = &rest[..matching_paren(rest).unwrap_or(rest.len())];
        let mut request =
            Request { at: whole.start(), method: c[1].to_uppercase(), url, ..Request::default() };
        let mut data = Vec::new();
        for k in PY_KEYWORD.captures_iter(call) {
            let value = k.get(2).map_or("", |m| m.as_str());
            if !value.starts_with('{') && !sent.insert(value) {
                continue;
            }
            let keys = python_keys(&assignments, value);
            match &k[1] {
                "json" => request.body.extend(keys),
                "files" => request.multipart.extend(keys),
                "data" => data.extend(keys),
                _ => request.query.extend(keys),
            }
        }
        // Form data goes with the files as multipart parts; alone it is a urlencoded body.
        if request.multipart.is_empty() {
            request.body.extend(data);
        } else {
            request.multipart.extend(data);
        }
        request.headers = std::mem::take(&mut headers);
        out.push(request);
    }
    out
}

/// `name = {...}` and `name = [...]` assignments of a Python snippet, the first of each name,
/// found in one pass.
fn python_assignments(text: &str) -> HashMap<&str, &str> {
    let mut out = HashMap::new();
    for c in PY_ASSIGNMENT.captures_iter(text) {
        if let (Some(name), Some(literal)) = (c.get(1), c.get(2)) {
            out.entry(name.as_str()).or_insert(literal.as_str());
        }
    }
    out
}

/// The keys of a Python dict or list of tuples, given inline or as a variable assigned above.
fn python_keys(assignments: &HashMap<&str, &str>, value: &str) -> Vec<String> {
    let literal = match assignments.get(value) {
        _ if value.starts_with('{') => value,
        Some(literal) => literal,
        None => return Vec::new(),
    };
    PY_KEYS
        .captures_iter(literal)
        .filter_map(|c| c.get(1).or(c.get(2)).map(|m| m.as_str().to_string()))
        .collect()
}

fn go(text: &str) -> Vec<Request> {
    let variables = url_variables(text);
    // What a Go snippet sends is written once for the whole snippet, so claimed once: with its
    // first request.
    let mut body: Vec<String> = GO_JSON
        .captures(text)
        .map(|j| QUOTED_KEY.captures_iter(&j[1]).map(|k| k[1].to_string()).collect())
        .unwrap_or_default();
    let mut headers: Vec<String> = GO_HEADER.captures_iter(text).map(|h| h[1].to_string()).collect();
    let mut multipart: Vec<String> = GO_FORM.captures_iter(text).map(|f| f[1].to_string()).collect();
    let mut out = Vec::new();
    for (c, rest) in calls(text, &[&GO_REQUEST]) {
        let Some(url) = url_argument(rest, &variables) else { continue };
        out.push(Request {
            at: c.get(0).expect("match").start(),
            method: c[1].to_uppercase(),
            url,
            headers: std::mem::take(&mut headers),
            query: Vec::new(),
            body: std::mem::take(&mut body),
            multipart: std::mem::take(&mut multipart),
        });
    }
    out
}

fn php(text: &str) -> Vec<Request> {
    let variables = url_variables(text);
    // What a PHP snippet sends is written once for the whole snippet, so claimed once: with its
    // first request.
    let method = match PHP_METHOD.captures(text) {
        Some(c) => c[1].to_uppercase(),
        None if PHP_POST.is_match(text) => "POST".into(),
        None => "GET".into(),
    };
    let (mut body, mut multipart) = (Vec::new(), Vec::new());
    if let Some(fields) = PHP_FIELDS.captures(text) {
        if let Some(json) = fields.get(2) {
            body = QUOTED_KEY.captures_iter(json.as_str()).map(|k| k[1].to_string()).collect();
        } else if let Some(variable) = fields.get(3) {
            let assignment = regex(&format!(r"(?s)\${}\s*=\s*\[(.*?)\];", regex::escape(variable.as_str())));
            if let Some(array) = assignment.captures(text) {
                let keys = QUOTED_KEY.captures_iter(&array[1]).map(|k| k[1].to_string()).collect();
                if array[1].contains("CURLFile") || text.contains("new CURLFile") {
                    multipart = keys;
                } else {
                    body = keys;
                }
            }
        }
    }
    let mut headers: Vec<String> = PHP_HEADER.captures_iter(text).map(|h| h[1].to_string()).collect();
    let mut out = Vec::new();
    for (c, rest) in calls(text, &[&PHP_INIT]) {
        let Some(url) = url_argument(rest, &variables) else { continue };
        out.push(Request {
            at: c.get(0).expect("match").start(),
            method: method.clone(),
            url,
            headers: std::mem::take(&mut headers),
            query: Vec::new(),
            body: std::mem::take(&mut body),
            multipart: std::mem::take(&mut multipart),
        });
    }
    out
}

/// Header names inside `headers` objects or arrays.
fn header_keys(text: &str, key: &Regex) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for block in HEADERS_OBJECT.captures_iter(text) {
        for c in key.captures_iter(&block[1]) {
            let name = c[1].to_string();
            if (name.starts_with("X-") || name == "Authorization" || name == "Content-Type")
                && seen.insert(name.clone())
            {
                out.push(name);
            }
        }
    }
    out
}

/// The top-level keys of a JSON object given as text; a relaxed reading when it is not JSON.
fn json_keys(data: &str) -> Vec<String> {
    match serde_json::from_str::<serde_json::Value>(data) {
        Ok(serde_json::Value::Object(fields)) => fields.keys().cloned().collect(),
        _ => object_keys(data, false),
    }
}

/// Skips the first argument (a string literal or an identifier) of a call.
fn skip_argument(rest: &str) -> &str {
    if let Some(c) = STRING_LITERAL.captures(rest) {
        return &rest[c.get(0).map_or(0, |m| m.end())..];
    }
    let len =
        rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$').map(char::len_utf8).sum();
    &rest[len..]
}

/// The end (exclusive) of the object literal `text` starts with.
fn matching_brace(text: &str) -> Option<usize> {
    matching(text, '{', '}', 0)
}

/// The end of the argument list that `text` is inside (its closing parenthesis).
fn matching_paren(text: &str) -> Option<usize> {
    matching(text, '(', ')', 1)
}

fn matching(text: &str, open: char, close: char, start_depth: usize) -> Option<usize> {
    let mut depth = start_depth;
    for (i, c) in text.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(i + 1);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_gives_method_path_and_fields() {
        let curl = curl("curl -X POST \"https://api.example.com/api/v3/files/pin/:cid\" \\\n  -H \"X-API-Key: k\" \\\n  -d '{\"cl\": \"x\"}'\n");
        assert_eq!((curl[0].method.as_str(), curl[0].body.clone()), ("POST", vec!["cl".to_string()]));
        let js = javascript("const r = await fetch(`https://api.example.com/api/v3/files/remove/${cid}`, { method: 'DELETE' });");
        assert_eq!(claims::endpoint(&js[0].method, &js[0].url).to_string(), "DELETE /files/remove/{}");
        let go = go("url := \"https://api.example.com/api/v3/files/pin/\" + cid\nreq, _ := http.NewRequest(\"POST\", url, nil)\n");
        assert_eq!(claims::endpoint(&go[0].method, &go[0].url).to_string(), "POST /files/pin/{}");
        let php = php("$url = \"https://api.example.com/api/v3/files/pin/$cid\";\n$ch = curl_init($url);\ncurl_setopt($ch, CURLOPT_POST, true);\n");
        assert_eq!(claims::endpoint(&php[0].method, &php[0].url).to_string(), "POST /files/pin/{}");
        let py = python("url = f\"https://api.example.com/api/v3/files/pin/{cid}\"\npayload = {\"cl\": \"x\"}\nr = requests.post(url, json=payload)\n");
        assert_eq!(
            (claims::endpoint(&py[0].method, &py[0].url).to_string(), py[0].body.clone()),
            ("POST /files/pin/{}".to_string(), vec!["cl".to_string()])
        );
    }
}
