//! Every operation of the spec is served, and bad input never gets a 5xx.

use pinarkive::OperationId;

use crate::support::{self, http, send, url, ADMIN};

/// A request for `op` with its path parameters filled in and the admin key.
fn request(emu: &pinarkive::emulator::Emulator, op: OperationId) -> reqwest::RequestBuilder {
    let path = op.path().replace("{cid}", "bafkqaaa").replace("{cidDag}", "bafkqaaa");
    let path = path.replace("{uploadId}", "nope").replace("{name}", "nope");
    let method = reqwest::Method::from_bytes(op.method().as_bytes()).unwrap();
    http().request(method, url(emu, &path)).header("x-api-key", ADMIN)
}

#[tokio::test]
async fn every_operation_in_the_spec_is_served_with_a_documented_status() {
    let emu = support::start().await;
    assert_eq!(OperationId::ALL.len(), 49);
    for op in OperationId::ALL.iter().copied() {
        // `send` fails on a status the operation does not list, which a route 404 is not. (A
        // handler for every operation is the compiler's business: the router matches them all.)
        let reply = send(op.as_str(), request(&emu, op)).await;
        if reply.status == 404 {
            assert_ne!(reply.json()["message"], "Route not found", "{op} is not routed");
        }
    }
}

#[tokio::test]
async fn a_malformed_or_mistyped_json_body_is_400_with_the_error_body() {
    let emu = support::start().await;
    let json_ops = OperationId::ALL.iter().copied().filter(|op| {
        matches!(op.method(), "POST" | "PUT" | "DELETE") && !op.handwritten() && op.as_str() != "auth_logout"
    });
    for op in json_ops {
        for (content_type, body) in
            [("application/json", "{not json"), ("application/json", "[1,2]"), ("text/plain", "{}")]
        {
            let reply =
                send(op.as_str(), request(&emu, op).header("content-type", content_type).body(body)).await;
            // Routes without a body, or that only take an optional one, may also refuse on other
            // grounds (404 for an unknown token or upload), but never with a 5xx.
            assert!(reply.status < 500, "{} {content_type} {body}: {}", op.as_str(), reply.status);
            if op.as_str() != "auth_2fa_setup" && reply.status != 404 {
                assert_eq!(reply.status, 400, "{} {content_type} {body}", op.as_str());
                assert_eq!(reply.json()["error"], "Bad Request");
            }
        }
    }
}

#[tokio::test]
async fn a_body_that_does_not_decode_is_described_without_echoing_it() {
    let emu = support::start().await;
    let reply = send(
        "auth_login",
        http()
            .post(url(&emu, "/auth/login"))
            .json(&serde_json::json!({ "email": "a@b", "password": 12345678901_u64 })),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert!(!String::from_utf8_lossy(&reply.body).contains("12345678901"));
    let missing = send(
        "auth_login",
        http().post(url(&emu, "/auth/login")).json(&serde_json::json!({ "email": "a@b" })),
    );
    assert_eq!(missing.await.json()["message"], "Missing required field: password");
}

#[tokio::test]
async fn unknown_routes_and_methods_get_a_json_404() {
    let emu = support::start().await;
    for (method, path) in
        [("GET", "/nope"), ("DELETE", "/health"), ("PATCH", "/users/me"), ("GET", "/files/pin/x/y")]
    {
        let response = http()
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url(&emu, path))
            .header("x-api-key", ADMIN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{method} {path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "Not Found");
        assert!(pinarkive_contract::conformance::Conformance::embedded()
            .check_error_body(body.to_string().as_bytes())
            .is_ok());
    }
    let outside = http().get(format!("http://{}/elsewhere", emu.addr())).send().await.unwrap();
    assert_eq!(outside.status(), 404);
}

#[tokio::test]
async fn docs_openapi_json_is_the_spec() {
    let emu = support::start().await;
    let reply = send("docs_openapi_get", http().get(url(&emu, "/docs/openapi.json"))).await;
    assert_eq!(&reply.json(), pinarkive_contract::conformance::Conformance::embedded().document());
}

#[tokio::test]
async fn public_routes_answer_without_a_key() {
    let emu = support::start().await;
    for op in OperationId::ALL.iter().copied().filter(|op| !op.authenticated() && op.method() == "GET") {
        let reply = send(op.as_str(), http().get(url(&emu, op.path()))).await;
        assert_eq!(reply.status, 200, "{}", op.as_str());
    }
    let root = http().get(emu.base_url()).send().await.unwrap();
    assert_eq!(root.status(), 200);
}

#[tokio::test]
async fn shutdown_stops_the_server_and_drop_does_too() {
    let emu = support::start().await;
    let addr = emu.addr();
    // A client holding an idle keep-alive connection does not hold the shutdown up.
    let client = http();
    client.get(url(&emu, "/health")).send().await.unwrap().bytes().await.unwrap();
    let started = std::time::Instant::now();
    emu.shutdown().await;
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "shutdown took {:?}", started.elapsed());
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    drop(client);

    let emu = support::start().await;
    let addr = emu.addr();
    drop(emu);
    // The aborted task lets go of its listener the next time the runtime gets to it.
    let mut closed = false;
    for _ in 0..100 {
        tokio::task::yield_now().await;
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            closed = true;
            break;
        }
    }
    assert!(closed, "the listener outlived the emulator");
}

#[tokio::test]
async fn into_router_serves_the_same_api_on_a_listener_of_your_own() {
    let router = support::builder().into_router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let base = format!("http://{addr}/api/v3");
    let reply = send("users_me_get", http().get(format!("{base}/users/me")).header("x-api-key", ADMIN)).await;
    assert_eq!(reply.status, 200);
    server.abort();
}
