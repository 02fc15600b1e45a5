//! `tokens create`, `tokens ls` and `tokens revoke`, asking for a two-factor code when the
//! server says the account needs one.

use std::future::Future;

use pinarkive::{types, ErrorCode, Scope};

use super::{prompt_totp, Context};
use crate::args::{TokenCreateArgs, TokenRevokeArgs};
use crate::errors::CliError;
use crate::json::tokens::{Created, Revoked, TokenItem, TokenListing};
use crate::output::{or_none, Output, NONE};

/// Sends with the code given (if any); when the server answers `2fa_required` and no code was
/// given, asks for one on the terminal and sends once more.
async fn with_two_factor<T, F, Fut>(out: &Output, given: Option<String>, send: F) -> Result<T, CliError>
where
    F: Fn(Option<String>) -> Fut,
    Fut: Future<Output = pinarkive::Result<T>>,
{
    let asked = given.is_some();
    match send(given).await {
        Err(error) if !asked && error.code() == Some(&ErrorCode::TwoFactorRequired) => {
            match prompt_totp(out)? {
                Some(code) => Ok(send(Some(code)).await?),
                None => Err(CliError::from(error)),
            }
        }
        other => Ok(other?),
    }
}

pub async fn create(ctx: &Context, args: TokenCreateArgs) -> Result<(), CliError> {
    let name = types::TokenGenerateRequestName::try_from(args.name.as_str())
        .map_err(|_| CliError::usage("the token name is empty"))?;
    let scopes = args
        .scopes
        .iter()
        .map(|scope| {
            scope.trim().parse::<Scope>().map_err(|_| {
                let known: Vec<&str> = Scope::ALL.iter().map(|scope| scope.as_str()).collect();
                CliError::usage(format!("unknown scope {scope:?}; the scopes are: {}", known.join(", ")))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let client = ctx.client()?;
    let request = |totp_code: Option<String>| {
        let body = types::TokenGenerateRequest {
            name: name.clone(),
            scopes: scopes.clone(),
            expires_in_days: args.expires_in_days,
            label: args.label.clone(),
            totp_code,
            two_factor_code: None,
        };
        let call = client.tokens_generate().body(body);
        async move { call.send().await.map(|r| r.into_inner()) }
    };
    let created = with_two_factor(&ctx.out, args.two_factor.totp.clone(), request).await?;
    // The new key may share pieces of eight characters or more with the old one (`pk_live_` is
    // eight), which the usual redaction would take out of it. So it is printed through an
    // output that takes out only the whole old key, and what else the server said is redacted
    // as usual before.
    let scrub = |text: String| ctx.out.secrets().redact(&text).into_owned();
    let report = Created {
        name: scrub(created.name.unwrap_or(args.name)),
        token: created.token,
        scopes: if created.scopes.is_empty() {
            scopes.iter().map(|s| s.to_string()).collect()
        } else {
            created.scopes.into_iter().map(scrub).collect()
        },
        label: created.label.or(args.label).map(scrub),
        expires_at: created.expires_at.map(scrub),
    };
    let with_new_key = ctx.out.whole_secrets_only();
    if ctx.out.json {
        with_new_key.json(&report);
        return Ok(());
    }
    let scopes =
        if report.scopes.is_empty() { "the default scopes".to_string() } else { report.scopes.join(", ") };
    let expires = report.expires_at.as_ref().map(|t| format!(", expires {t}")).unwrap_or_default();
    ctx.out.line(format!("Created token {} ({scopes}{expires}).", report.name));
    match &report.token {
        Some(token) => {
            ctx.out.line("Its key is shown only this once; store it now:");
            with_new_key.line(token);
        }
        None => ctx.out.line("The server returned no key for it."),
    }
    Ok(())
}

pub async fn list(ctx: &Context) -> Result<(), CliError> {
    let client = ctx.client()?;
    let tokens = token_items(client.tokens_list().send().await?.into_inner());
    if ctx.out.json {
        ctx.out.json(&TokenListing { tokens });
        return Ok(());
    }
    if tokens.is_empty() {
        ctx.out.line("No tokens.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = tokens
        .iter()
        .map(|t| {
            let scopes = if t.scopes.is_empty() { NONE.to_string() } else { t.scopes.join(",") };
            vec![or_none(t.name.as_ref()), or_none(t.label.as_ref()), scopes, or_none(t.expires_at.as_ref())]
        })
        .collect();
    ctx.out.table(&["NAME", "LABEL", "SCOPES", "EXPIRES"], &rows);
    Ok(())
}

/// Only the fields of `ApiToken` are read, so a token value the server might include is never
/// printed.
fn token_items(list: types::TokenList) -> Vec<TokenItem> {
    list.tokens
        .into_iter()
        .map(|token| TokenItem {
            name: token.name,
            label: token.label,
            scopes: token.scopes,
            expires_at: token.expires_at,
        })
        .collect()
}

pub async fn revoke(ctx: &Context, args: TokenRevokeArgs) -> Result<(), CliError> {
    if args.name.trim().is_empty() {
        return Err(CliError::usage("the token name is empty"));
    }
    let client = ctx.client()?;
    let request = |totp_code: Option<String>| {
        let mut call = client.tokens_revoke().name(args.name.clone());
        if totp_code.is_some() {
            call = call.body(types::TokenRevokeRequest { totp_code, two_factor_code: None });
        }
        async move { call.send().await.map(|_| ()) }
    };
    with_two_factor(&ctx.out, args.two_factor.totp.clone(), request).await?;
    if ctx.out.json {
        ctx.out.json(&Revoked { revoked: args.name });
    } else {
        ctx.out.line(format!("Revoked token {}.", args.name));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_value_in_the_list_is_never_shown() {
        let body =
            serde_json::json!({"tokens": [{"name": "ci", "scopes": ["files:read"], "token": "secret"}]});
        let items = token_items(serde_json::from_value(body).unwrap());
        assert_eq!(items.len(), 1);
        let json = serde_json::to_string(&TokenListing { tokens: items }).unwrap();
        assert!(json.contains("\"ci\"") && !json.contains("secret"), "{json}");
    }
}
