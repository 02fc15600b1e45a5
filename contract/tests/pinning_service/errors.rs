//! Tokens, scopes, rate limits, bad requests and a server whose paging does not end, each
//! answered in the PSA's error shape.

use std::time::Duration;

use axum::routing::get;
use pinarkive::RetryPolicy;
use reqwest::Method;
use serde_json::json;

use crate::support::{self, new_cid, ADMIN, NO_WRITE};

/// Every route, as (method, document path, path).
fn routes(id: &str) -> Vec<(Method, &'static str, String)> {
    vec![
        (Method::GET, "/pins", "/pins".to_owned()),
        (Method::POST, "/pins", "/pins".to_owned()),
        (Method::GET, "/pins/{requestid}", format!("/pins/{id}")),
        (Method::POST, "/pins/{requestid}", format!("/pins/{id}")),
        (Method::DELETE, "/pins/{requestid}", format!("/pins/{id}")),
    ]
}

#[tokio::test]
async fn every_route_wants_a_bearer_token_pinarkive_accepts() {
    let setup = support::start().await;
    let id = setup.pin(None).await["requestid"].as_str().unwrap().to_owned();
    let body = json!({ "cid": new_cid() });
    for (method, template, path) in routes(&id) {
        let missing = setup.call(method.clone(), template, &path, None, Some(&body)).await;
        assert_eq!((missing.status, missing.reason().as_str()), (401, "UNAUTHORIZED"), "{method} {path}");
        assert!(missing.details().contains("Authorization: Bearer"), "{}", missing.details());
        let wrong_token = "pk_wrong_sekrit_123";
        let wrong = setup.call(method.clone(), template, &path, Some(wrong_token), Some(&body)).await;
        assert_eq!((wrong.status, wrong.reason().as_str()), (401, "UNAUTHORIZED"), "{method} {path}");
        assert!(!wrong.text().contains("sekrit"), "the token is echoed: {}", wrong.text());
    }
    // Another scheme, or an empty token, is no token.
    let client = reqwest::Client::new();
    for authorization in ["Basic cGluOnBpbg==", "Bearer ", "Bearer", ADMIN] {
        let reply = client
            .get(format!("{}/pins", setup.bridge.url()))
            .header("authorization", authorization)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 401, "{authorization}");
    }
    // The scheme is case-insensitive (RFC 9110).
    let reply = client
        .get(format!("{}/pins", setup.bridge.url()))
        .header("authorization", format!("bearer {ADMIN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
}

#[tokio::test]
async fn a_key_without_files_write_gets_403_naming_the_scope_and_another_key_is_not_borrowed() {
    let setup = support::start().await;
    setup.pin(None).await; // the bridge has served ADMIN; NO_WRITE must not ride on it
    let refused = setup.add(NO_WRITE, json!({ "cid": new_cid() })).await;
    assert_eq!((refused.status, refused.reason().as_str()), (403, "MISSING_SCOPE"), "{}", refused.text());
    assert!(refused.details().contains("lacks the scope files:write"), "{}", refused.details());
    assert!(!refused.text().contains(NO_WRITE) && !refused.text().contains(ADMIN));
    // It can still read.
    assert_eq!(setup.list(NO_WRITE, "").await.json()["count"], 1);
}

#[tokio::test]
async fn pinarkives_429_passes_through_with_retry_after() {
    let emulator = support::emulator().rate_limit(2, 1000);
    let setup = support::start_with(emulator, RetryPolicy::none()).await;
    let mut limited = None;
    for _ in 0..10 {
        let reply = setup.list(ADMIN, "").await;
        if reply.status == 429 {
            limited = Some(reply);
            break;
        }
        assert_eq!(reply.status, 200);
    }
    let limited = limited.expect("a 429 within 10 listings");
    assert_eq!(limited.reason(), "RATE_LIMITED");
    let wait: u64 = limited.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
}

#[tokio::test]
async fn a_bridge_that_retries_waits_out_a_429_instead() {
    let emulator = support::emulator().rate_limit(2, 1000);
    let setup = support::start_with(emulator, RetryPolicy::default()).await;
    for _ in 0..4 {
        assert_eq!(setup.list(ADMIN, "").await.status, 200);
    }
}

#[tokio::test]
async fn bad_bodies_are_400_and_big_ones_413() {
    let setup = support::start().await;
    let too_long = "x".repeat(256);
    for (body, says) in [
        (json!({}), "Pin object"),
        (json!({ "cid": 1 }), "Pin object"),
        (json!({ "cid": "not-a-cid" }), "cid"),
        (json!({ "cid": new_cid(), "name": too_long }), "name"),
        (json!([new_cid()]), "Pin object"),
    ] {
        let reply = setup.add(ADMIN, body.clone()).await;
        assert_eq!((reply.status, reply.reason().as_str()), (400, "BAD_REQUEST"), "{body}");
        assert!(reply.details().contains(says), "{body}: {}", reply.details());
    }
    let not_json = reqwest::Client::new()
        .post(format!("{}/pins", setup.bridge.url()))
        .bearer_auth(ADMIN)
        .body("cid=bafy")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    let big = json!({ "cid": new_cid(), "meta": { "filler": "x".repeat(70 * 1024) } });
    let reply = setup.add(ADMIN, big).await;
    assert_eq!((reply.status, reply.reason().as_str()), (413, "PAYLOAD_TOO_LARGE"));
}

#[tokio::test]
async fn other_paths_and_methods_answer_in_the_error_shape() {
    let setup = support::start().await;
    let reply = setup.raw(Method::GET, "/", Some(ADMIN), None).await;
    assert_eq!((reply.status, reply.reason().as_str()), (404, "NOT_FOUND"));
    let reply = setup.raw(Method::PUT, "/pins", Some(ADMIN), None).await;
    assert_eq!((reply.status, reply.reason().as_str()), (405, "METHOD_NOT_ALLOWED"));
}

/// A Pinarkive whose listing serves the same full page whatever `page` asks for.
async fn endless_pinarkive() -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let page = || async {
        let uploads: Vec<_> = (0..100)
            .map(|i| json!({ "cid": "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", "_id": format!("id{i}") }))
            .collect();
        axum::Json(json!({ "uploads": uploads }))
    };
    let app = axum::Router::new().route("/api/v3/users/me/uploads", get(page));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (addr, tokio::spawn(async move { axum::serve(listener, app).await.unwrap() }))
}

#[tokio::test]
async fn a_listing_that_would_not_end_is_a_502_not_a_hang() {
    let (addr, server) = endless_pinarkive().await;
    let client = pinarkive::Client::builder().base_url(format!("http://{addr}/api/v3")).build().unwrap();
    let bridge = pinarkive::pinning_service::PinningService::builder(client)
        .bind(([127, 0, 0, 1], 0).into())
        .start()
        .await
        .unwrap();
    let reply = tokio::time::timeout(
        Duration::from_secs(30),
        reqwest::Client::new().get(format!("{}/pins", bridge.url())).bearer_auth("k").send(),
    )
    .await
    .expect("the bridge answers in time")
    .unwrap();
    assert_eq!(reply.status(), 502);
    let body: serde_json::Value = reply.json().await.unwrap();
    assert!(body["error"]["details"].as_str().unwrap().contains("repeats an earlier page"), "{body}");
    server.abort();
}

#[tokio::test]
async fn a_pinarkive_that_echoes_the_key_never_gets_it_into_an_answer() {
    use test_support::scripted::{Reply, ScriptedServer};
    let key = "pk_live_echoed_7f3a9c2e1b";
    let echo = |status: u16| {
        Reply::answer(move |request| {
            let sent = request.header("x-api-key").unwrap_or_default();
            Reply::json(
                status,
                json!({ "error": "no", "message": format!("key {sent} refused"), "required": sent }),
            )
        })
    };
    for status in [400, 401, 403, 404, 429, 500] {
        let server = ScriptedServer::every(echo(status)).await;
        let client = pinarkive::Client::builder()
            .base_url(format!("{}/api/v3", server.url))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let bridge = pinarkive::pinning_service::PinningService::builder(client)
            .bind(([127, 0, 0, 1], 0).into())
            .start()
            .await
            .unwrap();
        let http = reqwest::Client::new();
        for request in [
            http.get(format!("{}/pins", bridge.url())),
            http.post(format!("{}/pins", bridge.url())).json(&json!({ "cid": new_cid() })),
        ] {
            let reply = request.bearer_auth(key).send().await.unwrap();
            let expected = if status == 500 { 502 } else { status };
            assert_eq!(reply.status().as_u16(), expected);
            let headers = format!("{:?}", reply.headers());
            let text = format!("{headers} {}", reply.text().await.unwrap());
            assert_eq!(test_support::leak::leak(&text, key), None, "{status}: {text}");
        }
        assert_eq!(test_support::leak::leak(&format!("{bridge:?}"), key), None);
    }
}
