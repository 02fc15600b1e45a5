//! Credentials and the headers that carry them. The only module that touches secrets.

use std::fmt;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};
use secrecy::{ExposeSecret, SecretString};

use crate::error::ConfigError;
use crate::redact::Redactor;

/// How a request proves who sends it.
///
/// `Debug` never shows the secret:
/// ```
/// let creds = pinarkive::Credentials::api_key("pk_live_secret");
/// assert!(!format!("{creds:?}").contains("pk_live_secret"));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// An API key from `POST /tokens/generate`, limited to its scopes.
    ApiKey {
        /// The key.
        key: SecretString,
        /// The header that carries it.
        header: ApiKeyHeader,
    },
    /// A session JWT from `POST /auth/login`, with every permission of its user.
    Session {
        /// The token.
        token: SecretString,
        /// Send `X-Request-Source: web`, as the vendor's web app does.
        web: bool,
    },
}

/// Where an API key is sent. The API accepts both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiKeyHeader {
    /// `X-API-Key: <key>`, the documented form.
    #[default]
    XApiKey,
    /// `Authorization: Bearer <key>`, as the vendor's SDKs send it.
    Bearer,
}

impl Credentials {
    /// An API key sent as `X-API-Key`.
    pub fn api_key(key: impl Into<String>) -> Self {
        Credentials::ApiKey { key: SecretString::from(key.into()), header: ApiKeyHeader::XApiKey }
    }

    /// An API key sent as `Authorization: Bearer`.
    pub fn api_key_as_bearer(key: impl Into<String>) -> Self {
        Credentials::ApiKey { key: SecretString::from(key.into()), header: ApiKeyHeader::Bearer }
    }

    /// A session JWT sent as `Authorization: Bearer`.
    pub fn session(token: impl Into<String>) -> Self {
        Credentials::Session { token: SecretString::from(token.into()), web: false }
    }

    /// A session JWT sent as `Authorization: Bearer` with `X-Request-Source: web`.
    pub fn web_session(token: impl Into<String>) -> Self {
        Credentials::Session { token: SecretString::from(token.into()), web: true }
    }

    /// The headers to send with every request, marked sensitive so that `reqwest` never prints
    /// them. Fails, naming the credential but not its value, when the secret is empty or is no
    /// valid header value (a trailing newline from a file, say).
    pub(crate) fn headers(&self) -> Result<HeaderMap, ConfigError> {
        let mut headers = HeaderMap::new();
        let (name, value, what) = match self {
            Credentials::ApiKey { key, header: ApiKeyHeader::XApiKey } => {
                (HeaderName::from_static("x-api-key"), key.expose_secret().to_string(), "API key")
            }
            Credentials::ApiKey { key, header: ApiKeyHeader::Bearer } => {
                (AUTHORIZATION, format!("Bearer {}", key.expose_secret()), "API key")
            }
            Credentials::Session { token, web } => {
                if *web {
                    headers.insert("x-request-source", HeaderValue::from_static("web"));
                }
                (AUTHORIZATION, format!("Bearer {}", token.expose_secret()), "session token")
            }
        };
        if self.secret().trim().is_empty() {
            return Err(ConfigError::EmptyCredential { credential: what });
        }
        let mut value = HeaderValue::from_str(&value)
            .map_err(|_| ConfigError::InvalidHeaderValue { what: what.to_string() })?;
        value.set_sensitive(true);
        headers.insert(name, value);
        Ok(headers)
    }
}

impl Credentials {
    fn secret(&self) -> &str {
        match self {
            Credentials::ApiKey { key, .. } => key.expose_secret(),
            Credentials::Session { token, .. } => token.expose_secret(),
        }
    }

    /// What takes the secret out of text a server sent back.
    pub(crate) fn redactor(&self) -> Redactor {
        Redactor::new([self.secret()])
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ApiKey { header, .. } => {
                f.debug_struct("ApiKey").field("key", &"[redacted]").field("header", header).finish()
            }
            Credentials::Session { web, .. } => {
                f.debug_struct("Session").field("token", &"[redacted]").field("web", web).finish()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_sensitive_and_redacted() {
        let headers = Credentials::api_key("k3y").headers().unwrap();
        let value = &headers["x-api-key"];
        assert!(value.is_sensitive());
        assert_eq!(value, "k3y");
        assert!(!format!("{headers:?}").contains("k3y"));
    }

    #[test]
    fn bearer_forms() {
        let headers = Credentials::api_key_as_bearer("k3y").headers().unwrap();
        assert_eq!(headers[AUTHORIZATION], "Bearer k3y");
        assert!(!headers.contains_key("x-api-key"));
        let headers = Credentials::web_session("jwt").headers().unwrap();
        assert_eq!(headers[AUTHORIZATION], "Bearer jwt");
        assert_eq!(headers["x-request-source"], "web");
    }

    #[test]
    fn bad_secrets_are_errors_without_the_secret() {
        let err = Credentials::api_key("abc\ndef").headers().unwrap_err();
        assert!(matches!(&err, ConfigError::InvalidHeaderValue { what } if what == "API key"), "{err:?}");
        assert!(!err.to_string().contains("abc"), "{err}");
        let err = Credentials::session("  ").headers().unwrap_err();
        assert!(matches!(err, ConfigError::EmptyCredential { credential: "session token" }), "{err:?}");
        assert_eq!(err.to_string(), "the session token is empty");
    }
}
