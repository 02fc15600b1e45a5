//! `pin`, `rm`, `ls` and `rename`.

use schemars::JsonSchema;
use serde::Serialize;

use super::Document;

/// The pin made.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pinned {
    /// The CID pinned.
    pub cid: String,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// The cluster it is pinned in, when known.
    pub cluster: Option<String>,
    /// When the timelock ends (RFC 3339, UTC), if there is one.
    pub expires_at: Option<String>,
}

impl Document for Pinned {
    const COMMAND: &'static str = "pin";
    const FORMAT_VERSION: u32 = 1;
}

/// The CIDs unpinned, in the order given. Printed also when a removal
/// fails (exit code not 0): then it lists those removed before the failure.
#[derive(Serialize, JsonSchema)]
pub struct Removed<'a> {
    /// The CIDs unpinned.
    pub removed: &'a [String],
}

impl Document for Removed<'_> {
    const COMMAND: &'static str = "rm";
    const FORMAT_VERSION: u32 = 1;
}

/// One upload as `ls --json` shows it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Listed {
    /// The upload's CID.
    pub cid: String,
    /// Its name: the custom name, else the name, else the original file name.
    pub name: Option<String>,
    /// Its size in bytes.
    pub size: Option<u64>,
    /// The cluster it is stored in.
    pub cluster: Option<String>,
    /// When it was uploaded (RFC 3339, or as the API sent it).
    pub created_at: Option<String>,
    /// When its timelock ends (RFC 3339, UTC), if there is one.
    pub expires_at: Option<String>,
    /// The upload's id (what `rename --id` takes).
    pub id: Option<String>,
}

/// One page of uploads, or all of them with `--all`.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Listing {
    /// The uploads, as the API orders them.
    pub uploads: Vec<Listed>,
    /// The page shown (from 1), or `null` with `--all`.
    pub page: Option<u64>,
    /// The server's count of every upload, when it gives one (with `--all`, the number listed).
    pub total: Option<u64>,
}

impl Document for Listing {
    const COMMAND: &'static str = "ls";
    const FORMAT_VERSION: u32 = 1;
}

/// The upload renamed.
#[derive(Serialize, JsonSchema)]
pub struct Renamed {
    /// The upload's CID (unchanged).
    pub cid: String,
    /// The upload's id.
    pub id: String,
    /// Its new name.
    pub name: String,
}

impl Document for Renamed {
    const COMMAND: &'static str = "rename";
    const FORMAT_VERSION: u32 = 1;
}
