//! CORS, as the backend's Express app answers browsers: the emulator's, and the pinning-service
//! bridge's (so that a web page, such as Helia in a browser, can call it; it needs the caller's
//! key in `Authorization` all the same, which no other page has, so any origin may be allowed).
//!
//! The backend reference lists a `CORS_ORIGINS` setting (API.md, "Variables de entorno"), so the
//! app runs the `cors` middleware, which by the usual setup (`app.use(cors(...))` before the
//! routers) answers every `OPTIONS` request itself, on any path, before routing: 204 with an
//! empty body, `Access-Control-Allow-Methods` (its default list), the requested headers allowed
//! back (`Access-Control-Request-Headers` reflected, its default), and for an allowed origin the
//! origin echoed with `Vary: Origin`. Every other answer gets the echoed origin too. Checked
//! against Express 4.22 with cors 2.8: with cors mounted that way no `OPTIONS` request reaches
//! Express's own automatic answer (200 with `Allow`).
//!
//! Readings where the reference is silent: every origin is allowed (the emulator serves local
//! development, whose origin no list could know); no credentials or max-age are sent (cors's
//! defaults); and `Retry-After` and `X-RateLimit-*` are exposed to scripts, as the docs tell
//! clients to read them after a 429. Whether the backend exposes them is not documented, so a
//! browser client should fall back on the body's `retryAfter`, as the docs' own example does.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The `cors` middleware's default `methods`.
const ALLOWED_METHODS: &str = "GET,HEAD,PUT,PATCH,POST,DELETE";
/// The headers the docs tell clients to read after a 429.
const EXPOSED_HEADERS: &str = "Retry-After,X-RateLimit-Limit,X-RateLimit-Remaining,X-RateLimit-Reset";

/// The answer to every `OPTIONS` request: the preflight answer (the origin is added by
/// [`allow_origin`], as on every answer).
pub(crate) fn preflight(request: &HeaderMap) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOWED_METHODS));
    if let Some(requested) = request.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
    }
    headers.append(header::VARY, HeaderValue::from_static("Access-Control-Request-Headers"));
    response
}

/// Adds what every answer carries for a cross-origin client: the request's `Origin` echoed (any
/// origin is allowed) with the exposed headers, and `Vary: Origin` for caches either way.
pub(crate) fn allow_origin(origin: Option<HeaderValue>, response: &mut Response) {
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED_HEADERS));
    }
}
