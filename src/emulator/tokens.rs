//! Placeholder handlers; replaced operation by operation.

use super::errors::ApiError;
use super::request::{Call, Reply};

pub(crate) async fn generate(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn list(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn revoke(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}
