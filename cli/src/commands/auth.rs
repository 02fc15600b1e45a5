//! `login` and `logout`: the key in ~/.pinarkive/config.json.

use std::io::{IsTerminal, Read};

use pinarkive::client::env;

use super::Context;
use crate::args::LoginArgs;
use crate::config::{keys, ConfigFile, Source};
use crate::errors::CliError;
use crate::json::settings::{LoginReport, LogoutReport};

/// Stores the key (and `--base-url`, if given) without checking it, as the official CLI does:
/// a key may lack every scope a check could use.
pub async fn login(ctx: &Context, args: LoginArgs) -> Result<(), CliError> {
    let key = match (&ctx.settings.api_key.source, &ctx.settings.api_key.value) {
        // `pinarkive --api-key KEY login` stores that key.
        (Source::Flag(_), Some(key)) => key.clone(),
        _ if args.stdin || !std::io::stdin().is_terminal() => read_stdin().await?,
        _ => prompt()?,
    };
    if key.is_empty() {
        return Err(CliError::usage("no API key given"));
    }
    if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(CliError::usage("the API key contains spaces or line breaks; paste it on one line"));
    }
    let mut file = ConfigFile::load()?;
    file.set(keys::API_KEY, &key);
    let base_url = match ctx.settings.base_url.source {
        Source::Flag(_) => ctx.settings.base_url.value.as_deref(),
        _ => None,
    };
    if let Some(url) = base_url {
        file.set(keys::BASE_URL, url);
    }
    file.save()?;
    let path = file.require_path()?.display().to_string();
    if ctx.out.json {
        ctx.out.json(&LoginReport { config_file: path, base_url });
    } else {
        let with_url = base_url.map(|url| format!(" with base URL {url}")).unwrap_or_default();
        ctx.out.line(format!("Saved the API key{with_url} to {path} (readable only by you)."));
        ctx.out.line("Check it with: pinarkive doctor");
    }
    if std::env::var(env::API_KEY).is_ok_and(|v| !v.trim().is_empty()) {
        ctx.out
            .note(format!("note: {} is set in this environment and wins over the saved key", env::API_KEY));
    }
    Ok(())
}

/// The most of standard input `login` reads: a key is some dozens of bytes.
const MAX_KEY_INPUT: u64 = 64 * 1024;

/// Reads the key from stdin off the async threads (a terminal read blocks), at most
/// [`MAX_KEY_INPUT`] bytes of it: `login < /dev/zero` must not fill the memory.
async fn read_stdin() -> Result<String, CliError> {
    let unreadable = |e: &dyn std::fmt::Display| CliError::usage(format!("cannot read standard input: {e}"));
    let bytes = tokio::task::spawn_blocking(|| {
        let mut bytes = Vec::new();
        std::io::stdin().take(MAX_KEY_INPUT + 1).read_to_end(&mut bytes).map(|_| bytes)
    })
    .await
    .map_err(|e| unreadable(&e))?
    .map_err(|e| unreadable(&e))?;
    if bytes.len() as u64 > MAX_KEY_INPUT {
        return Err(CliError::usage(format!(
            "standard input is longer than {} KiB, so it is no API key; give the key alone",
            MAX_KEY_INPUT / 1024
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::usage("the API key on standard input is not UTF-8 text"))?;
    Ok(text.trim().to_string())
}

fn prompt() -> Result<String, CliError> {
    let key = rpassword::prompt_password("API key: ")
        .map_err(|e| CliError::usage(format!("cannot read the key from the terminal: {e}")))?;
    Ok(key.trim().to_string())
}

/// Removes the key from the config file, keeping its other settings.
pub fn logout(ctx: &Context) -> Result<(), CliError> {
    let mut file = ConfigFile::load()?;
    let removed = file.remove(keys::API_KEY);
    if removed {
        if file.is_empty() {
            file.delete()?;
        } else {
            file.save()?;
        }
    }
    let path = file.path.as_ref().map(|p| p.display().to_string());
    if ctx.out.json {
        ctx.out.json(&LogoutReport { config_file: path, removed });
    } else if removed {
        ctx.out.line(format!("Removed the API key from {}.", path.unwrap_or_default()));
    } else {
        ctx.out
            .line(format!("No API key was stored in {}.", path.unwrap_or_else(|| "the config file".into())));
    }
    if std::env::var(env::API_KEY).is_ok_and(|v| !v.trim().is_empty()) {
        ctx.out.note(format!("note: {} is still set in this environment", env::API_KEY));
    }
    Ok(())
}
