//! The Pinning Service API's objects, as its OpenAPI document (v1.0.0) defines them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The `Status` of a pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Waiting in a queue.
    Queued,
    /// Being pinned.
    Pinning,
    /// Pinned.
    Pinned,
    /// The service could not pin it.
    Failed,
}

impl Status {
    /// Every status, in the document's order.
    pub const ALL: [Status; 4] = [Status::Queued, Status::Pinning, Status::Pinned, Status::Failed];

    /// The name on the wire: `queued`, `pinning`, `pinned`, `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Pinning => "pinning",
            Status::Pinned => "pinned",
            Status::Failed => "failed",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|status| status.as_str() == text)
    }
}

/// A `Pin`: what a client asks to pin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    /// The CID to pin recursively.
    pub cid: String,
    /// A name to find the pin by (at most 255 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Multiaddrs known to provide the data (at most 20); Pinarkive does not take them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<String>,
    /// String metadata; Pinarkive does not store it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
}

/// A `PinStatus`: a pin, its status and its identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinStatus {
    /// The pin's identifier (see the module docs for how it is made).
    pub requestid: String,
    /// Its status.
    pub status: Status,
    /// When Pinarkive recorded it.
    pub created: DateTime<Utc>,
    /// The pin, as Pinarkive keeps it (CID and name).
    pub pin: Pin,
    /// `/p2p/<peer id>` of the IPFS peers holding it.
    pub delegates: Vec<String>,
    /// Details: `cluster`, `pinned_until`, `status_details`, `not_stored`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub info: BTreeMap<String, String>,
}

/// `PinResults`: one page of a listing, and how many pins match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinResults {
    /// Pins matching the filters, in all.
    pub count: u32,
    /// The newest of them, at most `limit`.
    pub results: Vec<PinStatus>,
}

/// `Failure`: the body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The reason and details.
    pub error: FailureReason,
}

/// The `error` of a [`Failure`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureReason {
    /// A code for programs, such as `NOT_FOUND`.
    pub reason: String,
    /// What went wrong, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}
