//! What a page says about the API, one fact at a time, each with its page and line.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// An endpoint as the docs write it, reduced to a comparable form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    /// Upper case (`GET`).
    pub method: String,
    /// Relative to the API base, no query, no trailing slash, every path parameter written `{}`
    /// (`/files/pin/{}`). A leading segment the docs abbreviate (API.md's `/me`) is kept as is.
    pub path: String,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// JSON types as the docs show them, in an example or a field table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JsonType {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
    Null,
}

impl JsonType {
    pub fn of(value: &Value) -> JsonType {
        match value {
            Value::String(_) => JsonType::String,
            Value::Number(n) if n.is_i64() || n.is_u64() => JsonType::Integer,
            Value::Number(_) => JsonType::Number,
            Value::Bool(_) => JsonType::Boolean,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
            Value::Null => JsonType::Null,
        }
    }

    /// A type word of a field table (`string`, `string \| null`, `int`, `bool`...).
    pub fn from_word(word: &str) -> Option<JsonType> {
        Some(match word.trim().trim_matches('`').to_ascii_lowercase().as_str() {
            "string" | "str" | "date-time" | "datetime" | "date" => JsonType::String,
            "integer" | "int" => JsonType::Integer,
            "number" | "float" => JsonType::Number,
            "boolean" | "bool" => JsonType::Boolean,
            "array" | "list" => JsonType::Array,
            "object" | "map" => JsonType::Object,
            "null" => JsonType::Null,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::Boolean => "boolean",
            JsonType::Array => "array",
            JsonType::Object => "object",
            JsonType::Null => "null",
        }
    }
}

/// Which body a JSON example or field list describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Success,
    Error,
    RateLimit,
}

#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// The endpoint exists with this method.
    Endpoint,
    /// The API base URL (origin and version prefix).
    BaseUrl(String),
    /// The API-token scope the endpoint needs; without an endpoint, only that the scope exists.
    Scope(String),
    QueryParam(String),
    /// A JSON body field or a multipart part.
    BodyField {
        name: String,
        multipart: bool,
    },
    /// The documented success statuses (several when the docs hedge: "200 / 201").
    SuccessStatus(Vec<u16>),
    /// A field of the success body: a dotted path with `[]` for array items (`uploads[].cid`),
    /// and the types the docs give it (empty when they give none).
    ResponseField {
        path: String,
        types: Vec<JsonType>,
        exact_path: bool,
    },
    /// An error status the endpoint can answer.
    ErrorStatus(u16),
    /// An error `code` value and, where the docs give it, its HTTP status.
    ErrorCode {
        code: String,
        status: Option<u16>,
    },
    /// A request header the docs tell clients to send.
    Header(String),
    /// A rate-limit response header.
    RateLimitHeader(String),
    /// A field of the 429 body.
    RateLimitField {
        name: String,
        types: Vec<JsonType>,
    },
    /// A JSON example of a body.
    Example {
        body: BodyKind,
        value: Value,
    },
    /// Whether the endpoint needs credentials (a route table's `Auth` column).
    Auth(bool),
    /// The request body's media type (`Content-Type: multipart/form-data`).
    BodyMediaType(String),
}

impl What {
    /// Claims that mean nothing without the endpoint they are about.
    pub fn needs_endpoint(&self) -> bool {
        matches!(
            self,
            What::QueryParam(_)
                | What::BodyField { .. }
                | What::SuccessStatus(_)
                | What::ResponseField { .. }
                | What::ErrorStatus(_)
                | What::Auth(_)
                | What::BodyMediaType(_)
                | What::Example { body: BodyKind::Success, .. }
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// Index into the checked pages.
    pub page: usize,
    pub line: usize,
    pub endpoint: Option<Endpoint>,
    pub what: What,
}

static CID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{50,})$").expect("valid regex"));
static VERSION_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^/(api/)?v\d+(/|$)").expect("valid regex"));

/// Splits an absolute API URL into its base (origin plus `/api/vN` or `/vN`) and the rest.
/// None when the URL is not one of the API's: its host does not start with `api.` and its path
/// has no version prefix (gateways, the website, package registries).
pub fn split_api_url(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let scheme_len = url.len() - rest.len();
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, path) = rest.split_at(host_end);
    let prefix_len = VERSION_PREFIX.find(path).map(|m| m.as_str().trim_end_matches('/').len());
    if !host.starts_with("api.") && prefix_len.is_none() {
        return None;
    }
    let prefix_len = prefix_len.unwrap_or(0);
    let base = format!("{}{host}{}", &url[..scheme_len], &path[..prefix_len]);
    Some((base, path[prefix_len..].to_string()))
}

/// The query parameter names of a path or URL (`?page=1&limit=20` gives `page`, `limit`).
pub fn query_names(path: &str) -> Vec<String> {
    let Some((_, query)) = path.split_once('?') else { return Vec::new() };
    query
        .split('&')
        .filter_map(|pair| pair.split('=').next())
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect()
}

/// A docs path (relative to the base, or with `/api/v3` in front) in comparable form: no query,
/// no trailing slash, and every parameter (`:cid`, `{cid}`, `${cid}`, `$cid`, `<cid>`, a literal
/// CID) written `{}`.
pub fn normalize_path(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = match VERSION_PREFIX.find(path) {
        Some(m) => &path[m.as_str().trim_end_matches('/').len()..],
        None => path,
    };
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|segment| if is_parameter(segment) { "{}".to_string() } else { segment.to_string() })
        .collect();
    format!("/{}", segments.join("/"))
}

fn is_parameter(segment: &str) -> bool {
    segment.starts_with([':', '{', '$', '<']) || CID.is_match(segment)
}

/// Parses `GET /path` (or a full URL) into an endpoint.
pub fn endpoint(method: &str, path_or_url: &str) -> Endpoint {
    let path = match split_api_url(path_or_url) {
        Some((_, path)) => path,
        None => path_or_url.to_string(),
    };
    Endpoint { method: method.to_ascii_uppercase(), path: normalize_path(&path) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_spelling_is_the_same_parameter() {
        for path in [
            "/files/pin/:cid",
            "/files/pin/{cid}",
            "/files/pin/${cid}",
            "/files/pin/$cid",
            "/files/pin/<cid>",
            "/files/pin/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
            "/files/pin/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
            "/api/v3/files/pin/:cid/",
        ] {
            assert_eq!(normalize_path(path), "/files/pin/{}", "{path}");
        }
    }

    #[test]
    fn api_urls_split_into_base_and_path() {
        assert_eq!(
            split_api_url("https://api.pinarkive.com/api/v3/users/me/uploads?page=1"),
            Some(("https://api.pinarkive.com/api/v3".into(), "/users/me/uploads?page=1".into()))
        );
        assert_eq!(
            split_api_url("https://api.pinarkive.com"),
            Some(("https://api.pinarkive.com".into(), "".into()))
        );
        assert_eq!(split_api_url("https://gateway.pinarkive.com/ipfs/x"), None);
        assert_eq!(query_names("/x?page=1&limit=20"), vec!["page", "limit"]);
    }
}
