//! `config show`: the settings in effect and where each comes from, the key masked.

use super::Context;
use crate::config::{mask, Setting};
use crate::errors::CliError;
use crate::json::settings::{ConfigReport, Shown};
use crate::output::NONE;

fn shown(setting: &Setting, show: impl Fn(&str) -> String) -> Shown {
    use crate::config::Source;
    let from = match setting.source {
        Source::Flag(name) | Source::Env(name) => Some(name.to_string()),
        _ => None,
    };
    Shown { value: setting.value.as_deref().map(show), source: setting.source.name(), from }
}

pub fn show(ctx: &Context) -> Result<(), CliError> {
    let settings = &ctx.settings;
    let report = ConfigReport {
        config_file: settings.file.path.as_ref().map(|p| p.display().to_string()),
        config_file_exists: settings.file.exists,
        base_url: shown(&settings.base_url, str::to_string),
        api_key: shown(&settings.api_key, mask),
        cluster: shown(&settings.cluster, str::to_string),
        gateway: shown(&settings.gateway, str::to_string),
    };
    if ctx.out.json {
        ctx.out.json(&report);
        return Ok(());
    }
    let file = match (&report.config_file, report.config_file_exists) {
        (Some(path), true) => path.clone(),
        (Some(path), false) => format!("{path} (not created yet)"),
        (None, _) => "none (no home directory)".to_string(),
    };
    let line = |setting: &Setting, shown: &Shown| {
        let value = shown.value.clone().unwrap_or_else(|| NONE.to_string());
        format!("{value}  ({})", setting.source.describe())
    };
    ctx.out.pairs(&[
        ("config file", file),
        ("base URL", line(&settings.base_url, &report.base_url)),
        ("API key", line(&settings.api_key, &report.api_key)),
        ("cluster", line(&settings.cluster, &report.cluster)),
        ("gateway", line(&settings.gateway, &report.gateway)),
    ]);
    ctx.out.line("Precedence: flag, then environment variable, then config file.");
    Ok(())
}
