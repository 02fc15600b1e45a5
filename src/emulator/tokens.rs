//! API tokens: generate (default scopes `user:read` and `files:read`), list, revoke; with 2FA on,
//! generate and revoke need the current TOTP code. An account holds at most
//! [`MAX_KEYS_PER_ACCOUNT`] keys: one more is 403, as the backend answers a limit of the plan.

use std::sync::Arc;

use chrono::{TimeDelta, Utc};

use super::auth::totp_matches;
use super::errors::ApiError;
use super::request::{check_lengths, ok, Call, Reply};
use super::state::{random_hex, ApiKey, Db, Scopes, MAX_KEYS_PER_ACCOUNT};
use crate::spec::{ErrorCode, Scope};
use crate::types::{
    ApiToken, MessageResponse, TokenCreated, TokenGenerateRequest, TokenList, TokenRevokeRequest,
};

/// The scopes of a token generated without `scopes`, per the backend reference.
const DEFAULT_SCOPES: [Scope; 2] = [Scope::UserRead, Scope::FilesRead];

/// 400 `2fa_required` or `2fa_invalid` unless the account has no 2FA or `code` is current.
fn check_second_factor(db: &Db, account: usize, code: Option<&str>) -> Result<(), ApiError> {
    let Some(secret) = &db.accounts[account].two_factor.secret else { return Ok(()) };
    let code = code.ok_or_else(|| {
        ApiError::bad_request("2FA code required (totpCode)").with_code(ErrorCode::TwoFactorRequired)
    })?;
    if !totp_matches(secret, code) {
        return Err(ApiError::invalid_2fa_code());
    }
    Ok(())
}

fn format_expiry(key: &ApiKey) -> Option<String> {
    key.expires_at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

pub(crate) async fn generate(mut call: Call) -> Reply {
    let request: TokenGenerateRequest = call.json().await?;
    let account = call.account()?;
    let name = request.name.to_string();
    if name.trim().is_empty() {
        return Err(ApiError::bad_request("Token name is required"));
    }
    check_lengths([("name", Some(name.as_str())), ("label", request.label.as_deref())])?;
    let mut db = call.state.db();
    check_second_factor(&db, account, request.totp_code.as_deref().or(request.two_factor_code.as_deref()))?;
    let scopes = if request.scopes.is_empty() { &DEFAULT_SCOPES[..] } else { &request.scopes[..] };
    let scopes: Vec<String> = scopes.iter().map(|scope| scope.as_str().to_owned()).collect();
    let now = Utc::now();
    let expires_at = request
        .expires_in_days
        .filter(|days| *days > 0)
        .map(|days| now + TimeDelta::days(i64::try_from(days.min(36_500)).unwrap_or(36_500)));
    let key = ApiKey {
        account,
        name: name.clone(),
        label: request.label.unwrap_or_else(|| "cli-access".to_owned()),
        scopes: Scopes::from_list(&scopes),
        expires_at,
        created_at: now,
    };
    let body = TokenCreated {
        token: None,
        name: Some(name.clone()),
        label: Some(key.label.clone()),
        expires_at: format_expiry(&key),
        scopes: key.scopes.to_list(),
        message: Some("Token created".to_owned()),
    };
    let token = format!("pk_{}", random_hex(24));
    if db.accounts[account].keys.len() >= MAX_KEYS_PER_ACCOUNT {
        return Err(ApiError::forbidden(format!(
            "Token limit reached: an account may hold {MAX_KEYS_PER_ACCOUNT} API tokens; revoke one first"
        )));
    }
    if !db.add_key(token.clone(), key) {
        return Err(ApiError::conflict(format!("A token named {name} already exists")));
    }
    db.accounts[account].log("token_generate", format!("Token {name} created"), call.source());
    drop(db);
    ok(&call, TokenCreated { token: Some(token), ..body })
}

pub(crate) async fn list(call: Call) -> Reply {
    let account = call.account()?;
    // Under the lock only the (at most MAX_KEYS_PER_ACCOUNT) shared records are taken.
    let mut keys: Vec<Arc<ApiKey>> =
        call.state.db().accounts[account].keys.values().map(|held| held.key.clone()).collect();
    keys.sort_by(|a, b| (a.created_at, &a.name).cmp(&(b.created_at, &b.name)));
    let tokens: Vec<ApiToken> = keys
        .into_iter()
        .map(|k| ApiToken {
            name: Some(k.name.clone()),
            label: Some(k.label.clone()),
            scopes: k.scopes.to_list(),
            expires_at: format_expiry(&k),
        })
        .collect();
    ok(&call, TokenList { tokens })
}

pub(crate) async fn revoke(mut call: Call) -> Reply {
    let name = call.path_param("name")?;
    let request: TokenRevokeRequest = call.json_or_none().await?.unwrap_or_default();
    let account = call.account()?;
    let mut db = call.state.db();
    check_second_factor(&db, account, request.totp_code.as_deref().or(request.two_factor_code.as_deref()))?;
    let secret = db
        .remove_key(account, &name)
        .ok_or_else(|| ApiError::not_found(format!("Token not found: {name}")))?;
    db.accounts[account].log("token_revoke", format!("Token {name} revoked"), call.source());
    drop(db);
    call.state.limiter.forget(&secret);
    ok(&call, MessageResponse { message: Some("Token revoked".to_owned()), success: Some(true) })
}
