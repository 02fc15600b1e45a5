//! What can be wrong with a client's configuration; see [`Error::Config`](crate::Error::Config).

use crate::redact::Redactor;

/// Why a client could not be configured, each case matchable. No variant carries a secret:
/// a bad credential is named by its kind, never shown.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required environment variable is unset or empty.
    #[error("{variable} is not set (or empty){}", missing_hint(.variable))]
    MissingEnv {
        /// The variable, such as `PINARKIVE_API_KEY`.
        variable: &'static str,
    },
    /// The base URL does not parse.
    #[error("base URL {url:?} is not a URL: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// The parser's complaint.
        reason: String,
    },
    /// The base URL is plain http on a non-loopback host: the credentials would travel in
    /// clear text. Allowed only with
    /// [`ClientBuilder::allow_insecure_http`](crate::ClientBuilder::allow_insecure_http).
    #[error("base URL {url} is plain http on a non-loopback host, which would send the credentials in clear text; use https or allow_insecure_http(true)")]
    InsecureUrl {
        /// The URL.
        url: String,
    },
    /// The base URL's scheme is neither https nor http.
    #[error("base URL {url} has scheme {scheme:?}; expected https")]
    UnsupportedScheme {
        /// The URL.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// A credential is empty.
    #[error("the {credential} is empty")]
    EmptyCredential {
        /// Which: `API key` or `session token`.
        credential: &'static str,
    },
    /// A header value the client would send cannot be sent: a credential (named, not shown)
    /// or the cluster id with a newline or control character.
    #[error("the {what} contains a character that cannot be sent in an HTTP header (a newline or control character?)")]
    InvalidHeaderValue {
        /// What it is: `API key`, `session token`, or `cluster id "…"`.
        what: String,
    },
    /// reqwest could not build its client (a TLS backend that failed to load, say).
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}

fn missing_hint(variable: &str) -> &'static str {
    if variable == crate::client::env::API_KEY {
        "; set it to an API key from the Pinarkive dashboard"
    } else {
        ""
    }
}

impl ConfigError {
    /// The error with every secret `redactor` knows replaced in the texts it carries (a URL
    /// could hold the key).
    pub(crate) fn redacted(self, redactor: &Redactor) -> ConfigError {
        let text = |text: String| redactor.redact(&text).into_owned();
        match self {
            ConfigError::InvalidUrl { url, reason } => {
                ConfigError::InvalidUrl { url: text(url), reason: text(reason) }
            }
            ConfigError::InsecureUrl { url } => ConfigError::InsecureUrl { url: text(url) },
            ConfigError::UnsupportedScheme { url, scheme } => {
                ConfigError::UnsupportedScheme { url: text(url), scheme: text(scheme) }
            }
            ConfigError::InvalidHeaderValue { what } => ConfigError::InvalidHeaderValue { what: text(what) },
            other => other,
        }
    }
}
