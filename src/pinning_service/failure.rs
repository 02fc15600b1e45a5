//! Error answers in the Pinning Service API's shape (`{"error": {"reason", "details"}}`), and
//! how Pinarkive's errors become them.

use std::time::Duration;

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};

use super::psa;
use crate::error::Error;
use crate::spec::OperationId;
use crate::ErrorCode;

/// An error answer.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) status: StatusCode,
    pub(crate) reason: &'static str,
    pub(crate) details: String,
    /// Whole seconds for `Retry-After`, on a 429 or 503.
    pub(crate) retry_after: Option<u64>,
}

impl Failure {
    pub(crate) fn new(status: StatusCode, reason: &'static str, details: impl Into<String>) -> Failure {
        Failure { status, reason, details: details.into(), retry_after: None }
    }

    pub(crate) fn bad_request(details: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", details)
    }

    pub(crate) fn unauthorized(details: impl Into<String>) -> Failure {
        Failure::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", details)
    }

    pub(crate) fn not_found(details: impl Into<String>) -> Failure {
        Failure::new(StatusCode::NOT_FOUND, "NOT_FOUND", details)
    }

    /// Pinarkive's answer to `operation` (or the failure to get one), as this API's error. The
    /// client has already retried what may pass (429 within its `Retry-After` cap, 503, lost
    /// connections), and has taken the key out of every text it carries.
    pub(crate) fn upstream(operation: OperationId, error: Error) -> Failure {
        let Some(api) = error.api() else {
            return match &error {
                Error::Timeout { .. } => Failure::new(
                    StatusCode::GATEWAY_TIMEOUT,
                    "PINARKIVE_TIMEOUT",
                    pinarkive_said(operation, &error),
                ),
                Error::InvalidInput(_) => Failure::bad_request(error.to_string()),
                _ => Failure::new(
                    StatusCode::BAD_GATEWAY,
                    "PINARKIVE_UNAVAILABLE",
                    pinarkive_said(operation, &error),
                ),
            };
        };
        let said = pinarkive_said(operation, &error);
        let mut failure = match api.status.as_u16() {
            401 => Failure::unauthorized(format!(
                "the access token is not a Pinarkive API key it accepts; {said}"
            )),
            403 if api.code == Some(ErrorCode::MissingScope) => {
                let scope = api
                    .required_scope
                    .clone()
                    .or_else(|| operation.scope().map(|scope| scope.to_string()))
                    .unwrap_or_else(|| "(not named)".to_owned());
                Failure::new(
                    StatusCode::FORBIDDEN,
                    "MISSING_SCOPE",
                    format!(
                        "the Pinarkive API key lacks the scope {scope}, which {} needs; create a key with it (the bridge uses {}); {said}",
                        operation.as_str(),
                        super::scopes_used()
                    ),
                )
            }
            403 => Failure::new(StatusCode::FORBIDDEN, "FORBIDDEN", said),
            404 => Failure::not_found(said),
            400 => Failure::bad_request(said),
            429 => Failure::new(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", said),
            // How the bridge asked (method, media type, length), not what the caller sent: the
            // bridge's fault, or Pinarkive's.
            405 | 406 | 408 | 411 | 414 | 415 | 426 => {
                Failure::new(StatusCode::BAD_GATEWAY, "PINARKIVE_ERROR", said)
            }
            // Passed through, another 4xx would mean what the PSA gives it (409 is its
            // INSUFFICIENT_FUNDS); Pinarkive's status is in `details`.
            402..=499 => Failure::new(StatusCode::BAD_REQUEST, "PINARKIVE_REFUSED", said),
            503 => Failure::new(StatusCode::SERVICE_UNAVAILABLE, "PINARKIVE_UNAVAILABLE", said),
            _ => Failure::new(StatusCode::BAD_GATEWAY, "PINARKIVE_ERROR", said),
        };
        if matches!(failure.status.as_u16(), 429 | 503) {
            // A client that cannot read the reason still waits: 1 s at least.
            failure.retry_after = Some(api.retry_after.map_or(1, |wait| whole_seconds(wait).max(1)));
        }
        failure
    }
}

fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

fn pinarkive_said(operation: OperationId, error: &Error) -> String {
    format!("Pinarkive's answer to {}: {error}", operation.as_str())
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = psa::Failure {
            error: psa::FailureReason { reason: self.reason.to_owned(), details: Some(self.details) },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
