//! Uploads (hashed while they stream; only metadata is kept) and directory DAGs, with the
//! rules every way of adding content shares: content-derived CIDs, cluster, timelock, expiry.

use axum::extract::multipart::{Field, Multipart};
use axum::extract::FromRequest;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::catalog::{allowed_cluster, DEFAULT_CLUSTER};
use super::errors::ApiError;
use super::request::{ok, Call, Reply};
use super::state::{Account, UploadKind, UploadRecord};
use super::Plan;
use crate::types::{DagFileEntry, DirectoryDagResponse, DirectoryUploadRequest, UploadResponse};

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
    pub(crate) cluster: String,
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
    allowed_cluster(plan, id)?;
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
    field
        .or_else(|| call.cluster_query().ok().flatten())
        .or_else(|| call.header("x-cluster").map(str::to_owned))
}

/// Drops uploads whose timelock has passed, as the backend's cleanup job does.
pub(crate) fn purge_expired(account: &mut Account) {
    let now = Utc::now();
    account.uploads.retain(|u| u.expires_at.is_none_or(|at| at > now));
}

/// Adds an upload, or refreshes the existing one with the same CID and parent: uploading the
/// same bytes twice gives one record.
pub(crate) fn upsert(account: &mut Account, record: UploadRecord) -> String {
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
                    count_toward_limit(&mut total, chunk.len(), limit)?;
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
                    count_toward_limit(&mut total, chunk.len(), limit)?;
                }
            }
        }
    }
    Ok(form)
}

/// Adds `bytes` to the running total: 413 once it passes `limit`.
fn count_toward_limit(total: &mut u64, bytes: usize, limit: u64) -> Result<(), ApiError> {
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

pub(crate) fn new_record(
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
