//! A pin's `status` and `delegates` from Pinarkive's status answer (`status_get`), and the
//! delegates of each cluster remembered for listings.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::psa::Status;
use crate::types::CidStatus;

/// The most delegates a `PinStatus` may carry (the document's `maxItems`).
const MAX_DELEGATES: usize = 20;
/// How long a cluster's delegates are reused by listings.
const DELEGATES_TTL: Duration = Duration::from_secs(10 * 60);
/// The most clusters remembered (Pinarkive has six; a hostile answer cannot grow the map).
const MAX_CLUSTERS: usize = 64;
/// The longest peer id taken from an answer.
const MAX_PEER_ID: usize = 128;

/// What Pinarkive's status answer says of a pin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Observed {
    pub(crate) status: Status,
    /// For `info.status_details`.
    pub(crate) details: Option<String>,
    pub(crate) delegates: Vec<String>,
}

impl Observed {
    /// What a record alone says: Pinarkive records a pin once it has pinned it (`files_pin`
    /// answers 201 "The CID was pinned"), so a record is a pinned pin.
    pub(crate) fn from_record(details: Option<String>) -> Observed {
        Observed { status: Status::Pinned, details, delegates: Vec::new() }
    }

    /// The answer's overall `status`, else the best of its peers' (pinned, pinning, queued,
    /// failed), else the record's.
    pub(crate) fn from_answer(answer: &CidStatus) -> Observed {
        let delegates = delegates(answer);
        let peers = || answer.peers.iter().filter_map(|peer| peer.status.as_deref().and_then(map_status));
        let raw = answer.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let (status, details) = match raw {
            Some(raw) => match map_status(raw) {
                Some(status) => (status, details_of(raw, status, answer)),
                None => (
                    // A value this bridge does not know: not claimed as done, so a client waits.
                    Status::Queued,
                    Some(format!(
                        "Pinarkive's status {:?} is not one this bridge knows",
                        super::request_id::shorten(raw)
                    )),
                ),
            },
            None => match peers().max_by_key(|status| rank(*status)) {
                Some(status) => (status, Some("from the status of each cluster peer".to_owned())),
                None => return Observed { delegates, ..Observed::from_record(None) },
            },
        };
        Observed { status, details, delegates }
    }
}

/// IPFS Cluster's status names (the vendor's cluster client) as this API's.
fn map_status(raw: &str) -> Option<Status> {
    Some(match raw.to_ascii_lowercase().as_str() {
        "pinned" | "partial" | "sharded" | "remote" => Status::Pinned,
        "pinning" => Status::Pinning,
        "queued" | "pin_queued" => Status::Queued,
        "pin_error"
        | "error"
        | "cluster_error"
        | "failed"
        | "unpinned"
        | "unpinning"
        | "unpin_queued"
        | "unpin_error"
        | "unexpectedly_unpinned" => Status::Failed,
        _ => return None,
    })
}

/// Which peer status best describes a pin held by several peers.
fn rank(status: Status) -> u8 {
    match status {
        Status::Pinned => 3,
        Status::Pinning => 2,
        Status::Queued => 1,
        Status::Failed => 0,
    }
}

fn details_of(raw: &str, status: Status, answer: &CidStatus) -> Option<String> {
    let pinned = answer.peers.iter().filter(|p| p.status.as_deref() == Some("pinned")).count();
    match (raw.to_ascii_lowercase().as_str(), status) {
        ("partial", _) => Some(format!(
            "partial: pinned on {pinned} of the cluster's {} peers, still replicating to the others",
            answer.peers.len()
        )),
        (_, Status::Failed) => {
            let error = answer.peers.iter().find_map(|p| p.error.as_deref()).filter(|e| !e.is_empty());
            Some(match error {
                Some(error) => format!("Pinarkive's status: {raw}: {}", super::request_id::shorten(error)),
                None => format!("Pinarkive's status: {raw}"),
            })
        }
        _ => None,
    }
}

/// `/p2p/<id>` of each peer's IPFS peer id, in the answer's order, without repeats.
fn delegates(answer: &CidStatus) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in answer.peers.iter().filter_map(|peer| peer.ipfs_peer_id.as_deref()) {
        let address = format!("/p2p/{id}");
        if is_peer_id(id) && !out.contains(&address) && out.len() < MAX_DELEGATES {
            out.push(address);
        }
    }
    out
}

/// A base58btc (`Qm…`, `12D3…`) or multibase (`k51…`, `bafz…`) peer id: letters and digits.
fn is_peer_id(id: &str) -> bool {
    (2..=MAX_PEER_ID).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The delegates last seen for each cluster, so that a listing need not ask for the status of
/// every pin (IPFS Cluster replicates a pin to every peer of a cluster, so a cluster's peers
/// hold each of its pins). Only public peer ids are kept, never anything of a caller's.
#[derive(Debug, Default)]
pub(crate) struct Delegates {
    seen: Mutex<HashMap<String, (Instant, Vec<String>)>>,
}

impl Delegates {
    pub(crate) fn remember(&self, cluster: &str, delegates: &[String]) {
        if delegates.is_empty() {
            return;
        }
        let mut seen = self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.retain(|_, (at, _)| at.elapsed() < DELEGATES_TTL);
        if seen.len() < MAX_CLUSTERS || seen.contains_key(cluster) {
            seen.insert(cluster.to_owned(), (Instant::now(), delegates.to_vec()));
        }
    }

    pub(crate) fn of(&self, cluster: &str) -> Option<Vec<String>> {
        let seen = self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.get(cluster)
            .filter(|(at, _)| at.elapsed() < DELEGATES_TTL)
            .map(|(_, delegates)| delegates.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::PeerStatus;

    fn answer(status: Option<&str>, peers: &[(&str, &str)]) -> CidStatus {
        CidStatus {
            status: status.map(str::to_owned),
            peers: peers
                .iter()
                .map(|(id, status)| PeerStatus {
                    ipfs_peer_id: Some((*id).to_owned()),
                    status: Some((*status).to_owned()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn statuses_map_as_documented() {
        let peers = [("12D3KooWA", "pinned"), ("12D3KooWB", "pinning")];
        for (raw, expected) in [
            ("pinned", Status::Pinned),
            ("partial", Status::Pinned),
            ("pinning", Status::Pinning),
            ("pin_queued", Status::Queued),
            ("queued", Status::Queued),
            ("pin_error", Status::Failed),
            ("unpinned", Status::Failed),
            ("something-new", Status::Queued),
        ] {
            assert_eq!(Observed::from_answer(&answer(Some(raw), &peers)).status, expected, "{raw}");
        }
        let partial = Observed::from_answer(&answer(Some("partial"), &peers));
        assert!(partial.details.unwrap().contains("1 of the cluster's 2 peers"));
        assert_eq!(Observed::from_answer(&answer(None, &peers)).status, Status::Pinned);
        assert_eq!(
            Observed::from_answer(&answer(None, &[("12D3KooWA", "pin_queued")])).status,
            Status::Queued
        );
        assert_eq!(Observed::from_answer(&answer(None, &[])), Observed::from_record(None));
    }

    #[test]
    fn delegates_are_checked_peer_ids_without_repeats_and_at_most_twenty() {
        let mut peers: Vec<(String, &str)> = (0..30).map(|i| (format!("12D3KooW{i}"), "pinned")).collect();
        peers.push(("12D3KooW0".into(), "pinned"));
        peers.push(("/ip4/evil".into(), "pinned"));
        peers.push(("".into(), "pinned"));
        let peers: Vec<(&str, &str)> = peers.iter().map(|(id, s)| (id.as_str(), *s)).collect();
        let delegates = Observed::from_answer(&answer(Some("pinned"), &peers)).delegates;
        assert_eq!(delegates.len(), 20);
        assert_eq!(delegates[0], "/p2p/12D3KooW0");
        assert!(delegates.iter().all(|d| d.starts_with("/p2p/12D3KooW")));
    }

    #[test]
    fn remembered_delegates_are_bounded() {
        let cache = Delegates::default();
        for i in 0..100 {
            cache.remember(&format!("cl{i}"), &["/p2p/x".to_owned()]);
        }
        assert_eq!(cache.seen.lock().unwrap().len(), MAX_CLUSTERS);
        assert_eq!(cache.of("cl0"), Some(vec!["/p2p/x".to_owned()]));
        assert_eq!(cache.of("cl99"), None);
    }
}
