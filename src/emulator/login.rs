//! The `/auth` routes: login and sessions, signup and the e-mail flows, and 2FA.
//!
//! The emulator holds at most [`MAX_ACCOUNTS`] accounts: a signup beyond them is 403, as the
//! backend answers a limit. A session that ends (logout, a password reset, or the oldest past an
//! account's limit) is forgotten by the rate limiter too.

use super::account::{check_password_strength, message, profile};
use super::auth::{new_session, new_totp_secret, secret_base32, totp_matches};
use super::errors::ApiError;
use super::request::{check_lengths, ok, Call, Reply};
use super::state::{random_hex, Db, Mail, MAX_ACCOUNTS};
use super::Plan;
use crate::spec::ErrorCode;
use crate::types::{
    EmailBodyRequest, LoginRequest, LoginResponse, LogoutRequest, ResetPasswordRequest, SignupRequest,
    TokenBodyRequest, TwoFactorCodeRequest, TwoFactorDisableRequest, TwoFactorSetup, TwoFactorStatus,
    TwoFactorVerifyLoginRequest,
};

// ------------------------------------------------------------------ login and sessions

pub(crate) async fn login(mut call: Call) -> Reply {
    let request: LoginRequest = call.json().await?;
    let mut db = call.state.db();
    let account = db
        .account_by_email(&request.email)
        .filter(|&a| db.accounts[a].password == request.password)
        .ok_or_else(|| ApiError::unauthorized("Invalid email or password"))?;
    if !db.accounts[account].verified {
        let mut error = ApiError::forbidden("Please verify your email before logging in")
            .with_code(ErrorCode::EmailNotVerified);
        error.body.can_resend_verification = Some(true);
        return Err(error);
    }
    if db.accounts[account].two_factor.secret.is_some() {
        let temporary = format!("tmp_{}", random_hex(24));
        db.add_pending_login(account, temporary.clone());
        let body = LoginResponse {
            requires2_fa: Some(true),
            temporary_token: Some(temporary),
            ..Default::default()
        };
        drop(db);
        return ok(&call, body);
    }
    let body = signed_in(&call, db, account, "Logged in");
    ok(&call, body)
}

/// Opens a session for `account`, logs it with `details`, unlocks, and answers with the token
/// and profile.
fn signed_in(
    call: &Call,
    mut db: std::sync::MutexGuard<'_, Db>,
    account: usize,
    details: &str,
) -> LoginResponse {
    let (token, ended) = new_session(&mut db, account);
    db.accounts[account].log("login", details, call.source());
    let user = profile(&db.accounts[account]);
    drop(db);
    if let Some(ended) = ended {
        call.state.limiter.forget(&ended);
    }
    LoginResponse { token: Some(token), user: Some(user), ..Default::default() }
}

pub(crate) async fn two_factor_verify_login(mut call: Call) -> Reply {
    let request: TwoFactorVerifyLoginRequest = call.json().await?;
    let mut db = call.state.db();
    let account = db
        .pending_login(&request.temporary_token)
        .ok_or_else(|| ApiError::unauthorized("Invalid or expired temporary token"))?;
    let secret = db.accounts[account].two_factor.secret.clone().unwrap_or_default();
    if !totp_matches(&secret, &request.code) {
        return Err(ApiError::invalid_2fa_code());
    }
    db.end_pending_login(&request.temporary_token);
    let body = signed_in(&call, db, account, "Logged in with 2FA");
    ok(&call, body)
}

pub(crate) async fn logout(mut call: Call) -> Reply {
    // The route documents no 400, so a body that does not decode is treated as no body.
    let request: LogoutRequest = call.json_or_none().await.ok().flatten().unwrap_or_default();
    let account = call.account()?;
    let principal = call.principal.clone();
    let mut db = call.state.db();
    let token = request.token.or_else(|| principal.filter(|p| p.is_session).map(|p| p.credential));
    let ended = token.filter(|token| db.end_session(account, token));
    drop(db);
    if let Some(token) = ended {
        call.state.limiter.forget(&token);
    }
    ok(&call, message("Logged out"))
}

// ------------------------------------------------------------------ signup and e-mail flows

pub(crate) async fn signup(mut call: Call) -> Reply {
    let request: SignupRequest = call.json().await?;
    let email = request.email.trim();
    if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return Err(ApiError::bad_request("Invalid email address"));
    }
    if request.name.trim().is_empty() {
        return Err(ApiError::bad_request("Name is required"));
    }
    check_lengths([
        ("name", Some(request.name.as_str())),
        ("email", Some(email)),
        ("password", Some(request.password.as_str())),
        ("language", request.language.as_deref()),
    ])?;
    check_password_strength(&request.password)?;
    let mut db = call.state.db();
    if db.account_by_email(email).is_some() {
        return Err(ApiError::conflict("Email already registered"));
    }
    let id = call.state.new_id();
    let account = db
        .add_account(id, email.to_owned(), request.password, request.name.trim().to_owned(), Plan::Free)
        .ok_or_else(|| {
            ApiError::forbidden(format!("Account limit reached: the emulator holds {MAX_ACCOUNTS} accounts"))
        })?;
    db.accounts[account].language = request.language;
    db.mail(Mail::Verification, account);
    drop(db);
    ok(&call, message("Account created. Check your email to verify your account."))
}

pub(crate) async fn verify_email(mut call: Call) -> Reply {
    let request: TokenBodyRequest = call.json().await?;
    let mut db = call.state.db();
    let account = db
        .take_mailed(Mail::Verification, &request.token)
        .ok_or_else(|| ApiError::bad_request("Invalid or expired verification token"))?;
    db.accounts[account].verified = true;
    drop(db);
    ok(&call, message("Email verified"))
}

pub(crate) async fn resend_verification(mut call: Call) -> Reply {
    let request: EmailBodyRequest = call.json().await?;
    let mut db = call.state.db();
    // An unknown address gets the same answer, so the route cannot be used to find accounts.
    if let Some(account) = db.account_by_email(&request.email) {
        if db.accounts[account].verified {
            return Err(ApiError::bad_request("Email already verified"));
        }
        db.mail(Mail::Verification, account);
    }
    drop(db);
    ok(&call, message("If the account exists, a verification email has been sent"))
}

pub(crate) async fn forgot_password(mut call: Call) -> Reply {
    let request: EmailBodyRequest = call.json().await?;
    let mut db = call.state.db();
    if let Some(account) = db.account_by_email(&request.email) {
        db.mail(Mail::PasswordReset, account);
    }
    drop(db);
    ok(&call, message("If the account exists, a password reset email has been sent"))
}

pub(crate) async fn reset_password(mut call: Call) -> Reply {
    let request: ResetPasswordRequest = call.json().await?;
    check_lengths([("newPassword", Some(request.new_password.as_str()))])?;
    check_password_strength(&request.new_password)?;
    let mut db = call.state.db();
    let account = db
        .take_mailed(Mail::PasswordReset, &request.token)
        .ok_or_else(|| ApiError::bad_request("Invalid or expired reset token"))?;
    db.accounts[account].password = request.new_password;
    // A new password ends every session of the account.
    let ended = db.end_sessions(account);
    db.accounts[account].log("password_reset", "Password reset by email", call.source());
    drop(db);
    for token in ended {
        call.state.limiter.forget(&token);
    }
    ok(&call, message("Password reset"))
}

// ------------------------------------------------------------------ two-factor authentication

pub(crate) async fn two_factor_status(call: Call) -> Reply {
    let account = call.account()?;
    let enabled = call.state.db().accounts[account].two_factor.secret.is_some();
    ok(&call, TwoFactorStatus { two_factor_enabled: Some(enabled) })
}

pub(crate) async fn two_factor_setup(call: Call) -> Reply {
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    if account.two_factor.secret.is_some() {
        return Err(ApiError::bad_request("2FA is already enabled"));
    }
    let secret = new_totp_secret();
    let encoded = secret_base32(&secret);
    let label = percent_encoding::utf8_percent_encode(&account.email, percent_encoding::NON_ALPHANUMERIC);
    let qr_url = format!("otpauth://totp/Pinarkive:{label}?secret={encoded}&issuer=Pinarkive&algorithm=SHA1&digits=6&period=30");
    account.two_factor.pending = Some(secret);
    drop(db);
    ok(&call, TwoFactorSetup { secret: Some(encoded), qr_url: Some(qr_url), qr_data_url: None })
}

pub(crate) async fn two_factor_enable(mut call: Call) -> Reply {
    let request: TwoFactorCodeRequest = call.json().await?;
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    let pending =
        account.two_factor.pending.clone().ok_or_else(|| ApiError::bad_request("Call 2FA setup first"))?;
    if !totp_matches(&pending, &request.code) {
        return Err(ApiError::invalid_2fa_code());
    }
    account.two_factor.secret = Some(pending);
    account.two_factor.pending = None;
    account.log("2fa_enabled", "Two-factor authentication enabled", call.source());
    drop(db);
    ok(&call, message("2FA enabled"))
}

pub(crate) async fn two_factor_disable(mut call: Call) -> Reply {
    let request: TwoFactorDisableRequest = call.json().await?;
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    let secret =
        account.two_factor.secret.clone().ok_or_else(|| ApiError::bad_request("2FA is not enabled"))?;
    if account.password != request.password {
        return Err(ApiError::bad_request("Invalid password"));
    }
    if !totp_matches(&secret, &request.code) {
        return Err(ApiError::invalid_2fa_code());
    }
    account.two_factor.secret = None;
    account.log("2fa_disabled", "Two-factor authentication disabled", call.source());
    drop(db);
    ok(&call, message("2FA disabled"))
}
