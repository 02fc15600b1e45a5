//! Credentials: API keys with scopes, session tokens from login, and TOTP 2FA.

use std::fmt;

use axum::http::HeaderMap;
use chrono::Utc;
use data_encoding::BASE64URL_NOPAD;
use totp_rs::{Builder, Secret, Totp};

use super::errors::ApiError;
use super::state::{random_hex, Db, Scopes, State};
use crate::spec::OperationId;

/// Who is calling, after the credential was checked.
#[derive(Clone)]
pub(crate) struct Principal {
    pub(crate) account: usize,
    pub(crate) scopes: Scopes,
    /// The credential itself, so logout can end its own session; never logged or shown.
    pub(crate) credential: String,
    pub(crate) is_session: bool,
}

impl fmt::Debug for Principal {
    // The credential is a live key or session token: a derived Debug would print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Principal")
            .field("account", &self.account)
            .field("scopes", &self.scopes)
            .field("credential", &"[redacted]")
            .field("is_session", &self.is_session)
            .finish()
    }
}

/// The credential of a request: `X-API-Key`, else `Authorization: Bearer`.
pub(crate) fn credential(headers: &HeaderMap) -> Option<&str> {
    if let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        let key = key.trim();
        if !key.is_empty() {
            return Some(key);
        }
    }
    let auth = headers.get("authorization")?.to_str().ok()?.trim();
    let (scheme, token) = auth.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Checks the request's credential: 401 `INVALID_API_KEY` when it is missing, unknown or expired.
pub(crate) fn authenticate(state: &State, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let credential = credential(headers).ok_or_else(ApiError::invalid_api_key)?;
    let db = state.db();
    if let Some(key) = db.keys.get(credential) {
        if key.expires_at.is_some_and(|at| at <= Utc::now()) {
            return Err(ApiError::invalid_api_key());
        }
        return Ok(Principal {
            account: key.account,
            scopes: key.scopes.clone(),
            credential: credential.to_owned(),
            is_session: false,
        });
    }
    if let Some(&account) = db.sessions.get(credential) {
        return Ok(Principal {
            account,
            scopes: Scopes::All,
            credential: credential.to_owned(),
            is_session: true,
        });
    }
    Err(ApiError::invalid_api_key())
}

/// 403 `missing_scope` unless the credential holds the operation's `x-scope` (any credential
/// will do where no source names one).
pub(crate) fn require_scope(op: OperationId, principal: &Principal) -> Result<(), ApiError> {
    match op.scope() {
        Some(scope) if !principal.scopes.allows(scope) => Err(ApiError::missing_scope(scope)),
        _ => Ok(()),
    }
}

/// A new session token for `account`, shaped like a JWT (header.payload.signature), and the
/// token of the account's oldest session if this one ended it.
pub(crate) fn new_session(db: &mut Db, account: usize) -> (String, Option<String>) {
    let header = BASE64URL_NOPAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let now = Utc::now().timestamp();
    let payload = serde_json::json!({
        "sub": db.accounts[account].id,
        "iat": now,
        "exp": now + 7 * 24 * 3600,
        "jti": random_hex(8),
    });
    let payload = BASE64URL_NOPAD.encode(payload.to_string().as_bytes());
    let signature = BASE64URL_NOPAD.encode(random_hex(16).as_bytes());
    let token = format!("{header}.{payload}.{signature}");
    let ended = db.open_session(account, token.clone());
    (token, ended)
}

/// A new random TOTP secret (160 bits, as RFC 4226 recommends).
pub(crate) fn new_totp_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut secret = vec![0u8; 20];
    rand::rng().fill_bytes(&mut secret);
    secret
}

pub(crate) fn secret_base32(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

fn totp(secret: &[u8]) -> Option<Totp> {
    Builder::new().with_secret(secret.to_vec()).build().ok()
}

/// Whether `code` is the current TOTP code of `secret` (one 30 s step of skew either way).
pub(crate) fn totp_matches(secret: &[u8], code: &str) -> bool {
    let code = code.trim();
    code.len() == 6
        && code.bytes().all(|b| b.is_ascii_digit())
        && totp(secret).is_some_and(|t| t.check_current(code).is_some())
}

/// The current 6-digit TOTP code of a base32 secret, as `auth_2fa_setup` returns it.
///
/// This is what an authenticator app would show; tests use it to enable 2FA and log in.
/// `None` if the secret is not valid base32 or shorter than 128 bits.
pub fn totp_code(secret_base32: &str) -> Option<String> {
    let secret = Secret::try_from_base32(secret_base32.trim()).ok()?;
    let totp = totp(secret.as_ref())?;
    Some(totp.generate_current().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (axum::http::HeaderName::from_static(name), value.parse().unwrap()))
            .collect()
    }

    #[test]
    fn credential_prefers_x_api_key_then_any_case_of_bearer() {
        assert_eq!(
            credential(&headers(&[("x-api-key", " k1 "), ("authorization", "Bearer k2")])),
            Some("k1")
        );
        assert_eq!(credential(&headers(&[("x-api-key", ""), ("authorization", "bearer  k2")])), Some("k2"));
        assert_eq!(credential(&headers(&[("authorization", "Basic k2")])), None);
        assert_eq!(credential(&headers(&[("authorization", "Bearer ")])), None);
        assert_eq!(credential(&headers(&[])), None);
    }

    #[test]
    fn principal_debug_hides_the_credential() {
        let principal = Principal {
            account: 0,
            scopes: Scopes::All,
            credential: "pk_secret".to_owned(),
            is_session: true,
        };
        let shown = format!("{principal:?}");
        assert!(!shown.contains("pk_secret"), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }

    #[test]
    fn totp_codes_from_the_base32_secret_match_and_others_do_not() {
        let secret = new_totp_secret();
        let code = totp_code(&secret_base32(&secret)).unwrap();
        assert!(totp_matches(&secret, &code));
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert!(!totp_matches(&secret, &wrong));
        assert!(!totp_matches(&secret, "12345"));
        assert!(!totp_matches(&secret, "+12345"));
        assert_eq!(totp_code("not base32!"), None);
    }
}
