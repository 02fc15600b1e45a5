//! `emulator`.

use schemars::JsonSchema;
use serde::Serialize;

use super::Document;

/// An API key the emulator accepts.
#[derive(Serialize, JsonSchema)]
pub struct StartedKey<'a> {
    /// The key.
    pub key: &'a str,
    /// Its scopes (`*`: every scope).
    pub scopes: &'a [String],
}

/// The account the emulator's login accepts.
#[derive(Serialize, JsonSchema)]
pub struct StartedLogin<'a> {
    /// Its email address.
    pub email: &'a str,
    /// Its password.
    pub password: &'a str,
}

/// Printed once the emulator listens (it then runs until Ctrl-C).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Started<'a> {
    /// The base URL to point a client at (ends in `/api/v3`).
    pub base_url: &'a str,
    /// The API keys it accepts.
    pub keys: Vec<StartedKey<'a>>,
    /// The account its login accepts, if any.
    pub login: Option<StartedLogin<'a>>,
}

impl Document for Started<'_> {
    const COMMAND: &'static str = "emulator";
    const FORMAT_VERSION: u32 = 1;
}
