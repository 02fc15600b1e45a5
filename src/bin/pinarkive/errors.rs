//! What a failure prints (one line on stderr that says what to do) and which exit code it
//! gives.

use std::fmt;

use pinarkive::{Error, ErrorCode};

/// The documented exit codes (also printed under `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The API answered with an error, or with something unreadable.
    Api = 1,
    /// The command line, a local file or the config file is wrong.
    Usage = 2,
    /// The key is missing, refused, or lacks the scope the call needs.
    Auth = 3,
    /// Still rate limited after the retries.
    RateLimited = 4,
    /// No answer: connection refused, DNS, TLS, timeout.
    Network = 5,
    /// Ctrl-C.
    Interrupted = 130,
}

/// A failed command: how to exit and the one line to print.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
}

impl CliError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError { exit, message: message.into() }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        CliError::new(Exit::Usage, message)
    }

    /// No key in any of the places one can be.
    pub fn no_key() -> Self {
        CliError::new(
            Exit::Auth,
            "no API key: run `pinarkive login`, set PINARKIVE_API_KEY, or pass --api-key",
        )
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Error> for CliError {
    fn from(error: Error) -> Self {
        match &error {
            Error::Api(api) => {
                let detail = api.to_string();
                let status = api.status.as_u16();
                match (&api.code, status) {
                    (Some(ErrorCode::MissingScope), _) => match &api.required_scope {
                        Some(scope) => CliError::new(
                            Exit::Auth,
                            format!(
                                "the key lacks scope {scope}; create one with: pinarkive tokens create NAME --scope {scope}"
                            ),
                        ),
                        None => CliError::new(
                            Exit::Auth,
                            format!("the key lacks a scope this needs ({detail}); see `pinarkive doctor`"),
                        ),
                    },
                    (Some(ErrorCode::InvalidApiKey | ErrorCode::Unauthorized), _) | (_, 401) => CliError::new(
                        Exit::Auth,
                        format!(
                            "the API refused the key ({detail}); log in again with `pinarkive login`, or see `pinarkive config show`"
                        ),
                    ),
                    (Some(ErrorCode::EmailNotVerified), _) => CliError::new(
                        Exit::Auth,
                        format!("the account's email address is not verified yet ({detail}); verify it, then try again"),
                    ),
                    (Some(ErrorCode::AccountDisabled), _) => CliError::new(
                        Exit::Auth,
                        format!("the account is disabled ({detail}); ask Pinarkive's support to enable it"),
                    ),
                    (Some(ErrorCode::TwoFactorRequired), _) => CliError::new(
                        Exit::Auth,
                        format!("the account needs a two-factor code ({detail}); pass --totp CODE"),
                    ),
                    (Some(ErrorCode::TwoFactorInvalid), _) => CliError::new(
                        Exit::Auth,
                        format!("the two-factor code was refused ({detail}); try again with a fresh code"),
                    ),
                    (Some(ErrorCode::RateLimit), _) | (_, 429) => {
                        let wait = match api.retry_after {
                            Some(wait) => format!("try again in {}s", wait.as_secs().max(1)),
                            None => "try again in a minute".to_string(),
                        };
                        CliError::new(
                            Exit::RateLimited,
                            format!("rate limited by the API ({detail}); {wait}"),
                        )
                    }
                    (Some(ErrorCode::FileTooLarge), _) | (_, 413) => CliError::new(
                        Exit::Api,
                        format!("too large for the server or your plan ({detail}); see `pinarkive whoami` for the plan"),
                    ),
                    (_, 404) => CliError::new(
                        Exit::Api,
                        format!("not found ({detail}); check the CID or name given, and the base URL (`pinarkive config show`)"),
                    ),
                    (_, 500..) => {
                        CliError::new(Exit::Api, format!("the API failed ({detail}); try again later"))
                    }
                    _ => CliError::new(Exit::Api, format!("the API refused the request ({detail})")),
                }
            }
            // Most often a proxy's or a web server's page: the base URL is not the API's.
            Error::Decode { .. } => CliError::new(
                Exit::Api,
                format!("the API's answer could not be read: {error}; check the base URL (`pinarkive config show`)"),
            ),
            Error::Timeout { message, .. } => CliError::new(
                Exit::Network,
                format!("no answer from the API in time ({message}); check your network and the base URL (`pinarkive config show`)"),
            ),
            Error::Transport(inner) => {
                let url = inner.url().map(|u| format!(" {}", without_query(u))).unwrap_or_default();
                CliError::new(
                    Exit::Network,
                    format!(
                        "cannot reach the API{url} ({}); check your network and the base URL (`pinarkive config show`)",
                        root_cause(inner)
                    ),
                )
            }
            Error::InvalidInput(message) => CliError::usage(message.clone()),
            Error::Config(message) => CliError::usage(message.clone()),
            Error::Io { .. } => CliError::usage(error.to_string()),
            _ => CliError::new(Exit::Api, error.to_string()),
        }
    }
}

/// The URL without what may be secret: a query string, or a user and password in it.
fn without_query(url: &reqwest::Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    // Both fail only for URLs that cannot have a user (no host), which have none to remove.
    let _ = url.set_password(None);
    let _ = url.set_username("");
    url.to_string()
}

/// The innermost error's text ("Connection refused (os error 111)"), which says more than
/// reqwest's "error sending request".
pub fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    innermost.to_string()
}

/// `text` made safe to print, the last guard before anything reaches the terminal: every secret
/// replaced (a server may echo what it was sent), and control characters other than newlines and
/// tabs shown as `\u{FFFD}`, so that names and messages from a server cannot move the cursor,
/// recolour or retitle the user's terminal with escape sequences.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut text: String =
        text.chars().map(|c| if c.is_control() && c != '\n' && c != '\t' { '\u{FFFD}' } else { c }).collect();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret.as_str(), "[redacted]");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_replaces_every_secret() {
        let secrets = vec!["pk_secret".to_string(), String::new()];
        assert_eq!(redact("bad key pk_secret, pk_secret", &secrets), "bad key [redacted], [redacted]");
    }

    #[test]
    fn terminal_escapes_from_a_server_are_not_printed() {
        let name = "photo\u{1b}]0;owned\u{7}\u{1b}[2J.png\r";
        assert_eq!(redact(name, &[]), "photo\u{FFFD}]0;owned\u{FFFD}\u{FFFD}[2J.png\u{FFFD}");
        assert_eq!(redact("a\tb\nc", &[]), "a\tb\nc");
    }

    #[test]
    fn urls_in_error_lines_lose_their_secrets() {
        let url = reqwest::Url::parse("https://user:pass@api.example.test/api/v3/files?token=t").unwrap();
        assert_eq!(without_query(&url), "https://api.example.test/api/v3/files");
    }

    #[test]
    fn local_errors_are_usage_errors() {
        let error = CliError::from(Error::InvalidInput("not a CID".into()));
        assert_eq!(error.exit, Exit::Usage);
        assert_eq!(error.to_string(), "not a CID");
    }
}
