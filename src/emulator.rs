//! A local Pinarkive: every operation of the spec, served by axum with state in memory.
//!
//! Use it in tests instead of an account on the real service:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use pinarkive::emulator::Emulator;
//!
//! let emu = Emulator::builder().api_key("k1", ["files:read", "files:write"]).start().await?;
//! let client = pinarkive::Client::builder().base_url(emu.base_url()).api_key("k1").build()?;
//! let page = client.users_me_uploads_list().send().await?;
//! assert!(page.uploads.is_empty());
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! It enforces what the real API documents: API keys and their scopes (scopes come from the
//! spec's `x-scope`, through [`OperationId::scope`](crate::OperationId::scope)), sessions from `/auth/login`, 2FA,
//! per-key rate limits and the per-IP limit of the auth routes, the upload size limit and the
//! plan's timelock rule, each with the documented error body. Uploads are hashed as they stream
//! in and only their metadata is kept, so the same bytes always get the same CIDv1 (raw codec,
//! sha2-256; of the whole file, where IPFS would chunk a file over 256 KiB and give the root of
//! a dag-pb tree instead).
//!
//! It behaves as the backend's Express app does where clients notice:
//! - paths match as Express 4 matches them (`strict: false`, `caseSensitive: false`): one
//!   optional trailing slash (`/files/`, as the Python, PHP and Go SDKs send), fixed segments in
//!   any letter case, path parameters as sent (400 `Failed to decode param` when one does not
//!   percent-decode), `HEAD` served by `GET`; anything else is the JSON 404 `Route not found`;
//!   `/api/v1` and `/api/v2` are 410 `api_version_deprecated`;
//! - browsers get CORS as the `cors` middleware answers them: every `OPTIONS` is a 204
//!   preflight, every answer echoes the `Origin` (see the `cors` module's notes);
//! - JSON bodies are read as `express.json()` reads them: 100 kB at most (413 `request entity
//!   too large`), UTF-8 only (415 `unsupported charset`);
//! - a request body the answer does not need (a 401, 403 or 429 before an upload is read) is read
//!   and discarded, as Node does, up to the upload limit and for at most 30 s, so that a client
//!   that writes its whole body before reading gets the JSON error rather than a reset; past the
//!   limit (or with a `Content-Length` past it) the answer is 413 `FILE_TOO_LARGE` and the
//!   connection is closed; a client may half-close its side once its request is sent.
//!
//! It holds up under hostile traffic, with every resource a client can make it spend bounded:
//! every byte of a body counts toward the upload limit (file names, part headers and multipart
//! framing included); a part's headers may be 16 KiB ([`MAX_PART_HEADER_BYTES`]), and every
//! string a client makes it keep (file names, pin and token names, labels, profile fields,
//! e-mails, passwords) [`MAX_NAME_BYTES`], each a JSON 400 naming the limit; it holds at most
//! [`MAX_ACCOUNTS`] accounts and lets each generate up to [`MAX_KEYS_PER_ACCOUNT`] API keys (403
//! beyond); an account's activity log keeps the newest [`MAX_LOG_ENTRIES`]; the rate limiter
//! forgets what has ended; a connection that does not send its headers within the header-read
//! timeout (or idles that long, or reads nothing of an answer that long) is closed, and at most
//! so many connections are served at once ([`EmulatorBuilder::header_read_timeout`],
//! [`EmulatorBuilder::max_connections`]). Uploads are indexed, so no request does work in
//! proportion to what the account holds.
//!
//! Where the docs leave room, it picks one reading and keeps to it:
//! - a directory DAG's root is a dag-pb CID over the sorted (path, file CID) pairs, not the
//!   byte-exact UnixFS node IPFS would build; `files_directory_upload` never reads the host's
//!   filesystem and derives the CID from `dirPath`;
//! - rate limits count requests per credential on authenticated routes (a one-second and a
//!   one-minute window), and per client IP on login, signup, forgot-password and reset-password
//!   (one 15-minute window; every attempt counts, failed or not, as express-rate-limit counts by
//!   default; the IP is the connection's peer, as behind no proxy, so `X-Forwarded-For` is not
//!   read); other public routes are not limited;
//! - the limits the emulator adds to bound its memory ([`MAX_ACCOUNTS`], [`MAX_KEYS_PER_ACCOUNT`])
//!   answer 403 naming the limit, as the backend answers a plan's limits;
//! - session tokens last as long as the emulator (or until logout or a password reset); an
//!   account keeps its newest 1000;
//! - e-mails are not sent: read the tokens with [`Emulator::verification_token`] and
//!   [`Emulator::password_reset_token`], and TOTP codes with [`totp_code`];
//! - the uploads list shows top-level uploads unless `parentCid` names a directory, newest first,
//!   20 per page by default and 100 at most; `cid` (sent by the TS and JS SDKs, documented by
//!   neither the docs nor the backend reference) keeps the uploads of that CID at the level
//!   listed, and combines with `hasExpiration`;
//! - the cluster comes from the body or form field `cl`, else the `cl` query parameter, else the
//!   `X-Cluster` header, on every route that takes one (uploads, pins, status, allocations,
//!   gateways), as `authentication.mdx` describes the header;
//! - the activity log's `source` is `API` for an API key; for a session, or a request with no
//!   credential yet (login), it is `WEB` when the request says `X-Request-Source: web` (in any
//!   case) and `JWT` otherwise, which is how `authentication.mdx` says browser traffic is told
//!   apart.

mod account;
mod auth;
mod body;
mod catalog;
mod clock;
mod errors;
mod files;
mod listing;
mod login;
mod multipart;
mod options;
mod pins;
mod public;
mod rate_limit;
mod request;
mod router;
mod state;
mod tokens;
mod uploads;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

pub use crate::emulator::auth::totp_code;
pub use crate::emulator::clock::Clock;
#[allow(deprecated)]
pub use crate::emulator::multipart::{MAX_FILES, MAX_FILE_NAME_BYTES, MAX_PART_HEADER_BYTES};
pub use crate::emulator::options::{
    AuthRateLimit, EmulatorOptions, InvalidOption, KeySpec, Login, RateLimit, DEFAULT_PORT,
};
pub use crate::emulator::request::{MAX_JSON_BODY_BYTES, MAX_NAME_BYTES};
pub use crate::emulator::state::{MAX_ACCOUNTS, MAX_KEYS_PER_ACCOUNT, MAX_LOG_ENTRIES};

/// The default limit on a request's body: 100 MiB, large enough for tests, small enough to stay
/// cheap.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 100 * 1024 * 1024;
/// The default time a client has to send a request's headers (and an idle connection's life).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = crate::serve::DEFAULT_HEADER_READ_TIMEOUT;
/// The default number of connections served at once.
pub const DEFAULT_MAX_CONNECTIONS: usize = crate::serve::DEFAULT_MAX_CONNECTIONS;
/// The longest any duration setting may be (timeouts, the auth rate limit's window); a longer
/// one is cut to it, so that no deadline the emulator computes can overflow.
pub const MAX_DURATION: Duration = crate::serve::MAX_TIMEOUT;
/// The most connections [`EmulatorBuilder::max_connections`] serves at once; more is cut to it.
pub const MAX_CONNECTION_CAP: usize = 1 << 20;
/// The default e-mail of the built-in account.
pub const DEFAULT_EMAIL: &str = "dev@emulator.pinarkive.test";
/// The default password of the built-in account.
pub const DEFAULT_PASSWORD: &str = "emulator-password";

/// The plan of the built-in account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Plan {
    /// The free plan: only `cl0-global`, no timelocks (403).
    Free,
    /// The premium plan: every cluster and timelocks.
    #[default]
    Premium,
}

/// Configures and starts an [`Emulator`].
pub struct EmulatorBuilder {
    keys: Vec<(String, Vec<String>)>,
    rate_limit: RateLimit,
    auth_rate_limit: AuthRateLimit,
    max_upload_bytes: u64,
    plan: Plan,
    email: String,
    password: String,
    bind: SocketAddr,
    clock: Clock,
    limits: crate::serve::ConnectionLimits,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            keys: Vec::new(),
            // The backend's documented defaults.
            rate_limit: RateLimit::default(),
            auth_rate_limit: AuthRateLimit::default(),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            plan: Plan::Premium,
            email: DEFAULT_EMAIL.to_owned(),
            password: DEFAULT_PASSWORD.to_owned(),
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            clock: Clock::tokio(),
            limits: crate::serve::ConnectionLimits {
                half_close: true,
                header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
                max_connections: DEFAULT_MAX_CONNECTIONS,
            },
        }
    }
}

impl fmt::Debug for EmulatorBuilder {
    // Keys and the password are secrets: show how many keys and their scopes only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scopes: Vec<&Vec<String>> = self.keys.iter().map(|(_, scopes)| scopes).collect();
        f.debug_struct("EmulatorBuilder")
            .field("api_key_scopes", &scopes)
            .field("rate_limit", &self.rate_limit)
            .field("auth_rate_limit", &self.auth_rate_limit)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("plan", &self.plan)
            .field("email", &self.email)
            .field("password", &"[redacted]")
            .field("bind", &self.bind)
            .field("clock", &self.clock)
            .field("limits", &self.limits)
            .finish()
    }
}

impl EmulatorBuilder {
    /// Accepts `key` (as `X-API-Key` or Bearer) with these scopes; `"*"` grants every scope.
    ///
    /// The key belongs to the built-in account and is listed by `tokens_list` as `key-N`. The
    /// same key given again gets the new scopes instead of the old (it stays one key).
    pub fn api_key(
        mut self,
        key: impl Into<String>,
        scopes: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        let (key, scopes) = (key.into(), scopes.into_iter().map(Into::into).collect());
        match self.keys.iter_mut().find(|(given, _)| *given == key) {
            Some((_, old)) => *old = scopes,
            None => self.keys.push((key, scopes)),
        }
        self
    }

    /// Limits each credential to `per_second` and `per_minute` requests on authenticated routes
    /// (default 10 and 100, the backend's documented defaults).
    pub fn rate_limit(mut self, per_second: u32, per_minute: u32) -> Self {
        self.rate_limit = RateLimit::PerKey { per_second, per_minute };
        self
    }

    /// Limits each client IP to `attempts` requests per `window` on login, signup,
    /// forgot-password and reset-password (default 10 per 15 minutes, the backend's documented
    /// defaults); a window longer than [`MAX_DURATION`] is cut to it. The client IP is the
    /// connection's peer: axum's `ConnectInfo<SocketAddr>` when you serve
    /// [`EmulatorBuilder::into_router`] yourself, else one budget for every client.
    pub fn auth_rate_limit(mut self, attempts: u32, window: Duration) -> Self {
        self.auth_rate_limit = AuthRateLimit::PerIp { attempts, window };
        self
    }

    /// Turns the per-IP limit of the auth routes off, leaving the per-credential limit as set.
    pub fn no_auth_rate_limit(mut self) -> Self {
        self.auth_rate_limit = AuthRateLimit::Off;
        self
    }

    /// Turns every rate limit off: per credential and on the auth routes.
    pub fn no_rate_limit(mut self) -> Self {
        self.rate_limit = RateLimit::Off;
        self.auth_rate_limit = AuthRateLimit::Off;
        self
    }

    /// Answers 413 `FILE_TOO_LARGE` once a request's body passes `bytes` (default
    /// [`DEFAULT_MAX_UPLOAD_BYTES`]). Everything counts: an upload's files, their names and part
    /// headers, and the multipart framing (a few hundred bytes a file). A body an early answer
    /// leaves unread is drained up to this limit, so the client gets that answer.
    pub fn max_upload_bytes(mut self, bytes: u64) -> Self {
        self.max_upload_bytes = bytes;
        self
    }

    /// Closes a connection whose client takes longer than `timeout` to send a request's
    /// headers, stays idle that long between requests, or reads nothing of an answer for that
    /// long (default [`DEFAULT_HEADER_READ_TIMEOUT`]); a request body that stalls that long
    /// fails with 408 and closes the connection too (and any body must arrive within 300 s, as
    /// Node's `requestTimeout`). It is kept between 1 ms and [`MAX_DURATION`].
    /// [`EmulatorBuilder::into_router`] applies only the body's part.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout.clamp(Duration::from_millis(1), MAX_DURATION);
        self
    }

    /// Serves at most `connections` at once, between 1 and [`MAX_CONNECTION_CAP`]; more wait
    /// to be accepted until one closes (default [`DEFAULT_MAX_CONNECTIONS`]). Only
    /// [`EmulatorBuilder::start`] applies it.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections.clamp(1, MAX_CONNECTION_CAP);
        self
    }

    /// Sets the built-in account's plan (default [`Plan::Premium`]).
    pub fn plan(mut self, plan: Plan) -> Self {
        self.plan = plan;
        self
    }

    /// Sets the built-in account's e-mail and password, for `/auth/login`.
    pub fn user(mut self, email: impl Into<String>, password: impl Into<String>) -> Self {
        self.email = email.into();
        self.password = password.into();
        self
    }

    /// Sets the address to listen on (default `127.0.0.1:0`, a free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Sets the clock of the rate limiter (default [`Clock::tokio`]).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Builds the emulator's state and its axum router, without listening anywhere.
    ///
    /// Serve the router yourself, or call it in memory with `tower::ServiceExt::oneshot`;
    /// paths start with `/api/v3`. The header-read timeout and the connection cap are the
    /// server's, so they are yours to set.
    pub fn into_router(self) -> axum::Router {
        router::router(Arc::new(self.into_state()))
    }

    /// Binds the address and serves until [`Emulator::shutdown`] or drop.
    ///
    /// # Errors
    ///
    /// The error of binding the address.
    pub async fn start(self) -> std::io::Result<Emulator> {
        let (bind, limits) = (self.bind, self.limits);
        let (email, password) = (self.email.clone(), self.password.clone());
        let state = Arc::new(self.into_state());
        let listener = tokio::net::TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let server = crate::serve::Server::spawn(listener, router::router(state.clone()), limits);
        Ok(Emulator { addr, base_url: format!("http://{addr}/api/v3"), email, password, state, server })
    }

    fn into_state(self) -> state::State {
        state::State::new(state::Config {
            keys: self.keys,
            rate_limit: self.rate_limit,
            auth_rate_limit: self.auth_rate_limit,
            max_upload_bytes: self.max_upload_bytes,
            body_stall_timeout: self.limits.header_read_timeout,
            plan: self.plan,
            email: self.email,
            password: self.password,
            clock: self.clock,
        })
    }
}

/// A running emulator; dropping it stops the server.
pub struct Emulator {
    addr: SocketAddr,
    base_url: String,
    email: String,
    password: String,
    state: Arc<state::State>,
    server: crate::serve::Server,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts configuring an emulator.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The API base URL, `http://127.0.0.1:PORT/api/v3`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The e-mail and password the built-in account started with, for `/auth/login`; a password
    /// changed or reset through the API is not reflected here.
    pub fn user(&self) -> (&str, &str) {
        (&self.email, &self.password)
    }

    /// The last e-mail verification token "sent" to `email` by signup or resend-verification.
    pub fn verification_token(&self, email: &str) -> Option<String> {
        self.state.mailed_token(state::Mail::Verification, email)
    }

    /// The last password-reset token "sent" to `email` by forgot-password.
    pub fn password_reset_token(&self, email: &str) -> Option<String> {
        self.state.mailed_token(state::Mail::PasswordReset, email)
    }

    /// Stops accepting connections and waits (at most 5 s) for open ones to finish.
    pub async fn shutdown(mut self) {
        self.server.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builder_keeps_the_timeout_and_the_connection_cap_in_range() {
        let widest = Emulator::builder().header_read_timeout(Duration::MAX).max_connections(usize::MAX);
        assert_eq!(widest.limits.header_read_timeout, MAX_DURATION);
        assert_eq!(widest.limits.max_connections, MAX_CONNECTION_CAP);
        let narrowest = Emulator::builder().header_read_timeout(Duration::ZERO).max_connections(0);
        assert_eq!(narrowest.limits.header_read_timeout, Duration::from_millis(1));
        assert_eq!(narrowest.limits.max_connections, 1);
        let options = EmulatorOptions {
            header_timeout_secs: u64::MAX,
            max_connections: u64::MAX,
            ..Default::default()
        };
        let from_flags = options.builder();
        assert_eq!(from_flags.limits.header_read_timeout, MAX_DURATION);
        assert_eq!(from_flags.limits.max_connections, MAX_CONNECTION_CAP);
    }
}
