//! The spec's names as types: every operation ([`OperationId`]), every token scope ([`Scope`])
//! and every known error code ([`ErrorCode`]), generated from `openapi/pinarkive-v3.yaml` at
//! build time, next to the client.
//!
//! ```
//! use pinarkive::spec::{OperationId, Scope};
//!
//! let op: OperationId = "users_me_uploads_list".parse()?;
//! assert_eq!((op.method(), op.path()), ("GET", "/users/me/uploads"));
//! assert_eq!(op.scope(), Some(Scope::FilesRead));
//! assert_eq!(Scope::ALL.len(), 14);
//! # Ok::<(), pinarkive::spec::UnknownOperation>(())
//! ```
//!
//! A new operation in the spec is a new variant, which the emulator's router must serve before
//! the crate compiles again.

use std::fmt;
use std::str::FromStr;

pub use crate::types::Scope;

include!(concat!(env!("OUT_DIR"), "/spec_names.rs"));

/// The spec itself (`openapi/pinarkive-v3.yaml`), as this crate was generated from it: what the
/// emulator serves at `/docs/openapi.json`, and what the contract suite judges answers by.
pub const YAML: &str = include_str!("../openapi/pinarkive-v3.yaml");

/// What the spec says of one operation; read through [`OperationId`]'s methods.
#[derive(Debug)]
struct Operation {
    id: &'static str,
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    scope: Option<Scope>,
    authenticated: bool,
    tag: &'static str,
    success_status: u16,
    cluster_header: bool,
    handwritten: bool,
}

impl OperationId {
    const fn facts(self) -> &'static Operation {
        &OPERATIONS[self as usize]
    }

    /// The `operationId`, which is also the client method's name: `users_me_get`.
    pub const fn as_str(self) -> &'static str {
        self.facts().id
    }

    /// The HTTP method, upper case.
    pub const fn method(self) -> &'static str {
        self.facts().method
    }

    /// The path template below the base URL, such as `/files/pin/{cid}`.
    pub const fn path(self) -> &'static str {
        self.facts().path
    }

    /// The spec's one-line summary.
    pub const fn summary(self) -> &'static str {
        self.facts().summary
    }

    /// The scope an API key needs (the spec's `x-scope`). None for a public operation, and for
    /// an authenticated one no source names a scope for (`x-scope: none-documented`), which any
    /// valid credential may call.
    pub const fn scope(self) -> Option<Scope> {
        self.facts().scope
    }

    /// Whether the operation needs credentials.
    pub const fn authenticated(self) -> bool {
        self.facts().authenticated
    }

    /// The spec's tag: `files`, `users`, `tokens`, `status`, `plans`, `auth` or `public`.
    pub const fn tag(self) -> &'static str {
        self.facts().tag
    }

    /// The documented success status.
    pub const fn success_status(self) -> u16 {
        self.facts().success_status
    }

    /// Whether the operation takes the `X-Cluster` header (the client sends its default
    /// cluster there).
    pub const fn takes_cluster(self) -> bool {
        self.facts().cluster_header
    }

    /// Whether the client's method is written by hand because progenitor cannot generate it
    /// (multipart uploads: [`Client::upload_file`](crate::Client::upload_file) and friends).
    pub const fn handwritten(self) -> bool {
        self.facts().handwritten
    }
}

impl fmt::Display for OperationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no `operationId` of the spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an operationId of the spec")]
pub struct UnknownOperation(String);

impl FromStr for OperationId {
    type Err = UnknownOperation;

    fn from_str(id: &str) -> Result<Self, Self::Err> {
        lookup(id).ok_or_else(|| UnknownOperation(id.into()))
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_reads_its_own_facts_and_parses_back() {
        assert_eq!(OperationId::ALL.len(), OPERATIONS.len());
        for (i, op) in OperationId::ALL.iter().enumerate() {
            assert_eq!(*op as usize, i, "{op}: ALL is in the variants' order");
            assert_eq!(op.as_str().parse::<OperationId>(), Ok(*op));
            assert!((200..300).contains(&op.success_status()), "{op}");
            assert!(op.authenticated() || op.scope().is_none(), "{op}: a public route has no scope");
        }
        assert!("nope".parse::<OperationId>().unwrap_err().to_string().contains("\"nope\""));
        assert_eq!(OperationId::FilesUpload.path(), "/files");
        assert!(OperationId::FilesUpload.handwritten() && OperationId::FilesPin.takes_cluster());
        assert!(!OperationId::FilesRemove.takes_cluster());
    }

    #[test]
    fn scopes_and_error_codes_spell_themselves_as_the_api_does() {
        for scope in Scope::ALL {
            assert_eq!(scope.as_str(), scope.to_string());
            assert_eq!(scope.as_str().parse::<Scope>().ok(), Some(*scope));
        }
        for code in ErrorCode::KNOWN {
            assert_eq!(&ErrorCode::from(code.as_str()), code);
            assert!(!code.statuses().is_empty(), "{code}");
        }
        assert_eq!(ErrorCode::from("2fa_required"), ErrorCode::TwoFactorRequired);
        assert_eq!(ErrorCode::MissingScope.statuses(), [403]);
        assert_eq!(ErrorCode::from("plan_limit"), ErrorCode::Other("plan_limit".into()));
    }
}
