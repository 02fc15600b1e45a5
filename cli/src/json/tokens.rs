//! `tokens create`, `tokens ls` and `tokens revoke`.

use schemars::JsonSchema;
use serde::Serialize;

use super::Document;

/// The token created, with its key (shown only this once).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    /// The token's name.
    pub name: String,
    /// The token's key, or `null` when the server returned none.
    pub token: Option<String>,
    /// The scopes granted (empty: the server's default scopes).
    pub scopes: Vec<String>,
    /// Its label.
    pub label: Option<String>,
    /// When it expires, as the API sent it.
    pub expires_at: Option<String>,
}

impl Document for Created {
    const COMMAND: &'static str = "tokens create";
    const FORMAT_VERSION: u32 = 1;
}

/// One token; never its key.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenItem {
    /// The token's name.
    pub name: Option<String>,
    /// Its label.
    pub label: Option<String>,
    /// Its scopes.
    pub scopes: Vec<String>,
    /// When it expires, as the API sent it.
    pub expires_at: Option<String>,
}

/// The account's tokens, without their keys.
#[derive(Serialize, JsonSchema)]
pub struct TokenListing {
    /// The tokens, as the API lists them.
    pub tokens: Vec<TokenItem>,
}

impl Document for TokenListing {
    const COMMAND: &'static str = "tokens ls";
    const FORMAT_VERSION: u32 = 1;
}

/// The token revoked.
#[derive(Serialize, JsonSchema)]
pub struct Revoked {
    /// The token's name.
    pub revoked: String,
}

impl Document for Revoked {
    const COMMAND: &'static str = "tokens revoke";
    const FORMAT_VERSION: u32 = 1;
}
