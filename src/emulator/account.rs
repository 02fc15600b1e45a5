//! Placeholder handlers; replaced operation by operation.

use super::errors::ApiError;
use serde_json::json;

use super::catalog::allowed_clusters;
use super::request::{ok, Call, Reply};
use super::state::Account;
use super::Plan;
use crate::types::UserProfile;

pub(crate) async fn me(call: Call) -> Reply {
    let account = call.account()?;
    let profile = profile(&call.state.db().accounts[account]);
    ok(&call, profile)
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

pub(crate) async fn update_me(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn change_password(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn preferences(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn update_preferences(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn clusters(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn plans(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn user_plan(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn my_plan(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn change_plan(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn referrals(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn logs(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn cluster_gateways(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn login(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn signup(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn verify_email(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn resend_verification(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn logout(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn forgot_password(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn reset_password(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn two_factor_status(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn two_factor_setup(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn two_factor_enable(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn two_factor_disable(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn two_factor_verify_login(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}
