//! The commands, one file per group, and what they share: settings, output, the client.

mod account;
mod auth;
mod config;
mod doctor;
mod emulator;
mod files;
mod pinning_service;
mod schema;
mod tokens;
mod upload;

use chrono::{DateTime, NaiveDate, Utc};
use pinarkive::redact::Redactor;
use pinarkive::retry::Retry;
use pinarkive::{Client, ClientBuilder, RetryPolicy};

use crate::args::{Cli, Command, ConfigCommand, TokensCommand};
use crate::config::Settings;
use crate::errors::CliError;
use crate::output::Output;

/// The largest response body the tool reads: 16 MiB, far more than any answer it asks for (a
/// page of 100 uploads is some 50 KiB), and small enough that an endless body from a broken or
/// hostile server keeps the process well under 64 MiB.
const MAX_RESPONSE_BODY: u64 = 16 * 1024 * 1024;

/// What every command gets.
pub struct Context {
    pub settings: Settings,
    pub out: Output,
    pub retries: u32,
}

impl Context {
    /// A client with the settings in effect; fails when no key is configured.
    pub fn client(&self) -> Result<Client, CliError> {
        if self.settings.api_key.value.is_none() {
            return Err(CliError::no_key());
        }
        self.builder(self.retries).build().map_err(CliError::from)
    }

    /// The gateway content URLs are built on: the config file's, else the primary gateway.
    pub fn gateway_base(&self) -> &str {
        self.settings.gateway.value.as_deref().unwrap_or(pinarkive::gateway::PRIMARY_GATEWAY)
    }

    /// A builder with the base URL, key (if any), default cluster and `retries`; every retry is
    /// announced on stderr, so that a wait for a rate limit is not taken for a hang.
    pub fn builder(&self, retries: u32) -> ClientBuilder {
        let mut builder = self.builder_without_key(retries);
        if let Some(key) = &self.settings.api_key.value {
            builder = builder.api_key(key.clone());
        }
        builder
    }

    /// [`Context::builder`] without the key, for a client that is given each caller's own.
    pub fn builder_without_key(&self, retries: u32) -> ClientBuilder {
        let mut builder = Client::builder()
            .base_url(
                self.settings.base_url.value.clone().unwrap_or_else(|| pinarkive::DEFAULT_BASE_URL.into()),
            )
            .user_agent(concat!("pinarkive-cli/", env!("CARGO_PKG_VERSION")))
            .max_response_body(MAX_RESPONSE_BODY)
            .retry_policy(RetryPolicy::default().max_retries(retries))
            .on_retry({
                let out = self.out.clone();
                move |retry| out.note(retry_note(retry, retries))
            });
        if let Some(cluster) = &self.settings.cluster.value {
            builder = builder.cluster(cluster.clone());
        }
        builder
    }
}

/// `note: HTTP 429 Too Many Requests from users_me_get; retry 1 of 3 in 1.0s`.
fn retry_note(retry: &Retry, retries: u32) -> String {
    let why = match retry.status {
        Some(status) => format!("HTTP {status}"),
        None => "no answer".to_string(),
    };
    let (number, wait) = (retry.number, retry.wait.as_secs_f64());
    format!("note: {why} from {}; retry {number} of {retries} in {wait:.1}s", retry.operation)
}

/// Runs the command; `secrets` receives every key the settings know of, for the caller to
/// scrub from the error line.
pub async fn run(cli: Cli, secrets: &mut Vec<String>) -> Result<(), CliError> {
    // The schemas need no settings: a broken config file does not hide them.
    if let Command::Schema(args) = &cli.command {
        return schema::print(&Output::new(cli.global.json, Redactor::default()), args);
    }
    let settings = Settings::resolve(&cli.global)?;
    secrets.extend(settings.secrets());
    let out = Output::new(cli.global.json, Redactor::new(settings.secrets()));
    for warning in &settings.file.warnings {
        out.note(warning);
    }
    let ctx = Context { settings, out, retries: cli.global.retries };
    match cli.command {
        Command::Login(args) => auth::login(&ctx, args).await,
        Command::Logout => auth::logout(&ctx),
        Command::Upload(args) => upload::upload_files(&ctx, args).await,
        Command::UploadDir(args) => upload::upload_dir(&ctx, args).await,
        Command::Pin(args) => files::pin(&ctx, args).await,
        Command::Rm(args) => files::remove(&ctx, args).await,
        Command::Ls(args) => files::list(&ctx, args).await,
        Command::Rename(args) => files::rename(&ctx, args).await,
        Command::Clusters => account::clusters(&ctx).await,
        Command::Gateway(args) => account::gateway(&ctx, args).await,
        Command::Status(args) => account::status(&ctx, args).await,
        Command::Whoami => account::whoami(&ctx).await,
        Command::Tokens(TokensCommand::Create(args)) => tokens::create(&ctx, args).await,
        Command::Tokens(TokensCommand::Ls) => tokens::list(&ctx).await,
        Command::Tokens(TokensCommand::Revoke(args)) => tokens::revoke(&ctx, args).await,
        Command::Doctor => doctor::doctor(&ctx).await,
        Command::Config(ConfigCommand::Show) => config::show(&ctx),
        Command::Emulator(args) => emulator::run(&ctx, args).await,
        Command::Schema(args) => schema::print(&ctx.out, &args),
        Command::PinningService(args) => pinning_service::run(&ctx, args).await,
    }
}

/// `--timelock`: a date (the start of that day, UTC) or an RFC 3339 time, in the future.
pub fn parse_timelock(text: &str) -> Result<DateTime<Utc>, CliError> {
    let text = text.trim();
    let parsed = DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).ok().or_else(|| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
    });
    let Some(until) = parsed else {
        return Err(CliError::usage(format!(
            "--timelock {text:?} is not a date (2026-12-31) or an RFC 3339 time (2026-12-31T23:59:59Z)"
        )));
    };
    if until <= Utc::now() {
        return Err(CliError::usage(format!("--timelock {text} is in the past; give a future date")));
    }
    Ok(until)
}

/// Checks every CID before anything is sent, so that a typo in the third CID does not leave
/// the first two done.
pub fn check_cids<'a>(cids: impl IntoIterator<Item = &'a String>) -> Result<(), CliError> {
    for cid in cids {
        pinarkive::validate_cid(cid).map_err(CliError::from)?;
    }
    Ok(())
}

/// Asks for a two-factor code on the terminal; `None` when there is no terminal to ask on.
pub fn prompt_totp(out: &Output) -> Result<Option<String>, CliError> {
    use std::io::IsTerminal;
    if out.json || !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let code = rpassword::prompt_password("Two-factor code: ")
        .map_err(|e| CliError::usage(format!("cannot read the two-factor code: {e}")))?;
    let code = code.trim().to_string();
    if code.is_empty() {
        return Err(CliError::usage("no two-factor code given"));
    }
    Ok(Some(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timelock_takes_dates_and_times_in_the_future() {
        assert_eq!(parse_timelock("2999-12-31").unwrap().to_rfc3339(), "2999-12-31T00:00:00+00:00");
        assert_eq!(
            parse_timelock("2999-01-02T03:04:05+02:00").unwrap().to_rfc3339(),
            "2999-01-02T01:04:05+00:00"
        );
        assert!(parse_timelock("2001-01-01").unwrap_err().message.contains("in the past"));
        assert!(parse_timelock("next week").unwrap_err().message.contains("is not a date"));
    }
}
