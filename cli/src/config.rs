//! Settings: the config file shared with the official CLI, and which of flag, environment and
//! file wins (in that order).

use std::path::{Path, PathBuf};

use pinarkive::client::env;
use serde_json::{Map, Value};

use crate::args::GlobalArgs;
use crate::errors::CliError;
use crate::json::settings::SettingSource;
use crate::private_file;

/// The config file's keys. `apiKey`, `cluster` and `gateway` are the official CLI's; `baseUrl`
/// is ours (the official CLI keeps keys it does not know when it rewrites the file).
pub mod keys {
    pub const API_KEY: &str = "apiKey";
    pub const BASE_URL: &str = "baseUrl";
    pub const CLUSTER: &str = "cluster";
    pub const GATEWAY: &str = "gateway";
}

/// `~/.pinarkive/config.json`, or `None` when there is no home directory.
pub fn config_path() -> Option<PathBuf> {
    std::env::home_dir()
        .filter(|home| !home.as_os_str().is_empty())
        .map(|home| home.join(".pinarkive/config.json"))
}

/// The config file's JSON object, with every key kept so that rewriting it loses nothing.
#[derive(Debug, Default)]
pub struct ConfigFile {
    pub path: Option<PathBuf>,
    pub exists: bool,
    entries: Map<String, Value>,
    /// What to tell the user about the file (it can be read by others).
    pub warnings: Vec<String>,
}

impl ConfigFile {
    /// Reads the file; a missing file is an empty config. A file or directory that others could
    /// change, a file that is not a regular file or is over 1 MiB, is refused (exit 2, naming
    /// the path); see `private_file`.
    pub fn load() -> Result<ConfigFile, CliError> {
        let Some(path) = config_path() else { return Ok(ConfigFile::default()) };
        let Some(contents) = private_file::read(&path).map_err(CliError::usage)? else {
            return Ok(ConfigFile { path: Some(path), ..ConfigFile::default() });
        };
        let text = contents.text;
        // serde_json's messages give a position, never the text, so the key cannot leak here.
        let entries = match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(entries)) => entries,
            Ok(_) => {
                return Err(CliError::usage(format!(
                    "{} is not a JSON object; fix it or run `pinarkive login` after deleting it",
                    path.display()
                )))
            }
            Err(e) => {
                return Err(CliError::usage(format!(
                    "{} is not valid JSON ({e}); fix it or run `pinarkive login` after deleting it",
                    path.display()
                )))
            }
        };
        let mut warnings = Vec::new();
        if let (Some(mode), true) = (contents.readable_by_others, entries.contains_key(keys::API_KEY)) {
            let path = path.display();
            warnings.push(format!(
                "warning: {path} holds the API key and can be read by other users (mode {mode:04o}); run `chmod 600 {path}`"
            ));
        }
        Ok(ConfigFile { path: Some(path), exists: true, entries, warnings })
    }

    /// A string value; empty strings count as unset.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).and_then(Value::as_str).filter(|v| !v.trim().is_empty())
    }

    pub fn set(&mut self, key: &str, value: &str) {
        self.entries.insert(key.to_string(), Value::String(value.to_string()));
    }

    /// Removes a key; tells whether it was there.
    pub fn remove(&mut self, key: &str) -> bool {
        self.entries.remove(key).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The path, or an error saying why there is none.
    pub fn require_path(&self) -> Result<&Path, CliError> {
        self.path.as_deref().ok_or_else(|| {
            CliError::usage(
                "cannot find the home directory (HOME is not set); set HOME or use PINARKIVE_API_KEY",
            )
        })
    }

    /// Writes the file as the official CLI does (JSON, two-space indent), readable by its
    /// owner only: the directory 0700, the file 0600, replaced in one rename so that a reader
    /// never sees half a file (see `private_file::write`).
    pub fn save(&self) -> Result<(), CliError> {
        let path = self.require_path()?;
        let text = serde_json::to_string_pretty(&self.entries).expect("a JSON map serializes");
        private_file::write(path, text.as_bytes()).map_err(CliError::usage)
    }

    /// Deletes the file.
    pub fn delete(&self) -> Result<(), CliError> {
        let path = self.require_path()?;
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(CliError::usage(format!("cannot delete {}: {e}", path.display())))
            }
            _ => Ok(()),
        }
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag(&'static str),
    Env(&'static str),
    File,
    Default,
    Unset,
}

impl Source {
    /// How `--json` names it.
    pub fn name(self) -> SettingSource {
        match self {
            Source::Flag(_) => SettingSource::Flag,
            Source::Env(_) => SettingSource::Env,
            Source::File => SettingSource::File,
            Source::Default => SettingSource::Default,
            Source::Unset => SettingSource::Unset,
        }
    }

    /// For people: `--base-url`, `PINARKIVE_API_KEY`, `config file`.
    pub fn describe(self) -> String {
        match self {
            Source::Flag(flag) => flag.to_string(),
            Source::Env(var) => var.to_string(),
            Source::File => "config file".into(),
            Source::Default => "default".into(),
            Source::Unset => "not set".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Setting {
    pub value: Option<String>,
    pub source: Source,
}

impl Setting {
    /// The first of flag (its name and value, when given), environment variable and
    /// config-file key that is set and not empty, else the default.
    fn resolve(
        flag: Option<(&'static str, &str)>,
        env_var: Option<&'static str>,
        file: (&ConfigFile, &str),
        default: Option<&str>,
    ) -> Setting {
        let present = |v: &str| !v.trim().is_empty();
        if let Some((name, value)) = flag.filter(|(_, v)| present(v)) {
            return Setting { value: Some(value.trim().to_string()), source: Source::Flag(name) };
        }
        if let Some(var) = env_var {
            if let Some(value) = std::env::var(var).ok().filter(|v| present(v)) {
                return Setting { value: Some(value.trim().to_string()), source: Source::Env(var) };
            }
        }
        if let Some(value) = file.0.get(file.1) {
            return Setting { value: Some(value.trim().to_string()), source: Source::File };
        }
        match default {
            Some(value) => Setting { value: Some(value.to_string()), source: Source::Default },
            None => Setting { value: None, source: Source::Unset },
        }
    }
}

/// Every setting in effect.
#[derive(Debug)]
pub struct Settings {
    pub file: ConfigFile,
    pub api_key: Setting,
    pub base_url: Setting,
    pub cluster: Setting,
    pub gateway: Setting,
}

impl Settings {
    pub fn resolve(global: &GlobalArgs) -> Result<Settings, CliError> {
        let file = ConfigFile::load()?;
        let api_key = Setting::resolve(
            global.api_key.as_deref().map(|key| ("--api-key", key)),
            Some(env::API_KEY),
            (&file, keys::API_KEY),
            None,
        );
        let base_url = Setting::resolve(
            global.base_url.as_deref().map(|url| ("--base-url", url)),
            Some(env::API_BASE_URL),
            (&file, keys::BASE_URL),
            Some(pinarkive::DEFAULT_BASE_URL),
        );
        let cluster = Setting::resolve(None, Some(env::CLUSTER_ID), (&file, keys::CLUSTER), None);
        let gateway =
            Setting::resolve(None, None, (&file, keys::GATEWAY), Some(pinarkive::gateway::PRIMARY_GATEWAY));
        Ok(Settings { file, api_key, base_url, cluster, gateway })
    }

    /// Every secret these settings know of, to scrub from anything printed.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets: Vec<String> = self.api_key.value.iter().cloned().collect();
        if let Some(stored) = self.file.get(keys::API_KEY) {
            secrets.push(stored.to_string());
        }
        secrets
    }
}

/// A key shown without giving it away: its last four characters when it is long enough that
/// they say little about the rest.
pub fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() >= 16 {
        format!("****{}", chars[chars.len() - 4..].iter().collect::<String>())
    } else {
        "****".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_hides_short_keys_whole_and_long_keys_but_the_end() {
        assert_eq!(mask("k1"), "****");
        assert_eq!(mask("pk_live_0123456789abcdef"), "****cdef");
    }
}
