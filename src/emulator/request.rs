//! One request on its way to a handler, and the spec's 400 for anything malformed in it.
//!
//! Bodies, queries and path parameters are parsed here rather than by axum's extractors so that
//! every rejection becomes the spec's error body with a status the operation lists.
//!
//! JSON bodies are read as the backend's `express.json()` (body-parser 1.x with its defaults)
//! reads them: at most [`MAX_JSON_BODY_BYTES`] (its `100kb`), else 413 `request entity too
//! large` (without collecting the body when `Content-Length` already says so; the rest is read
//! past before the answer, as body-parser reads it past); a `charset` other than UTF-8 is 415
//! `unsupported charset`, before the body is read (body-parser would also decode UTF-16 and
//! other `utf-*` charsets; the emulator refuses them the same way). Where body-parser reads
//! every JSON body before routing, the emulator reads one when the operation takes it, after
//! the credential is checked: a 401 comes before a 413, and a body sent to a route that takes
//! none is drained unread. Every string a client makes the emulator keep is at most
//! [`MAX_NAME_BYTES`], else a 400 that names the field and the limit.

use std::sync::Arc;

use axum::extract::Query;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::auth::Principal;
use super::body::RequestBody;
use super::errors::ApiError;
use super::multipart::{read_form, Form};
use super::state::State;
use crate::spec::OperationId;

/// The largest JSON body read: body-parser's default `limit` of `100kb`.
pub const MAX_JSON_BODY_BYTES: usize = 100 * 1024;
/// The longest string a client can make the emulator keep: a file name or a DAG file's path
/// (Linux's `PATH_MAX`), and every name, label, e-mail, password, profile and preference field,
/// form field and `dirPath`. Longer is a 400 naming the field and this limit.
pub const MAX_NAME_BYTES: usize = 4096;

/// A route's path parameters by name, percent-decoded.
pub(crate) type PathParams = Vec<(&'static str, String)>;

/// 400 naming the first of `fields` (name and value, if sent) longer than [`MAX_NAME_BYTES`].
pub(crate) fn check_lengths<'a>(
    fields: impl IntoIterator<Item = (&'static str, Option<&'a str>)>,
) -> Result<(), ApiError> {
    match fields.into_iter().find(|(_, value)| value.is_some_and(|v| v.len() > MAX_NAME_BYTES)) {
        Some((field, _)) => {
            Err(ApiError::bad_request(format!("{field} too long: the limit is {MAX_NAME_BYTES} bytes")))
        }
        None => Ok(()),
    }
}

/// What a handler gets: the operation, shared state, the request and who sent it.
pub(crate) struct Call {
    pub(crate) op: OperationId,
    pub(crate) state: Arc<State>,
    pub(crate) parts: Parts,
    pub(crate) params: PathParams,
    pub(crate) body: RequestBody,
    /// Set on authenticated operations.
    pub(crate) principal: Option<Principal>,
}

/// A handler's answer.
pub(crate) type Reply = Result<Response, ApiError>;

/// A JSON answer with the operation's success status.
pub(crate) fn ok<T: Serialize>(call: &Call, body: T) -> Reply {
    let status = StatusCode::from_u16(call.op.success_status()).unwrap_or(StatusCode::OK);
    Ok((status, Json(body)).into_response())
}

impl Call {
    /// The account of an authenticated call.
    pub(crate) fn account(&self) -> Result<usize, ApiError> {
        self.principal.as_ref().map(|p| p.account).ok_or_else(ApiError::invalid_api_key)
    }

    /// The multipart form of an upload, its parts named `file_part` hashed as they stream.
    pub(crate) async fn form(&self, file_part: &str) -> Result<Form, ApiError> {
        read_form(self.header(header::CONTENT_TYPE.as_str()), self.body.clone(), file_part).await
    }

    /// The log `source` of this call, as `authentication.mdx` describes it: `API` for an API
    /// key; otherwise (a session, or no credential yet, as on login) `WEB` when the request says
    /// `X-Request-Source: web`, else `JWT`.
    pub(crate) fn source(&self) -> &'static str {
        if self.principal.as_ref().is_some_and(|p| !p.is_session) {
            return "API";
        }
        match self.header("x-request-source") {
            Some(source) if source.trim().eq_ignore_ascii_case("web") => "WEB",
            _ => "JWT",
        }
    }

    /// A path parameter, percent-decoded (the router answered 400 for one that does not decode).
    pub(crate) fn path_param(&self, name: &str) -> Result<String, ApiError> {
        self.params
            .iter()
            .find(|(param, _)| *param == name)
            .map(|(_, value)| value.clone())
            .ok_or_else(|| ApiError::not_found("Not found"))
    }

    /// The query string, decoded into `T`.
    pub(crate) fn query<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        Query::<T>::try_from_uri(&self.parts.uri)
            .map(|Query(q)| q)
            .map_err(|e| ApiError::bad_request(format!("Invalid query string: {}", e.body_text())))
    }

    /// The cluster the query or headers name: the `cl` query parameter, else `X-Cluster`;
    /// `Ok(None)` without either, 400 when the query does not decode.
    pub(crate) fn cluster_query(&self) -> Result<Option<String>, ApiError> {
        #[derive(serde::Deserialize)]
        struct ClusterQuery {
            cl: Option<String>,
        }
        let cl = self.query::<ClusterQuery>()?.cl;
        Ok(cl.or_else(|| self.header("x-cluster").map(str::to_owned)))
    }

    /// A header's value, if it is present and text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.parts.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A required JSON body: 400 when it is missing, not JSON or lacks a required field.
    pub(crate) async fn json<T: DeserializeOwned>(&mut self) -> Result<T, ApiError> {
        match self.json_or_none().await? {
            Some(value) => Ok(value),
            None => Err(ApiError::bad_request("Missing request body")),
        }
    }

    /// An optional JSON body: `None` when the body is empty or only whitespace.
    pub(crate) async fn json_or_none<T: DeserializeOwned>(&mut self) -> Result<Option<T>, ApiError> {
        let content_type = self.header(header::CONTENT_TYPE.as_str()).unwrap_or("");
        let is_json = crate::decode::is_json(content_type);
        let charset = content_type
            .split(';')
            .skip(1)
            .filter_map(|param| param.split_once('='))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("charset"))
            .map(|(_, value)| value.trim().trim_matches('"').to_ascii_uppercase());
        if let Some(charset) = charset.filter(|charset| is_json && charset != "UTF-8") {
            let message = format!("unsupported charset \"{charset}\": JSON bodies are read as UTF-8");
            return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, message));
        }
        let bytes = self.body.bytes(MAX_JSON_BODY_BYTES).await.map_err(|e| e.into_api_error())?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        if !is_json {
            return Err(ApiError::bad_request("Expected a JSON body (Content-Type: application/json)"));
        }
        serde_json::from_slice(&bytes).map(Some).map_err(|e| ApiError::bad_request(json_error(&e)))
    }
}

/// A message for a body that does not decode, without echoing the values sent: a body may hold a
/// password, and serde's messages quote the offending value.
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.starts_with("missing field") {
        let field = text.split('`').nth(1).unwrap_or("?");
        return format!("Missing required field: {field}");
    }
    match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("Malformed JSON body (line {}, column {})", e.line(), e.column())
        }
        _ => format!("Invalid field value in JSON body (line {}, column {})", e.line(), e.column()),
    }
}
