//! The emulator's command-line flags, parsed once for both front-ends, `pinarkive emulator` and
//! `cargo xtask emulator`: each flag's value is a type with `FromStr` (usable without clap), and
//! [`EmulatorOptions`] derives `clap::Args` with the `emulator-cli` feature.
//!
//! ```
//! use pinarkive::emulator::{EmulatorOptions, KeySpec, RateLimit};
//!
//! let key: KeySpec = "k1=files:read,files:write".parse()?;
//! assert_eq!(key.scopes(), ["files:read", "files:write"]);
//! assert_eq!("10/100".parse::<RateLimit>()?, RateLimit::PerKey { per_second: 10, per_minute: 100 });
//! let mut options = EmulatorOptions::default();
//! options.keys = vec![key];
//! let options = options.resolve();
//! let builder = options.builder(); // then `.start().await`
//! # let _ = builder;
//! # Ok::<(), pinarkive::emulator::InvalidOption>(())
//! ```

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;
use std::time::Duration;

use super::state::random_hex;
use super::{
    EmulatorBuilder, Plan, DEFAULT_EMAIL, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_UPLOAD_BYTES, MAX_DURATION,
};
// Only the command-line flags' range needs it.
#[cfg(feature = "emulator-cli")]
use super::MAX_CONNECTION_CAP;
use crate::spec::{OperationId, Scope};

/// The port both front-ends listen on by default.
pub const DEFAULT_PORT: u16 = 8787;

/// The scope that grants every scope.
const EVERY_SCOPE: &str = "*";

/// A flag value that does not parse; the message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidOption(String);

/// An API key the emulator accepts and its scopes: `KEY=SCOPE,SCOPE`, or `KEY=*` for every scope.
///
/// The key is visible ASCII without spaces (it travels in a header); each scope is one the spec
/// names. `Debug` does not show the key.
#[derive(Clone, PartialEq, Eq)]
pub struct KeySpec {
    key: String,
    scopes: Vec<String>,
}

impl KeySpec {
    /// A random key (`emu_` and 32 hex digits) with every scope: nothing a forgotten emulator
    /// would accept can be guessed.
    pub fn random() -> KeySpec {
        KeySpec { key: format!("emu_{}", random_hex(16)), scopes: vec![EVERY_SCOPE.to_owned()] }
    }

    /// The key itself.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Its scopes, `["*"]` for every scope.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Whether it holds `scope`.
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.iter().any(|s| s == EVERY_SCOPE || s == scope.as_str())
    }
}

impl fmt::Debug for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySpec").field("key", &"[redacted]").field("scopes", &self.scopes).finish()
    }
}

impl FromStr for KeySpec {
    type Err = InvalidOption;

    /// Splits at the last `=`: scopes never hold one, so a key may (base64 padding, say).
    fn from_str(spec: &str) -> Result<KeySpec, InvalidOption> {
        let Some((key, scopes)) = spec.rsplit_once('=') else {
            return Err(InvalidOption(
                "expected KEY=SCOPE,SCOPE (for example demo=files:read,files:write, or demo=*)".to_owned(),
            ));
        };
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidOption("the key must be visible ASCII, without spaces".to_owned()));
        }
        let scopes: Vec<String> = scopes.split(',').map(|s| s.trim().to_owned()).collect();
        if scopes.iter().any(String::is_empty) {
            return Err(InvalidOption(
                "give each scope once, comma-separated, or * for every scope".to_owned(),
            ));
        }
        if let Some(unknown) = scopes.iter().find(|s| *s != EVERY_SCOPE && s.parse::<Scope>().is_err()) {
            let known: Vec<&str> = Scope::ALL.iter().map(|scope| scope.as_str()).collect();
            return Err(InvalidOption(format!(
                "unknown scope {unknown:?}; the scopes are *, {}",
                known.join(", ")
            )));
        }
        if let Some((_, repeated)) = scopes.iter().enumerate().find(|(i, s)| scopes[..*i].contains(s)) {
            return Err(InvalidOption(format!("scope {repeated:?} is given twice")));
        }
        if scopes.len() > 1 && scopes.iter().any(|s| s == EVERY_SCOPE) {
            return Err(InvalidOption("* grants every scope: give it alone".to_owned()));
        }
        Ok(KeySpec { key: key.to_owned(), scopes })
    }
}

/// Requests allowed per key: `PER_SECOND/PER_MINUTE` (such as `10/100`, the backend's documented
/// default), or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimit {
    /// No limit.
    Off,
    /// A one-second and a one-minute window per credential.
    PerKey {
        /// Requests in any one second.
        per_second: u32,
        /// Requests in any one minute.
        per_minute: u32,
    },
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit::PerKey { per_second: 10, per_minute: 100 }
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RateLimit::Off => f.write_str("off"),
            RateLimit::PerKey { per_second, per_minute } => write!(f, "{per_second}/{per_minute}"),
        }
    }
}

impl FromStr for RateLimit {
    type Err = InvalidOption;

    fn from_str(text: &str) -> Result<RateLimit, InvalidOption> {
        if text.trim().eq_ignore_ascii_case("off") {
            return Ok(RateLimit::Off);
        }
        let parsed =
            text.split_once('/').and_then(|(s, m)| Some((s.trim().parse().ok()?, m.trim().parse().ok()?)));
        match parsed {
            Some((per_second, per_minute)) if per_second > 0 && per_minute > 0 => {
                Ok(RateLimit::PerKey { per_second, per_minute })
            }
            _ => Err(InvalidOption(format!(
                "expected PER_SECOND/PER_MINUTE with both above 0, such as 10/100, or off; not {text:?}"
            ))),
        }
    }
}

/// Attempts allowed per client IP on login, signup, forgot-password and reset-password:
/// `ATTEMPTS/WINDOW` with the window in seconds, minutes or hours (such as `10/15m`, the
/// backend's documented default), or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthRateLimit {
    /// No limit.
    Off,
    /// One window per client IP.
    PerIp {
        /// Attempts in one window.
        attempts: u32,
        /// The window's length; longer than [`MAX_DURATION`] is cut to it.
        window: Duration,
    },
}

impl Default for AuthRateLimit {
    fn default() -> Self {
        AuthRateLimit::PerIp { attempts: 10, window: Duration::from_secs(15 * 60) }
    }
}

impl fmt::Display for AuthRateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let AuthRateLimit::PerIp { attempts, window } = self else { return f.write_str("off") };
        let seconds = window.as_secs();
        let (count, unit) = [(3600, "h"), (60, "m")]
            .into_iter()
            .find(|(unit, _)| seconds % unit == 0 && seconds > 0)
            .map_or((seconds, "s"), |(length, unit)| (seconds / length, unit));
        write!(f, "{attempts}/{count}{unit}")
    }
}

impl FromStr for AuthRateLimit {
    type Err = InvalidOption;

    fn from_str(text: &str) -> Result<AuthRateLimit, InvalidOption> {
        if text.trim().eq_ignore_ascii_case("off") {
            return Ok(AuthRateLimit::Off);
        }
        let window = |text: &str| {
            let text = text.trim();
            let unit = match text.chars().last()? {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                _ => return None,
            };
            let count: u64 = text[..text.len() - 1].parse().ok()?;
            let seconds = count.checked_mul(unit).filter(|s| (1..=MAX_DURATION.as_secs()).contains(s))?;
            Some(Duration::from_secs(seconds))
        };
        let parsed = text.split_once('/').and_then(|(a, w)| Some((a.trim().parse().ok()?, window(w)?)));
        match parsed {
            Some((attempts, window)) if attempts > 0 => Ok(AuthRateLimit::PerIp { attempts, window }),
            _ => Err(InvalidOption(format!(
                "expected ATTEMPTS/WINDOW with the window in s, m or h (at most {}h) and attempts above \
                 0, such as 10/15m, or off; not {text:?}",
                MAX_DURATION.as_secs() / 3600
            ))),
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Plan {
    type Err = InvalidOption;

    fn from_str(text: &str) -> Result<Plan, InvalidOption> {
        [Plan::Free, Plan::Premium]
            .into_iter()
            .find(|plan| plan.code().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| InvalidOption(format!("expected free or premium, not {text:?}")))
    }
}

/// The built-in account's login for `/auth/login`: `EMAIL:PASSWORD`. `Debug` does not show the
/// password.
#[derive(Clone, PartialEq, Eq)]
pub struct Login {
    email: String,
    password: String,
}

impl Login {
    /// The default e-mail ([`DEFAULT_EMAIL`]) with a random password.
    pub fn random() -> Login {
        Login { email: DEFAULT_EMAIL.to_owned(), password: random_hex(12) }
    }

    /// The e-mail.
    pub fn email(&self) -> &str {
        &self.email
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login").field("email", &self.email).field("password", &"[redacted]").finish()
    }
}

impl FromStr for Login {
    type Err = InvalidOption;

    fn from_str(text: &str) -> Result<Login, InvalidOption> {
        let usage =
            || InvalidOption("expected EMAIL:PASSWORD, such as dev@example.test:secret-pass".to_owned());
        let (email, password) = text.split_once(':').ok_or_else(usage)?;
        let email = email.trim();
        let at = email.find('@').ok_or_else(usage)?;
        if at == 0 || at == email.len() - 1 || password.is_empty() {
            return Err(usage());
        }
        Ok(Login { email: email.to_owned(), password: password.to_owned() })
    }
}

/// Every setting of a served emulator, as both front-ends take them on the command line.
/// More settings may be added: start from [`EmulatorOptions::default`] and set fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[cfg_attr(feature = "emulator-cli", derive(clap::Args))]
pub struct EmulatorOptions {
    /// The address to listen on; anything but loopback lets anyone who can reach it use the keys
    #[cfg_attr(
        feature = "emulator-cli",
        arg(long, value_name = "IP", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))
    )]
    pub host: IpAddr,
    /// The port to listen on (0 picks a free one)
    #[cfg_attr(feature = "emulator-cli", arg(long, default_value_t = DEFAULT_PORT))]
    pub port: u16,
    /// An API key and its scopes, as KEY=SCOPE,SCOPE or KEY=* for every scope; repeatable.
    /// Without it, one random key with every scope is made up and printed
    #[cfg_attr(feature = "emulator-cli", arg(long = "key", value_name = "KEY=SCOPES"))]
    pub keys: Vec<KeySpec>,
    /// Requests per key per second and per minute, as PER_SECOND/PER_MINUTE, or off
    #[cfg_attr(feature = "emulator-cli", arg(long, value_name = "N/M|off", default_value_t = RateLimit::default()))]
    pub rate_limit: RateLimit,
    /// Attempts per client IP at login, signup, forgot-password and reset-password, as
    /// ATTEMPTS/WINDOW (the window in s, m or h), or off
    #[cfg_attr(
        feature = "emulator-cli",
        arg(long, value_name = "N/WINDOW|off", default_value_t = AuthRateLimit::default())
    )]
    pub auth_rate_limit: AuthRateLimit,
    /// The built-in account's plan: premium (every cluster, timelocks) or free (cl0-global only,
    /// no timelocks)
    #[cfg_attr(feature = "emulator-cli", arg(long, value_name = "PLAN", default_value_t = Plan::Premium))]
    pub plan: Plan,
    /// The largest request body, in MiB: 413 FILE_TOO_LARGE above it (an upload's files count
    /// with their names and multipart framing)
    #[cfg_attr(
        feature = "emulator-cli",
        arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_UPLOAD_BYTES >> 20,
            value_parser = clap::value_parser!(u64).range(1..))
    )]
    pub max_upload_mib: u64,
    /// The built-in account's login for /auth/login, as EMAIL:PASSWORD. Without it, the e-mail
    /// dev@emulator.pinarkive.test with a random password, printed
    #[cfg_attr(feature = "emulator-cli", arg(long, value_name = "EMAIL:PASSWORD"))]
    pub login: Option<Login>,
    /// Seconds a client has to send a request's headers; a connection that is idle, or whose
    /// client sends or reads nothing, that long is closed
    #[cfg_attr(
        feature = "emulator-cli",
        arg(long, value_name = "SECONDS", default_value_t = DEFAULT_HEADER_READ_TIMEOUT.as_secs(),
            value_parser = clap::value_parser!(u64).range(1..=MAX_DURATION.as_secs()))
    )]
    pub header_timeout_secs: u64,
    /// Connections served at once; more wait until one closes
    #[cfg_attr(
        feature = "emulator-cli",
        arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS as u64,
            value_parser = clap::value_parser!(u64).range(1..=MAX_CONNECTION_CAP as u64))
    )]
    pub max_connections: u64,
}

impl Default for EmulatorOptions {
    /// What the flags default to.
    fn default() -> Self {
        EmulatorOptions {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            keys: Vec::new(),
            rate_limit: RateLimit::default(),
            auth_rate_limit: AuthRateLimit::default(),
            plan: Plan::Premium,
            max_upload_mib: DEFAULT_MAX_UPLOAD_BYTES >> 20,
            login: None,
            header_timeout_secs: DEFAULT_HEADER_READ_TIMEOUT.as_secs(),
            max_connections: DEFAULT_MAX_CONNECTIONS as u64,
        }
    }
}

impl EmulatorOptions {
    /// Makes up what was not given: one random key with every scope without `keys`, and a random
    /// password without `login`. Print them ([`EmulatorOptions::banner`]): they are the only
    /// way in.
    pub fn resolve(mut self) -> EmulatorOptions {
        if self.keys.is_empty() {
            self.keys.push(KeySpec::random());
        }
        if self.login.is_none() {
            self.login = Some(Login::random());
        }
        self
    }

    /// Checks what no single flag can: each `--key` names another key.
    ///
    /// # Errors
    ///
    /// A key given twice (the message says which `--key`s, not the key).
    pub fn check(&self) -> Result<(), InvalidOption> {
        for (i, key) in self.keys.iter().enumerate() {
            if let Some(first) = self.keys[..i].iter().position(|earlier| earlier.key == key.key) {
                return Err(InvalidOption(format!(
                    "--key: the key of --key #{} is given again in --key #{}; give each key once, \
                     with all its scopes",
                    first + 1,
                    i + 1
                )));
            }
        }
        Ok(())
    }

    /// A builder with these settings; call [`EmulatorOptions::resolve`] first, or the builder
    /// has no key and the library's default login.
    pub fn builder(&self) -> EmulatorBuilder {
        let mut builder = super::Emulator::builder()
            .bind((self.host, self.port).into())
            .plan(self.plan)
            .max_upload_bytes(self.max_upload_mib.saturating_mul(1 << 20))
            .header_read_timeout(Duration::from_secs(self.header_timeout_secs))
            .max_connections(usize::try_from(self.max_connections).unwrap_or(usize::MAX));
        builder.rate_limit = self.rate_limit;
        builder.auth_rate_limit = self.auth_rate_limit;
        for key in &self.keys {
            builder = builder.api_key(key.key.clone(), key.scopes.clone());
        }
        if let Some(login) = &self.login {
            builder = builder.user(login.email.clone(), login.password.clone());
        }
        builder
    }

    /// What to print once the emulator listens at `base_url`: the keys, the login, the limits
    /// and how to try it. It shows the keys and the password on purpose: they are the caller's
    /// own, or made up for this run, and nothing else gets in.
    pub fn banner(&self, base_url: &str) -> String {
        use fmt::Write;

        let mut out = String::new();
        let _ = writeln!(out, "Pinarkive emulator at {base_url} (state in memory; Ctrl-C stops it)");
        if !self.host.is_loopback() {
            let _ = writeln!(
                out,
                "Warning: listening on {}, not loopback: anyone who can reach it can use these keys",
                self.host
            );
        }
        let _ = writeln!(out, "API keys (send as X-API-Key: KEY or Authorization: Bearer KEY):");
        let width = self.keys.iter().map(|k| k.key.len()).max().unwrap_or(0);
        for key in &self.keys {
            let scopes = match key.scopes.iter().any(|s| s == EVERY_SCOPE) {
                true => "* (every scope)".to_owned(),
                false => key.scopes.join(", "),
            };
            let _ = writeln!(out, "  {:width$}  {scopes}", key.key);
        }
        if let Some(login) = &self.login {
            let _ = writeln!(out, "Account for /auth/login: {} / {}", login.email, login.password);
        }
        let limits = match self.rate_limit {
            RateLimit::Off => "off".to_owned(),
            RateLimit::PerKey { per_second, per_minute } => {
                format!("{per_second}/s and {per_minute}/min per key")
            }
        };
        let _ = writeln!(
            out,
            "Rate limit: {limits}; plan: {}; request bodies up to {} MiB",
            self.plan, self.max_upload_mib
        );
        let _ = match self.auth_rate_limit {
            AuthRateLimit::Off => writeln!(out, "Login, signup and password reset: not limited"),
            limit => writeln!(out, "Login, signup and password reset: {limit} per client IP"),
        };
        if let Some((key, path)) = self.example() {
            let _ = writeln!(out, "In another terminal:");
            let _ = writeln!(out, "  export PINARKIVE_API_BASE_URL={base_url}");
            let _ = writeln!(out, "  export PINARKIVE_API_KEY={key}");
            let _ = write!(out, "  curl -H 'X-API-Key: {key}' {base_url}{path}");
        }
        out
    }

    /// Starts the emulator, calls `started` with it (to print the banner), and returns it once
    /// Ctrl-C is pressed, for the caller to shut down. Ctrl-C is caught before the emulator
    /// starts, so a press right after the banner still stops it cleanly.
    ///
    /// # Errors
    ///
    /// Options that [`EmulatorOptions::check`] refuses (`InvalidInput`), binding the address, or
    /// installing the Ctrl-C handler.
    #[cfg(feature = "emulator-cli")]
    #[cfg_attr(docsrs, doc(cfg(feature = "emulator-cli")))]
    pub async fn start_until_ctrl_c(
        &self,
        started: impl FnOnce(&super::Emulator),
    ) -> std::io::Result<super::Emulator> {
        use std::future::Future;
        use std::task::{Context, Poll, Waker};

        self.check().map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;

        let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
        // The first poll installs the handler; the press itself is awaited below.
        if let Poll::Ready(result) = ctrl_c.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            result?;
        }
        let emulator = self.builder().start().await?;
        started(&emulator);
        ctrl_c.await?;
        Ok(emulator)
    }

    /// A key and an authenticated GET route it may call, for the banner's curl line.
    fn example(&self) -> Option<(&str, &'static str)> {
        let gets = || {
            OperationId::ALL
                .iter()
                .filter(|op| op.method() == "GET" && op.authenticated() && !op.path().contains('{'))
        };
        self.keys
            .iter()
            .find_map(|key| {
                Some((key.key(), gets().find(|op| op.scope().is_some_and(|s| key.allows(s)))?.path()))
            })
            .or_else(|| self.keys.first().map(|key| (key.key(), OperationId::UsersMeGet.path())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_specs_need_a_key_and_known_scopes() {
        let key: KeySpec = "k1=files:read, files:write".parse().unwrap();
        assert_eq!(
            (key.key(), key.scopes()),
            ("k1", &["files:read".to_owned(), "files:write".to_owned()][..])
        );
        assert_eq!("admin=*".parse::<KeySpec>().unwrap().scopes(), ["*"]);
        assert!("k1".parse::<KeySpec>().unwrap_err().to_string().contains("KEY=SCOPE"));
        assert!("=files:read".parse::<KeySpec>().is_err());
        assert!("k 1=files:read".parse::<KeySpec>().is_err());
        assert!("k1=".parse::<KeySpec>().unwrap_err().to_string().contains("each scope"));
        let unknown = "k1=files:reed".parse::<KeySpec>().unwrap_err().to_string();
        assert!(
            unknown.contains("unknown scope \"files:reed\"") && unknown.contains("files:read"),
            "{unknown}"
        );
        assert!(!format!("{key:?}").contains("k1"));
    }

    #[test]
    fn a_key_may_hold_an_equals_sign_and_scopes_are_given_once() {
        let padded: KeySpec = "a2V5==*".parse().unwrap();
        assert_eq!((padded.key(), padded.scopes()), ("a2V5=", &["*".to_owned()][..]));
        let padded: KeySpec = "k=v==files:read".parse().unwrap();
        assert_eq!((padded.key(), padded.scopes()), ("k=v=", &["files:read".to_owned()][..]));
        let twice = "k1=files:read,files:write,files:read".parse::<KeySpec>().unwrap_err().to_string();
        assert!(twice.contains("\"files:read\" is given twice"), "{twice}");
        assert!("k1=*,*".parse::<KeySpec>().is_err());
        let star = "k1=*,files:read".parse::<KeySpec>().unwrap_err().to_string();
        assert!(star.contains("give it alone"), "{star}");
    }

    #[test]
    fn the_same_key_given_twice_is_refused_without_showing_it() {
        let keys = ["secret-one=files:read", "other=*", "secret-one=*"].map(|k| k.parse().unwrap()).to_vec();
        let options = EmulatorOptions { keys, ..Default::default() };
        let refused = options.check().unwrap_err().to_string();
        assert!(refused.contains("--key #1") && refused.contains("--key #3"), "{refused}");
        assert!(!refused.contains("secret-one"), "{refused}");
        let distinct = ["a=*", "b=*"].map(|k| k.parse().unwrap()).to_vec();
        assert_eq!(EmulatorOptions { keys: distinct, ..Default::default() }.check(), Ok(()));
    }

    #[test]
    fn auth_rate_limits_parse_and_print() {
        let fifteen_minutes = AuthRateLimit::PerIp { attempts: 10, window: Duration::from_secs(900) };
        assert_eq!(AuthRateLimit::default(), fifteen_minutes);
        assert_eq!(fifteen_minutes.to_string(), "10/15m");
        assert_eq!("10/900s".parse(), Ok(fifteen_minutes));
        assert_eq!("10 / 15m".parse(), Ok(fifteen_minutes));
        assert_eq!("3/2h".parse::<AuthRateLimit>().unwrap().to_string(), "3/2h");
        assert_eq!("3/90s".parse::<AuthRateLimit>().unwrap().to_string(), "3/90s");
        assert_eq!("Off".parse(), Ok(AuthRateLimit::Off));
        for bad in ["10", "0/15m", "10/0m", "10/15", "10/15d", "10/25h", "10/18446744073709551615h", "x/1m"] {
            let refused = bad.parse::<AuthRateLimit>().unwrap_err().to_string();
            assert!(refused.contains("ATTEMPTS/WINDOW"), "{bad}: {refused}");
        }
    }

    #[cfg(feature = "emulator-cli")]
    #[test]
    fn flags_past_their_range_are_refused_by_the_parser() {
        use clap::{Args, Command, FromArgMatches};

        let parse = |args: &[&str]| {
            let command = EmulatorOptions::augment_args(Command::new("emulator"));
            let matches =
                command.try_get_matches_from(std::iter::once("emulator").chain(args.iter().copied()))?;
            EmulatorOptions::from_arg_matches(&matches)
        };
        for (flag, value) in [
            ("--max-connections", "18446744073709551615"),
            ("--max-connections", "0"),
            ("--header-timeout-secs", "18446744073709551615"),
            ("--header-timeout-secs", "86401"),
            ("--header-timeout-secs", "0"),
        ] {
            assert!(parse(&[flag, value]).is_err(), "{flag} {value}");
        }
        let widest = parse(&["--max-connections", "1048576", "--header-timeout-secs", "86400"]).unwrap();
        assert_eq!((widest.max_connections, widest.header_timeout_secs), (1 << 20, 86_400));
        let auth = parse(&["--auth-rate-limit", "5/1m"]).unwrap().auth_rate_limit;
        assert_eq!(auth, AuthRateLimit::PerIp { attempts: 5, window: Duration::from_secs(60) });
    }

    #[test]
    fn rate_limits_plans_and_logins_parse() {
        assert_eq!("10/100".parse(), Ok(RateLimit::PerKey { per_second: 10, per_minute: 100 }));
        assert_eq!("OFF".parse(), Ok(RateLimit::Off));
        for bad in ["10", "0/100", "a/b", ""] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
        assert_eq!(RateLimit::default().to_string().parse(), Ok(RateLimit::default()));
        assert_eq!("Free".parse(), Ok(Plan::Free));
        assert!("gold".parse::<Plan>().is_err());
        let login: Login = "me@x.test:pa:ss".parse().unwrap();
        assert_eq!((login.email(), login.password()), ("me@x.test", "pa:ss"));
        assert!(!format!("{login:?}").contains("pa:ss"));
        for bad in ["me@x.test", "me@x.test:", "@x:p", "me@:p", "nobody:p"] {
            assert!(bad.parse::<Login>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_random_key_comes_with_a_random_password_and_both_are_printed() {
        let options = EmulatorOptions::default().resolve();
        let key = options.keys[0].key().to_owned();
        let login = options.login.clone().unwrap();
        assert!(key.starts_with("emu_") && key.len() == 36, "{key}");
        assert_ne!(login.password(), super::super::DEFAULT_PASSWORD);
        let again = EmulatorOptions::default().resolve();
        assert_ne!(again.keys[0], options.keys[0]);
        assert_ne!(again.login, options.login);
        let banner = options.banner("http://127.0.0.1:1/api/v3");
        assert!(banner.contains(&key) && banner.contains(login.password()), "{banner}");
        assert!(banner.contains("Login, signup and password reset: 10/15m per client IP"), "{banner}");
        assert!(
            banner.contains(&format!("curl -H 'X-API-Key: {key}' http://127.0.0.1:1/api/v3/")),
            "{banner}"
        );
    }

    #[test]
    fn the_curl_example_uses_a_route_the_key_may_call() {
        let options = EmulatorOptions { keys: vec!["k1=files:read".parse().unwrap()], ..Default::default() };
        let (key, path) = options.example().unwrap();
        assert_eq!(key, "k1");
        let op = OperationId::ALL.iter().find(|op| op.path() == path && op.method() == "GET").unwrap();
        assert_eq!(op.scope(), Some(Scope::FilesRead));
    }
}
