//! `upload` and `upload-dir`.

use schemars::JsonSchema;
use serde::Serialize;

use super::Document;

/// One file uploaded.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Uploaded {
    /// The file as given on the command line.
    pub file: String,
    /// Its CID.
    pub cid: String,
    /// Its size in bytes.
    pub size: u64,
    /// The cluster it is stored in, when the API says.
    pub cluster: Option<String>,
    /// When its timelock ends (RFC 3339, UTC), if there is one.
    pub expires_at: Option<String>,
}

/// The files uploaded and those not. Printed also when the run
/// stops early (an error, Ctrl-C; the exit code is not 0).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadReport<'a> {
    /// The files uploaded, in the order given.
    pub uploads: &'a [Uploaded],
    /// The files not uploaded (empty when all were).
    pub not_uploaded: Vec<String>,
}

impl Document for UploadReport<'_> {
    const COMMAND: &'static str = "upload";
    const FORMAT_VERSION: u32 = 1;
}

/// The directory uploaded as one DAG.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DirUploaded {
    /// The directory as given on the command line.
    pub dir: String,
    /// The DAG's root CID.
    pub cid: String,
    /// How many files it holds.
    pub total_files: u64,
    /// Their size in bytes.
    pub total_size: u64,
    /// The cluster it is stored in, when the API says.
    pub cluster: Option<String>,
    /// When its timelock ends (RFC 3339, UTC), if there is one.
    pub expires_at: Option<String>,
    /// The files, as the API lists them.
    pub files: Vec<DagFile>,
}

/// One file of a DAG.
#[derive(Serialize, JsonSchema)]
pub struct DagFile {
    /// Its path in the directory.
    pub path: String,
    /// Its CID, when the API gives it.
    pub cid: Option<String>,
    /// Its size in bytes, when the API gives it.
    pub size: Option<u64>,
}

impl Document for DirUploaded {
    const COMMAND: &'static str = "upload-dir";
    const FORMAT_VERSION: u32 = 1;
}
