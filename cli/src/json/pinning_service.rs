//! `pinning-service`.

use schemars::JsonSchema;
use serde::Serialize;

use super::Document;

/// Printed once the bridge listens (it then runs until Ctrl-C).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Started<'a> {
    /// The Pinning Service API's URL, for `ipfs pin remote service add`.
    pub url: &'a str,
    /// The Pinarkive API the bridge forwards to (ends in `/api/v3`).
    pub api_base_url: &'a str,
    /// The cluster new pins go to, if one is set (else Pinarkive's default).
    pub cluster: Option<&'a str>,
}

impl Document for Started<'_> {
    const COMMAND: &'static str = "pinning-service";
    const FORMAT_VERSION: u32 = 1;
}
