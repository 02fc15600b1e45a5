//! The emulator's in-memory data: accounts, credentials, uploads and logs.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use super::clock::Clock;
use super::rate_limit::RateLimiter;
use super::{Plan, RateLimits};

/// What the builder decided.
pub(crate) struct Config {
    pub(crate) keys: Vec<(String, Vec<String>)>,
    pub(crate) rate_limits: Option<RateLimits>,
    pub(crate) max_upload_bytes: u64,
    pub(crate) plan: Plan,
    pub(crate) email: String,
    pub(crate) password: String,
    pub(crate) clock: Clock,
}

/// Shared by every request.
pub(crate) struct State {
    pub(crate) max_upload_bytes: u64,
    pub(crate) limiter: RateLimiter,
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

    pub(crate) fn allows(&self, scope: &str) -> bool {
        match self {
            Scopes::All => true,
            Scopes::Only(scopes) => scopes.contains(scope),
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

/// An API key of an account.
pub(crate) struct ApiKey {
    pub(crate) account: usize,
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) scopes: Scopes,
    pub(crate) expires_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
}

/// Kinds of upload records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UploadKind {
    File,
    Directory,
    Pin,
}

impl UploadKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            UploadKind::File => "file",
            UploadKind::Directory => "directory",
            UploadKind::Pin => "pin",
        }
    }
}

/// One upload (or pin) of an account; content bytes are never kept.
#[derive(Debug, Clone)]
pub(crate) struct UploadRecord {
    pub(crate) id: String,
    pub(crate) cid: String,
    pub(crate) name: String,
    pub(crate) original_name: Option<String>,
    pub(crate) custom_name: Option<String>,
    pub(crate) size: u64,
    pub(crate) kind: UploadKind,
    pub(crate) cluster: String,
    pub(crate) expires_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
    /// The directory this file was uploaded in, for `parentCid`.
    pub(crate) parent: Option<String>,
    /// The file's path inside its directory.
    pub(crate) path: Option<String>,
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
    pub(crate) uploads: Vec<UploadRecord>,
    pub(crate) logs: Vec<LogRecord>,
}

impl Account {
    pub(crate) fn log(&mut self, action: &str, details: impl Into<String>, source: &'static str) {
        self.logs.push(LogRecord {
            action: action.to_owned(),
            details: details.into(),
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
    /// API keys by their secret value.
    pub(crate) keys: HashMap<String, ApiKey>,
    /// Session tokens from login, by value, to their account.
    pub(crate) sessions: HashMap<String, usize>,
    /// Temporary tokens of logins waiting for a TOTP code.
    pub(crate) pending_logins: HashMap<String, usize>,
    /// Tokens "mailed" for e-mail verification and password reset.
    pub(crate) verification_tokens: HashMap<String, usize>,
    pub(crate) reset_tokens: HashMap<String, usize>,
    next_id: u64,
}

impl Db {
    /// A fresh 24-hex-digit id, shaped like the backend's database ids.
    pub(crate) fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("{:08x}{:016x}", 0x656d_7500_u32, self.next_id)
    }

    pub(crate) fn account_by_email(&self, email: &str) -> Option<usize> {
        self.accounts.iter().position(|a| a.email.eq_ignore_ascii_case(email))
    }

    pub(crate) fn add_account(&mut self, email: String, password: String, name: String, plan: Plan) -> usize {
        let id = self.new_id();
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
            uploads: Vec::new(),
            logs: Vec::new(),
        });
        self.accounts.len() - 1
    }
}

impl State {
    pub(crate) fn new(config: Config) -> State {
        let mut db = Db::default();
        let account = db.add_account(config.email, config.password, "Emulator".to_owned(), config.plan);
        db.accounts[account].verified = true;
        db.accounts[account].lastname = "User".to_owned();
        let now = Utc::now();
        for (i, (key, scopes)) in config.keys.into_iter().enumerate() {
            db.keys.insert(
                key,
                ApiKey {
                    account,
                    name: format!("key-{}", i + 1),
                    label: "emulator".to_owned(),
                    scopes: Scopes::from_list(&scopes),
                    expires_at: None,
                    created_at: now,
                },
            );
        }
        State {
            max_upload_bytes: config.max_upload_bytes,
            limiter: RateLimiter::new(config.rate_limits, config.clock),
            db: Mutex::new(db),
        }
    }

    /// Locks the data; a handler that panicked cannot leave it half-changed in a way that
    /// matters more than losing the emulator, so a poisoned lock is taken over.
    pub(crate) fn db(&self) -> MutexGuard<'_, Db> {
        self.db.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn verification_token(&self, email: &str) -> Option<String> {
        let db = self.db();
        let account = db.account_by_email(email)?;
        db.verification_tokens.iter().find(|(_, a)| **a == account).map(|(token, _)| token.clone())
    }

    pub(crate) fn password_reset_token(&self, email: &str) -> Option<String> {
        let db = self.db();
        let account = db.account_by_email(email)?;
        db.reset_tokens.iter().find(|(_, a)| **a == account).map(|(token, _)| token.clone())
    }
}

/// A random token, hex-encoded, for keys, sessions and mailed tokens.
pub(crate) fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}
