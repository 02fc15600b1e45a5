//! `clusters`, `gateway`, `status` and `whoami`.

use schemars::JsonSchema;
use serde::Serialize;

use super::Document;

/// One cluster the plan allows.
#[derive(Serialize, JsonSchema)]
pub struct ClusterItem {
    /// The cluster's id (what `--cluster` takes).
    pub id: Option<String>,
    /// Its label.
    pub label: Option<String>,
    /// Its region.
    pub region: Option<String>,
    /// Its country.
    pub country: Option<String>,
    /// Its public gateway URLs, preferred first.
    pub gateways: Vec<String>,
}

/// The clusters the plan allows.
#[derive(Serialize, JsonSchema)]
pub struct ClusterListing {
    /// The clusters, as the API lists them.
    pub clusters: Vec<ClusterItem>,
}

impl Document for ClusterListing {
    const COMMAND: &'static str = "clusters";
    const FORMAT_VERSION: u32 = 1;
}

/// A CID's gateway URL.
#[derive(Serialize, JsonSchema)]
pub struct GatewayUrl {
    /// The CID.
    pub cid: String,
    /// Its URL on the gateway.
    pub url: String,
    /// The cluster whose gateway it is (`--cluster`), or `null` for the configured gateway.
    pub cluster: Option<String>,
}

impl Document for GatewayUrl {
    const COMMAND: &'static str = "gateway";
    const FORMAT_VERSION: u32 = 1;
}

/// A CID's pin on one peer.
#[derive(Serialize, JsonSchema)]
pub struct PeerItem {
    /// The peer's name, else its id.
    pub peer: Option<String>,
    /// The pin's status on the peer, as the cluster reports it (`pinned`, `pinning`, ...).
    pub status: Option<String>,
    /// The peer's error, if it reports one.
    pub error: Option<String>,
}

/// A CID's pin status in a cluster.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusReport {
    /// The CID.
    pub cid: String,
    /// The cluster asked.
    pub cluster: Option<String>,
    /// The overall status, as the API reports it.
    pub status: Option<String>,
    /// How many peers should hold the pin.
    pub replication_factor: Option<i64>,
    /// The pin on each peer.
    pub peers: Vec<PeerItem>,
}

impl Document for StatusReport {
    const COMMAND: &'static str = "status";
    const FORMAT_VERSION: u32 = 1;
}

/// The account the key belongs to.
#[derive(Serialize, JsonSchema)]
pub struct Whoami {
    /// The account's email address.
    pub email: Option<String>,
    /// Its username.
    pub username: Option<String>,
    /// The person's name.
    pub name: Option<String>,
    /// The plan's name.
    pub plan: Option<String>,
    /// How many clusters the plan allows.
    pub clusters: Option<u64>,
}

impl Document for Whoami {
    const COMMAND: &'static str = "whoami";
    const FORMAT_VERSION: u32 = 1;
}
