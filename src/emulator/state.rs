//! The emulator's in-memory data: accounts, credentials, uploads and logs.
//!
//! Everything a client can make grow is indexed or bounded, so that no request does work under
//! the lock in proportion to what the account (or the emulator) holds: uploads are indexed
//! ([`Uploads`]), the activity log is a ring of [`MAX_LOG_ENTRIES`], and an account keeps at most
//! [`MAX_SESSIONS`] sessions and [`MAX_PENDING_LOGINS`] logins waiting for a 2FA code (the oldest
//! go first). Accounts are at most [`MAX_ACCOUNTS`], API keys at most [`MAX_KEYS_PER_ACCOUNT`] an
//! account (beyond the builder's own), and every string a client stores is at most
//! [`MAX_NAME_BYTES`](super::MAX_NAME_BYTES) (checked where it arrives).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::clock::Clock;
use super::rate_limit::RateLimiter;
use super::uploads::Uploads;
use super::{AuthRateLimit, Plan, RateLimit};
use crate::spec::Scope;

/// Entries of an account's activity log kept; older ones are dropped.
pub const MAX_LOG_ENTRIES: usize = 1000;
/// Characters of a log entry's details kept (they quote names a client chose).
pub(crate) const MAX_LOG_DETAIL_CHARS: usize = 200;
/// Sessions an account keeps open; a new login beyond them ends the oldest.
pub(crate) const MAX_SESSIONS: usize = 1000;
/// Logins waiting for a 2FA code an account keeps.
pub(crate) const MAX_PENDING_LOGINS: usize = 100;
/// Accounts the emulator holds, the built-in one included; signup answers 403 beyond them.
pub const MAX_ACCOUNTS: usize = 1000;
/// API keys `tokens_generate` lets an account hold; it answers 403 beyond them.
pub const MAX_KEYS_PER_ACCOUNT: usize = 100;

/// What the builder decided.
pub(crate) struct Config {
    pub(crate) keys: Vec<(String, Vec<String>)>,
    pub(crate) rate_limit: RateLimit,
    pub(crate) auth_rate_limit: AuthRateLimit,
    pub(crate) max_upload_bytes: u64,
    pub(crate) body_stall_timeout: Duration,
    pub(crate) plan: Plan,
    pub(crate) email: String,
    pub(crate) password: String,
    pub(crate) clock: Clock,
}

/// Shared by every request.
pub(crate) struct State {
    pub(crate) max_upload_bytes: u64,
    /// How long a request's body may stall before it fails (the header-read timeout).
    pub(crate) body_stall_timeout: Duration,
    pub(crate) limiter: RateLimiter,
    next_id: AtomicU64,
    db: Mutex<Db>,
}

/// The scopes a credential holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scopes {
    /// Sessions and `*` keys.
    All,
    Only(BTreeSet<String>),
}

impl Scopes {
    pub(crate) fn from_list(scopes: &[String]) -> Scopes {
        if scopes.iter().any(|s| s == "*") {
            Scopes::All
        } else {
            Scopes::Only(scopes.iter().cloned().collect())
        }
    }

    pub(crate) fn allows(&self, scope: Scope) -> bool {
        match self {
            Scopes::All => true,
            Scopes::Only(scopes) => scopes.contains(scope.as_str()),
        }
    }

    /// The list shown by `tokens_list` and `tokens_generate`.
    pub(crate) fn to_list(&self) -> Vec<String> {
        match self {
            Scopes::All => vec!["*".to_owned()],
            Scopes::Only(scopes) => scopes.iter().cloned().collect(),
        }
    }
}

/// An API key of an account; shared by the account's list and the index by secret.
pub(crate) struct ApiKey {
    pub(crate) account: usize,
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) scopes: Scopes,
    pub(crate) expires_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
}

/// One entry of the activity log.
#[derive(Debug, Clone)]
pub(crate) struct LogRecord {
    pub(crate) action: String,
    pub(crate) details: String,
    pub(crate) kind: &'static str,
    pub(crate) source: &'static str,
    pub(crate) created_at: DateTime<Utc>,
}

/// TOTP state of an account.
#[derive(Default)]
pub(crate) struct TwoFactor {
    /// Secret from setup, not yet confirmed by enable.
    pub(crate) pending: Option<Vec<u8>>,
    pub(crate) secret: Option<Vec<u8>>,
}

pub(crate) struct Account {
    pub(crate) id: String,
    pub(crate) email: String,
    pub(crate) password: String,
    pub(crate) name: String,
    pub(crate) lastname: String,
    pub(crate) verified: bool,
    pub(crate) plan: Plan,
    pub(crate) language: Option<String>,
    pub(crate) country: Option<String>,
    pub(crate) two_factor: TwoFactor,
    pub(crate) uploads: Uploads,
    /// The newest [`MAX_LOG_ENTRIES`], oldest first.
    pub(crate) logs: VecDeque<LogRecord>,
    /// The account's API keys by name, with their secrets.
    pub(crate) keys: BTreeMap<String, AccountKey>,
    /// Open sessions and logins waiting for 2FA, oldest first (the tokens of `Db`'s maps).
    sessions: VecDeque<String>,
    pending_logins: VecDeque<String>,
    /// The last token of each kind "mailed", by [`Mail`] index.
    mailed: [Option<String>; 2],
}

impl Account {
    /// Adds an entry to the activity log, dropping the oldest past [`MAX_LOG_ENTRIES`].
    pub(crate) fn log(&mut self, action: &str, details: impl Into<String>, source: &'static str) {
        let mut details = details.into();
        if let Some((cut, _)) = details.char_indices().nth(MAX_LOG_DETAIL_CHARS) {
            details.truncate(cut);
            details.push('…');
        }
        if self.logs.len() == MAX_LOG_ENTRIES {
            self.logs.pop_front();
        }
        self.logs.push_back(LogRecord {
            action: action.to_owned(),
            details,
            kind: "INFO",
            source,
            created_at: Utc::now(),
        });
    }
}

/// Everything behind the lock. Handlers lock, change and unlock; nothing awaits while holding it.
#[derive(Default)]
pub(crate) struct Db {
    pub(crate) accounts: Vec<Account>,
    /// Accounts by e-mail, lower case.
    by_email: HashMap<String, usize>,
    /// API keys by their secret value.
    pub(crate) keys: HashMap<String, Arc<ApiKey>>,
    /// Session tokens from login, by value, to their account.
    pub(crate) sessions: HashMap<String, usize>,
    /// Temporary tokens of logins waiting for a TOTP code.
    pending_logins: HashMap<String, usize>,
    /// Tokens "mailed", by [`Mail`] index, to their account.
    mailed: [HashMap<String, usize>; 2],
}

/// The kinds of token the account's e-mail would receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mail {
    Verification = 0,
    PasswordReset = 1,
}

/// An API key as its account holds it.
pub(crate) struct AccountKey {
    pub(crate) secret: String,
    pub(crate) key: Arc<ApiKey>,
}

/// Records `account`'s new `token` in its list `order` (oldest first) and in `map`; past `cap`
/// tokens the oldest ends, and is returned.
fn issue(
    order: &mut VecDeque<String>,
    map: &mut HashMap<String, usize>,
    cap: usize,
    account: usize,
    token: String,
) -> Option<String> {
    let ended = if order.len() == cap { order.pop_front() } else { None };
    if let Some(oldest) = &ended {
        map.remove(oldest);
    }
    order.push_back(token.clone());
    map.insert(token, account);
    ended
}

/// Ends one token of `order` and `map`; the account it was for, if it was one.
fn revoke(order: &mut VecDeque<String>, map: &mut HashMap<String, usize>, token: &str) -> Option<usize> {
    let account = map.remove(token)?;
    order.retain(|t| t != token);
    Some(account)
}

impl Db {
    pub(crate) fn account_by_email(&self, email: &str) -> Option<usize> {
        self.by_email.get(&email.to_ascii_lowercase()).copied()
    }

    /// Adds an account; `None` (and nothing added) when the emulator holds [`MAX_ACCOUNTS`].
    pub(crate) fn add_account(
        &mut self,
        id: String,
        email: String,
        password: String,
        name: String,
        plan: Plan,
    ) -> Option<usize> {
        let index = self.accounts.len();
        if index == MAX_ACCOUNTS {
            return None;
        }
        self.by_email.insert(email.to_ascii_lowercase(), index);
        self.accounts.push(Account {
            id,
            email,
            password,
            name,
            lastname: String::new(),
            verified: false,
            plan,
            language: None,
            country: None,
            two_factor: TwoFactor::default(),
            uploads: Uploads::default(),
            logs: VecDeque::new(),
            keys: BTreeMap::new(),
            sessions: VecDeque::new(),
            pending_logins: VecDeque::new(),
            mailed: [None, None],
        });
        Some(index)
    }

    /// Adds an API key; false (and nothing added) if the account has one of that name.
    pub(crate) fn add_key(&mut self, secret: String, key: ApiKey) -> bool {
        let key = Arc::new(key);
        let names = &mut self.accounts[key.account].keys;
        if names.contains_key(&key.name) {
            return false;
        }
        names.insert(key.name.clone(), AccountKey { secret: secret.clone(), key: key.clone() });
        self.keys.insert(secret, key);
        true
    }

    /// Revokes the account's key of that name: its secret, or `None` if it has none.
    pub(crate) fn remove_key(&mut self, account: usize, name: &str) -> Option<String> {
        let AccountKey { secret, .. } = self.accounts[account].keys.remove(name)?;
        self.keys.remove(&secret);
        Some(secret)
    }

    /// Opens a session; the account's oldest session ends past [`MAX_SESSIONS`], and its token
    /// is returned.
    pub(crate) fn open_session(&mut self, account: usize, token: String) -> Option<String> {
        issue(&mut self.accounts[account].sessions, &mut self.sessions, MAX_SESSIONS, account, token)
    }

    /// Ends a session of `account`; a token of another account is left alone. Whether it ended.
    pub(crate) fn end_session(&mut self, account: usize, token: &str) -> bool {
        self.sessions.get(token) == Some(&account)
            && revoke(&mut self.accounts[account].sessions, &mut self.sessions, token).is_some()
    }

    /// Ends every session of `account` (a new password does); their tokens.
    pub(crate) fn end_sessions(&mut self, account: usize) -> VecDeque<String> {
        let ended = std::mem::take(&mut self.accounts[account].sessions);
        for token in &ended {
            self.sessions.remove(token);
        }
        ended
    }

    pub(crate) fn add_pending_login(&mut self, account: usize, token: String) {
        let order = &mut self.accounts[account].pending_logins;
        issue(order, &mut self.pending_logins, MAX_PENDING_LOGINS, account, token);
    }

    pub(crate) fn pending_login(&self, token: &str) -> Option<usize> {
        self.pending_logins.get(token).copied()
    }

    pub(crate) fn end_pending_login(&mut self, token: &str) {
        if let Some(&account) = self.pending_logins.get(token) {
            revoke(&mut self.accounts[account].pending_logins, &mut self.pending_logins, token);
        }
    }

    /// "Mails" a new token of `kind` to `account`, replacing the last one.
    pub(crate) fn mail(&mut self, kind: Mail, account: usize) {
        let token = random_hex(20);
        if let Some(old) = self.accounts[account].mailed[kind as usize].replace(token.clone()) {
            self.mailed[kind as usize].remove(&old);
        }
        self.mailed[kind as usize].insert(token, account);
    }

    /// Uses up a mailed token of `kind`: the account it was for.
    pub(crate) fn take_mailed(&mut self, kind: Mail, token: &str) -> Option<usize> {
        let account = self.mailed[kind as usize].remove(token)?;
        self.accounts[account].mailed[kind as usize] = None;
        Some(account)
    }
}

impl State {
    pub(crate) fn new(config: Config) -> State {
        let state = State {
            max_upload_bytes: config.max_upload_bytes,
            body_stall_timeout: config.body_stall_timeout,
            limiter: RateLimiter::new(config.rate_limit, config.auth_rate_limit, config.clock),
            next_id: AtomicU64::new(0),
            db: Mutex::new(Db::default()),
        };
        let mut db = state.db();
        let id = state.new_id();
        let account = db
            .add_account(id, config.email, config.password, "Emulator".to_owned(), config.plan)
            .expect("the first account fits");
        db.accounts[account].verified = true;
        db.accounts[account].lastname = "User".to_owned();
        let now = Utc::now();
        for (i, (key, scopes)) in config.keys.into_iter().enumerate() {
            let api_key = ApiKey {
                account,
                name: format!("key-{}", i + 1),
                label: "emulator".to_owned(),
                scopes: Scopes::from_list(&scopes),
                expires_at: None,
                created_at: now,
            };
            db.add_key(key, api_key);
        }
        drop(db);
        state
    }

    /// A fresh 24-hex-digit id, shaped like the backend's database ids; taken without the lock,
    /// so a large upload can make its records before it locks.
    pub(crate) fn new_id(&self) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{:08x}{n:016x}", 0x656d_7500_u32)
    }

    /// Locks the data; a handler that panicked cannot leave it half-changed in a way that
    /// matters more than losing the emulator, so a poisoned lock is taken over.
    pub(crate) fn db(&self) -> MutexGuard<'_, Db> {
        self.db.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The last token of `kind` mailed to `email`.
    pub(crate) fn mailed_token(&self, kind: Mail, email: &str) -> Option<String> {
        let db = self.db();
        let account = db.account_by_email(email)?;
        db.accounts[account].mailed[kind as usize].clone()
    }
}

/// A random token, hex-encoded, for keys, sessions and mailed tokens.
pub(crate) fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}
