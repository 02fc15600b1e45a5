//! Placeholder handlers; replaced operation by operation.

use super::errors::ApiError;
use super::request::{Call, Reply};

pub(crate) async fn upload(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn directory_upload(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn directory_dag_upload(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn pin(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn remove(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn rename(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn uploads_list(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn uploads_delete(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn dag_get(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn status(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}

pub(crate) async fn allocations(call: Call) -> Reply {
    Err(ApiError::not_implemented(call.op.id))
}
