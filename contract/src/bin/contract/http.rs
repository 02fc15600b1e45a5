//! The suite's own HTTP layer: plain reqwest, so the suite sees exactly what the server sends.
//!
//! It counts every request against a budget, waits out 429s (honouring `Retry-After`, up to a
//! limit) except where a check wants to see them, and marks credentials as sensitive headers.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};

/// Most attempts of one request that keeps getting 429.
const MAX_429_WAITS: u32 = 6;

/// How a request authenticates.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    None,
    ApiKey(&'a str),
    Bearer(&'a str),
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    Empty,
    Json(serde_json::Value),
    /// Bytes sent as they are, with a `Content-Type`: for malformed bodies.
    Raw(&'static str, Vec<u8>),
    /// `multipart/form-data`: file parts (field, filename, bytes) and text fields.
    Multipart {
        files: Vec<(String, String, Vec<u8>)>,
        fields: Vec<(String, String)>,
    },
}

/// A request below the base URL; the path is already filled in and percent-encoded.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: reqwest::Method,
    pub path: String,
    pub body: Body,
}

impl Req {
    pub fn new(method: &str, path: impl Into<String>) -> Req {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        Req { method, path: path.into(), body: Body::Empty }
    }

    pub fn json(mut self, body: serde_json::Value) -> Req {
        self.body = Body::Json(body);
        self
    }

    pub fn body(mut self, body: Body) -> Req {
        self.body = body;
        self
    }
}

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    /// A 2xx answer.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// `Retry-After` in whole seconds, when it is one.
    pub fn retry_after(&self) -> Option<u64> {
        self.headers.get("retry-after")?.to_str().ok()?.trim().parse().ok()
    }
}

/// The client of one run.
pub struct Http {
    client: reqwest::Client,
    base_url: String,
    budget: AtomicU32,
    sent: AtomicU32,
    max_wait: Duration,
}

impl Http {
    pub fn new(base_url: &str, budget: u32, max_wait: Duration) -> Result<Http, String> {
        // The same TLS provider as the library's client.
        pinarkive::tls::install_default_provider();
        let client = reqwest::Client::builder()
            .user_agent(concat!("pinarkive-contract/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let base_url = base_url.trim_end_matches('/').to_string();
        Ok(Http { client, base_url, budget: AtomicU32::new(budget), sent: AtomicU32::new(0), max_wait })
    }

    /// Raises the budget by `more` requests (cleanup must not be refused by a spent budget).
    pub fn allow_more(&self, more: u32) {
        self.budget.fetch_add(more, Ordering::Relaxed);
    }

    /// Requests sent so far (every attempt counts).
    pub fn sent(&self) -> u32 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Sends `req`; a 429 is waited out (its `Retry-After`, else 1 s) and the request sent again.
    pub async fn send(&self, req: &Req, auth: Auth<'_>) -> Result<Resp, String> {
        let mut waits = 0;
        loop {
            let resp = self.send_once(req, auth).await?;
            if resp.status != 429 || waits == MAX_429_WAITS {
                return Ok(resp);
            }
            waits += 1;
            let wait = Duration::from_secs(resp.retry_after().unwrap_or(1).max(1));
            if wait > self.max_wait {
                return Err(format!(
                    "the server answered 429 with Retry-After {} s, more than --max-wait {} s",
                    wait.as_secs(),
                    self.max_wait.as_secs()
                ));
            }
            eprintln!("contract: 429 from {} {}, waiting {} s", req.method, req.path, wait.as_secs());
            tokio::time::sleep(wait).await;
        }
    }

    /// Sends `req` once, whatever the answer (the rate-limit check wants to see 429s).
    pub async fn send_once(&self, req: &Req, auth: Auth<'_>) -> Result<Resp, String> {
        let n = self.sent.fetch_add(1, Ordering::Relaxed);
        if n >= self.budget.load(Ordering::Relaxed) {
            self.sent.fetch_sub(1, Ordering::Relaxed);
            return Err("the request budget (--max-requests) is spent".to_string());
        }
        let url = format!("{}{}", self.base_url, req.path);
        let mut builder = self.client.request(req.method.clone(), &url);
        match auth {
            Auth::None => {}
            Auth::ApiKey(key) => builder = builder.header("x-api-key", sensitive(key)?),
            Auth::Bearer(token) => {
                builder = builder.header("authorization", sensitive(&format!("Bearer {token}"))?)
            }
        }
        builder = match &req.body {
            Body::Empty => builder,
            Body::Json(value) => builder.json(value),
            Body::Raw(content_type, bytes) => {
                builder.header("content-type", *content_type).body(bytes.clone())
            }
            Body::Multipart { files, fields } => {
                let mut form = reqwest::multipart::Form::new();
                for (name, value) in fields {
                    form = form.text(name.clone(), value.clone());
                }
                for (name, filename, bytes) in files {
                    let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name(filename.clone());
                    form = form.part(name.clone(), part);
                }
                builder.multipart(form)
            }
        };
        let response = builder.send().await.map_err(|e| describe(&req.method, &req.path, &e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| describe(&req.method, &req.path, &e))?;
        Ok(Resp { status, headers, body: body.to_vec() })
    }
}

fn sensitive(value: &str) -> Result<HeaderValue, String> {
    let mut value =
        HeaderValue::from_str(value).map_err(|_| "a credential is not a valid header value".to_string())?;
    value.set_sensitive(true);
    Ok(value)
}

/// A transport error as `METHOD path what: innermost cause`. reqwest's own message repeats the
/// whole URL and wraps the cause in layers; the innermost cause is the part that helps.
fn describe(method: &reqwest::Method, path: &str, error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "failed while reading the body"
    } else {
        "failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        cause = e.to_string();
        source = e.source();
    }
    match cause.is_empty() {
        true => format!("{method} {path} {kind}"),
        false => format!("{method} {path} {kind}: {cause}"),
    }
}
