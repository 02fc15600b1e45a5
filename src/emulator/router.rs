//! Routing as the backend's Express app routes: every operation of the spec ([`OperationId`]) is
//! served at its method and path by its handler, chosen by an exhaustive `match`: a new
//! operation in the spec does not compile until it has one.
//!
//! Express 4 matches paths with `strict: false` and `caseSensitive: false` by default, and the
//! backend reference lists one router per first segment (`/api/v3/files`, `/api/v3/users`, ...).
//! Checked against Express 4.22 with routers mounted that way, a path matches when:
//! - the fixed segments match in any letter case (`/API/V3/Files`); path parameters keep theirs;
//! - it ends with at most one extra `/` (`/files/`, `/users/me/`, but not `/files/pin/x//`);
//! - the router's mount point may be followed by one extra `/` (`/files//` and `/users//me`
//!   match, as Express's mount regex `\/?(?=\/|$)` swallows one slash), but nowhere else.
//!
//! `HEAD` is served by the `GET` route, as Express does. Anything else, including a known path
//! with another method, is the backend's JSON 404 `Route not found`. Around the routes, as the
//! app's middleware would be:
//! - `OPTIONS` on any path is the `cors` middleware's preflight answer, and every answer carries
//!   the CORS headers (see `src/cors.rs`);
//! - `/api/v1` and `/api/v2` are 410 `api_version_deprecated` with `currentApiBase`, as the
//!   backend reference documents;
//! - a path parameter that does not percent-decode (`%zz`, bytes that are not UTF-8) is 400
//!   `Failed to decode param '…'`, as Express answers when the route matches, before the route's
//!   own middleware (authentication) runs.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};

use super::body::RequestBody;
use super::errors::{unknown_route, ApiError};
use super::request::{Call, PathParams, Reply};
use super::state::State;
use super::{account, auth, files, listing, login, pins, public, tokens};
use crate::spec::OperationId;

/// Where the API is mounted, as on the real service.
pub(crate) const API_PREFIX: &str = "/api/v3";
/// Where the deprecated versions were mounted (410).
const DEPRECATED_PREFIXES: [&str; 2] = ["/api/v1", "/api/v2"];
/// The most of an undecodable parameter quoted back.
const QUOTED_PARAM_BYTES: usize = 256;

/// One segment of a route's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment {
    Fixed(&'static str),
    Param(&'static str),
}

/// An operation's path, split as Express sees it: the router it is mounted in (its first
/// segment, or none for `/`) and the segments of its route inside that router.
#[derive(Debug)]
struct Route {
    op: OperationId,
    method: Method,
    /// `/` and the first segment.
    mount: Option<String>,
    segments: Vec<Segment>,
}

impl Route {
    fn new(op: OperationId) -> Option<Route> {
        let method = Method::from_bytes(op.method().as_bytes()).ok()?;
        let mut parts = op.path().trim_start_matches('/').split('/').filter(|s| !s.is_empty());
        let mount = parts.next().map(|first| format!("/{first}"));
        let segments = parts
            .map(|part| match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => Segment::Param(name),
                None => Segment::Fixed(part),
            })
            .collect();
        Some(Route { op, method, mount, segments })
    }

    /// The path parameters if `path` (the raw, percent-encoded request path) is this route's;
    /// `Err` with the raw parameter that does not decode.
    fn matches(&self, path: &str) -> Option<Result<PathParams, String>> {
        let rest = strip_segment(path, API_PREFIX)?;
        let rest = match &self.mount {
            Some(mount) => strip_segment(rest, mount)?,
            None => rest,
        };
        // The mount point takes one optional slash, when another slash or the end follows.
        let rest = if rest == "/" || rest.starts_with("//") { &rest[1..] } else { rest };
        // The route takes one optional trailing slash.
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let parts: Vec<&str> = match rest.strip_prefix('/') {
            Some(rest) => rest.split('/').collect(),
            None => Vec::new(),
        };
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        let mut undecodable = None;
        for (part, segment) in parts.into_iter().zip(&self.segments) {
            match segment {
                Segment::Fixed(fixed) if part.eq_ignore_ascii_case(fixed) => {}
                Segment::Param(name) if !part.is_empty() => match decode_param(part) {
                    Some(value) => params.push((*name, value)),
                    None => undecodable = undecodable.or(Some(part)),
                },
                _ => return None,
            }
        }
        Some(undecodable.map_or(Ok(params), |raw| Err(raw.to_owned())))
    }
}

/// A path parameter decoded as JavaScript's `decodeURIComponent` decodes it (Express does):
/// `None` if a `%` is not followed by two hex digits or the bytes are not UTF-8.
fn decode_param(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let hex = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_hexdigit);
    let well_formed = bytes.iter().enumerate().all(|(i, &b)| b != b'%' || (hex(i + 1) && hex(i + 2)));
    let decoded = percent_encoding::percent_decode(bytes).decode_utf8().ok()?;
    well_formed.then(|| decoded.into_owned())
}

/// `path` after a leading `segment` (any letter case), if the segment ends there or at a `/`.
fn strip_segment<'a>(path: &'a str, segment: &str) -> Option<&'a str> {
    let head = path.get(..segment.len())?;
    let rest = &path[segment.len()..];
    (head.eq_ignore_ascii_case(segment) && (rest.is_empty() || rest.starts_with('/'))).then_some(rest)
}

/// Every operation's route, in the spec's order.
struct Routes(Vec<Route>);

impl Routes {
    fn new() -> Routes {
        Routes(OperationId::ALL.iter().copied().filter_map(Route::new).collect())
    }

    /// The operation `method` and `path` name, and its path parameters (`Err` with one that
    /// does not decode).
    fn resolve(&self, method: &Method, path: &str) -> Option<(OperationId, Result<PathParams, String>)> {
        let wanted =
            |route: &Route| route.method == method || (method == Method::HEAD && route.method == Method::GET);
        self.0.iter().filter(|route| wanted(route)).find_map(|route| Some((route.op, route.matches(path)?)))
    }
}

pub(crate) fn router(state: Arc<State>) -> Router {
    let routes = Arc::new(Routes::new());
    Router::new().fallback(move |request: Request| handle(routes.clone(), state.clone(), request))
}

/// Routes one request and settles its body (see `body.rs`) before the answer goes out.
async fn handle(routes: Arc<Routes>, state: Arc<State>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let declared = parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok());
    let body = RequestBody::new(body, state.max_upload_bytes, state.body_stall_timeout, declared);
    let origin = parts.headers.get(header::ORIGIN).cloned();
    let path = parts.uri.path();
    let response = if body.declared_too_large() {
        ApiError::file_too_large(state.max_upload_bytes).into_response()
    } else if parts.method == Method::OPTIONS {
        crate::cors::preflight(&parts.headers)
    } else if DEPRECATED_PREFIXES.iter().any(|prefix| strip_segment(path, prefix).is_some()) {
        deprecated_version()
    } else {
        match routes.resolve(&parts.method, path) {
            Some((op, Ok(params))) => {
                serve(Call { op, state, parts, params, body: body.clone(), principal: None }).await
            }
            Some((_, Err(raw))) => undecodable_param(&raw),
            None => unknown_route(),
        }
    };
    let mut response = body.settle(response).await;
    crate::cors::allow_origin(origin, &mut response);
    response
}

/// 410 for `/api/v1` and `/api/v2`, with the body the backend reference gives.
fn deprecated_version() -> Response {
    let body = serde_json::json!({
        "error": "api_version_deprecated",
        "message": "This API version is deprecated: use /api/v3",
        "currentApiBase": API_PREFIX,
    });
    (StatusCode::GONE, Json(body)).into_response()
}

/// Express's 400 for a parameter `decodeURIComponent` refuses, quoting it (cut if long).
fn undecodable_param(raw: &str) -> Response {
    let cut = (0..=QUOTED_PARAM_BYTES.min(raw.len())).rev().find(|at| raw.is_char_boundary(*at)).unwrap_or(0);
    let ellipsis = if cut < raw.len() { "…" } else { "" };
    ApiError::bad_request(format!("Failed to decode param '{}{ellipsis}'", &raw[..cut])).into_response()
}

/// Authentication, the rate limits and the scope check, then the operation's handler.
async fn serve(mut call: Call) -> Response {
    let client = call.parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    if let Err(e) = call.state.limiter.check_auth_route(call.op, client) {
        return e.into_response();
    }
    if call.op.authenticated() {
        let who = match auth::authenticate(&call.state, &call.parts.headers) {
            Ok(who) => who,
            Err(e) => return e.into_response(),
        };
        // Counted per credential before the scope check: a refused request still costs.
        if let Err(e) = call.state.limiter.check(&who.credential) {
            return e.into_response();
        }
        if let Err(e) = auth::require_scope(call.op, &who) {
            return e.into_response();
        }
        call.principal = Some(who);
    }
    dispatch(call).await.unwrap_or_else(IntoResponse::into_response)
}

/// The handler of each operation: no catch-all, so that an operation without one does not
/// compile.
async fn dispatch(call: Call) -> Reply {
    use OperationId as Op;
    match call.op {
        Op::FilesUpload => files::upload(call).await,
        Op::FilesDirectoryUpload => files::directory_upload(call).await,
        Op::FilesDirectoryDagUpload => files::directory_dag_upload(call).await,
        Op::FilesPin => pins::pin(call).await,
        Op::FilesRemove => pins::remove(call).await,
        Op::FilesRename => pins::rename(call).await,
        Op::UsersMeUploadsList => listing::uploads_list(call).await,
        Op::UsersMeUploadsDelete => pins::uploads_delete(call).await,
        Op::UsersMeUploadsDagGet => listing::dag_get(call).await,
        Op::StatusGet => pins::status(call).await,
        Op::StatusAllocationsGet | Op::AllocationsGet => pins::allocations(call).await,
        Op::TokensGenerate => tokens::generate(call).await,
        Op::TokensList => tokens::list(call).await,
        Op::TokensRevoke => tokens::revoke(call).await,
        Op::UsersMeGet => account::me(call).await,
        Op::UsersMeUpdate => account::update_me(call).await,
        Op::UsersMePasswordUpdate => account::change_password(call).await,
        Op::UsersMePreferencesGet => account::preferences(call).await,
        Op::UsersMePreferencesUpdate => account::update_preferences(call).await,
        Op::UsersMeClustersList => account::clusters(call).await,
        Op::UsersMePlansList | Op::PlansAllList => account::plans(call).await,
        Op::UsersMePlanGet => account::user_plan(call).await,
        Op::PlansMyPlanGet => account::my_plan(call).await,
        Op::UsersMePlanUpdate | Op::PlansChange => account::change_plan(call).await,
        Op::UsersMeReferralsGet => account::referrals(call).await,
        Op::UsersMeLogsList => account::logs(call).await,
        Op::ClusterGatewaysList => account::cluster_gateways(call).await,
        Op::AuthLogin => login::login(call).await,
        Op::AuthSignup => login::signup(call).await,
        Op::AuthVerifyEmail => login::verify_email(call).await,
        Op::AuthResendVerification => login::resend_verification(call).await,
        Op::AuthLogout => login::logout(call).await,
        Op::AuthForgotPassword => login::forgot_password(call).await,
        Op::AuthResetPassword => login::reset_password(call).await,
        Op::Auth2faStatusGet => login::two_factor_status(call).await,
        Op::Auth2faSetup => login::two_factor_setup(call).await,
        Op::Auth2faEnable => login::two_factor_enable(call).await,
        Op::Auth2faDisable => login::two_factor_disable(call).await,
        Op::Auth2faVerifyLogin => login::two_factor_verify_login(call).await,
        Op::PlansList => public::plans(call).await,
        Op::ApiInfoGet => public::api_info(call).await,
        Op::HealthGet => public::health(call).await,
        Op::PeersList => public::peers(call).await,
        Op::LocalesLanguagesList => public::languages(call).await,
        Op::LocalesCountriesList => public::countries(call).await,
        Op::DocsOpenapiGet => public::openapi(call).await,
    }
}
