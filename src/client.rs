//! Building a [`Client`]: base URL, credentials, timeouts, default cluster, retries.
//!
//! The generated operations and the hand-written ones share one `reqwest::Client` and one hook
//! ([`ClientHooks`] below), which adds credentials, checks CIDs, applies the default cluster,
//! retries, reads bodies up to their limit and captures error bodies for [`crate::Error`].
//!
//! The `reqwest::Client` never follows a redirect: reqwest would resend a custom header such as
//! `X-API-Key` to whatever origin a `Location` names. A 3xx becomes [`Error::Redirect`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::auth::Credentials;
use crate::body::{BodyLimits, DEFAULT_MAX_RESPONSE_BODY};
use crate::error::{Captured, ConfigError, Error, Result};
use crate::redact::Redactor;
use crate::retry::{self, OnRetry, Retry, RetryPolicy};
use crate::spec::OperationId;
use crate::Client;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.pinarkive.com/api/v3";

/// The environment variables [`Client::from_env`] reads.
pub mod env {
    /// The API key (required).
    pub const API_KEY: &str = "PINARKIVE_API_KEY";
    /// The base URL, default [`super::DEFAULT_BASE_URL`].
    pub const API_BASE_URL: &str = "PINARKIVE_API_BASE_URL";
    /// The cluster to use where the caller names none.
    pub const CLUSTER_ID: &str = "PINARKIVE_CLUSTER_ID";
}

/// What the hook needs on every request; held by the generated `Client`.
#[derive(Clone, Debug)]
pub struct Inner {
    /// Credential headers, marked sensitive (their `Debug` shows `Sensitive`).
    auth_headers: HeaderMap,
    /// The cluster sent as `X-Cluster` (and as `cl` on uploads) where the caller names none.
    cluster: Option<String>,
    retry: RetryPolicy,
    /// How long a call may go without progress: the whole of a JSON call, or a pause in an
    /// upload (see `upload::stall_watchdog`).
    read_timeout: Duration,
    /// The base URL's path, to find the operation's path parameters in a request URL.
    base_path: String,
    /// How much of a response body is read.
    limits: BodyLimits,
    /// The credentials' secrets, to take out of every error (a server may echo them).
    redactor: Redactor,
    /// Told of every resend before its wait.
    on_retry: Option<OnRetry>,
}

/// A change to the `reqwest::ClientBuilder`; see [`ClientBuilder::configure_http`].
#[derive(Clone)]
struct HttpConfig(Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>);

impl fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HttpConfig(..)")
    }
}

/// Configures a [`Client`]. Start from [`Client::builder`] or [`ClientBuilder::from_env`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    credentials: Option<Credentials>,
    connect_timeout: Duration,
    read_timeout: Duration,
    user_agent: String,
    cluster: Option<String>,
    retry: RetryPolicy,
    http: Option<HttpConfig>,
    allow_insecure_http: bool,
    max_response_body: u64,
    on_retry: Option<OnRetry>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.into(),
            credentials: None,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            user_agent: concat!("pinarkive-rs/", env!("CARGO_PKG_VERSION")).into(),
            cluster: None,
            retry: RetryPolicy::default(),
            http: None,
            allow_insecure_http: false,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            on_retry: None,
        }
    }
}

impl ClientBuilder {
    /// A builder with the defaults: production URL, no credentials, 10 s connect and 60 s read
    /// timeouts (no total timeout, so large uploads are not cut off), retries on.
    pub fn new() -> Self {
        ClientBuilder::default()
    }

    /// A builder from `PINARKIVE_API_KEY` (required), `PINARKIVE_API_BASE_URL` and
    /// `PINARKIVE_CLUSTER_ID` (optional).
    ///
    /// # Errors
    /// [`Error::Config`] with [`ConfigError::MissingEnv`] when the key is missing or empty.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let key = lookup(env::API_KEY)
            .filter(|k| !k.trim().is_empty())
            .ok_or_else(|| Error::Config(ConfigError::MissingEnv { variable: env::API_KEY }))?;
        let mut builder = ClientBuilder::new().credentials(Credentials::api_key(key));
        if let Some(url) = lookup(env::API_BASE_URL).filter(|u| !u.trim().is_empty()) {
            builder = builder.base_url(url);
        }
        if let Some(cluster) = lookup(env::CLUSTER_ID).filter(|c| !c.trim().is_empty()) {
            builder = builder.cluster(cluster);
        }
        Ok(builder)
    }

    /// The API base URL, including `/api/v3`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The credentials sent with every request.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Shorthand for `credentials(Credentials::api_key(key))`.
    pub fn api_key(self, key: impl Into<String>) -> Self {
        self.credentials(Credentials::api_key(key))
    }

    /// How long to wait for a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a call may take, default 60 s: the whole of a JSON call; for an upload, the
    /// longest pause in sending its body or in waiting for the answer after it.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// The `User-Agent`, default `pinarkive-rs/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The cluster used where a call names none (`X-Cluster`, and `cl` on uploads).
    pub fn cluster(mut self, cluster: impl Into<String>) -> Self {
        self.cluster = Some(cluster.into());
        self
    }

    /// The retry policy; [`RetryPolicy::none`] turns retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Calls `observe` before every resend, with the operation, which resend it is, the wait
    /// before it and the status that caused it: to log retries, count them, or tell a user why a
    /// call is slow. (The same events are `tracing` debug events named `retrying`.)
    ///
    /// ```
    /// let client = pinarkive::Client::builder()
    ///     .api_key("pk_...")
    ///     .on_retry(|retry| eprintln!("{}: retry {} in {:?}", retry.operation, retry.number, retry.wait))
    ///     .build()?;
    /// # Ok::<(), pinarkive::Error>(())
    /// ```
    pub fn on_retry(mut self, observe: impl Fn(&Retry) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(OnRetry(Arc::new(observe)));
        self
    }

    /// Adjusts the `reqwest::ClientBuilder` the client is built from: proxies, TLS roots, a
    /// local address, your own settings. `configure` gets a builder with this builder's connect
    /// timeout and user agent, and what it sets is kept, except the redirect policy: redirects
    /// are never followed (see [`Error::Redirect`]), so that no credential can be carried to
    /// another origin. Set no read or total timeout in it, or large uploads will be cut off;
    /// [`ClientBuilder::read_timeout`] applies either way.
    ///
    /// Proxies: for a remote base URL, reqwest's defaults apply (`HTTPS_PROXY`, `HTTP_PROXY`,
    /// `ALL_PROXY` and `NO_PROXY` from the environment) unless `configure` sets its own. A
    /// loopback base URL (`localhost`, `127.0.0.0/8`, `[::1]`) ignores the environment's
    /// proxies: none can be meant for it, and a plain-`http` one would see the key.
    ///
    /// (A ready `reqwest::Client` is not taken: its redirect policy could not be checked.)
    ///
    /// ```
    /// let client = pinarkive::Client::builder()
    ///     .api_key("pk_...")
    ///     .configure_http(|http| http.no_proxy().tcp_nodelay(true))
    ///     .build()?;
    /// # Ok::<(), pinarkive::Error>(())
    /// ```
    pub fn configure_http(
        mut self,
        configure: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.http = Some(HttpConfig(Arc::new(configure)));
        self
    }

    /// The largest response body the client reads, default 64 MiB
    /// ([`crate::body::DEFAULT_MAX_RESPONSE_BODY`]); error bodies are read up to 64 KiB
    /// ([`crate::body::MAX_ERROR_BODY`]) or this, whichever is smaller, and a redirect's body
    /// not at all. A longer body is not read further and the call fails with
    /// [`Error::BodyTooLarge`], which keeps the status and is never retried.
    pub fn max_response_body(mut self, bytes: u64) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Allows a plain `http://` base URL on a host other than loopback. Credentials then travel
    /// in clear text; off by default.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] for an unusable base URL, credentials or cluster id, with the
    /// [`ConfigError`] that names what is wrong (never the secret).
    pub fn build(self) -> Result<Client> {
        let url = reqwest::Url::parse(self.base_url.trim()).map_err(|e| ConfigError::InvalidUrl {
            url: crate::redact::without_userinfo(&self.base_url),
            reason: e.to_string(),
        })?;
        let shown = crate::redact::without_userinfo(url.as_str());
        match url.scheme() {
            "https" => {}
            "http" if self.allow_insecure_http || is_loopback(&url) => {}
            "http" => return Err(ConfigError::InsecureUrl { url: shown }.into()),
            other => {
                return Err(ConfigError::UnsupportedScheme { url: shown, scheme: other.to_string() }.into())
            }
        }
        if let Some(cluster) = &self.cluster {
            if HeaderValue::from_str(cluster).is_err() {
                return Err(
                    ConfigError::InvalidHeaderValue { what: format!("cluster id {cluster:?}") }.into()
                );
            }
        }
        let (auth_headers, redactor) = match &self.credentials {
            Some(credentials) => (credentials.headers()?, credentials.redactor()),
            None => (HeaderMap::new(), Redactor::default()),
        };
        // No reqwest read timeout: it runs from the start of the request to the response
        // headers, so it would cut off any upload slower than itself. The hook applies the
        // timeout per request instead.
        crate::tls::install_default_provider();
        let mut http =
            reqwest::Client::builder().connect_timeout(self.connect_timeout).user_agent(&self.user_agent);
        // A proxy from the environment (HTTP_PROXY, ALL_PROXY…) cannot be meant for loopback,
        // and one would see the key of a plain-http base URL: loopback is always reached
        // directly. A proxy set in `configure_http` is the caller's choice and still applies.
        if is_loopback(&url) {
            http = http.no_proxy();
        }
        if let Some(HttpConfig(configure)) = &self.http {
            http = configure(http);
        }
        let http =
            http.redirect(reqwest::redirect::Policy::none()).build().map_err(ConfigError::HttpClient)?;
        let base_url = url.as_str().trim_end_matches('/').to_string();
        let inner = Inner {
            auth_headers,
            cluster: self.cluster,
            retry: self.retry,
            read_timeout: self.read_timeout,
            base_path: url.path().to_string(),
            limits: BodyLimits { success: self.max_response_body },
            redactor,
            on_retry: self.on_retry,
        };
        Ok(Client::new_with_client(&base_url, http, inner))
    }
}

/// A cluster id as an `X-Cluster` value.
pub(crate) fn cluster_header(cluster: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(cluster)
        .map_err(|_| Error::InvalidInput(format!("cluster {cluster:?} is not a valid header value")))
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment; see [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    /// The same client (connections, base URL, cluster, retries, limits) with other credentials:
    /// for a program that acts for several users, each call with its own key, without building
    /// an HTTP client per user.
    ///
    /// # Errors
    /// [`Error::Config`] for credentials that cannot be sent (empty, or with a newline), naming
    /// what is wrong (never the secret).
    pub fn with_credentials(&self, credentials: Credentials) -> Result<Client> {
        let mut inner = self.inner.clone();
        inner.auth_headers = credentials.headers().map_err(Error::Config)?;
        inner.redactor = credentials.redactor();
        Ok(Client::new_with_client(&self.baseurl, self.client.clone(), inner))
    }

    /// The cluster used where a call names none.
    pub fn default_cluster(&self) -> Option<&str> {
        self.inner.cluster.as_deref()
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Adds what every request carries; fails before sending when a CID is invalid.
    pub(crate) fn prepare(&self, request: &mut reqwest::Request, operation: OperationId) -> Result<()> {
        crate::cid::check_path_cids(operation.path(), &self.inner.base_path, request.url().path())?;
        for (name, value) in self.inner.auth_headers.iter() {
            request.headers_mut().insert(name.clone(), value.clone());
        }
        // The default cluster fills in only where the call named none, by header or by `cl`.
        // (A `cl` inside a JSON body is not looked at: set the header too if you use it.)
        if let (Some(cluster), true) = (&self.inner.cluster, operation.takes_cluster()) {
            let x_cluster = HeaderName::from_static("x-cluster");
            let named = request.headers().contains_key(&x_cluster)
                || request.url().query_pairs().any(|(name, _)| name == "cl");
            if !named {
                request.headers_mut().insert(x_cluster, cluster_header(cluster)?);
            }
        }
        Ok(())
    }

    /// The read timeout; see [`ClientBuilder::read_timeout`].
    pub(crate) fn read_timeout(&self) -> Duration {
        self.inner.read_timeout
    }

    /// How much of a response body is read.
    pub(crate) fn body_limits(&self) -> BodyLimits {
        self.inner.limits
    }

    /// Who is told of resends.
    pub(crate) fn on_retry(&self) -> Option<&OnRetry> {
        self.inner.on_retry.as_ref()
    }

    /// `error` as the caller may see it: without the credentials' secrets.
    pub(crate) fn redact(&self, error: Error) -> Error {
        error.redacted(&self.inner.redactor)
    }

    /// `text` without the credentials' secrets (or pieces of them): for a server's text that
    /// is passed on to someone else, such as the pinning-service bridge's answers.
    #[cfg(feature = "pinning-service")]
    pub(crate) fn redact_text<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        self.inner.redactor.redact(text)
    }

    /// What every generated `send()` returns on failure (`codegen.rs` makes it call this).
    pub(crate) fn error_from(&self, error: progenitor_client::Error<crate::types::ErrorBody>) -> Error {
        self.redact(Error::from(error))
    }
}

/// The secrets a request's JSON body carries: the string values of its fields whose name holds
/// `password` (`password`, `currentPassword`, `newPassword`), and of `token` (a password-reset
/// token), for the error of the call to leave out.
fn body_secrets(request: &reqwest::Request) -> Redactor {
    let body = request.body().and_then(reqwest::Body::as_bytes).unwrap_or_default();
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) else {
        return Redactor::default();
    };
    let secret = |name: &str| name.to_ascii_lowercase().contains("password") || name == "token";
    Redactor::new(fields.iter().filter(|(name, _)| secret(name)).filter_map(|(_, value)| value.as_str()))
}

/// The operation of a generated call: progenitor names it by its `operationId`, which is always
/// one of the spec's.
fn operation(info: &OperationInfo) -> std::result::Result<OperationId, String> {
    info.operation_id.parse().map_err(|e: crate::spec::UnknownOperation| e.to_string())
}

impl ClientHooks<Inner> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> std::result::Result<(), progenitor_client::Error<E>> {
        let operation = operation(info).map_err(progenitor_client::Error::Custom)?;
        self.prepare(request, operation).map_err(|e| match e {
            Error::InvalidInput(message) => progenitor_client::Error::InvalidRequest(message),
            other => progenitor_client::Error::Custom(other.to_string()),
        })
    }

    async fn exec(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let Ok(operation) = operation(info) else {
            // Not reached: `pre` has refused an operationId that is not the spec's.
            return self.client.execute(request).await;
        };
        // RFC 9110 §9.2.2: GET, HEAD, PUT, DELETE… may be resent; POST may not.
        let idempotent = request.method().is_idempotent();
        request.timeout_mut().get_or_insert(self.inner.read_timeout);
        // Generated operations have JSON or empty bodies, so the request clones.
        let template = request.try_clone();
        let rebuild = || template.as_ref().and_then(|r| r.try_clone());
        let sent = body_secrets(&request);
        let attempt = |request| self.client.execute(request);
        let mut response = retry::send(self, operation, idempotent, request, rebuild, attempt).await?;
        // A server may echo a password it was sent in its error ("wrong password …").
        if let (false, Some(captured)) = (sent.is_empty(), response.extensions_mut().get_mut::<Captured>()) {
            captured.body = sent.redact_bytes(&captured.body);
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn from_env_names_the_missing_variable() {
        let err = ClientBuilder::from_lookup(lookup(&[])).unwrap_err();
        assert!(
            matches!(err, Error::Config(ConfigError::MissingEnv { variable: "PINARKIVE_API_KEY" })),
            "{err:?}"
        );
        assert!(err.to_string().contains("PINARKIVE_API_KEY is not set"), "{err}");
        let err = ClientBuilder::from_lookup(lookup(&[("PINARKIVE_API_KEY", " ")])).unwrap_err();
        assert!(err.to_string().contains("PINARKIVE_API_KEY"), "{err}");
    }

    #[test]
    fn from_env_reads_url_and_cluster() {
        let client = ClientBuilder::from_lookup(lookup(&[
            ("PINARKIVE_API_KEY", "k"),
            ("PINARKIVE_API_BASE_URL", "http://127.0.0.1:9/api/v3/"),
            ("PINARKIVE_CLUSTER_ID", "cl0-global"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(client.baseurl, "http://127.0.0.1:9/api/v3");
        assert_eq!(client.default_cluster(), Some("cl0-global"));
    }

    #[test]
    fn clear_text_is_refused_off_loopback() {
        let err =
            Client::builder().api_key("k").base_url("http://api.example.com/api/v3").build().unwrap_err();
        assert!(matches!(&err, Error::Config(ConfigError::InsecureUrl { .. })), "{err:?}");
        assert!(err.to_string().contains("clear text"), "{err}");
        for url in ["http://localhost:1/api/v3", "http://127.0.0.1:1", "http://[::1]:1"] {
            Client::builder().base_url(url).build().unwrap();
        }
        Client::builder().base_url("http://10.0.0.1/x").allow_insecure_http(true).build().unwrap();
        let err = Client::builder().base_url("ftp://x").build().unwrap_err();
        assert!(
            matches!(&err, Error::Config(ConfigError::UnsupportedScheme { scheme, .. }) if scheme == "ftp")
        );
        let err = Client::builder().base_url("not a url").build().unwrap_err();
        assert!(matches!(&err, Error::Config(ConfigError::InvalidUrl { url, .. }) if url == "not a url"));
        let err = Client::builder().cluster("cl0\nx").build().unwrap_err();
        assert!(
            matches!(&err, Error::Config(ConfigError::InvalidHeaderValue { what }) if what.contains("cluster"))
        );
    }

    #[test]
    fn a_user_and_password_in_the_base_url_are_not_shown_in_errors() {
        for url in
            ["http://user:hunter2@api.example.com/api/v3", "ftp://user:hunter2@x/", "ht tp://user:hunter2@x/"]
        {
            let err = Client::builder().base_url(url).build().unwrap_err().to_string();
            assert!(!err.contains("hunter2") && !err.contains("user"), "{err}");
            assert!(err.contains("[redacted]@"), "{err}");
        }
        assert_eq!(crate::redact::without_userinfo("https://h/p@q"), "https://h/p@q");
        assert_eq!(crate::redact::without_userinfo("no url"), "no url");
    }

    #[test]
    fn debug_never_shows_the_key() {
        let client = Client::builder().api_key("sekrit-key-123").build().unwrap();
        let debug = format!("{client:?}");
        assert!(!debug.contains("sekrit"), "{debug}");
        assert!(debug.contains("Sensitive"), "{debug}");
    }

    #[test]
    fn a_key_with_a_newline_is_a_config_error() {
        let err = Client::builder().api_key("abc\n").build().unwrap_err();
        assert!(matches!(err, Error::Config(ConfigError::InvalidHeaderValue { .. })), "{err:?}");
        assert!(!err.to_string().contains("abc"), "{err}");
    }
}
