//! The one error type of every call, generated or hand-written.
//!
//! progenitor's error loses the status of a response whose body does not parse (an HTML 503
//! from a proxy) and cannot read the body of an undocumented status in a synchronous `From`.
//! So the client's hook reads every response that is not a 2xx once, and hands it on as a
//! `Captured` envelope (status 599, which no operation documents: `codegen.rs` refuses `default`
//! and `5XX` responses that would take it) that the generated code passes through untouched;
//! `From<progenitor_client::Error<_>>` then builds [`Error`] from the envelope with nothing lost.
//! A 2xx goes to the generated code, whose success arm `crate::decode` parses once; a body that
//! does not decode comes back in the same envelope, status kept. Every generated `send()`
//! applies the conversion itself (`codegen.rs` wraps them), so callers never see progenitor's
//! error or the envelope.
//!
//! Bodies are read with a bound (see [`crate::body`]), and every error is redacted with the
//! client's credentials before a caller sees it (`Error::redacted`): a server may echo the key.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::body::{self, BodyLimits, ReadBody};
pub use crate::config_error::ConfigError;
use crate::redact::Redactor;
pub use crate::spec::ErrorCode;
use crate::types;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong with a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status and a JSON error body.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// A response whose body could not be decoded: an HTML page from a proxy, an empty or
    /// truncated body, or JSON that does not match the spec. The status (where known), the
    /// start of the body and its length are kept.
    #[error("{}", decode_message(*.status, .reason, .body))]
    Decode {
        /// The HTTP status; always known for a call made through this crate's [`Client`](crate::Client).
        status: Option<StatusCode>,
        /// The body as received, up to its first [`MAX_ERROR_BODY`](crate::body::MAX_ERROR_BODY)
        /// bytes (64 KiB): a success body may be far larger, and an error is often kept.
        body: Bytes,
        /// The length of the whole body as received.
        length: u64,
        /// Why it could not be decoded.
        reason: String,
    },
    /// No connection or no progress within the configured timeouts.
    #[error("request timed out: {message}")]
    Timeout {
        /// What timed out.
        message: String,
        /// The HTTP client's error, when it detected the timeout.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// No response: the connection failed, or dropped before the response was complete.
    #[error("request failed: {}", transport_message(.0))]
    Transport(#[source] reqwest::Error),
    /// Invalid input, found before anything was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The client could not be configured: a missing environment variable, a bad key or URL.
    #[error("configuration error: {0}")]
    Config(#[from] ConfigError),
    /// Work the client hands to a blocking thread (walking a directory to upload) panicked or
    /// was cancelled.
    #[error("{task} failed: {source}")]
    BlockingTask {
        /// What the task was doing.
        task: &'static str,
        /// Tokio's report.
        #[source]
        source: tokio::task::JoinError,
    },
    /// The server answered with a redirect (3xx). Redirects are never followed, so that no
    /// credential is sent anywhere but the base URL's origin. Never retried.
    #[error("{}", redirect_message(*.status, .location.as_deref()))]
    Redirect {
        /// The redirect's status.
        status: StatusCode,
        /// Where it pointed, without user, password, query or fragment; `None` when it had no
        /// usable `Location`.
        location: Option<String>,
    },
    /// The response body is larger than the client reads (see
    /// [`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body)); the rest
    /// was not read. Never retried.
    #[error("the response body (HTTP {status}) is larger than {} bytes, the most this client reads; stopped reading it", grouped(*.limit))]
    BodyTooLarge {
        /// The response's status.
        status: StatusCode,
        /// The limit that applied: the configured one for a success, the smaller error-body
        /// limit otherwise.
        limit: u64,
    },
    /// A local file to upload could not be read, or changed while it was sent: a local fault,
    /// not the network's or the server's. Never retried.
    #[error("{}: {problem}", .path.display())]
    LocalFile {
        /// The file (for an upload from a reader, the name it was uploaded under).
        path: PathBuf,
        /// What went wrong.
        #[source]
        problem: LocalFileError,
    },
    /// A listing across pages that would not end: a page seen before, more pages than the
    /// server's own total allows, or more than the walk's limit.
    #[error("the server's paging is inconsistent: {reason}")]
    Paging {
        /// The page at which the walk stopped.
        page: u64,
        /// What was wrong with it.
        reason: String,
    },
}

/// What went wrong with a local file; see [`Error::LocalFile`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocalFileError {
    /// The file could not be opened, or its size not read.
    #[error("cannot read it: {0}")]
    Open(#[source] std::io::Error),
    /// It is not a regular file (a directory, a FIFO, a device…), so it has no size to send.
    #[error("it is not a regular file (it is {0})")]
    NotRegular(&'static str),
    /// Its name was given to another file (or a link to one) after the upload was checked.
    #[error("it was replaced by another file while uploading")]
    Replaced,
    /// Reading failed part way.
    #[error("reading it failed after {} bytes: {source}", grouped(*.read))]
    Read {
        /// Bytes read before the failure.
        read: u64,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// Its size changed between the start of the upload and the end of reading it.
    #[error("changed while uploading: {} bytes expected, {}", grouped(*.expected), changed_read(*.expected, *.read))]
    Changed {
        /// Its size when the upload started.
        expected: u64,
        /// How many bytes it gave: fewer than expected when it shrank, one more when it grew.
        read: u64,
    },
}

fn changed_read(expected: u64, read: u64) -> String {
    if read < expected {
        format!("{} read", grouped(read))
    } else {
        "more read".to_string()
    }
}

/// `89000000` as `89,000,000`.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn redirect_message(status: StatusCode, location: Option<&str>) -> String {
    let rule = "redirects are not followed, so that credentials never leave the base URL's origin";
    match location {
        Some(location) => format!(
            "the server answered HTTP {status}, a redirect to {location}; {rule} (if the API has moved, set the base URL to its new address)"
        ),
        None => format!("the server answered HTTP {status}, a redirect without a usable Location; {rule}"),
    }
}

/// An error status with the API's JSON error body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body's `error` field: a short title.
    pub error: Option<String>,
    /// The body's `message` field: the explanation.
    pub message: Option<String>,
    /// The body's `code` field.
    pub code: Option<ErrorCode>,
    /// For `missing_scope`, the scope the key lacks (the body's `required`).
    pub required_scope: Option<String>,
    /// How long to wait before retrying: the `Retry-After` header, else the body's `retryAfter`.
    pub retry_after: Option<Duration>,
    /// The rate-limit fields from the headers or the body.
    pub rate_limit: RateLimit,
    /// The body as received.
    pub body: Bytes,
}

/// The rate-limit state the API reports on a 429 (`X-RateLimit-*` headers or body fields).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed in the window.
    pub limit: Option<u64>,
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// When the window resets, as the API sent it (its format is not documented).
    pub reset: Option<String>,
}

impl fmt::Display for ApiError {
    /// One line: `HTTP 403 Forbidden [missing_scope]: Missing scope: files:write (the API key needs scope files:write)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " [{code}]")?;
        }
        match (&self.message, &self.error) {
            (Some(message), _) | (None, Some(message)) => write!(f, ": {}", one_line(message))?,
            (None, None) => {}
        }
        if let Some(scope) = &self.required_scope {
            write!(f, " (the API key needs scope {scope})")?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (retry after {}s)", wait.as_secs())?;
        }
        Ok(())
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn decode_message(status: Option<StatusCode>, reason: &str, body: &Bytes) -> String {
    let status = status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
    let excerpt: String = String::from_utf8_lossy(&body[..body.len().min(80)]).chars().collect();
    let excerpt = one_line(&excerpt);
    if excerpt.is_empty() {
        format!("undecodable response{status}: {reason}; body is empty")
    } else {
        let more = if body.len() > 80 { "…" } else { "" };
        format!("undecodable response{status}: {reason}; body starts {excerpt:?}{more}")
    }
}

/// reqwest's own text names the URL but not always the cause; add the innermost cause.
fn transport_message(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        if inner.source().is_none() {
            message.push_str(&format!(": {inner}"));
        }
        source = inner.source();
    }
    message
}

impl Error {
    /// [`Error::Decode`], keeping at most [`body::MAX_ERROR_BODY`] bytes of `body`, copied so
    /// that the rest of a large body is freed with the response.
    pub(crate) fn decode(status: Option<StatusCode>, body: Bytes, reason: String) -> Error {
        let length = body.len() as u64;
        let kept = usize::try_from(body::MAX_ERROR_BODY).unwrap_or(usize::MAX);
        let body = if body.len() > kept { Bytes::copy_from_slice(&body[..kept]) } else { body };
        Error::Decode { status, body, length, reason }
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } => *status,
            Error::Redirect { status, .. } | Error::BodyTooLarge { status, .. } => Some(*status),
            Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// The API's error details, for [`Error::Api`].
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The API's error code, for [`Error::Api`].
    pub fn code(&self) -> Option<&ErrorCode> {
        self.api().and_then(|api| api.code.as_ref())
    }

    /// How long the server asked to wait, for a 429 or 503.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api().and_then(|api| api.retry_after)
    }

    /// Whether no connection or no progress came within the configured timeouts
    /// ([`Error::Timeout`]).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// Whether the same request may succeed later: timeouts, failed connections, 429, 502,
    /// 503 and 504. (The client has already retried these as its policy allows.) Never for a
    /// refused redirect, an oversized body, a local file's fault or inconsistent paging.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Transport(_) => true,
            Error::Api(_) | Error::Decode { .. } => {
                matches!(self.status().map(|s| s.as_u16()), Some(429 | 502 | 503 | 504))
            }
            _ => false,
        }
    }

    /// The error with every secret `redactor` knows replaced, in every text and body it
    /// carries (a server may echo the key it was sent). The client applies this with its own
    /// credentials to every error it returns.
    pub(crate) fn redacted(self, redactor: &Redactor) -> Error {
        if redactor.is_empty() {
            return self;
        }
        let text = |text: String| redactor.redact(&text).into_owned();
        match self {
            Error::Api(mut api) => {
                api.error = api.error.map(text);
                api.message = api.message.map(text);
                api.required_scope = api.required_scope.map(text);
                api.code = api.code.map(|code| match code {
                    ErrorCode::Other(other) => ErrorCode::Other(text(other)),
                    known => known,
                });
                api.rate_limit.reset = api.rate_limit.reset.map(text);
                api.body = redactor.redact_bytes(&api.body);
                Error::Api(api)
            }
            Error::Decode { status, body, length, reason } => {
                Error::Decode { status, body: redactor.redact_bytes(&body), length, reason: text(reason) }
            }
            Error::Redirect { status, location } => Error::Redirect { status, location: location.map(text) },
            Error::Timeout { message, source } => Error::Timeout { message: text(message), source },
            Error::InvalidInput(message) => Error::InvalidInput(text(message)),
            Error::Config(config) => Error::Config(config.redacted(redactor)),
            Error::Paging { page, reason } => Error::Paging { page, reason: text(reason) },
            other => other,
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Error::Timeout { message: transport_message(&error), source: Some(error) }
        } else {
            Error::Transport(error)
        }
    }
}

impl From<progenitor_client::Error<types::ErrorBody>> for Error {
    fn from(error: progenitor_client::Error<types::ErrorBody>) -> Self {
        use progenitor_client::Error as E;
        match error {
            E::InvalidRequest(message) | E::Custom(message) => Error::InvalidInput(message),
            E::CommunicationError(e) | E::InvalidUpgrade(e) | E::ResponseBodyError(e) => Error::from(e),
            // Not reached through this crate's client, which captures every error response,
            // but kept exact for a generated client built without its hook.
            E::ErrorResponse(response) => {
                let body = Bytes::from(serde_json::to_vec(&*response).unwrap_or_default());
                let (status, headers) = (response.status(), response.headers().clone());
                Captured { status, headers, url: None, body, exceeded: None, undecodable: None }.into_error()
            }
            E::InvalidResponsePayload(body, e) => {
                Error::decode(None, body, format!("body does not match the spec: {e}"))
            }
            E::UnexpectedResponse(response) => match Captured::from_envelope(&response) {
                Some(captured) => captured.clone().into_error(),
                None => Error::decode(
                    Some(response.status()),
                    Bytes::new(),
                    "status not documented for this operation".into(),
                ),
            },
        }
    }
}

/// The status under which a captured response travels through the generated code. No spec
/// operation documents it (`codegen.rs` refuses it, and `default` and `5XX`, which would take it),
/// so the generated code hands the response back untouched as `UnexpectedResponse`, with the
/// capture in its extensions.
const ENVELOPE_STATUS: u16 = 599;

/// A response read by the client hook (up to its limit) that is not a success: an error status,
/// a redirect (its body unread), or a body over the limit; or a success whose body does not decode
/// (`crate::decode`).
#[derive(Debug, Clone)]
pub(crate) struct Captured {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    /// Where the response came from, to resolve a relative `Location`.
    pub(crate) url: Option<reqwest::Url>,
    pub(crate) body: Bytes,
    /// The limit the body went over, in which case `body` is empty.
    pub(crate) exceeded: Option<u64>,
    /// Why a success body does not decode.
    pub(crate) undecodable: Option<String>,
}

impl Captured {
    /// Reads the response, up to `limits`. A success is returned as `Ok(Ok(_))` with its body in
    /// its extensions ([`ReadBody`]), for the generated code to decode (once: `crate::decode`);
    /// anything else is captured.
    pub(crate) async fn from_response(
        mut response: reqwest::Response,
        limits: BodyLimits,
    ) -> reqwest::Result<std::result::Result<reqwest::Response, Captured>> {
        let status = response.status();
        if status.is_redirection() {
            // Never followed, so its body says nothing the error needs: it is not read, and
            // dropping the response closes the connection.
            let headers = std::mem::take(response.headers_mut());
            let url = Some(response.url().clone());
            let body = Bytes::new();
            return Ok(Err(Captured { status, headers, url, body, exceeded: None, undecodable: None }));
        }
        let limit = limits.for_status(status);
        let body = body::read_bounded(&mut response, limit).await?;
        if let (true, Some(body)) = (status.is_success(), &body) {
            response.extensions_mut().insert(ReadBody(body.clone()));
            return Ok(Ok(response));
        }
        // Taken rather than cloned: the response is done with once its body is read.
        let headers = std::mem::take(response.headers_mut());
        let url = Some(response.url().clone());
        Ok(Err(match body {
            Some(body) => Captured { status, headers, url, body, exceeded: None, undecodable: None },
            None => {
                let body = Bytes::new();
                Captured { status, headers, url, body, exceeded: Some(limit), undecodable: None }
            }
        }))
    }

    /// The response the generated code receives instead of this one.
    pub(crate) fn into_envelope(self) -> reqwest::Response {
        let mut envelope = http::Response::new(Bytes::new());
        *envelope.status_mut() = StatusCode::from_u16(ENVELOPE_STATUS).expect("a valid status");
        envelope.extensions_mut().insert(self);
        reqwest::Response::from(envelope)
    }

    /// The capture inside an envelope made by [`Captured::into_envelope`].
    pub(crate) fn from_envelope(response: &reqwest::Response) -> Option<&Captured> {
        response.extensions().get::<Captured>()
    }

    fn json(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        match serde_json::from_slice(&self.body) {
            Ok(serde_json::Value::Object(map)) => Some(map),
            _ => None,
        }
    }

    /// `Retry-After` (seconds or HTTP date), else the body's `retryAfter` in seconds.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        let header = self.header("retry-after");
        header
            .and_then(|value| crate::retry::parse_retry_after(value, SystemTime::now()))
            .or_else(|| number(self.json()?.get("retryAfter")?).map(Duration::from_secs))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Where a redirect points: resolved, without user, password, query or fragment.
    fn location(&self) -> Option<String> {
        let value = self.header("location")?;
        let mut location = match &self.url {
            Some(url) => url.join(value).ok()?,
            None => reqwest::Url::parse(value).ok()?,
        };
        location.set_query(None);
        location.set_fragment(None);
        // Both fail only for URLs that cannot have a user, which have none to remove.
        let _ = location.set_password(None);
        let _ = location.set_username("");
        Some(location.to_string())
    }

    pub(crate) fn into_error(self) -> Error {
        if self.status.is_redirection() {
            return Error::Redirect { status: self.status, location: self.location() };
        }
        if let Some(limit) = self.exceeded {
            return Error::BodyTooLarge { status: self.status, limit };
        }
        if let Some(reason) = self.undecodable {
            return Error::decode(Some(self.status), self.body, reason);
        }
        let Some(json) = self.json() else {
            let content_type = self.header("content-type").unwrap_or("none").to_string();
            let reason = format!("error body is not a JSON object (content-type: {content_type})");
            return Error::decode(Some(self.status), self.body, reason);
        };
        let text = |key: &str| match json.get(key) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        };
        let header_number = |name: &str| self.header(name).and_then(|v| v.trim().parse().ok());
        let rate_limit = RateLimit {
            limit: header_number("x-ratelimit-limit").or_else(|| number(json.get("limit")?)),
            remaining: header_number("x-ratelimit-remaining").or_else(|| number(json.get("remaining")?)),
            reset: self.header("x-ratelimit-reset").map(str::to_string).or_else(|| {
                match json.get("resetTime")? {
                    serde_json::Value::String(s) => Some(s.clone()),
                    other => Some(other.to_string()),
                }
            }),
        };
        Error::Api(Box::new(ApiError {
            status: self.status,
            error: text("error"),
            message: text("message"),
            code: text("code").map(|c| ErrorCode::from(c.as_str())),
            required_scope: text("required"),
            retry_after: self.retry_after(),
            rate_limit,
            body: self.body,
        }))
    }
}

/// A non-negative integer, also when the server sends it as a string.
fn number(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => {
            n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f.ceil() as u64))
        }
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// `Retry-After` as servers send it, well and badly.
    fn retry_after() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            (0u64..100_000).prop_map(|s| s.to_string().into_bytes()),
            Just(b"99999999999999999999999999".to_vec()),
            Just(b"-5".to_vec()),
            Just(b"1.5".to_vec()),
            Just(b" 7 ".to_vec()),
            Just(Vec::new()),
            Just(b"Wed, 21 Oct 2015 07:28:00 GMT".to_vec()),
            Just(b"Fri, 31 Dec 9999 23:59:59 GMT".to_vec()),
            Just(b"Thu, 01 Jan 1970 00:00:00 GMT".to_vec()),
            Just(b"tomorrow".to_vec()),
            Just(b"\xff\xfe".to_vec()),
        ]
    }

    fn header() -> impl Strategy<Value = (&'static str, Vec<u8>)> {
        let name = proptest::sample::select(vec![
            "retry-after",
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "content-type",
            "content-length",
            "location",
        ]);
        let value = prop_oneof![retry_after(), proptest::collection::vec(32u8..=255, 0..40)];
        (name, value)
    }

    /// Bodies: bytes of any kind, and JSON error bodies with odd fields.
    fn body() -> impl Strategy<Value = Vec<u8>> {
        let odd = prop_oneof![
            Just(serde_json::json!(1e308)),
            Just(serde_json::json!(-1)),
            Just(serde_json::json!(1.5)),
            Just(serde_json::json!("12")),
            Just(serde_json::json!(u64::MAX)),
            Just(serde_json::json!(null)),
            Just(serde_json::json!({"a": []})),
            ".{0,20}".prop_map(serde_json::Value::String),
        ];
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..300),
            (odd.clone(), odd.clone(), odd.clone(), odd).prop_map(|(retry, limit, code, cid)| {
                serde_json::json!({"error": "x", "message": code, "code": code, "retryAfter": retry,
                    "limit": limit, "remaining": retry, "resetTime": limit, "required": code, "cid": cid})
                .to_string()
                .into_bytes()
            }),
        ]
    }

    proptest! {
        /// Any status, headers and body through the error and success decoding: no panic, and
        /// the status is always kept.
        #[test]
        fn decoding_never_panics_and_keeps_the_status(
            status in 100u16..=999,
            headers in proptest::collection::vec(header(), 0..6),
            body in body(),
            limit in prop_oneof![Just(16u64), Just(1024u64), Just(1 << 20)],
        ) {
            let status = StatusCode::from_u16(status).unwrap();
            let mut response = http::Response::new(reqwest::Body::from(body));
            *response.status_mut() = status;
            for (name, value) in headers {
                if let Ok(value) = reqwest::header::HeaderValue::from_bytes(&value) {
                    response.headers_mut().append(name, value);
                }
            }
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let read = runtime.block_on(Captured::from_response(response.into(), BodyLimits { success: limit }));
            match read.unwrap() {
                Ok(success) => {
                    prop_assert!(status.is_success());
                    prop_assert_eq!(success.status(), status);
                }
                Err(captured) => {
                    let _ = captured.retry_after();
                    let error = Error::from(progenitor_client::Error::<types::ErrorBody>::UnexpectedResponse(
                        captured.into_envelope(),
                    ));
                    let error = error.redacted(&Redactor::new(["pk_secret_key"]));
                    let _ = (error.to_string(), format!("{error:?}"), error.is_retryable(), error.retry_after());
                    prop_assert_eq!(error.status(), Some(status));
                }
            }
        }
    }

    #[test]
    fn digits_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(89_000_000), "89,000,000");
    }
}
