//! Pins by CID, removal, renaming, and the status and allocations of pinned CIDs.

use chrono::Utc;
use serde_json::{json, Map, Value};

use super::catalog::{allowed_cluster, CLUSTERS};
use super::errors::ApiError;
use super::files::{new_record, place, requested_cluster, Timelock};
use super::public::peer_id;
use super::request::{check_lengths, ok, Call, Reply};
use super::uploads::{canonical_cid, UploadKind, UploadRecord};
use crate::cid::validate_cid;
use crate::types::{
    Allocations, CidStatus, MessageResponse, PeerStatus, PinRequest, PinResponse, RemoveResponse,
    RenameRequest, RenameResponse,
};

pub(crate) async fn pin(mut call: Call) -> Reply {
    let cid = path_cid(&call)?;
    let request: PinRequest = call.json_or_none().await?.unwrap_or_default();
    check_lengths([
        ("customName", request.custom_name.as_deref()),
        ("originalName", request.original_name.as_deref()),
    ])?;
    let account = call.account()?;
    let cluster = requested_cluster(&call, request.cl);
    let id = call.state.new_id();
    let mut db = call.state.db();
    let plan = db.accounts[account].plan;
    let place = place(plan, cluster.as_deref(), request.timelock.map(Timelock::Parsed))?;
    let name =
        request.custom_name.clone().or_else(|| request.original_name.clone()).unwrap_or_else(|| cid.clone());
    let stored = canonical_cid(&cid);
    let mut record = new_record(id, stored.as_str().into(), name, 0, UploadKind::Pin, &place);
    let account = &mut db.accounts[account];
    account.uploads.purge_expired(Utc::now());
    // Pinning content already uploaded keeps what is known about it.
    if let Some(existing) = account.uploads.top_level(&stored) {
        record.size = existing.size;
        record.kind = existing.kind;
        if request.custom_name.is_none() && request.original_name.is_none() {
            record.name = existing.name.clone();
        }
    }
    record.original_name = request.original_name;
    record.custom_name = request.custom_name.clone();
    account.uploads.upsert(record);
    account.log("pin", format!("Pinned {cid}"), call.source());
    drop(db);
    ok(
        &call,
        PinResponse {
            cid: Some(cid),
            cluster_id: Some(place.cluster.to_owned()),
            expires_at: place.expires_at,
            pinned: Some(true),
            custom_name: request.custom_name,
        },
    )
}

/// Removes the top-level upload of the path's `{cid}` and logs `{verb} {cid}` as `action`; 404
/// with `not_found` when the account has none.
fn remove_path_cid(call: &Call, not_found: &str, action: &str, verb: &str) -> Result<String, ApiError> {
    let cid = call.path_param("cid")?;
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    account.uploads.purge_expired(Utc::now());
    // The routes document no 400: a CID that does not parse is simply not pinned.
    if !account.uploads.remove_top_level(&canonical_cid(&cid)) {
        return Err(ApiError::not_found(not_found));
    }
    account.log(action, format!("{verb} {cid}"), call.source());
    Ok(cid)
}

pub(crate) async fn remove(call: Call) -> Reply {
    let cid = remove_path_cid(&call, "Pin not found for this CID", "remove", "Removed")?;
    ok(&call, RemoveResponse { cid: Some(cid), removed: Some(true) })
}

pub(crate) async fn uploads_delete(call: Call) -> Reply {
    remove_path_cid(&call, "Upload not found for this CID", "delete_upload", "Deleted upload")?;
    ok(&call, MessageResponse { message: Some("Upload deleted".to_owned()), success: Some(true) })
}

pub(crate) async fn rename(mut call: Call) -> Reply {
    let upload_id = call.path_param("uploadId")?;
    let request: RenameRequest = call.json().await?;
    let new_name = request.new_name.trim().to_owned();
    if new_name.is_empty() {
        return Err(ApiError::bad_request("newName must not be empty"));
    }
    check_lengths([("newName", Some(new_name.as_str()))])?;
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    account.uploads.purge_expired(Utc::now());
    let upload =
        account.uploads.by_id_mut(&upload_id).ok_or_else(|| ApiError::not_found("Upload not found"))?;
    upload.name = new_name.clone();
    upload.custom_name = Some(new_name.clone());
    account.log("rename", format!("Renamed upload {upload_id}"), call.source());
    drop(db);
    ok(&call, RenameResponse { updated: Some(true), new_name: Some(new_name) })
}

// ------------------------------------------------------------------ status and allocations

/// The peers of a cluster: two per cluster, with stable ids.
fn cluster_peers(cluster_id: &str) -> Vec<(String, String)> {
    let index = CLUSTERS.iter().position(|c| c.id == cluster_id).unwrap_or(0);
    (0..2).map(|n| (peer_id(index * 2 + n), format!("{cluster_id}-peer-{n}"))).collect()
}

/// The `peerMap` of status and allocations: every peer has the CID pinned as of `now`.
fn pinned_peer_map(peers: &[(String, String)], now: &str) -> Map<String, Value> {
    peers
        .iter()
        .map(|(id, name)| (id.clone(), json!({ "peername": name, "status": "pinned", "timestamp": now })))
        .collect()
}

/// The account's top-level pin of `cid`, checked against the cluster the request names (`cl`,
/// else `X-Cluster`): 403 for a cluster the plan does not allow, 404 when the CID is not pinned
/// there.
fn pinned(call: &Call, cid: &str) -> Result<UploadRecord, ApiError> {
    let cl = call.cluster_query()?;
    let account = call.account()?;
    let mut db = call.state.db();
    let plan = db.accounts[account].plan;
    if let Some(cl) = cl.as_deref() {
        allowed_cluster(plan, cl)?;
    }
    let account = &mut db.accounts[account];
    account.uploads.purge_expired(Utc::now());
    account
        .uploads
        .top_level(&canonical_cid(cid))
        .filter(|u| cl.as_deref().is_none_or(|cl| u.cluster == cl))
        .cloned()
        .ok_or_else(|| ApiError::not_found("CID not pinned by this user"))
}

/// The `{cid}` of the path: 400 unless it parses.
fn path_cid(call: &Call) -> Result<String, ApiError> {
    let cid = call.path_param("cid")?;
    if validate_cid(&cid).is_err() {
        return Err(ApiError::bad_request("Invalid CID"));
    }
    Ok(cid)
}

pub(crate) async fn status(call: Call) -> Reply {
    let cid = path_cid(&call)?;
    let record = pinned(&call, &cid)?;
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let peers = cluster_peers(record.cluster);
    let peer_map = pinned_peer_map(&peers, &now);
    ok(
        &call,
        CidStatus {
            success: Some(true),
            cid: Some(cid),
            name: Some(record.name.clone()),
            status: Some("pinned".to_owned()),
            peers: peers
                .iter()
                .map(|(id, name)| PeerStatus {
                    id: Some(id.clone()),
                    peername: Some(name.clone()),
                    ipfs_peer_id: Some(id.clone()),
                    status: Some("pinned".to_owned()),
                    timestamp: Some(now.clone()),
                    error: None,
                })
                .collect(),
            peer_map,
            allocations: Some(json!(peers.iter().map(|(id, _)| id).collect::<Vec<_>>())),
            replication_factor: Some(-1),
            created: Some(record.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            timestamp: Some(now),
        },
    )
}

pub(crate) async fn allocations(call: Call) -> Reply {
    let cid = path_cid(&call)?;
    let record = pinned(&call, &cid)?;
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let peers = cluster_peers(record.cluster);
    let ids: Vec<&String> = peers.iter().map(|(id, _)| id).collect();
    let peer_map = pinned_peer_map(&peers, &now);
    ok(
        &call,
        Allocations {
            success: Some(true),
            cid: Some(cid.clone()),
            name: Some(record.name.clone()),
            allocations: Some(json!(ids)),
            peer_map: Some(Value::Object(peer_map)),
            nodes: Some(json!(peers
                .iter()
                .map(|(id, name)| json!({ "id": id, "peername": name }))
                .collect::<Vec<_>>())),
            replication_factor: Some(-1),
            pin_info: Some(json!({ "cid": cid, "name": record.name, "clusterId": record.cluster })),
            timestamp: Some(now),
        },
    )
}
