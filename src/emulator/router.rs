//! Routes built from the spec's operation table: every operation is served at its method and
//! path, so a new operation in the spec is served (501 until it has a handler) and a test notices.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;

use super::errors::{unknown_route, ApiError};
use super::request::{Call, Reply};
use super::state::State;
use super::{account, auth, files, listing, login, pins, public, tokens};
use crate::spec::{Operation, OPERATIONS};

/// Where the API is mounted, as on the real service.
pub(crate) const API_PREFIX: &str = "/api/v3";

pub(crate) fn router(state: Arc<State>) -> Router {
    let mut paths: BTreeMap<String, MethodRouter<Arc<State>>> = BTreeMap::new();
    for op in OPERATIONS {
        let Some(filter) = method_filter(op.method) else { continue };
        let handler = on(
            filter,
            move |axum::extract::State(state): axum::extract::State<Arc<State>>, request: Request| {
                serve(op, state, request)
            },
        );
        // `GET /` is also reached without the trailing slash.
        let mut full = vec![format!("{API_PREFIX}{}", op.path)];
        if op.path == "/" {
            full.push(API_PREFIX.to_owned());
        }
        for path in full {
            let routes = paths.remove(&path).unwrap_or_default();
            paths.insert(path, routes.merge(handler.clone()));
        }
    }
    let mut router = Router::new();
    for (path, routes) in paths {
        // A known path with another method is no operation either: the same JSON 404.
        router = router.route(&path, routes.fallback(unknown_route));
    }
    router
        .fallback(unknown_route)
        // Uploads are limited while they stream (413 FILE_TOO_LARGE), JSON bodies in `request`.
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

fn method_filter(method: &str) -> Option<MethodFilter> {
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    MethodFilter::try_from(method).ok()
}

/// Authentication, the rate limit and the scope check, then the operation's handler.
async fn serve(op: &'static Operation, state: Arc<State>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let mut principal = None;
    if op.authenticated {
        let who = match auth::authenticate(&state, &parts.headers) {
            Ok(who) => who,
            Err(e) => return e.into_response(),
        };
        // Counted per credential before the scope check: a refused request still costs.
        if let Err(e) = state.limiter.check(&who.credential) {
            return e.into_response();
        }
        if let Err(e) = auth::require_scope(op, &who) {
            return e.into_response();
        }
        principal = Some(who);
    }
    let call = Call { op, state, parts, body, principal };
    dispatch(call).await.unwrap_or_else(IntoResponse::into_response)
}

/// The handler of each operation id.
async fn dispatch(call: Call) -> Reply {
    match call.op.id {
        "files_upload" => files::upload(call).await,
        "files_directory_upload" => files::directory_upload(call).await,
        "files_directory_dag_upload" => files::directory_dag_upload(call).await,
        "files_pin" => pins::pin(call).await,
        "files_remove" => pins::remove(call).await,
        "files_rename" => pins::rename(call).await,
        "users_me_uploads_list" => listing::uploads_list(call).await,
        "users_me_uploads_delete" => pins::uploads_delete(call).await,
        "users_me_uploads_dag_get" => listing::dag_get(call).await,
        "status_get" => pins::status(call).await,
        "status_allocations_get" | "allocations_get" => pins::allocations(call).await,
        "tokens_generate" => tokens::generate(call).await,
        "tokens_list" => tokens::list(call).await,
        "tokens_revoke" => tokens::revoke(call).await,
        "users_me_get" => account::me(call).await,
        "users_me_update" => account::update_me(call).await,
        "users_me_password_update" => account::change_password(call).await,
        "users_me_preferences_get" => account::preferences(call).await,
        "users_me_preferences_update" => account::update_preferences(call).await,
        "users_me_clusters_list" => account::clusters(call).await,
        "users_me_plans_list" | "plans_all_list" => account::plans(call).await,
        "users_me_plan_get" => account::user_plan(call).await,
        "plans_my_plan_get" => account::my_plan(call).await,
        "users_me_plan_update" | "plans_change" => account::change_plan(call).await,
        "users_me_referrals_get" => account::referrals(call).await,
        "users_me_logs_list" => account::logs(call).await,
        "cluster_gateways_list" => account::cluster_gateways(call).await,
        "auth_login" => login::login(call).await,
        "auth_signup" => login::signup(call).await,
        "auth_verify_email" => login::verify_email(call).await,
        "auth_resend_verification" => login::resend_verification(call).await,
        "auth_logout" => login::logout(call).await,
        "auth_forgot_password" => login::forgot_password(call).await,
        "auth_reset_password" => login::reset_password(call).await,
        "auth_2fa_status_get" => login::two_factor_status(call).await,
        "auth_2fa_setup" => login::two_factor_setup(call).await,
        "auth_2fa_enable" => login::two_factor_enable(call).await,
        "auth_2fa_disable" => login::two_factor_disable(call).await,
        "auth_2fa_verify_login" => login::two_factor_verify_login(call).await,
        "plans_list" => public::plans(call).await,
        "api_info_get" => public::api_info(call).await,
        "health_get" => public::health(call).await,
        "peers_list" => public::peers(call).await,
        "locales_languages_list" => public::languages(call).await,
        "locales_countries_list" => public::countries(call).await,
        "docs_openapi_get" => public::openapi(call).await,
        other => Err(ApiError::not_implemented(other)),
    }
}
