//! What a failure prints (one line on stderr that says what to do) and which exit code it
//! gives.

use std::fmt;

use pinarkive::redact::Redactor;
use pinarkive::{Error, ErrorCode, Scope};

/// The documented exit codes (also printed under `--help`); `--json` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Exit {
    /// The API answered with an error, or with something unreadable.
    Api = 1,
    /// The command line, a local file or the config file is wrong.
    Usage = 2,
    /// The key is missing, refused, or lacks the scope the call needs: any 401 or 403.
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
    /// The line for people; the exit code follows the HTTP status first, whatever the body
    /// said (a 401 from a proxy's HTML page is still a refused key).
    fn from(error: Error) -> Self {
        let mut cli = describe(&error);
        match error.status().map(|s| s.as_u16()) {
            Some(401 | 403) => cli.exit = Exit::Auth,
            Some(429) => cli.exit = Exit::RateLimited,
            _ => {}
        }
        cli
    }
}

/// What to say about `error`, and its exit code before the status has its say.
fn describe(error: &Error) -> CliError {
    match error {
        Error::Api(api) => {
            let detail = api.to_string();
            let status = api.status.as_u16();
            match (&api.code, status) {
                // A command to copy is suggested only for a scope this tool knows: the server's
                // text is not put into a shell command.
                (Some(ErrorCode::MissingScope), _) => match api.required_scope.as_deref().map(|s| (s, s.parse::<Scope>())) {
                    Some((_, Ok(scope))) => CliError::new(
                        Exit::Auth,
                        format!(
                            "the key lacks scope {scope}; create one with: pinarkive tokens create NAME --scope {scope}"
                        ),
                    ),
                    Some((named, Err(_))) => CliError::new(
                        Exit::Auth,
                        format!("the key lacks a scope this needs, which the API names {named:?}, a scope this tool does not know; see `pinarkive doctor`"),
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
        Error::Decode { status: Some(status), .. } if matches!(status.as_u16(), 401 | 403) => CliError::new(
            Exit::Auth,
            format!("the API refused the request ({error}); check the key with `pinarkive doctor` and the base URL with `pinarkive config show`"),
        ),
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
        Error::Redirect { .. } | Error::BodyTooLarge { .. } => CliError::new(
            Exit::Api,
            format!("{error}; check the base URL (`pinarkive config show`)"),
        ),
        Error::Paging { .. } => CliError::new(
            Exit::Api,
            format!("{error}; list one page at a time with --page"),
        ),
        Error::InvalidInput(message) => CliError::usage(message.clone()),
        Error::Config(config) => CliError::usage(config.to_string()),
        Error::LocalFile { .. } => CliError::usage(error.to_string()),
        _ => CliError::new(Exit::Api, error.to_string()),
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
/// replaced, in every form and every piece of eight bytes or more (a server may echo what it was
/// sent; see `pinarkive::redact`), and control characters other than newlines and tabs, and
/// invisible format characters (bidi overrides and isolates, zero-width characters), shown as
/// `\u{FFFD}`, so that names and messages from a server cannot move the cursor, recolour or
/// retitle the user's terminal with escape sequences, nor reorder what a table shows.
pub fn redact(text: &str, redactor: &Redactor) -> String {
    redactor.redact(text).chars().map(|c| if unprintable(c) { '\u{FFFD}' } else { c }).collect()
}

/// Whether `c` would act on the terminal or hide or reorder text rather than show itself.
pub fn unprintable(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_invisible_format(c)
}

/// Unicode's format characters (general category Cf) and the line and paragraph separators:
/// bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), zero-width spaces and
/// joiners, the byte-order mark, tags.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_replaces_every_secret() {
        let secrets = Redactor::new(["pk_secret", ""]);
        assert_eq!(redact("bad key pk_secret, pk_secret", &secrets), "bad key [redacted], [redacted]");
        assert_eq!(redact("escaped pk_\\u0073ecret", &secrets), "escaped [redacted]");
    }

    #[test]
    fn terminal_escapes_from_a_server_are_not_printed() {
        let none = Redactor::default();
        let name = "photo\u{1b}]0;owned\u{7}\u{1b}[2J.png\r";
        assert_eq!(redact(name, &none), "photo\u{FFFD}]0;owned\u{FFFD}\u{FFFD}[2J.png\u{FFFD}");
        assert_eq!(redact("a\tb\nc", &none), "a\tb\nc");
    }

    #[test]
    fn bidi_and_invisible_characters_are_not_printed() {
        let none = Redactor::default();
        // "invoice\u{202E}fdp.exe" shows as "invoiceexe.pdf" on a terminal.
        assert_eq!(redact("invoice\u{202E}fdp.exe", &none), "invoice\u{FFFD}fdp.exe");
        for c in [
            '\u{202A}',
            '\u{202D}',
            '\u{2066}',
            '\u{2069}',
            '\u{200B}',
            '\u{200D}',
            '\u{FEFF}',
            '\u{2028}',
            '\u{E0041}',
        ] {
            assert_eq!(redact(&format!("a{c}b"), &none), "a\u{FFFD}b", "{:?}", c);
        }
        assert_eq!(redact("née, 日本, emoji 🙂", &none), "née, 日本, emoji 🙂");
    }

    #[test]
    fn the_status_decides_the_exit_code() {
        let html = |status: u16| Error::Decode {
            status: Some(reqwest::StatusCode::from_u16(status).unwrap()),
            body: "<html>nope</html>".into(),
            length: 17,
            reason: "error body is not a JSON object".into(),
        };
        assert_eq!(CliError::from(html(401)).exit, Exit::Auth);
        assert_eq!(CliError::from(html(403)).exit, Exit::Auth);
        assert_eq!(CliError::from(html(429)).exit, Exit::RateLimited);
        assert_eq!(CliError::from(html(502)).exit, Exit::Api);
        let too_large = Error::BodyTooLarge { status: reqwest::StatusCode::UNAUTHORIZED, limit: 10 };
        assert_eq!(CliError::from(too_large).exit, Exit::Auth);
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
