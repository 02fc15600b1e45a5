//! Error shapes, field by field, for generated and hand-written calls alike.

use std::time::Duration;

use httpmock::{Method, MockServer};
use pinarkive::{Error, ErrorCode, RateLimit};
use serde_json::json;

use crate::support::{self, Auth};

/// Answers `GET /users/me` once with `status`, `headers` and `body`, and returns the error.
async fn error_for(status: u16, headers: &[(&str, &str)], body: &str) -> Error {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(Method::GET).path("/users/me");
            let mut then = then.status(status).body(body);
            for (name, value) in headers {
                then = then.header(*name, *value);
            }
        })
        .await;
    let client = support::client(&server, Auth::ApiKey);
    let error = client.users_me_get().send().await.expect_err("an error status");
    mock.assert_calls_async(1).await;
    error
}

fn assert_rate_limit(
    rate_limit: &RateLimit,
    limit: Option<u64>,
    remaining: Option<u64>,
    reset: Option<&str>,
) {
    assert_eq!(rate_limit.limit, limit);
    assert_eq!(rate_limit.remaining, remaining);
    assert_eq!(rate_limit.reset.as_deref(), reset);
}

const JSON: (&str, &str) = ("content-type", "application/json");

fn api(error: &Error) -> &pinarkive::ApiError {
    error.api().unwrap_or_else(|| panic!("expected an API error, got {error:?}"))
}

#[tokio::test]
async fn unauthorized_invalid_api_key() {
    let body =
        json!({"error": "Unauthorized", "message": "Invalid or expired API key", "code": "INVALID_API_KEY"});
    let error = error_for(401, &[JSON], &body.to_string()).await;
    let api = api(&error);
    assert_eq!(api.status, 401);
    assert_eq!(api.code, Some(ErrorCode::InvalidApiKey));
    assert_eq!(api.error.as_deref(), Some("Unauthorized"));
    assert_eq!(api.message.as_deref(), Some("Invalid or expired API key"));
    assert_eq!(api.required_scope, None);
    assert_eq!(api.retry_after, None);
    assert_eq!(api.body, body.to_string().as_bytes());
    assert!(!error.is_retryable());
    insta::assert_snapshot!(error.to_string(), @"HTTP 401 Unauthorized [INVALID_API_KEY]: Invalid or expired API key");
}

#[tokio::test]
async fn forbidden_missing_scope_names_the_scope() {
    let body = json!({"error": "Forbidden", "message": "Missing scope: files:write", "code": "missing_scope", "required": "files:write"});
    let error = error_for(403, &[JSON], &body.to_string()).await;
    let api = api(&error);
    assert_eq!(api.status, 403);
    assert_eq!(api.code, Some(ErrorCode::MissingScope));
    assert_eq!(api.required_scope.as_deref(), Some("files:write"));
    assert_eq!(error.code(), Some(&ErrorCode::MissingScope));
    insta::assert_snapshot!(error.to_string(), @"HTTP 403 Forbidden [missing_scope]: Missing scope: files:write (the API key needs scope files:write)");
}

#[tokio::test]
async fn not_found_and_conflict() {
    let error = error_for(404, &[JSON], r#"{"error":"Not found","message":"Upload not found"}"#).await;
    assert_eq!(api(&error).status, 404);
    assert_eq!(api(&error).code, None);
    insta::assert_snapshot!(error.to_string(), @"HTTP 404 Not Found: Upload not found");

    let error =
        error_for(409, &[JSON], r#"{"error":"Conflict","message":"Token name already exists"}"#).await;
    assert_eq!(api(&error).status, 409);
    assert_eq!(api(&error).message.as_deref(), Some("Token name already exists"));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn unknown_codes_are_kept() {
    let error = error_for(403, &[JSON], r#"{"error":"Forbidden","code":"plan_limit"}"#).await;
    assert_eq!(api(&error).code, Some(ErrorCode::Other("plan_limit".into())));
    insta::assert_snapshot!(error.to_string(), @"HTTP 403 Forbidden [plan_limit]: Forbidden");
}

#[tokio::test]
async fn rate_limited_with_retry_after_only_in_the_header() {
    let headers = [JSON, ("retry-after", "7"), ("x-ratelimit-limit", "100"), ("x-ratelimit-remaining", "0")];
    let error =
        error_for(429, &headers, r#"{"error":"Too Many Requests","message":"Rate limit exceeded"}"#).await;
    let api = api(&error);
    assert_eq!(api.status, 429);
    assert_eq!(api.retry_after, Some(Duration::from_secs(7)));
    assert_rate_limit(&api.rate_limit, Some(100), Some(0), None);
    assert!(error.is_retryable());
    insta::assert_snapshot!(error.to_string(), @"HTTP 429 Too Many Requests: Rate limit exceeded (retry after 7s)");
}

#[tokio::test]
async fn rate_limited_with_retry_after_only_in_the_body() {
    let body = json!({"error": "Too Many Requests", "message": "Rate limit exceeded", "code": "RATE_LIMIT",
        "retryAfter": 60, "limit": 100, "remaining": 0, "resetTime": "2026-03-09T17:00:00.000Z"});
    let error = error_for(429, &[JSON], &body.to_string()).await;
    let api = api(&error);
    assert_eq!(api.code, Some(ErrorCode::RateLimit));
    assert_eq!(api.retry_after, Some(Duration::from_secs(60)));
    assert_rate_limit(&api.rate_limit, Some(100), Some(0), Some("2026-03-09T17:00:00.000Z"));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(60)));
}

#[tokio::test]
async fn rate_limited_with_retry_after_in_both_prefers_the_header() {
    let error = error_for(429, &[JSON, ("retry-after", "3")], r#"{"retryAfter": 60}"#).await;
    assert_eq!(api(&error).retry_after, Some(Duration::from_secs(3)));
}

#[tokio::test]
async fn server_errors() {
    let error =
        error_for(500, &[JSON], r#"{"error":"Internal Server Error","message":"IPFS add failed"}"#).await;
    assert_eq!(api(&error).status, 500);
    assert!(!error.is_retryable());
    let error =
        error_for(503, &[JSON], r#"{"error":"Service Unavailable","message":"Cluster unreachable"}"#).await;
    assert_eq!(api(&error).status, 503);
    assert!(error.is_retryable());
}

#[tokio::test]
async fn html_from_a_proxy_keeps_status_and_bytes() {
    let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let error = error_for(502, &[("content-type", "text/html")], html).await;
    match &error {
        Error::Decode { status, body, length, reason } => {
            assert_eq!(*status, Some(reqwest::StatusCode::BAD_GATEWAY));
            assert_eq!(body, html.as_bytes());
            assert_eq!(*length, html.len() as u64);
            assert!(reason.contains("text/html"), "{reason}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert_eq!(error.status(), Some(reqwest::StatusCode::BAD_GATEWAY));
    assert!(error.is_retryable());
    insta::assert_snapshot!(error.to_string(), @r#"undecodable response (HTTP 502 Bad Gateway): error body is not a JSON object (content-type: text/html); body starts "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>""#);

    // 503 is a documented status of some operations: the generated code must not lose it either.
    let error = error_for(503, &[("content-type", "text/html")], "<h1>Service Unavailable</h1>").await;
    assert_eq!(error.status(), Some(reqwest::StatusCode::SERVICE_UNAVAILABLE));
    assert!(matches!(error, Error::Decode { .. }));
}

#[tokio::test]
async fn empty_and_truncated_bodies() {
    let error = error_for(500, &[], "").await;
    assert!(
        matches!(&error, Error::Decode { status: Some(s), body, .. } if *s == 500 && body.is_empty()),
        "{error:?}"
    );
    insta::assert_snapshot!(error.to_string(), @"undecodable response (HTTP 500 Internal Server Error): error body is not a JSON object (content-type: none); body is empty");

    let error = error_for(200, &[JSON], "").await;
    assert!(matches!(&error, Error::Decode { status: Some(s), .. } if *s == 200), "{error:?}");

    let truncated = r#"{"email":"a@b.c","na"#;
    let error = error_for(200, &[JSON], truncated).await;
    match &error {
        Error::Decode { status, body, reason, .. } => {
            assert_eq!(*status, Some(reqwest::StatusCode::OK));
            assert_eq!(body, truncated.as_bytes());
            assert!(reason.starts_with("invalid JSON"), "{reason}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    // Bind and drop a listener to get a loopback port where nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = pinarkive::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .api_key(support::KEY)
        .retry_policy(pinarkive::RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.users_me_get().send().await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)) && !error.is_timeout(), "{error:?}");
    assert!(error.is_retryable());
    assert!(error.to_string().starts_with("request failed: "), "{error}");
}

#[tokio::test]
async fn uploads_report_errors_the_same_way() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(Method::POST).path("/files");
            then.status(413).header("content-type", "application/json").json_body(
                json!({"error": "Payload Too Large", "message": "File exceeds plan limit", "code": "FILE_TOO_LARGE"}),
            );
        })
        .await;
    let client = support::client(&server, Auth::ApiKey);
    let error = client.upload("big.bin", vec![0u8; 16]).send().await.unwrap_err();
    assert_eq!(api(&error).status, 413);
    assert_eq!(api(&error).code, Some(ErrorCode::FileTooLarge));
    insta::assert_snapshot!(error.to_string(), @"HTTP 413 Payload Too Large [FILE_TOO_LARGE]: File exceeds plan limit");
}
