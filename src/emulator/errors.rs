//! The API's one error body (`types::ErrorBody`) with the status and codes the docs give.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::spec::{ErrorCode, Scope};
use crate::types::ErrorBody;

/// An error answer: a status, the spec's error body and any extra headers.
///
/// The body is boxed so that every `Result<_, ApiError>` stays small.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) body: Box<ErrorBody>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    /// An error whose `error` is the status's reason phrase.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        let body = Box::new(ErrorBody {
            error: Some(status.canonical_reason().unwrap_or("Error").to_owned()),
            message: Some(message.into()),
            ..ErrorBody::default()
        });
        ApiError { status, body, headers: Vec::new() }
    }

    pub(crate) fn with_code(mut self, code: ErrorCode) -> ApiError {
        self.body.code = Some(code.as_str().to_owned());
        self
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401 for a missing, unknown or expired key or token (the docs' `INVALID_API_KEY`).
    pub(crate) fn invalid_api_key() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "Invalid or missing API key")
            .with_code(ErrorCode::InvalidApiKey)
    }

    /// 401 for wrong login credentials; no code, as the documented codes are about keys.
    pub(crate) fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 400 `2fa_invalid`: a TOTP code that is not the current one.
    pub(crate) fn invalid_2fa_code() -> ApiError {
        ApiError::bad_request("Invalid 2FA code").with_code(ErrorCode::TwoFactorInvalid)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, message)
    }

    /// 403 `missing_scope`, worded as the backend reference words it.
    pub(crate) fn missing_scope(scope: Scope) -> ApiError {
        let mut error =
            ApiError::forbidden(format!("Missing scope: {scope}")).with_code(ErrorCode::MissingScope);
        error.body.required = Some(scope.as_str().to_owned());
        error
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    pub(crate) fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, message)
    }

    /// 413 `FILE_TOO_LARGE`: the request body passed the upload limit.
    pub(crate) fn file_too_large(limit: u64) -> ApiError {
        let message = format!("File too large: a request body may be at most {limit} bytes");
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, message).with_code(ErrorCode::FileTooLarge)
    }

    pub(crate) fn header(mut self, name: &'static str, value: impl ToString) -> ApiError {
        if let Ok(value) = HeaderValue::from_str(&value.to_string()) {
            self.headers.push((HeaderName::from_static(name), value));
        }
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        response.headers_mut().extend(self.headers);
        response
    }
}

/// The JSON 404 for paths and methods that are no operation of the spec.
pub(crate) fn unknown_route() -> Response {
    ApiError::not_found("Route not found").into_response()
}
