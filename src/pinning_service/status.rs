//! A pin's `status` and `delegates` from Pinarkive's status answer (`status_get`), and the
//! delegates of each cluster remembered for listings.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::psa::Status;
use crate::types::CidStatus;
use crate::Client;

/// The most delegates a `PinStatus` may carry (the document's `maxItems`).
const MAX_DELEGATES: usize = 20;
/// How long a cluster's delegates are reused by listings.
const DELEGATES_TTL: Duration = Duration::from_secs(10 * 60);
/// The most clusters remembered (Pinarkive has six; a hostile answer cannot grow the map).
const MAX_CLUSTERS: usize = 64;
/// The longest peer id taken from an answer: a CIDv1 in base32 of a 64-byte digest is 113.
const MAX_PEER_ID: usize = 128;
/// The longest cluster id taken from an answer.
const MAX_CLUSTER_ID: usize = 64;
/// The multicodec of a libp2p public key, which a CIDv1 peer id has as its codec.
const LIBP2P_KEY: u64 = 0x72;
/// The multihashes a peer id is made with: the key itself (`12D3…`) or its sha2-256 (`Qm…`).
const PEER_ID_HASHES: [u64; 2] = [0x00, 0x12];

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
    /// Every text taken from the answer has the caller's key taken out (`client`'s redactor):
    /// a server that echoes the key it was sent gets it into no answer.
    pub(crate) fn from_answer(answer: &CidStatus, client: &Client) -> Observed {
        let delegates = delegates(answer, client);
        let observed = Observed::read(answer, delegates);
        let details = observed.details.map(|details| client.redact_text(&details).into_owned());
        Observed { details, ..observed }
    }

    fn read(answer: &CidStatus, delegates: Vec<String>) -> Observed {
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

/// `/p2p/<id>` of each peer's IPFS peer id, in the answer's order, without repeats. An id the
/// caller's redactor would change (the caller's key, or a piece of it) is dropped: delegates
/// are remembered per cluster and shown to every caller.
fn delegates(answer: &CidStatus, client: &Client) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in answer.peers.iter().filter_map(|peer| peer.ipfs_peer_id.as_deref()) {
        let address = format!("/p2p/{id}");
        let clean = client.redact_text(id) == id;
        if is_peer_id(id) && clean && !out.contains(&address) && out.len() < MAX_DELEGATES {
            out.push(address);
        }
    }
    out
}

/// A libp2p peer id: a multihash (identity or sha2-256) in base58btc (`12D3KooW…`, `Qm…`), or
/// a CIDv1 of a `libp2p-key` in any multibase (`k51…`, `bafz…`).
fn is_peer_id(id: &str) -> bool {
    use cid::multibase::Base;
    use cid::multihash::Multihash;
    if !(2..=MAX_PEER_ID).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    if id.starts_with("Qm") || id.starts_with('1') {
        return Base::Base58Btc
            .decode(id)
            .ok()
            .and_then(|bytes| Multihash::<64>::from_bytes(&bytes).ok())
            .is_some_and(|hash| PEER_ID_HASHES.contains(&hash.code()));
    }
    cid::Cid::try_from(id).is_ok_and(|cid| {
        cid.version() == cid::Version::V1
            && cid.codec() == LIBP2P_KEY
            && PEER_ID_HASHES.contains(&cid.hash().code())
    })
}

/// A cluster id as Pinarkive names them (`cl0-global`): a plain token of at most 64
/// characters. Anything else from an answer is neither remembered nor echoed.
pub(crate) fn is_cluster_id(id: &str) -> bool {
    (1..=MAX_CLUSTER_ID).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
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
        if delegates.is_empty() || !is_cluster_id(cluster) {
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

    /// A valid `12D3KooW…` peer id: an identity multihash of an Ed25519 key in libp2p framing.
    fn peer_id(i: usize) -> String {
        let mut key = vec![0x08, 0x01, 0x12, 0x20];
        key.extend_from_slice(&[0x5a; 24]);
        key.extend_from_slice(&(i as u64).to_be_bytes());
        let hash = cid::multihash::Multihash::<64>::wrap(0x00, &key).unwrap();
        cid::multibase::Base::Base58Btc.encode(hash.to_bytes())
    }

    fn client() -> Client {
        Client::builder().build().unwrap()
    }

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
        let (a, b) = (peer_id(0), peer_id(1));
        let peers = [(a.as_str(), "pinned"), (b.as_str(), "pinning")];
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
            assert_eq!(
                Observed::from_answer(&answer(Some(raw), &peers), &client()).status,
                expected,
                "{raw}"
            );
        }
        let partial = Observed::from_answer(&answer(Some("partial"), &peers), &client());
        assert!(partial.details.unwrap().contains("1 of the cluster's 2 peers"));
        assert_eq!(Observed::from_answer(&answer(None, &peers), &client()).status, Status::Pinned);
        assert_eq!(
            Observed::from_answer(&answer(None, &[(a.as_str(), "pin_queued")]), &client()).status,
            Status::Queued
        );
        assert_eq!(Observed::from_answer(&answer(None, &[]), &client()), Observed::from_record(None));
    }

    #[test]
    fn delegates_are_checked_peer_ids_without_repeats_and_at_most_twenty() {
        let mut peers: Vec<String> = (0..30).map(peer_id).collect();
        peers.push(peer_id(0));
        for bad in ["/ip4/evil", "", "12D3KooWEmu1atorPeer0000", "QmNotAHash", "bafkqaaa", &"1".repeat(200)] {
            peers.push(bad.to_owned());
        }
        let peers: Vec<(&str, &str)> = peers.iter().map(|id| (id.as_str(), "pinned")).collect();
        let delegates = Observed::from_answer(&answer(Some("pinned"), &peers), &client()).delegates;
        assert_eq!(delegates.len(), 20);
        assert_eq!(delegates[0], format!("/p2p/{}", peer_id(0)));
        assert!(delegates.iter().all(|d| d.starts_with("/p2p/12D3KooW")), "{delegates:?}");
        // Other real forms: a sha2-256 peer id (`Qm…`) and a CIDv1 of a libp2p key.
        assert!(is_peer_id("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"));
        assert!(is_peer_id("k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8"));
        assert!(!is_peer_id("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"));
    }

    #[test]
    fn texts_with_the_callers_key_are_dropped_or_redacted() {
        let key = peer_id(7);
        let caller = Client::builder().api_key(&key).build().unwrap();
        let mut answer = answer(Some("pin_error"), &[(key.as_str(), "pin_error"), (&peer_id(8), "pinned")]);
        answer.peers[0].error = Some(format!("bad key {key}"));
        let observed = Observed::from_answer(&answer, &caller);
        // Every `12D3KooW…` id shares a prefix of 8 with such a key: all are dropped, not shown.
        assert_eq!(observed.delegates, Vec::<String>::new());
        let other = Client::builder().api_key("pk_live_0123456789").build().unwrap();
        assert_eq!(Observed::from_answer(&answer, &other).delegates.len(), 2);
        assert!(!observed.details.as_deref().unwrap().contains(&key[8..]), "{observed:?}");
        answer.status = Some(format!("odd {key}"));
        let observed = Observed::from_answer(&answer, &caller);
        assert!(!observed.details.as_deref().unwrap().contains(&key[8..]), "{observed:?}");
    }

    #[test]
    fn cluster_ids_are_short_plain_tokens() {
        assert!(is_cluster_id("cl0-global") && is_cluster_id("a.b_c-1"));
        for bad in ["", "cl 0", "cl/0", "é", &"c".repeat(65)] {
            assert!(!is_cluster_id(bad), "{bad:?}");
            Delegates::default().remember(bad, &["/p2p/x".to_owned()]);
        }
        let cache = Delegates::default();
        cache.remember("bad id", &["/p2p/x".to_owned()]);
        assert_eq!(cache.of("bad id"), None);
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
