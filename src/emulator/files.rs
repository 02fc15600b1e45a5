//! Content: uploads (hashed while they stream; only metadata is kept), directory DAGs, pins,
//! removal, renaming, the uploads list, DAG detail, and pin status and allocations.

use axum::extract::multipart::{Field, Multipart};
use axum::extract::FromRequest;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::catalog::{allowed_clusters, cluster, DEFAULT_CLUSTER};
use super::errors::ApiError;
use super::public::peer_id;
use super::request::{ok, Call, Reply};
use super::state::{Account, UploadKind, UploadRecord};
use super::Plan;
use crate::types::{
    Allocations, CidStatus, DagFileEntry, DirectoryDagResponse, DirectoryUploadRequest, MessageResponse,
    PeerStatus, PinRequest, PinResponse, RemoveResponse, RenameRequest, RenameResponse, Upload, UploadList,
    UploadResponse,
};

/// Multicodec of raw bytes (a file's CID).
const RAW_CODEC: u64 = 0x55;
/// Multicodec of dag-pb (a directory's CID, as UnixFS directories have).
const DAG_PB_CODEC: u64 = 0x70;
/// Multihash code of sha2-256.
const SHA2_256: u64 = 0x12;
/// The longest text form field read (`cl`, `timelock`, `dirName`).
const MAX_TEXT_FIELD: usize = 4096;
/// The most files one upload may hold; each is metadata kept in memory.
const MAX_FILES: usize = 10_000;
/// The most uploads one page lists.
const MAX_PAGE_SIZE: u64 = 100;
/// Uploads per page without `limit`.
const DEFAULT_PAGE_SIZE: u64 = 20;

/// The CIDv1 of `digest` (a sha2-256) with `codec`.
fn cid_of(codec: u64, digest: &[u8]) -> String {
    match cid::multihash::Multihash::<64>::wrap(SHA2_256, digest) {
        Ok(hash) => cid::Cid::new_v1(codec, hash).to_string(),
        // A 32-byte digest always fits in 64 bytes.
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

/// Whether `text` is a CID the `cid` crate accepts.
fn is_cid(text: &str) -> bool {
    !text.is_empty() && cid::Cid::try_from(text).is_ok()
}

/// Where and until when content is pinned, after the plan's rules.
struct Placement {
    cluster: String,
    expires_at: Option<DateTime<Utc>>,
}

/// Applies the plan's rules to a request's cluster and timelock: 403 for a cluster the plan does
/// not allow or a timelock on the free plan, 400 for a timelock that is not a future instant.
fn place(plan: Plan, cluster_id: Option<&str>, timelock: Option<Timelock>) -> Result<Placement, ApiError> {
    let id = cluster_id.map(str::trim).filter(|c| !c.is_empty()).unwrap_or(DEFAULT_CLUSTER);
    let allowed = cluster(id).is_some_and(|c| allowed_clusters(plan).iter().any(|a| a.id == c.id));
    if !allowed {
        return Err(ApiError::forbidden(format!("Cluster not allowed for your plan: {id}")));
    }
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
    Ok(Placement { cluster: id.to_owned(), expires_at })
}

/// A timelock as sent: text from a form, or a date-time already decoded from JSON.
enum Timelock {
    Text(String),
    Parsed(DateTime<Utc>),
}

fn parse_timelock(text: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| ApiError::bad_request("Invalid timelock: expected an ISO-8601 date-time"))
}

/// The cluster a request names: body or form field, then `cl` query, then `X-Cluster`.
fn requested_cluster(call: &Call, field: Option<String>) -> Option<String> {
    #[derive(Deserialize)]
    struct ClusterQuery {
        cl: Option<String>,
    }
    field
        .or_else(|| call.query::<ClusterQuery>().ok().and_then(|q| q.cl))
        .or_else(|| call.header("x-cluster").map(str::to_owned))
}

/// Drops uploads whose timelock has passed, as the backend's cleanup job does.
fn purge_expired(account: &mut Account) {
    let now = Utc::now();
    account.uploads.retain(|u| u.expires_at.is_none_or(|at| at > now));
}

/// Adds an upload, or refreshes the existing one with the same CID and parent: uploading the
/// same bytes twice gives one record.
fn upsert(account: &mut Account, record: UploadRecord) -> String {
    if let Some(existing) = account
        .uploads
        .iter_mut()
        .find(|u| u.cid == record.cid && u.parent == record.parent && u.path == record.path)
    {
        let id = existing.id.clone();
        *existing = UploadRecord { id: id.clone(), created_at: existing.created_at, ..record };
        return id;
    }
    let id = record.id.clone();
    account.uploads.push(record);
    id
}

// ------------------------------------------------------------------ multipart uploads

/// One file read from a multipart body: its name and content CID.
struct ReceivedFile {
    name: String,
    cid: String,
    size: u64,
}

/// The form fields besides files.
#[derive(Default)]
struct Form {
    cl: Option<String>,
    timelock: Option<String>,
    dir_name: Option<String>,
    files: Vec<ReceivedFile>,
}

/// Reads a multipart body part by part, hashing file parts (named `file_part`) as they stream
/// and answering 413 as soon as their bytes pass the limit, without reading further.
async fn read_form(call: &mut Call, file_part: &str) -> Result<Form, ApiError> {
    let limit = call.state.max_upload_bytes;
    let mut multipart = Multipart::from_request(call.take_request(), &())
        .await
        .map_err(|_| ApiError::bad_request("Expected a multipart/form-data body"))?;
    let mut form = Form::default();
    let mut total: u64 = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "cl" => form.cl = Some(read_text(field).await?),
            "timelock" => form.timelock = Some(read_text(field).await?),
            "dirName" => form.dir_name = Some(read_text(field).await?),
            _ if name == file_part => {
                if form.files.len() == MAX_FILES {
                    return Err(ApiError::bad_request(format!("Too many files: at most {MAX_FILES}")));
                }
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let mut hasher = Sha256::new();
                let mut size: u64 = 0;
                while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                    size += chunk.len() as u64;
                    count(&mut total, chunk.len(), limit)?;
                    hasher.update(&chunk);
                }
                form.files.push(ReceivedFile {
                    name: file_name,
                    cid: cid_of(RAW_CODEC, &hasher.finalize()),
                    size,
                });
            }
            // Parts the API does not know are read past, not kept, but they count to the limit.
            _ => {
                while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                    count(&mut total, chunk.len(), limit)?;
                }
            }
        }
    }
    Ok(form)
}

/// Adds `bytes` to the running total: 413 once it passes `limit`.
fn count(total: &mut u64, bytes: usize, limit: u64) -> Result<(), ApiError> {
    *total += bytes as u64;
    if *total > limit {
        return Err(ApiError::file_too_large(limit));
    }
    Ok(())
}

fn malformed(_: axum::extract::multipart::MultipartError) -> ApiError {
    ApiError::bad_request("Malformed multipart/form-data body")
}

async fn read_text(mut field: Field<'_>) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(malformed)? {
        if bytes.len() + chunk.len() > MAX_TEXT_FIELD {
            return Err(ApiError::bad_request("Form field too long"));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| ApiError::bad_request("Form field is not UTF-8"))
}

fn new_record(
    id: String,
    cid: String,
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
        cluster: place.cluster.clone(),
        expires_at: place.expires_at,
        created_at: Utc::now(),
        parent: None,
        path: None,
    }
}

pub(crate) async fn upload(mut call: Call) -> Reply {
    let account = call.account()?;
    let form = read_form(&mut call, "file").await?;
    let mut files = form.files.into_iter();
    let (Some(file), None) = (files.next(), files.next()) else {
        return Err(ApiError::bad_request("Send exactly one file, in a part named `file`"));
    };
    let cluster = requested_cluster(&call, form.cl);
    let mut db = call.state.db();
    let plan = db.accounts[account].plan;
    let place = place(plan, cluster.as_deref(), form.timelock.map(Timelock::Text))?;
    let id = db.new_id();
    let name = if file.name.is_empty() { file.cid.clone() } else { file.name.clone() };
    let record = new_record(id, file.cid.clone(), name.clone(), file.size, UploadKind::File, &place);
    let account = &mut db.accounts[account];
    purge_expired(account);
    let id = upsert(account, record);
    account.log("upload", format!("Uploaded {name} ({})", file.cid), call.source());
    drop(db);
    ok(
        &call,
        UploadResponse {
            cid: file.cid,
            cluster_id: Some(place.cluster),
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

pub(crate) async fn directory_dag_upload(mut call: Call) -> Reply {
    let account = call.account()?;
    let form = read_form(&mut call, "files").await?;
    if form.files.is_empty() {
        return Err(ApiError::bad_request("No files: send each file as a part named `files`"));
    }
    let mut entries: Vec<(String, String)> = Vec::with_capacity(form.files.len());
    for file in &form.files {
        check_dag_path(&file.name)?;
        if entries.iter().any(|(path, _)| *path == file.name) {
            return Err(ApiError::bad_request(format!("Duplicate file path in directory: {:?}", file.name)));
        }
        entries.push((file.name.clone(), file.cid.clone()));
    }
    let root = directory_cid(&entries);
    let total_size: u64 = form.files.iter().map(|f| f.size).sum();
    let dir_name =
        form.dir_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "directory".to_owned());
    let cluster = requested_cluster(&call, form.cl);
    let mut db = call.state.db();
    let plan = db.accounts[account].plan;
    let place = place(plan, cluster.as_deref(), form.timelock.map(Timelock::Text))?;
    let mut records = Vec::with_capacity(form.files.len() + 1);
    let root_id = db.new_id();
    records.push(new_record(
        root_id,
        root.clone(),
        dir_name.clone(),
        total_size,
        UploadKind::Directory,
        &place,
    ));
    for file in &form.files {
        let file_name = file.name.rsplit('/').next().unwrap_or(&file.name).to_owned();
        let mut record =
            new_record(db.new_id(), file.cid.clone(), file_name, file.size, UploadKind::File, &place);
        record.parent = Some(root.clone());
        record.path = Some(file.name.clone());
        records.push(record);
    }
    let account = &mut db.accounts[account];
    purge_expired(account);
    for record in records {
        upsert(account, record);
    }
    account.log("upload_dag", format!("Uploaded directory {dir_name} ({root})"), call.source());
    drop(db);
    let files = form
        .files
        .iter()
        .map(|f| DagFileEntry {
            cid: Some(f.cid.clone()),
            filename: Some(f.name.rsplit('/').next().unwrap_or(&f.name).to_owned()),
            size: Some(i64::try_from(f.size).unwrap_or(i64::MAX)),
            path: Some(f.name.clone()),
        })
        .collect();
    let total = i64::try_from(total_size).unwrap_or(i64::MAX);
    ok(
        &call,
        DirectoryDagResponse {
            message: Some("Directory uploaded and pinned".to_owned()),
            cid: root,
            filename: Some(dir_name),
            size: Some(total),
            type_: Some("directory".to_owned()),
            files,
            total_files: Some(form.files.len() as u64),
            total_size: Some(total),
            cluster_id: Some(place.cluster),
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
    if !path.starts_with('/') || path.split('/').any(|segment| segment == "..") {
        return Err(ApiError::bad_request("dirPath must be an absolute path on the server"));
    }
    let cid = directory_cid(&[(format!("server-directory:{path}"), String::new())]);
    let name =
        path.trim_end_matches('/').rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("/").to_owned();
    let cluster = requested_cluster(&call, request.cl);
    let mut db = call.state.db();
    let plan = db.accounts[account].plan;
    let place = place(plan, cluster.as_deref(), request.timelock.map(Timelock::Parsed))?;
    let record = new_record(db.new_id(), cid.clone(), name.clone(), 0, UploadKind::Directory, &place);
    let account = &mut db.accounts[account];
    purge_expired(account);
    let id = upsert(account, record);
    account.log("upload_directory", format!("Uploaded server directory {name} ({cid})"), call.source());
    drop(db);
    ok(
        &call,
        UploadResponse {
            cid,
            cluster_id: Some(place.cluster),
            expires_at: place.expires_at,
            status: Some("pinned".to_owned()),
            upload_id: Some(id),
            message: Some("Directory uploaded and pinned".to_owned()),
            filename: Some(name),
            size: Some(0),
        },
    )
}

// ------------------------------------------------------------------ pins

pub(crate) async fn pin(mut call: Call) -> Reply {
    let cid = path_cid(&mut call).await?;
    let request: PinRequest = call.json_or_none().await?.unwrap_or_default();
    let account = call.account()?;
    let cluster = requested_cluster(&call, request.cl);
    let mut db = call.state.db();
    let plan = db.accounts[account].plan;
    let place = place(plan, cluster.as_deref(), request.timelock.map(Timelock::Parsed))?;
    let name =
        request.custom_name.clone().or_else(|| request.original_name.clone()).unwrap_or_else(|| cid.clone());
    let mut record = new_record(db.new_id(), cid.clone(), name, 0, UploadKind::Pin, &place);
    let account = &mut db.accounts[account];
    purge_expired(account);
    // Pinning content already uploaded keeps what is known about it.
    if let Some(existing) = account.uploads.iter().find(|u| u.cid == cid && u.parent.is_none()) {
        record.size = existing.size;
        record.kind = existing.kind;
        if request.custom_name.is_none() && request.original_name.is_none() {
            record.name = existing.name.clone();
        }
    }
    record.original_name = request.original_name;
    record.custom_name = request.custom_name.clone();
    upsert(account, record);
    account.log("pin", format!("Pinned {cid}"), call.source());
    drop(db);
    ok(
        &call,
        PinResponse {
            cid: Some(cid),
            cluster_id: Some(place.cluster),
            expires_at: place.expires_at,
            pinned: Some(true),
            custom_name: request.custom_name,
        },
    )
}

/// Removes the account's top-level upload of `cid` and the files inside it; false if none.
fn remove_upload(account: &mut Account, cid: &str) -> bool {
    let before = account.uploads.len();
    account.uploads.retain(|u| !(u.cid == cid && u.parent.is_none()));
    if account.uploads.len() == before {
        return false;
    }
    account.uploads.retain(|u| u.parent.as_deref() != Some(cid));
    true
}

pub(crate) async fn remove(mut call: Call) -> Reply {
    let cid = call.path_param("cid").await?;
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    purge_expired(account);
    // The route documents no 400: a CID that does not parse is simply not pinned.
    if !remove_upload(account, &cid) {
        return Err(ApiError::not_found("Pin not found for this CID"));
    }
    account.log("remove", format!("Removed {cid}"), call.source());
    drop(db);
    ok(&call, RemoveResponse { cid: Some(cid), removed: Some(true) })
}

pub(crate) async fn uploads_delete(mut call: Call) -> Reply {
    let cid = call.path_param("cid").await?;
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    purge_expired(account);
    if !remove_upload(account, &cid) {
        return Err(ApiError::not_found("Upload not found for this CID"));
    }
    account.log("delete_upload", format!("Deleted upload {cid}"), call.source());
    drop(db);
    ok(&call, MessageResponse { message: Some("Upload deleted".to_owned()), success: Some(true) })
}

pub(crate) async fn rename(mut call: Call) -> Reply {
    let upload_id = call.path_param("uploadId").await?;
    let request: RenameRequest = call.json().await?;
    let new_name = request.new_name.trim().to_owned();
    if new_name.is_empty() {
        return Err(ApiError::bad_request("newName must not be empty"));
    }
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    purge_expired(account);
    let upload = account
        .uploads
        .iter_mut()
        .find(|u| u.id == upload_id)
        .ok_or_else(|| ApiError::not_found("Upload not found"))?;
    upload.name = new_name.clone();
    upload.custom_name = Some(new_name.clone());
    account.log("rename", format!("Renamed upload {upload_id}"), call.source());
    drop(db);
    ok(&call, RenameResponse { updated: Some(true), new_name: Some(new_name) })
}

// ------------------------------------------------------------------ listing

fn upload_body(u: &UploadRecord) -> Upload {
    Upload {
        id: Some(u.id.clone()),
        cid: u.cid.clone(),
        name: Some(u.name.clone()),
        original_name: u.original_name.clone(),
        custom_name: u.custom_name.clone(),
        size: Some(i64::try_from(u.size).unwrap_or(i64::MAX)),
        type_: Some(u.kind.as_str().to_owned()),
        cluster_id: Some(u.cluster.clone()),
        bk: Some(0),
        expires_at: u.expires_at,
        created_at: Some(u.created_at),
        uploaded_at: Some(u.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadsQuery {
    page: Option<u64>,
    limit: Option<u64>,
    parent_cid: Option<String>,
    has_expiration: Option<bool>,
}

/// Newest first. Without `parentCid` only top-level uploads are listed; with it, the files of
/// that directory. `hasExpiration=true` keeps uploads with a timelock, `false` those without.
pub(crate) async fn uploads_list(call: Call) -> Reply {
    let query: UploadsQuery = call.query()?;
    let page = query.page.unwrap_or(1);
    let limit = query.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if page == 0 || limit == 0 {
        return Err(ApiError::bad_request("page and limit must be at least 1"));
    }
    let limit = limit.min(MAX_PAGE_SIZE);
    if query.parent_cid.as_deref().is_some_and(|p| !is_cid(p)) {
        return Err(ApiError::bad_request("Invalid parentCid"));
    }
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    purge_expired(account);
    let matching: Vec<&UploadRecord> = account
        .uploads
        .iter()
        .rev()
        .filter(|u| u.parent == query.parent_cid)
        .filter(|u| query.has_expiration.is_none_or(|has| u.expires_at.is_some() == has))
        .collect();
    let total = matching.len() as u64;
    let skip = usize::try_from((page - 1).saturating_mul(limit)).unwrap_or(usize::MAX);
    let uploads: Vec<Upload> = matching
        .into_iter()
        .skip(skip)
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(upload_body)
        .collect();
    drop(db);
    ok(
        &call,
        UploadList {
            uploads,
            total: Some(total),
            pagination: Some(crate::types::Pagination {
                page: Some(page),
                limit: Some(limit),
                total: Some(total),
            }),
        },
    )
}

pub(crate) async fn dag_get(mut call: Call) -> Reply {
    let root = call.path_param("cidDag").await?;
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    purge_expired(account);
    let dir = account
        .uploads
        .iter()
        .find(|u| u.cid == root && u.parent.is_none() && u.kind == UploadKind::Directory)
        .ok_or_else(|| ApiError::not_found("DAG not found"))?;
    let files: Vec<Value> = account
        .uploads
        .iter()
        .filter(|u| u.parent.as_deref() == Some(root.as_str()))
        .map(|u| json!({ "cid": u.cid, "filename": u.name, "size": u.size, "path": u.path }))
        .collect();
    let body = json!({
        "cid": dir.cid,
        "name": dir.name,
        "type": "directory",
        "size": dir.size,
        "clusterId": dir.cluster,
        "createdAt": dir.created_at,
        "expiresAt": dir.expires_at,
        "total_files": files.len(),
        "total_size": dir.size,
        "files": files,
    });
    drop(db);
    ok(&call, body)
}

// ------------------------------------------------------------------ status and allocations

/// The peers of a cluster: two per cluster, with stable ids.
fn cluster_peers(cluster_id: &str) -> Vec<(String, String)> {
    let index = super::catalog::CLUSTERS.iter().position(|c| c.id == cluster_id).unwrap_or(0);
    (0..2).map(|n| (peer_id(index * 2 + n), format!("{cluster_id}-peer-{n}"))).collect()
}

/// The account's top-level pin of `cid`, checked against the `cl` the request names: 403 for a
/// cluster the plan does not allow, 404 when the CID is not pinned there.
fn pinned(call: &Call, cid: &str) -> Result<UploadRecord, ApiError> {
    #[derive(Deserialize)]
    struct ClusterQuery {
        cl: Option<String>,
    }
    let query: ClusterQuery = call.query()?;
    let account = call.account()?;
    let mut db = call.state.db();
    let plan = db.accounts[account].plan;
    if let Some(cl) = query.cl.as_deref() {
        if !cluster(cl).is_some_and(|c| allowed_clusters(plan).iter().any(|a| a.id == c.id)) {
            return Err(ApiError::forbidden(format!("Cluster not allowed for your plan: {cl}")));
        }
    }
    let account = &mut db.accounts[account];
    purge_expired(account);
    account
        .uploads
        .iter()
        .find(|u| u.parent.is_none() && u.cid == cid && query.cl.as_deref().is_none_or(|cl| u.cluster == cl))
        .cloned()
        .ok_or_else(|| ApiError::not_found("CID not pinned by this user"))
}

/// The `{cid}` of the path: 400 unless it parses.
async fn path_cid(call: &mut Call) -> Result<String, ApiError> {
    let cid = call.path_param("cid").await?;
    if !is_cid(&cid) {
        return Err(ApiError::bad_request("Invalid CID"));
    }
    Ok(cid)
}

pub(crate) async fn status(mut call: Call) -> Reply {
    let cid = path_cid(&mut call).await?;
    let record = pinned(&call, &cid)?;
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let peers = cluster_peers(&record.cluster);
    let mut peer_map = Map::new();
    for (id, name) in &peers {
        peer_map.insert(id.clone(), json!({ "peername": name, "status": "pinned", "timestamp": now }));
    }
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

pub(crate) async fn allocations(mut call: Call) -> Reply {
    let cid = path_cid(&mut call).await?;
    let record = pinned(&call, &cid)?;
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let peers = cluster_peers(&record.cluster);
    let ids: Vec<&String> = peers.iter().map(|(id, _)| id).collect();
    let peer_map: Map<String, Value> = peers
        .iter()
        .map(|(id, name)| (id.clone(), json!({ "peername": name, "status": "pinned", "timestamp": now })))
        .collect();
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
