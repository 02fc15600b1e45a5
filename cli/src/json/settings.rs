//! `login`, `logout` and `config show`: the settings and the config file.

use schemars::JsonSchema;
use serde::Serialize;

use super::Document;

/// Where the key was saved.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginReport<'a> {
    /// The config file written.
    pub config_file: String,
    /// The base URL saved with the key (`--base-url`), if one was given.
    pub base_url: Option<&'a str>,
}

impl Document for LoginReport<'_> {
    const COMMAND: &'static str = "login";
    const FORMAT_VERSION: u32 = 1;
}

/// Whether a key was removed.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogoutReport {
    /// The config file, or `null` when there is no home directory.
    pub config_file: Option<String>,
    /// Whether the file held a key, now removed.
    pub removed: bool,
}

impl Document for LogoutReport {
    const COMMAND: &'static str = "logout";
    const FORMAT_VERSION: u32 = 1;
}

/// Where a setting's value comes from.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SettingSource {
    /// A command-line flag.
    Flag,
    /// An environment variable.
    Env,
    /// The config file.
    File,
    /// The tool's default.
    Default,
    /// Not set anywhere.
    Unset,
}

/// One setting in effect.
#[derive(Serialize, JsonSchema)]
pub struct Shown {
    /// Its value (the API key masked), or `null` when unset.
    pub value: Option<String>,
    /// Where the value comes from.
    pub source: SettingSource,
    /// The flag or environment variable, when the value came from one.
    pub from: Option<String>,
}

/// The settings in effect and where each comes from.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigReport {
    /// The config file's path, or `null` when there is no home directory.
    pub config_file: Option<String>,
    /// Whether the config file exists.
    pub config_file_exists: bool,
    /// The API's base URL.
    pub base_url: Shown,
    /// The API key, masked.
    pub api_key: Shown,
    /// The default cluster.
    pub cluster: Shown,
    /// The gateway content URLs are built on.
    pub gateway: Shown,
}

impl Document for ConfigReport {
    const COMMAND: &'static str = "config show";
    const FORMAT_VERSION: u32 = 1;
}
