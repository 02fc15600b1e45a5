//! Answers the backend's Express middleware gives before or around its routes: CORS and
//! `OPTIONS` (the `cors` middleware), JSON bodies (`express.json()`, body-parser 1.x), path
//! parameters that do not decode, and the deprecated API versions.

use std::time::Duration;

use pinarkive::emulator::{Clock, Emulator, MAX_JSON_BODY_BYTES};
use serde_json::json;

use crate::support::{self, error_body, fetch, http, send, url, RawConnection, ADMIN};

#[tokio::test]
async fn a_browser_preflight_gets_the_cors_answer_on_any_path() {
    let emu = support::start().await;
    for path in ["/users/me", "/files/", "/FILES/pin/QmX", "/no/such/route"] {
        let reply = fetch(
            http()
                .request(reqwest::Method::OPTIONS, url(&emu, path))
                .header("origin", "http://localhost:5173")
                .header("access-control-request-method", "PUT")
                .header(
                    "access-control-request-headers",
                    "authorization,x-api-key,x-request-source,x-cluster,content-type",
                ),
        )
        .await;
        assert_eq!(reply.status, 204, "{path}");
        assert!(reply.body.is_empty(), "{path}");
        assert_eq!(reply.header("access-control-allow-origin"), Some("http://localhost:5173"), "{path}");
        assert_eq!(reply.header("access-control-allow-methods"), Some("GET,HEAD,PUT,PATCH,POST,DELETE"));
        assert_eq!(
            reply.header("access-control-allow-headers"),
            Some("authorization,x-api-key,x-request-source,x-cluster,content-type")
        );
        let vary: Vec<&str> = reply.headers.get_all("vary").iter().filter_map(|v| v.to_str().ok()).collect();
        assert!(vary.contains(&"Origin") && vary.contains(&"Access-Control-Request-Headers"), "{vary:?}");
    }
    // Without an Origin it is still the middleware's answer, without the origin.
    let plain = fetch(http().request(reqwest::Method::OPTIONS, url(&emu, "/users/me"))).await;
    assert_eq!(plain.status, 204);
    assert_eq!(plain.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn a_cross_origin_request_gets_the_origin_back_and_may_read_the_rate_limit_headers() {
    let emu = Emulator::builder()
        .api_key(ADMIN, ["*"])
        .rate_limit(1, 100)
        .clock(Clock::manual())
        .start()
        .await
        .unwrap();
    let get = || {
        send(
            "users_me_get",
            http().get(url(&emu, "/users/me")).bearer_auth(ADMIN).header("origin", "https://app.example"),
        )
    };
    let ok = get().await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("access-control-allow-origin"), Some("https://app.example"));
    let limited = get().await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("access-control-allow-origin"), Some("https://app.example"));
    let exposed = limited.header("access-control-expose-headers").unwrap().to_ascii_lowercase();
    for header in ["retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"] {
        assert!(exposed.split(',').any(|h| h.trim() == header), "{header} not in {exposed}");
    }
    // Errors before routing carry it too; a request without an Origin gets none.
    let unknown = fetch(http().get(url(&emu, "/nowhere")).header("origin", "https://app.example")).await;
    assert_eq!(
        (unknown.status, unknown.header("access-control-allow-origin")),
        (404, Some("https://app.example"))
    );
    let same_origin = send("health_get", http().get(url(&emu, "/health"))).await;
    assert_eq!(same_origin.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn the_deprecated_api_versions_are_410_naming_the_current_base() {
    let emu = support::start().await;
    let root = format!("http://{}", emu.addr());
    for path in ["/api/v1", "/api/v2/files", "/API/V1/users/me", "/api/v2/"] {
        let reply = fetch(http().post(format!("{root}{path}")).header("x-api-key", ADMIN)).await;
        assert_eq!(reply.status, 410, "{path}");
        let body = reply.json();
        assert_eq!(body["error"], "api_version_deprecated", "{path}");
        assert_eq!(body["currentApiBase"], "/api/v3", "{path}");
        error_body(&reply);
    }
    assert_eq!(fetch(http().get(format!("{root}/api/v10"))).await.status, 404);
}

#[tokio::test]
async fn a_path_parameter_that_does_not_decode_is_400_before_authentication() {
    let emu = support::start().await;
    for (method, path, raw_param) in [
        (reqwest::Method::DELETE, "/files/remove/%zz", "%zz"),
        (reqwest::Method::GET, "/users/me/uploads/dag/%ff", "%ff"),
        (reqwest::Method::GET, "/status/bafy%E0%A4", "bafy%E0%A4"),
        (reqwest::Method::DELETE, "/tokens/revoke/a%", "a%"),
    ] {
        // No credential: the parameter is decoded when the route matches, before its middleware.
        let reply = fetch(http().request(method, url(&emu, path))).await;
        assert_eq!(reply.status, 400, "{path}");
        assert_eq!(reply.json()["message"], format!("Failed to decode param '{raw_param}'"), "{path}");
        error_body(&reply);
    }
    // Well-formed escapes decode as before.
    let reply = send(
        "tokens_revoke",
        http().delete(url(&emu, "/tokens/revoke/no%20such%20token")).header("x-api-key", ADMIN),
    )
    .await;
    assert_eq!(reply.status, 404);
    assert!(reply.json()["message"].as_str().unwrap().contains("no such token"));
    // A long one is quoted cut short.
    let long = "%zz".repeat(1000);
    let reply = fetch(http().delete(url(&emu, &format!("/files/remove/{long}")))).await;
    assert_eq!(reply.status, 400);
    assert!(reply.json()["message"].as_str().unwrap().len() < 400);
}

/// `PUT /users/me` with `name` padded by spaces to exactly `size` bytes of JSON.
fn profile_of_size(size: usize) -> Vec<u8> {
    let mut body = br#"{"name":"Ada"}"#.to_vec();
    body.splice(1..1, std::iter::repeat_n(b' ', size - body.len()));
    assert_eq!(body.len(), size);
    body
}

#[tokio::test]
async fn a_json_body_over_100_kb_is_413_and_at_the_limit_is_read() {
    let emu = support::start().await;
    let put = |body: Vec<u8>| {
        fetch(
            http()
                .put(url(&emu, "/users/me"))
                .header("x-api-key", ADMIN)
                .header("content-type", "application/json")
                .body(body),
        )
    };
    let at_limit = put(profile_of_size(MAX_JSON_BODY_BYTES)).await;
    assert_eq!(at_limit.status, 200);
    assert_eq!(at_limit.json()["name"], "Ada");
    let over = put(profile_of_size(MAX_JSON_BODY_BYTES + 1)).await;
    assert_eq!(over.status, 413);
    assert_eq!(over.json()["error"], "Payload Too Large");
    let message = over.json()["message"].as_str().unwrap().to_owned();
    assert!(message.starts_with("request entity too large") && message.contains("102400"), "{message}");
    error_body(&over);
    // Read past and kept alive, as body-parser dumps the rest of the request.
    assert_eq!(over.header("connection"), None);
}

/// A declared length over the cap is refused without collecting the body, and (as body-parser
/// dumps the request before it answers) the body is read past, so the connection serves on.
#[tokio::test]
async fn a_json_body_declared_over_100_kb_is_413_and_the_connection_serves_on() {
    let emu = support::start().await;
    let mut connection = RawConnection::connect(&emu).await;
    let length = MAX_JSON_BODY_BYTES + 1;
    let mut request = format!(
        "PUT /api/v3/users/me HTTP/1.1\r\nHost: emulator\r\nX-API-Key: {ADMIN}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    )
    .into_bytes();
    request.resize(request.len() + length, b'{');
    connection.write_all(&request).await.unwrap();
    let response = connection.read_response().await.unwrap();
    assert_eq!(response.status, 413);
    assert!(response.json()["message"].as_str().unwrap().starts_with("request entity too large"));
    connection.write_all(b"GET /api/v3/health HTTP/1.1\r\nHost: emulator\r\n\r\n").await.unwrap();
    assert_eq!(connection.read_response().await.unwrap().status, 200);
}

#[tokio::test]
async fn a_json_body_in_another_charset_is_415_and_utf_8_in_any_spelling_is_read() {
    let emu = support::start().await;
    let put = |content_type: &'static str| {
        fetch(
            http()
                .put(url(&emu, "/users/me"))
                .header("x-api-key", ADMIN)
                .header("content-type", content_type)
                .body(json!({ "lastname": "Lovelace" }).to_string()),
        )
    };
    for content_type in [
        "application/json; charset=latin1",
        "application/json;charset=UTF-16",
        "application/json; charset=utf8",
    ] {
        let reply = put(content_type).await;
        assert_eq!(reply.status, 415, "{content_type}");
        assert_eq!(reply.json()["error"], "Unsupported Media Type");
        let charset = content_type.rsplit('=').next().unwrap().to_ascii_uppercase();
        let message = reply.json()["message"].as_str().unwrap().to_owned();
        assert!(message.starts_with(&format!("unsupported charset \"{charset}\"")), "{message}");
        error_body(&reply);
    }
    for content_type in
        ["application/json; charset=utf-8", "application/json; charset=\"UTF-8\"", "application/json"]
    {
        let reply = put(content_type).await;
        assert_eq!(reply.status, 200, "{content_type}");
        assert_eq!(reply.json()["lastname"], "Lovelace");
    }
}

#[tokio::test]
async fn an_upload_declared_past_the_limit_is_413_at_once_and_the_connection_closes() {
    let emu = support::builder().max_upload_bytes(1000).start().await.unwrap();
    let mut connection = RawConnection::connect(&emu).await;
    let head = format!(
        "POST /api/v3/files HTTP/1.1\r\nHost: emulator\r\nX-API-Key: {ADMIN}\r\n\
         Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 1001\r\n\r\n"
    );
    connection.write_all(head.as_bytes()).await.unwrap();
    let response =
        tokio::time::timeout(Duration::from_secs(10), connection.read_response()).await.unwrap().unwrap();
    assert_eq!(response.status, 413);
    assert_eq!(response.json()["code"], "FILE_TOO_LARGE");
    assert_eq!(response.header("connection"), Some("close"));
    assert!(connection.closed_within(Duration::from_secs(10)).await);
}
