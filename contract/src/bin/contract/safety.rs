//! Live-mode safety: which server a run talks to, what it may change there, and the usage
//! checks made before anything is sent.
//!
//! Against the emulator every operation runs (the server is disposable). Against any other
//! server the run is read-only unless `--allow-writes`, which allows only changes the suite
//! undoes itself: one small uploaded file (pinned, renamed, removed) and short-lived keys it
//! revokes. Operations that would change the account in ways that cannot safely be undone are
//! skipped there, each with its reason.

use pinarkive::OperationId;

use super::Args;

/// The variable that holds the API key for `--base-url` runs.
pub const API_KEY_VAR: &str = "PINARKIVE_API_KEY";
/// The account's e-mail, for `/auth/login` in `--base-url` runs (optional).
pub const EMAIL_VAR: &str = "PINARKIVE_EMAIL";
/// The account's password, for `/auth/login` in `--base-url` runs (optional).
pub const PASSWORD_VAR: &str = "PINARKIVE_PASSWORD";

/// What a run may change on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Everything: the suite's own in-process emulator.
    Disposable,
    /// Only what the suite undoes itself (`--allow-writes`).
    Reversible,
    /// Nothing (a `--base-url` run without `--allow-writes`).
    ReadOnly,
}

/// What an operation's success request does to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing (reads, and logins that only open a session).
    Read,
    /// Creates or removes things the suite owns and cleans up: its test file and its keys.
    Fixture,
    /// Changes the account in a way that cannot safely be undone; the reason says how.
    Account(&'static str),
}

/// The effect of an operation's success request; None for an operation nobody has classified
/// yet (new in the spec), which a live run treats as an account change until someone does (a
/// test makes sure every operation is classified).
pub fn effect(operation: OperationId) -> Option<Effect> {
    use OperationId as Op;
    let effect = match operation {
        Op::FilesUpload
        | Op::FilesPin
        | Op::FilesRename
        | Op::FilesRemove
        | Op::TokensGenerate
        | Op::TokensRevoke => Effect::Fixture,
        Op::FilesDirectoryUpload => Effect::Account("it reads a directory on the server's own filesystem"),
        Op::FilesDirectoryDagUpload | Op::UsersMeUploadsDelete => {
            Effect::Account("live writes are limited to one small file (uploaded, pinned, renamed, removed)")
        }
        Op::UsersMeUpdate => Effect::Account("it would change the account's profile"),
        Op::UsersMePreferencesUpdate => Effect::Account("it would change the account's preferences"),
        Op::UsersMePasswordUpdate => Effect::Account("it would change the account's password"),
        Op::UsersMePlanUpdate | Op::PlansChange => Effect::Account("it would change the account's plan"),
        Op::AuthSignup => Effect::Account("it would create an account"),
        Op::AuthResendVerification | Op::AuthForgotPassword => Effect::Account("it would send an e-mail"),
        Op::AuthVerifyEmail | Op::AuthResetPassword => Effect::Account("it needs the token from an e-mail"),
        Op::AuthLogout => Effect::Account("it would end a session"),
        Op::Auth2faSetup | Op::Auth2faEnable | Op::Auth2faDisable => {
            Effect::Account("it would change the account's two-factor authentication")
        }
        Op::Auth2faVerifyLogin => Effect::Account("it needs an account with two-factor authentication"),
        // Logging in only opens a session.
        Op::AuthLogin => Effect::Read,
        op if op.method() == "GET" => Effect::Read,
        _ => return None,
    };
    Some(effect)
}

impl Policy {
    /// Whether the run may send `operation`'s success request; the error is the skip reason.
    pub fn permits(self, operation: OperationId) -> Result<(), String> {
        let unclassified =
            Effect::Account("it is not classified for runs against a live server yet (contract/safety.rs)");
        match (self, effect(operation).unwrap_or(unclassified)) {
            (Policy::Disposable, _) | (_, Effect::Read) | (Policy::Reversible, Effect::Fixture) => Ok(()),
            (Policy::ReadOnly, Effect::Fixture) => Err("read-only run: writes need --allow-writes".into()),
            (_, Effect::Account(reason)) => Err(format!("not sent to a live server: {reason}")),
        }
    }
}

/// Which server a run talks to.
#[derive(Clone, PartialEq, Eq)]
pub enum TargetConfig {
    /// The in-process emulator.
    Emulator,
    /// A server given by `--base-url`.
    Server { base_url: String, api_key: String, login: Option<(String, String)>, policy: Policy },
}

impl std::fmt::Debug for TargetConfig {
    // The key and the password never show.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TargetConfig::Emulator => f.write_str("Emulator"),
            TargetConfig::Server { base_url, login, policy, .. } => f
                .debug_struct("Server")
                .field("base_url", base_url)
                .field("login", &login.as_ref().map(|(email, _)| email))
                .field("policy", policy)
                .finish_non_exhaustive(),
        }
    }
}

/// A usage error: exit status 2, before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

/// Checks the arguments and the environment (`env` reads a variable).
pub fn target_config(args: &Args, env: impl Fn(&str) -> Option<String>) -> Result<TargetConfig, UsageError> {
    let usage = |message: String| Err(UsageError(message));
    if args.max_requests == 0 || args.burst == 0 {
        return usage("--max-requests and --burst must be at least 1".into());
    }
    let Some(base_url) = &args.base_url else {
        if args.allow_writes {
            return usage(
                "--allow-writes applies to --base-url runs; against the emulator everything runs".into(),
            );
        }
        return Ok(TargetConfig::Emulator);
    };
    let base_url = check_base_url(base_url).map_err(UsageError)?;
    let api_key = env(API_KEY_VAR).filter(|key| !key.trim().is_empty());
    let Some(api_key) = api_key else {
        return usage(format!("--base-url needs an API key in the environment variable {API_KEY_VAR}"));
    };
    let nonempty = |name| env(name).filter(|v| !v.is_empty());
    let login = match (nonempty(EMAIL_VAR), nonempty(PASSWORD_VAR)) {
        (Some(email), Some(password)) => Some((email, password)),
        (None, None) => None,
        (Some(_), None) => return usage(format!("{EMAIL_VAR} is set but {PASSWORD_VAR} is not")),
        (None, Some(_)) => return usage(format!("{PASSWORD_VAR} is set but {EMAIL_VAR} is not")),
    };
    let policy = if args.allow_writes { Policy::Reversible } else { Policy::ReadOnly };
    Ok(TargetConfig::Server { base_url, api_key: api_key.trim().to_string(), login, policy })
}

/// An `http(s)://host[:port]/path` base URL, without a trailing slash. Plain `http` is only
/// accepted on loopback, so the key never crosses a network in clear text.
fn check_base_url(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    let (scheme, rest) =
        url.split_once("://").ok_or_else(|| format!("--base-url {url:?} is not an http(s) URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if rest.contains(['?', '#']) {
        return Err(format!("--base-url {url:?} must not have a query or fragment"));
    }
    if authority.is_empty() || authority.contains('@') {
        return Err(format!("--base-url {url:?} needs a host (and no user info)"));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
    };
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_string()),
        "http" if is_loopback(host) => Ok(url.to_string()),
        "http" => Err(format!(
            "--base-url {url:?} is plain http to {host}, which would send the key unencrypted; use https"
        )),
        _ => Err(format!("--base-url {url:?} is not an http(s) URL")),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn args(argv: &[&str]) -> Args {
        Cli::parse_from(std::iter::once("contract").chain(argv.iter().copied())).args
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn no_arguments_is_the_emulator() {
        assert_eq!(target_config(&args(&[]), env(&[])), Ok(TargetConfig::Emulator));
    }

    #[test]
    fn base_url_without_the_key_names_the_variable() {
        let e =
            target_config(&args(&["--base-url", "https://api.pinarkive.com/api/v3"]), env(&[])).unwrap_err();
        assert_eq!(e.0, "--base-url needs an API key in the environment variable PINARKIVE_API_KEY");
        let blank = [(API_KEY_VAR, "  ")];
        assert!(target_config(&args(&["--base-url", "https://x.test"]), env(&blank)).is_err());
    }

    #[test]
    fn a_live_run_is_read_only_unless_writes_are_allowed() {
        let key = [(API_KEY_VAR, "pk_secret")];
        let config = target_config(&args(&["--base-url", "https://x.test/api/v3/"]), env(&key)).unwrap();
        let TargetConfig::Server { base_url, policy, login, .. } = &config else { panic!("{config:?}") };
        assert_eq!((base_url.as_str(), *policy, login), ("https://x.test/api/v3", Policy::ReadOnly, &None));
        assert!(!format!("{config:?}").contains("pk_secret"));

        let config =
            target_config(&args(&["--base-url", "https://x.test", "--allow-writes"]), env(&key)).unwrap();
        assert!(matches!(config, TargetConfig::Server { policy: Policy::Reversible, .. }));
        let e = target_config(&args(&["--allow-writes"]), env(&key)).unwrap_err();
        assert!(e.0.contains("--allow-writes applies to --base-url runs"), "{e:?}");
    }

    #[test]
    fn login_needs_both_variables() {
        let both = [(API_KEY_VAR, "k"), (EMAIL_VAR, "a@b.test"), (PASSWORD_VAR, "pw")];
        let config = target_config(&args(&["--base-url", "https://x.test"]), env(&both)).unwrap();
        assert!(matches!(config, TargetConfig::Server { login: Some(_), .. }));
        assert!(!format!("{config:?}").contains("pw\""));
        let half = [(API_KEY_VAR, "k"), (EMAIL_VAR, "a@b.test")];
        let e = target_config(&args(&["--base-url", "https://x.test"]), env(&half)).unwrap_err();
        assert_eq!(e.0, "PINARKIVE_EMAIL is set but PINARKIVE_PASSWORD is not");
    }

    #[test]
    fn plain_http_is_only_for_loopback() {
        for ok in
            ["http://127.0.0.1:8787/api/v3", "http://localhost:1", "http://[::1]:9/api", "https://a.test"]
        {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in
            ["http://api.pinarkive.com/api/v3", "ftp://a.test", "a.test", "https://", "https://u:p@a.test"]
        {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
        assert!(check_base_url("http://10.0.0.1").unwrap_err().contains("unencrypted"));
    }

    #[test]
    fn only_fixture_writes_are_allowed_live_and_only_with_allow_writes() {
        use OperationId as Op;
        assert_eq!(Policy::ReadOnly.permits(Op::UsersMeGet), Ok(()));
        assert_eq!(Policy::ReadOnly.permits(Op::AuthLogin), Ok(()));
        assert!(Policy::ReadOnly.permits(Op::FilesUpload).unwrap_err().contains("--allow-writes"));
        assert_eq!(Policy::Reversible.permits(Op::FilesUpload), Ok(()));
        assert!(Policy::Reversible.permits(Op::UsersMePasswordUpdate).unwrap_err().contains("password"));
        for op in OperationId::ALL.iter().copied() {
            assert!(effect(op).is_some(), "{op} is new in the spec: classify it in contract/safety.rs");
            assert_eq!(Policy::Disposable.permits(op), Ok(()));
            if op.method() != "GET" && op != Op::AuthLogin {
                assert!(Policy::ReadOnly.permits(op).is_err(), "{op} would write on a read-only run");
            }
        }
    }
}
