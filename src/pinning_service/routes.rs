//! The routes: `/pins` and `/pins/{requestid}`, each answered with the caller's own key.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, SubsecRound, Utc};
use futures::{StreamExt, TryStreamExt};
use http::{header, HeaderMap, StatusCode};

use super::failure::Failure;
use super::psa::{self, PinResults, PinStatus};
use super::query::{ListQuery, MAX_NAME_CHARS};
use super::request_id::{self, same_cid, RequestId};
use super::status::{is_cluster_id, Delegates, Observed};
use crate::spec::OperationId;
use crate::types::{self, Upload};
use crate::{Client, Credentials};

/// The largest request body read: a `Pin` is a CID, a name, 20 origins and some metadata.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// The longest bearer token taken as an API key: every copy of it (the client's headers, its
/// redactor's escaped forms) is bounded with it.
const MAX_TOKEN_BYTES: usize = 4 * 1024;
/// The most origins a `Pin` may list (the document's `maxItems`).
const MAX_ORIGINS: usize = 20;
/// The most metadata entries read from a `Pin` (the document's `maxProperties`).
const MAX_META: usize = 1000;
/// Pinarkive's listing, read 100 uploads a page (its largest page where it caps `limit`).
const PAGE_SIZE: u64 = 100;
/// The most clusters whose delegates one listing asks for.
const MAX_DELEGATE_LOOKUPS: usize = 4;
/// What `info.not_stored` says on every pin.
const NOT_STORED: &str = "Pinarkive keeps a pin's CID, name and cluster; meta and origins are not stored";

/// What every request shares; no caller's key is among it.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The client every caller's key is put into, for that request only.
    pub(crate) client: Client,
    pub(crate) max_list_pages: u64,
    /// How long one request may take; see `PinningServiceBuilder::request_timeout`.
    pub(crate) request_timeout: std::time::Duration,
    pub(crate) delegates: Delegates,
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/pins", get(list).post(add))
        .route("/pins/{requestid}", get(get_one).post(replace).delete(remove))
        .fallback(|| async {
            Failure::not_found("no such route: the Pinning Service API has /pins and /pins/{requestid}")
        })
        .method_not_allowed_fallback(|| async {
            Failure::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "this method is not served on this path",
            )
        })
        .layer(axum::middleware::from_fn_with_state(shared.clone(), deadline))
        .layer(axum::middleware::from_fn(cors))
        .with_state(shared)
}

/// Ends a request that takes longer than the bridge's deadline with a `504`: however many
/// pages, retries and `Retry-After` waits it would need, a request holds its connection slot
/// for a bounded time.
async fn deadline(
    State(shared): State<Arc<Shared>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(shared.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Failure::new(
            StatusCode::GATEWAY_TIMEOUT,
            "BRIDGE_TIMEOUT",
            format!(
                "the request took longer than the bridge's limit of {:?} (Pinarkive's answers and the waits its rate limit asked for); try again later",
                shared.request_timeout
            ),
        )
        .into_response(),
    }
}

/// CORS as the emulator answers it (`crate::cors`): every `OPTIONS` is a preflight, and every
/// answer echoes the `Origin`.
async fn cors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let mut response = match request.method() == http::Method::OPTIONS {
        true => crate::cors::preflight(request.headers()),
        false => next.run(request).await,
    };
    crate::cors::allow_origin(origin, &mut response);
    response
}

type Answer = Result<Response, Failure>;

/// The client for this request: the shared one with the caller's bearer token as the Pinarkive
/// API key. The token is not kept, logged or echoed.
fn caller(shared: &Shared, headers: &HeaderMap) -> Result<Client, Failure> {
    let missing = || {
        Failure::unauthorized("access token is missing: send Authorization: Bearer <your Pinarkive API key>")
    };
    let value = headers.get(header::AUTHORIZATION).ok_or_else(missing)?.to_str().map_err(|_| missing())?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(missing)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(missing());
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Failure::unauthorized(format!(
            "the access token is over {MAX_TOKEN_BYTES} bytes: no Pinarkive API key is that long"
        )));
    }
    shared
        .client
        .with_credentials(Credentials::api_key(token))
        .map_err(|_| Failure::unauthorized("the access token cannot be sent to Pinarkive as an API key"))
}

/// The path's `requestid`, or a 400 in this API's shape.
fn request_id(path: Result<Path<String>, PathRejection>) -> Result<RequestId, Failure> {
    let Path(text) =
        path.map_err(|_| Failure::bad_request("requestid: not valid UTF-8 once percent-decoded"))?;
    RequestId::parse(&text)
}

/// A `Pin` from a request body.
async fn read_pin(body: Body) -> Result<psa::Pin, Failure> {
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("the request body is over {MAX_BODY_BYTES} bytes, or could not be read"),
        )
    })?;
    let not_a_pin =
        |why: String| Failure::bad_request(format!("the body is not a Pin object ({{\"cid\": …}}): {why}"));
    // Parsed as a JSON object first: serde would also read a struct from an array.
    let pin = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(object @ serde_json::Value::Object(_)) => serde_json::from_value::<psa::Pin>(object),
        Ok(_) => return Err(not_a_pin("not a JSON object".into())),
        Err(e) => return Err(not_a_pin(e.to_string())),
    };
    let pin = pin.map_err(|e| not_a_pin(e.to_string()))?;
    crate::validate_cid(&pin.cid).map_err(|_| {
        Failure::bad_request(format!("cid: {:?} is not a CID", request_id::shorten(&pin.cid)))
    })?;
    if pin.name.as_ref().is_some_and(|name| name.chars().count() > MAX_NAME_CHARS) {
        return Err(Failure::bad_request(format!("name: longer than {MAX_NAME_CHARS} characters")));
    }
    if pin.origins.len() > MAX_ORIGINS {
        return Err(Failure::bad_request(format!("origins: more than {MAX_ORIGINS}")));
    }
    if pin.meta.len() > MAX_META {
        return Err(Failure::bad_request(format!("meta: more than {MAX_META} entries")));
    }
    Ok(pin)
}

async fn list(State(shared): State<Arc<Shared>>, headers: HeaderMap, RawQuery(query): RawQuery) -> Answer {
    let client = caller(&shared, &headers)?;
    let query = ListQuery::parse(query.as_deref())?;
    let mut newest = Newest::new(query.limit);
    let mut count: u64 = 0;
    // With `cid`, one walk per CID, each asking Pinarkive for that CID only; each item is
    // checked here too, as whether Pinarkive honours its `cid` filter is unverified.
    let walks: Vec<Option<&str>> = match query.cids.is_empty() {
        true => vec![None],
        false => query.cids.iter().map(|cid| Some(cid.as_str())).collect(),
    };
    for cid in walks {
        let mut uploads = walk(&shared, &client, cid);
        while let Some(upload) =
            uploads.try_next().await.map_err(upstream(OperationId::UsersMeUploadsList))?
        {
            if cid.is_some_and(|cid| !same_cid(cid, &upload.cid)) {
                continue;
            }
            let pin = pin_status(&client, &upload, Observed::from_record(None));
            if query.matches(&pin) {
                count = count.saturating_add(1);
                newest.push(pin);
            }
        }
    }
    let mut results = newest.into_vec();
    add_delegates(&shared, &client, &mut results).await;
    let count = u32::try_from(count).unwrap_or(u32::MAX);
    Ok(Json(PinResults { count, results }).into_response())
}

async fn add(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Body) -> Answer {
    let client = caller(&shared, &headers)?;
    let pin = read_pin(body).await?;
    let made = pin_and_observe(&shared, &client, &pin).await?;
    Ok((StatusCode::ACCEPTED, Json(made)).into_response())
}

/// The caller's client and the record of the path's `requestid`: 401, 400 or 404 otherwise.
async fn located(
    shared: &Shared,
    headers: &HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<(Client, Upload), Failure> {
    let client = caller(shared, headers)?;
    let id = request_id(path)?;
    let upload = find(shared, &client, &id).await?;
    Ok((client, upload))
}

async fn get_one(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer {
    let (client, upload) = located(&shared, &headers, path).await?;
    Ok(Json(observe(&shared, &client, &upload).await).into_response())
}

async fn replace(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Body,
) -> Answer {
    let (client, old) = located(&shared, &headers, path).await?;
    let pin = read_pin(body).await?;
    // Pin first, then remove: blocks common to both stay pinned throughout, as the document
    // asks. Pinarkive keeps one record per CID, so the same CID again only updates it (its name)
    // and must not be removed.
    let new = pin_and_observe(&shared, &client, &pin).await?;
    if !same_cid(&old.cid, &pin.cid) {
        client.files_remove().cid(&old.cid).send().await.map_err(|e| {
            let mut failure = Failure::upstream(OperationId::FilesRemove, e);
            failure.details = format!(
                "the new pin was made (requestid {}), but the old one could not be removed: {}",
                new.requestid, failure.details
            );
            failure
        })?;
    }
    Ok((StatusCode::ACCEPTED, Json(new)).into_response())
}

async fn remove(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer {
    let (client, upload) = located(&shared, &headers, path).await?;
    client.files_remove().cid(&upload.cid).send().await.map_err(upstream(OperationId::FilesRemove))?;
    Ok(StatusCode::ACCEPTED.into_response())
}

fn upstream(operation: OperationId) -> impl Fn(crate::Error) -> Failure {
    move |error| Failure::upstream(operation, error)
}

/// The account's uploads (of one CID, or all), newest first as Pinarkive lists them, through
/// the crate's pagination: it stops on a page seen before, past the reported total, and after
/// `max_list_pages` pages; the client waits out each 429's `Retry-After` as its policy allows.
fn walk<'a>(
    shared: &Shared,
    client: &'a Client,
    cid: Option<&str>,
) -> futures::stream::BoxStream<'a, crate::Result<Upload>> {
    let uploads = client.uploads().page_size(PAGE_SIZE).max_pages(shared.max_list_pages);
    match cid {
        Some(cid) => uploads.cid(cid).stream().boxed(),
        None => uploads.stream().boxed(),
    }
}

/// The record a `requestid` was made from; 404 when the account has none.
async fn find(shared: &Shared, client: &Client, id: &RequestId) -> Result<Upload, Failure> {
    let mut uploads = walk(shared, client, Some(&id.cid));
    while let Some(upload) = uploads.try_next().await.map_err(upstream(OperationId::UsersMeUploadsList))? {
        if id.is_of(&upload) {
            return Ok(upload);
        }
    }
    Err(Failure::not_found("no pin with this requestid: it was removed, replaced or pinned again"))
}

/// Pins `pin` and answers with Pinarkive's newest record of its CID and its status. Once the
/// pin is made, a failure to read the record back does not report it as failed: the answer is
/// the pin as asked, `pinned` (Pinarkive answers `201` once it has pinned), with the CID alone as
/// its `requestid` (which names the CID's record) and the reason in `status_details`.
async fn pin_and_observe(shared: &Shared, client: &Client, pin: &psa::Pin) -> Result<PinStatus, Failure> {
    let mut body = types::PinRequest::builder();
    if let Some(name) = &pin.name {
        body = body.custom_name(name.clone());
    }
    client.files_pin().cid(&pin.cid).body(body).send().await.map_err(upstream(OperationId::FilesPin))?;
    let mut newest: Option<Upload> = None;
    let mut uploads = walk(shared, client, Some(&pin.cid));
    loop {
        match uploads.try_next().await {
            Ok(Some(upload)) => {
                let newer = newest.as_ref().is_none_or(|n| created(&upload) > created(n));
                if same_cid(&upload.cid, &pin.cid) && newer {
                    newest = Some(upload);
                }
            }
            Ok(None) => break,
            Err(e) => {
                let failure = Failure::upstream(OperationId::UsersMeUploadsList, e);
                return Ok(unlisted(shared, client, pin, &failure.details));
            }
        }
    }
    match newest {
        Some(upload) => Ok(observe(shared, client, &upload).await),
        None => Ok(unlisted(shared, client, pin, "it lists no record of the CID")),
    }
}

/// A pin that was made but whose record could not be read back (see [`pin_and_observe`]).
fn unlisted(shared: &Shared, client: &Client, pin: &psa::Pin, why: &str) -> PinStatus {
    let cluster = client.default_cluster().filter(|cluster| is_cluster_id(cluster)).map(str::to_owned);
    let mut info = BTreeMap::from([("not_stored".to_owned(), NOT_STORED.to_owned())]);
    info.insert(
        "status_details".to_owned(),
        format!("Pinarkive pinned the CID, but its record could not be read back: {why}"),
    );
    let delegates = cluster.as_deref().and_then(|cluster| shared.delegates.of(cluster)).unwrap_or_default();
    if let Some(cluster) = cluster {
        info.insert("cluster".to_owned(), cluster);
    }
    PinStatus {
        requestid: pin.cid.clone(),
        status: psa::Status::Pinned,
        created: Utc::now().trunc_subsecs(3),
        pin: psa::Pin { meta: BTreeMap::new(), origins: Vec::new(), ..pin.clone() },
        delegates,
        info,
    }
}

/// A record with Pinarkive's status of its CID (`status_get`, in the record's cluster). When
/// the status call fails other than with a 404 (a key without `cluster:read`, a cluster
/// Pinarkive cannot reach, a 429 or a 5xx), the record's own status stands, with the reason in
/// `status_details`: the pin exists, and after a pin or a replace it was made, so the change
/// is not reported as failed.
async fn observe(shared: &Shared, client: &Client, upload: &Upload) -> PinStatus {
    let cluster = cluster_of(client, upload);
    let mut request = client.status_get().cid(&upload.cid);
    if let Some(cluster) = &cluster {
        request = request.cl(cluster.clone());
    }
    let observed = match request.send().await {
        Ok(answer) => {
            let observed = Observed::from_answer(&answer, client);
            if let Some(cluster) = &cluster {
                shared.delegates.remember(cluster, &observed.delegates);
            }
            observed
        }
        Err(e) if e.status() == Some(StatusCode::NOT_FOUND) => Observed {
            status: psa::Status::Failed,
            details: Some(format!("Pinarkive's status: the CID is not pinned in its cluster ({e})")),
            delegates: Vec::new(),
        },
        Err(e) => {
            let failure = Failure::upstream(OperationId::StatusGet, e);
            let mut observed = Observed::from_record(Some(format!(
                "the status is Pinarkive's record of the pin; its live status could not be read: {}",
                failure.details
            )));
            observed.delegates =
                cluster.and_then(|cluster| shared.delegates.of(&cluster)).unwrap_or_default();
            observed
        }
    };
    pin_status(client, upload, observed)
}

/// The record's cluster, when it is a plain cluster id with nothing of the caller's key in it:
/// it keys the delegates every caller is shown, and is echoed in `info.cluster`.
fn cluster_of(client: &Client, upload: &Upload) -> Option<String> {
    upload
        .cluster_id
        .clone()
        .filter(|cluster| is_cluster_id(cluster) && client.redact_text(cluster) == *cluster)
}

/// The delegates of each listed pin: its cluster's, as last seen; for a cluster not seen yet,
/// one status call (for at most [`MAX_DELEGATE_LOOKUPS`] clusters) learns them. A failed call
/// leaves them empty.
async fn add_delegates(shared: &Shared, client: &Client, results: &mut [PinStatus]) {
    let mut looked_up = 0;
    for pin in results.iter_mut() {
        let Some(cluster) = pin.info.get("cluster").cloned() else { continue };
        if shared.delegates.of(&cluster).is_none() && looked_up < MAX_DELEGATE_LOOKUPS {
            looked_up += 1;
            let answer = client.status_get().cid(&pin.pin.cid).cl(cluster.clone()).send().await;
            if let Ok(answer) = answer {
                shared.delegates.remember(&cluster, &Observed::from_answer(&answer, client).delegates);
            }
        }
        pin.delegates = shared.delegates.of(&cluster).unwrap_or_default();
    }
}

/// When Pinarkive recorded an upload: `createdAt`, else `uploadedAt`, else the Unix epoch;
/// to the millisecond, as clients send `before` and `after` back.
fn created(upload: &Upload) -> DateTime<Utc> {
    let uploaded = || {
        upload.uploaded_at.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.to_utc())
    };
    upload.created_at.or_else(uploaded).unwrap_or_default().trunc_subsecs(3)
}

/// A record as a `PinStatus`. Every text of Pinarkive's in it has the caller's key taken out
/// (a server that echoes the key it was sent gets it into no answer).
fn pin_status(client: &Client, upload: &Upload, observed: Observed) -> PinStatus {
    let clean = |text: &str| client.redact_text(text).into_owned();
    // Pinarkive names an unnamed pin after its CID; that is no name the caller gave.
    let name = upload.custom_name.as_deref().or(upload.name.as_deref().filter(|name| *name != upload.cid));
    let mut info = BTreeMap::from([("not_stored".to_owned(), NOT_STORED.to_owned())]);
    if let Some(cluster) = cluster_of(client, upload) {
        info.insert("cluster".to_owned(), cluster);
    }
    if let Some(until) = upload.expires_at {
        info.insert("pinned_until".to_owned(), until.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    }
    if let Some(details) = observed.details {
        info.insert("status_details".to_owned(), clean(&details));
    }
    PinStatus {
        requestid: clean(&request_id::of(upload)),
        status: observed.status,
        created: created(upload),
        pin: psa::Pin {
            cid: clean(&upload.cid),
            name: name.map(clean),
            origins: Vec::new(),
            meta: BTreeMap::new(),
        },
        delegates: observed.delegates,
        info,
    }
}

/// The newest `limit` pins of a listing, without holding more than twice that many.
struct Newest {
    limit: usize,
    pins: Vec<PinStatus>,
}

impl Newest {
    fn new(limit: usize) -> Newest {
        Newest { limit, pins: Vec::new() }
    }

    fn push(&mut self, pin: PinStatus) {
        self.pins.push(pin);
        if self.pins.len() >= self.limit.saturating_mul(2) {
            self.keep_newest();
        }
    }

    fn keep_newest(&mut self) {
        self.pins.sort_by(|a, b| (b.created, &b.requestid).cmp(&(a.created, &a.requestid)));
        self.pins.truncate(self.limit);
    }

    fn into_vec(mut self) -> Vec<PinStatus> {
        self.keep_newest();
        self.pins
    }
}
