//! The uploads list (pages, `parentCid`, `cid`, `hasExpiration`) and the detail of a directory DAG.

use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use super::errors::ApiError;
use super::request::{ok, Call, Reply};
use super::uploads::{canonical_cid, Listing, UploadKind, UploadRecord};
use crate::cid::validate_cid;
use crate::types::{Pagination, Upload, UploadList};

/// The most uploads one page lists.
const MAX_PAGE_SIZE: u64 = 100;
/// Uploads per page without `limit`.
const DEFAULT_PAGE_SIZE: u64 = 20;

fn upload_body(u: &UploadRecord) -> Upload {
    Upload {
        id: Some(u.id.clone()),
        cid: u.cid.to_string(),
        name: Some(u.name.clone()),
        original_name: u.original_name.clone(),
        custom_name: u.custom_name.clone(),
        size: Some(i64::try_from(u.size).unwrap_or(i64::MAX)),
        type_: Some(u.kind.as_str().to_owned()),
        cluster_id: Some(u.cluster.to_owned()),
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
    cid: Option<String>,
    has_expiration: Option<bool>,
}

/// Newest first. Without `parentCid` only top-level uploads are listed; with it, the files of
/// that directory. `cid` keeps the uploads of that CID (within the same level), and
/// `hasExpiration=true` those with a timelock, `false` those without.
pub(crate) async fn uploads_list(call: Call) -> Reply {
    let query: UploadsQuery = call.query()?;
    let page = query.page.unwrap_or(1);
    let limit = query.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if page == 0 || limit == 0 {
        return Err(ApiError::bad_request("page and limit must be at least 1"));
    }
    let limit = limit.min(MAX_PAGE_SIZE);
    if query.parent_cid.as_deref().is_some_and(|p| validate_cid(p).is_err()) {
        return Err(ApiError::bad_request("Invalid parentCid"));
    }
    if query.cid.as_deref().is_some_and(|c| validate_cid(c).is_err()) {
        return Err(ApiError::bad_request("Invalid cid"));
    }
    let listing = Listing {
        parent: query.parent_cid.as_deref().map(|cid| canonical_cid(cid).into()),
        cid: query.cid.as_deref().map(|cid| canonical_cid(cid).into()),
        has_expiration: query.has_expiration,
    };
    let skip = usize::try_from((page - 1).saturating_mul(limit)).unwrap_or(usize::MAX);
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    account.uploads.purge_expired(Utc::now());
    let (total, page_records) =
        account.uploads.page(&listing, skip, usize::try_from(limit).unwrap_or(usize::MAX));
    let total = total as u64;
    let uploads: Vec<Upload> = page_records.into_iter().map(upload_body).collect();
    drop(db);
    ok(
        &call,
        UploadList {
            uploads,
            total: Some(total),
            pagination: Some(Pagination { page: Some(page), limit: Some(limit), total: Some(total) }),
        },
    )
}

pub(crate) async fn dag_get(call: Call) -> Reply {
    let root = canonical_cid(&call.path_param("cidDag")?);
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    account.uploads.purge_expired(Utc::now());
    let dir = account
        .uploads
        .top_level(&root)
        .filter(|u| u.kind == UploadKind::Directory)
        .ok_or_else(|| ApiError::not_found("DAG not found"))?;
    let files: Vec<Value> = account
        .uploads
        .inside(&root)
        .map(|u| json!({ "cid": &*u.cid, "filename": u.name, "size": u.size, "path": u.path.as_deref() }))
        .collect();
    let body = json!({
        "cid": &*dir.cid,
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
