//! Uploads (hashed while they stream; only metadata is kept) and directory DAGs, with the
//! rules every way of adding content shares: content-derived CIDs, cluster, timelock, expiry.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::catalog::{allowed_cluster, DEFAULT_CLUSTER};
use super::errors::ApiError;
use super::request::{check_lengths, ok, Call, Reply};
use super::uploads::{UploadKind, UploadRecord};
use super::Plan;
use crate::types::{DagFileEntry, DirectoryDagResponse, DirectoryUploadRequest, UploadResponse};

/// Multicodec of raw bytes (a file's CID).
const RAW_CODEC: u64 = 0x55;
/// Multicodec of dag-pb (a directory's CID, as UnixFS directories have).
const DAG_PB_CODEC: u64 = 0x70;
/// Multihash code of sha2-256.
const SHA2_256: u64 = 0x12;

/// The CIDv1 of `digest` (a sha2-256) with `codec`.
fn cid_of(codec: u64, digest: &[u8]) -> String {
    match cid::multihash::Multihash::<64>::wrap(SHA2_256, digest) {
        Ok(hash) => cid::Cid::new_v1(codec, hash).to_string(),
        Err(_) => unreachable!("a sha2-256 digest fits a 64-byte multihash"),
    }
}

/// The root CID of a directory: a sha2-256 over its sorted (path, CID) entries, as dag-pb.
///
/// Not the byte-exact UnixFS node IPFS would build, but it has the property that matters: the
/// same files at the same paths always give the same root, and any change gives another.
fn directory_cid(entries: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = entries.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    hasher.update(b"pinarkive-emulator-directory-v1\n");
    for (path, cid) in sorted {
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update(cid.as_bytes());
        hasher.update(b"\n");
    }
    cid_of(DAG_PB_CODEC, &hasher.finalize())
}

/// Where and until when content is pinned, after the plan's rules.
pub(crate) struct Placement {
    pub(crate) cluster: &'static str,
    pub(crate) expires_at: Option<DateTime<Utc>>,
}

/// Applies the plan's rules to a request's cluster and timelock: 403 for a cluster the plan does
/// not allow or a timelock on the free plan, 400 for a timelock that is not a future instant.
pub(crate) fn place(
    plan: Plan,
    cluster_id: Option<&str>,
    timelock: Option<Timelock>,
) -> Result<Placement, ApiError> {
    let id = cluster_id.map(str::trim).filter(|c| !c.is_empty()).unwrap_or(DEFAULT_CLUSTER);
    let cluster = allowed_cluster(plan, id)?.id;
    let expires_at = match timelock {
        None => None,
        Some(_) if !plan.timelock_allowed() => {
            return Err(ApiError::forbidden("Timelock is only available on premium plans"));
        }
        Some(Timelock::Text(text)) => Some(parse_timelock(&text)?),
        Some(Timelock::Parsed(at)) => Some(at),
    };
    if expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(ApiError::bad_request("Timelock must be in the future"));
    }
    Ok(Placement { cluster, expires_at })
}

/// A timelock as sent: text from a form, or a date-time already decoded from JSON.
pub(crate) enum Timelock {
    Text(String),
    Parsed(DateTime<Utc>),
}

fn parse_timelock(text: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| ApiError::bad_request("Invalid timelock: expected an ISO-8601 date-time"))
}

/// The cluster a request names: body or form field, then `cl` query, then `X-Cluster`.
pub(crate) fn requested_cluster(call: &Call, field: Option<String>) -> Option<String> {
    field.or_else(|| call.cluster_query().ok().flatten())
}

pub(crate) fn new_record(
    id: String,
    cid: Arc<str>,
    name: String,
    size: u64,
    kind: UploadKind,
    place: &Placement,
) -> UploadRecord {
    UploadRecord {
        id,
        cid,
        name,
        original_name: None,
        custom_name: None,
        size,
        kind,
        cluster: place.cluster,
        expires_at: place.expires_at,
        created_at: Utc::now(),
        parent: None,
        path: None,
    }
}

pub(crate) async fn upload(call: Call) -> Reply {
    let account = call.account()?;
    let form = call.form("file").await?;
    let mut files = form.files.into_iter();
    let (Some(file), None) = (files.next(), files.next()) else {
        return Err(ApiError::bad_request("Send exactly one file, in a part named `file`"));
    };
    let cid = cid_of(RAW_CODEC, &file.sha256);
    let cluster = requested_cluster(&call, form.cl);
    let name = if file.name.is_empty() { cid.clone() } else { file.name };
    let id = call.state.new_id();
    let mut db = call.state.db();
    let plan = db.accounts[account].plan;
    let place = place(plan, cluster.as_deref(), form.timelock.map(Timelock::Text))?;
    let record = new_record(id, cid.as_str().into(), name.clone(), file.size, UploadKind::File, &place);
    let account = &mut db.accounts[account];
    account.uploads.purge_expired(Utc::now());
    let id = account.uploads.upsert(record);
    account.log("upload", format!("Uploaded {name} ({cid})"), call.source());
    drop(db);
    ok(
        &call,
        UploadResponse {
            cid,
            cluster_id: Some(place.cluster.to_owned()),
            expires_at: place.expires_at,
            status: Some("pinned".to_owned()),
            upload_id: Some(id),
            message: Some("File uploaded and pinned".to_owned()),
            filename: Some(name),
            size: Some(i64::try_from(file.size).unwrap_or(i64::MAX)),
        },
    )
}

/// Checks a DAG path: relative, `/`-separated, no empty, `.` or `..` segment.
fn check_dag_path(path: &str) -> Result<(), ApiError> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains('\\')
        || path.split('/').any(|segment| segment.is_empty() || segment == "." || segment == "..");
    if bad {
        return Err(ApiError::bad_request(format!("Invalid file path in directory: {path:?}")));
    }
    Ok(())
}

pub(crate) async fn directory_dag_upload(call: Call) -> Reply {
    let account = call.account()?;
    let form = call.form("files").await?;
    if form.files.is_empty() {
        return Err(ApiError::bad_request("No files: send each file as a part named `files`"));
    }
    let mut paths = HashSet::with_capacity(form.files.len());
    let mut entries: Vec<(String, String)> = Vec::with_capacity(form.files.len());
    for file in &form.files {
        check_dag_path(&file.name)?;
        if !paths.insert(file.name.as_str()) {
            return Err(ApiError::bad_request(format!("Duplicate file path in directory: {:?}", file.name)));
        }
        entries.push((file.name.clone(), cid_of(RAW_CODEC, &file.sha256)));
    }
    let root = directory_cid(&entries);
    let total_size: u64 = form.files.iter().map(|f| f.size).sum();
    let dir_name =
        form.dir_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "directory".to_owned());
    let cluster = requested_cluster(&call, form.cl);
    let plan = call.state.db().accounts[account].plan;
    let place = place(plan, cluster.as_deref(), form.timelock.map(Timelock::Text))?;
    // The records are made before locking: the lock is held only to insert them.
    let root_cid: Arc<str> = root.as_str().into();
    let mut records = Vec::with_capacity(entries.len() + 1);
    records.push(new_record(
        call.state.new_id(),
        root_cid.clone(),
        dir_name.clone(),
        total_size,
        UploadKind::Directory,
        &place,
    ));
    let mut files = Vec::with_capacity(entries.len());
    for ((path, cid), file) in entries.into_iter().zip(&form.files) {
        let file_name = path.rsplit('/').next().unwrap_or(&path).to_owned();
        let size = i64::try_from(file.size).unwrap_or(i64::MAX);
        let mut record = new_record(
            call.state.new_id(),
            cid.as_str().into(),
            file_name.clone(),
            file.size,
            UploadKind::File,
            &place,
        );
        record.parent = Some(root_cid.clone());
        record.path = Some(path.as_str().into());
        records.push(record);
        files.push(DagFileEntry {
            cid: Some(cid),
            filename: Some(file_name),
            size: Some(size),
            path: Some(path),
        });
    }
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    account.uploads.purge_expired(Utc::now());
    for record in records {
        account.uploads.upsert(record);
    }
    account.log("upload_dag", format!("Uploaded directory {dir_name} ({root})"), call.source());
    drop(db);
    let total = i64::try_from(total_size).unwrap_or(i64::MAX);
    ok(
        &call,
        DirectoryDagResponse {
            message: Some("Directory uploaded and pinned".to_owned()),
            cid: root,
            filename: Some(dir_name),
            size: Some(total),
            type_: Some("directory".to_owned()),
            total_files: Some(files.len() as u64),
            files,
            total_size: Some(total),
            cluster_id: Some(place.cluster.to_owned()),
            expires_at: place.expires_at,
        },
    )
}

/// `dirPath` names a folder on the API server. The emulator never reads the host's filesystem:
/// it records an empty directory whose CID is derived from the path.
pub(crate) async fn directory_upload(mut call: Call) -> Reply {
    let request: DirectoryUploadRequest = call.json().await?;
    let account = call.account()?;
    let path = request.dir_path.trim();
    check_lengths([("dirPath", Some(path))])?;
    if !path.starts_with('/') || path.split('/').any(|segment| segment == "..") {
        return Err(ApiError::bad_request("dirPath must be an absolute path on the server"));
    }
    let cid = directory_cid(&[(format!("server-directory:{path}"), String::new())]);
    let name =
        path.trim_end_matches('/').rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("/").to_owned();
    let cluster = requested_cluster(&call, request.cl);
    let id = call.state.new_id();
    let mut db = call.state.db();
    let plan = db.accounts[account].plan;
    let place = place(plan, cluster.as_deref(), request.timelock.map(Timelock::Parsed))?;
    let record = new_record(id, cid.as_str().into(), name.clone(), 0, UploadKind::Directory, &place);
    let account = &mut db.accounts[account];
    account.uploads.purge_expired(Utc::now());
    let id = account.uploads.upsert(record);
    account.log("upload_directory", format!("Uploaded server directory {name} ({cid})"), call.source());
    drop(db);
    ok(
        &call,
        UploadResponse {
            cid,
            cluster_id: Some(place.cluster.to_owned()),
            expires_at: place.expires_at,
            status: Some("pinned".to_owned()),
            upload_id: Some(id),
            message: Some("Directory uploaded and pinned".to_owned()),
            filename: Some(name),
            size: Some(0),
        },
    )
}
