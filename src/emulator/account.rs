//! The account: profile, preferences, password change, plans, clusters, referrals and the
//! activity log.

use serde::Deserialize;
use serde_json::json;

use super::catalog::{all_plans, allowed_cluster, allowed_clusters, cluster_body, gateways, DEFAULT_CLUSTER};
use super::errors::ApiError;
use super::request::{check_lengths, ok, Call, Reply};
use super::state::Account;
use super::Plan;
use crate::types::{
    ClusterGateways, LogEntry, LogList, MessageResponse, MyPlan, PasswordChangeRequest, PlanChangeRequest,
    Preferences, ReferralsResponse, UserProfile, UserUpdateRequest,
};

/// The shortest password signup, reset and change accept (the backend's rule is not documented).
const MIN_PASSWORD_LEN: usize = 8;

/// An acknowledgement with a message.
pub(crate) fn message(text: &str) -> MessageResponse {
    MessageResponse { message: Some(text.to_owned()), success: Some(true) }
}

/// The profile body of an account.
pub(crate) fn profile(account: &Account) -> UserProfile {
    UserProfile {
        id: Some(account.id.clone()),
        email: Some(account.email.clone()),
        username: Some(account.email.split('@').next().unwrap_or_default().to_owned()),
        name: Some(account.name.clone()),
        lastname: Some(account.lastname.clone()),
        role: Some("user".to_owned()),
        plan: Some(json!(account.plan.code())),
        plan_default: Some(json!(Plan::Free.code())),
        plan_fallback: Some(json!(Plan::Free.code())),
        clusters: Some(json!(allowed_clusters(account.plan).iter().map(|c| c.id).collect::<Vec<_>>())),
    }
}

/// 400 for a password shorter than the minimum.
pub(crate) fn check_password_strength(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(ApiError::bad_request(format!(
            "Password must be at least {MIN_PASSWORD_LEN} characters"
        )));
    }
    Ok(())
}

// ------------------------------------------------------------------ profile and preferences

pub(crate) async fn me(call: Call) -> Reply {
    let account = call.account()?;
    let profile = profile(&call.state.db().accounts[account]);
    ok(&call, profile)
}

pub(crate) async fn update_me(mut call: Call) -> Reply {
    let request: UserUpdateRequest = call.json().await?;
    check_lengths([("name", request.name.as_deref()), ("lastname", request.lastname.as_deref())])?;
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    if let Some(name) = request.name {
        account.name = name;
    }
    if let Some(lastname) = request.lastname {
        account.lastname = lastname;
    }
    let body = profile(account);
    drop(db);
    ok(&call, body)
}

pub(crate) async fn change_password(mut call: Call) -> Reply {
    let request: PasswordChangeRequest = call.json().await?;
    check_lengths([("newPassword", Some(request.new_password.as_str()))])?;
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    if account.password != request.current_password {
        return Err(ApiError::bad_request("Current password is incorrect"));
    }
    check_password_strength(&request.new_password)?;
    account.password = request.new_password;
    account.log("password_change", "Password changed", call.source());
    drop(db);
    ok(&call, message("Password updated"))
}

pub(crate) async fn preferences(call: Call) -> Reply {
    let account = call.account()?;
    let db = call.state.db();
    let account = &db.accounts[account];
    let body = Preferences { language: account.language.clone(), country: account.country.clone() };
    drop(db);
    ok(&call, body)
}

pub(crate) async fn update_preferences(mut call: Call) -> Reply {
    let request: Preferences = call.json().await?;
    if request.language.as_deref().is_some_and(|l| l.trim().is_empty())
        || request.country.as_deref().is_some_and(|c| c.trim().is_empty())
    {
        return Err(ApiError::bad_request("Language and country must not be empty"));
    }
    check_lengths([("language", request.language.as_deref()), ("country", request.country.as_deref())])?;
    let account = call.account()?;
    let mut db = call.state.db();
    let account = &mut db.accounts[account];
    if request.language.is_some() {
        account.language = request.language;
    }
    if request.country.is_some() {
        account.country = request.country;
    }
    let body = Preferences { language: account.language.clone(), country: account.country.clone() };
    drop(db);
    ok(&call, body)
}

// ------------------------------------------------------------------ clusters and plans

pub(crate) async fn clusters(call: Call) -> Reply {
    let account = call.account()?;
    let plan = call.state.db().accounts[account].plan;
    let body: Vec<_> = allowed_clusters(plan).into_iter().map(cluster_body).collect();
    ok(&call, body)
}

pub(crate) async fn cluster_gateways(call: Call) -> Reply {
    // The route documents no 400: a query that does not decode names no cluster.
    let cl = call.cluster_query().unwrap_or(None);
    let account = call.account()?;
    let plan = call.state.db().accounts[account].plan;
    let id = cl.unwrap_or_else(|| DEFAULT_CLUSTER.to_owned());
    let info = allowed_cluster(plan, &id)?;
    ok(&call, ClusterGateways { cluster_id: Some(info.id.to_owned()), gateways: gateways(info) })
}

pub(crate) async fn plans(call: Call) -> Reply {
    ok(&call, all_plans())
}

pub(crate) async fn user_plan(call: Call) -> Reply {
    let account = call.account()?;
    let plan = call.state.db().accounts[account].plan;
    ok(&call, plan.body())
}

pub(crate) async fn my_plan(call: Call) -> Reply {
    let account = call.account()?;
    let plan = call.state.db().accounts[account].plan;
    let body = MyPlan {
        current_plan: Some(plan.body()),
        plan_default: Some(Plan::Free.body()),
        plan_fallback: Some(Plan::Free.body()),
        plan_expiry: None,
        is_early_bird: Some(false),
        is_user_default: Some(plan == Plan::Free),
    };
    ok(&call, body)
}

pub(crate) async fn change_plan(mut call: Call) -> Reply {
    let request: PlanChangeRequest = call.json().await?;
    // The backend reference answers 400 for a planId that does not exist.
    let plan = Plan::find(&request.plan_id).ok_or_else(|| ApiError::bad_request("Plan not found"))?;
    let account = call.account()?;
    let mut db = call.state.db();
    db.accounts[account].plan = plan;
    db.accounts[account].log("plan_change", format!("Plan changed to {}", plan.code()), call.source());
    drop(db);
    ok(&call, json!({ "success": true, "message": "Plan changed", "plan": plan.body() }))
}

pub(crate) async fn referrals(call: Call) -> Reply {
    call.account()?;
    ok(&call, ReferralsResponse { referred_users: Vec::new() })
}

// ------------------------------------------------------------------ activity log

#[derive(Deserialize)]
struct LogsQuery {
    page: Option<u64>,
    limit: Option<u64>,
    #[serde(rename = "type")]
    kind: Option<String>,
    action: Option<String>,
    source: Option<String>,
}

pub(crate) async fn logs(call: Call) -> Reply {
    let query: LogsQuery = call.query()?;
    let page = query.page.unwrap_or(1);
    let limit = query.limit.unwrap_or(20);
    if page == 0 || limit == 0 || limit > 100 {
        return Err(ApiError::bad_request("page must be at least 1 and limit between 1 and 100"));
    }
    if query.kind.as_deref().is_some_and(|k| !["INFO", "WARNING", "CRITICAL"].contains(&k)) {
        return Err(ApiError::bad_request("type must be INFO, WARNING or CRITICAL"));
    }
    let account = call.account()?;
    let db = call.state.db();
    let account = &db.accounts[account];
    let matching: Vec<_> = account
        .logs
        .iter()
        .rev()
        .filter(|l| query.kind.as_deref().is_none_or(|k| l.kind == k))
        .filter(|l| query.action.as_deref().is_none_or(|a| l.action == a))
        .filter(|l| query.source.as_deref().is_none_or(|s| l.source == s))
        .collect();
    let total = matching.len() as u64;
    let logs = matching
        .into_iter()
        .skip(usize::try_from((page - 1).saturating_mul(limit)).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|l| LogEntry {
            user_id: Some(account.id.clone()),
            user_email: Some(account.email.clone()),
            action: Some(l.action.clone()),
            details: Some(l.details.clone()),
            ip: Some("127.0.0.1".to_owned()),
            type_: Some(l.kind.to_owned()),
            source: Some(l.source.to_owned()),
            created_at: Some(l.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        })
        .collect();
    drop(db);
    ok(&call, LogList { logs, total: Some(total), total_pages: Some(total.div_ceil(limit)) })
}
