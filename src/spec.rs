//! Facts about every operation in the spec, extracted at build time.
//!
//! One table drives the checks that must follow the spec: which operations are hand-written,
//! which path segments are CIDs, which operations take a cluster, and the operation-table
//! snapshot that makes every spec change reviewable.

/// One operation of `openapi/pinarkive-v3.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The `operationId`, which is also the client method's name.
    pub id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template below the base URL, such as `/files/pin/{cid}`.
    pub path: &'static str,
    /// The `x-scope` an API key needs (`none-documented` where no source names one).
    pub scope: Option<&'static str>,
    /// Whether the route needs credentials.
    pub authenticated: bool,
    /// The documented success status.
    pub success_status: u16,
    /// Whether the route accepts the `X-Cluster` header.
    pub cluster_header: bool,
    /// Whether progenitor cannot generate it, so it is written by hand (multipart uploads).
    pub handwritten: bool,
}

include!(concat!(env!("OUT_DIR"), "/operation_table.rs"));

/// The spec itself (`openapi/pinarkive-v3.yaml`), as this crate was generated from it: what the
/// emulator serves at `/docs/openapi.json`, and what the contract suite judges answers by.
pub const YAML: &str = include_str!("../openapi/pinarkive-v3.yaml");

/// Looks up an operation by its `operationId`.
pub fn operation(id: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.id == id)
}
