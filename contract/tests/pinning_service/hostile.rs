//! A Pinarkive that cannot be trusted: one that echoes the key it was sent into every text of
//! its answers, one that rate-limits for ever, one whose follow-up calls fail after a pin was
//! made. Each is a scripted server on loopback in front of a bridge.

use std::time::{Duration, Instant};

use pinarkive::pinning_service::{PinningService, PinningServiceBuilder};
use pinarkive::RetryPolicy;
use serde_json::{json, Value};
use test_support::leak::leak;
use test_support::scripted::{Reply, ScriptedServer};

use crate::support::new_cid;

/// A valid libp2p peer id (`12D3KooW…`) that is also a caller's key: a key no check of the
/// peer id's form would catch.
fn key_shaped_as_a_peer_id(n: u8) -> String {
    let mut key = vec![0x08, 0x01, 0x12, 0x20];
    key.extend_from_slice(&[n; 32]);
    let hash = cid::multihash::Multihash::<64>::wrap(0x00, &key).unwrap();
    cid::multibase::Base::Base58Btc.encode(hash.to_bytes())
}

/// The request line of a scripted request.
fn line(request: &test_support::scripted::Request) -> String {
    request.head().lines().next().unwrap_or_default().to_owned()
}

/// One page of uploads holding `record`, and empty pages after it.
fn uploads(request: &test_support::scripted::Request, record: Value) -> Reply {
    let first = request.query("page").is_none_or(|page| page == "1");
    let records = if first { vec![record] } else { Vec::new() };
    Reply::json(200, json!({ "uploads": records }))
}

/// A Pinarkive with one record of `cid`, that puts the key it was sent into every text it
/// gives: the record's name and cluster, the status, the peers' ids and errors.
fn echoing_pinarkive(cid: &str) -> Reply {
    let cid = cid.to_owned();
    Reply::answer(move |request| {
        let key = request.header("x-api-key").unwrap_or_default();
        let line = line(request);
        if line.contains("/status/") {
            Reply::json(
                200,
                json!({ "cid": cid, "status": format!("odd-{key}"), "peers": [
                    { "ipfs_peer_id": key, "status": "pin_error", "error": format!("peer says {key}") },
                ]}),
            )
        } else if line.contains("/users/me/uploads") {
            let record = json!({
                "cid": cid, "_id": "rec1", "clusterId": "cl0-global",
                "customName": format!("named {key}"), "createdAt": "2026-01-01T00:00:00Z",
            });
            uploads(request, record)
        } else if line.contains("/files/pin/") {
            Reply::json(201, json!({ "cid": cid }))
        } else {
            Reply::json(404, json!({ "error": "no such route" }))
        }
    })
}

fn builder(server: &ScriptedServer, retry: RetryPolicy) -> PinningServiceBuilder {
    let client = pinarkive::Client::builder()
        .base_url(format!("{}/api/v3", server.url))
        .retry_policy(retry)
        .build()
        .unwrap();
    PinningService::builder(client).bind(([127, 0, 0, 1], 0).into())
}

async fn send(request: reqwest::RequestBuilder) -> (u16, String) {
    let reply = request.send().await.expect("the bridge answers");
    let status = reply.status().as_u16();
    let headers = format!("{:?}", reply.headers());
    (status, format!("{headers} {}", reply.text().await.unwrap()))
}

#[tokio::test]
async fn a_callers_key_reaches_no_other_caller_through_the_remembered_delegates() {
    let cid = new_cid();
    let server = ScriptedServer::every(echoing_pinarkive(&cid)).await;
    let bridge = builder(&server, RetryPolicy::none()).start().await.unwrap();
    let (alice, bob) = (key_shaped_as_a_peer_id(1), key_shaped_as_a_peer_id(2));
    let http = reqwest::Client::new();
    let (status, text) =
        send(http.get(format!("{}/pins/{cid}.rec1", bridge.url())).bearer_auth(&alice)).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(leak(&text, &alice), None, "Alice's own answer: {text}");
    let (status, text) = send(http.get(format!("{}/pins", bridge.url())).bearer_auth(&bob)).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(leak(&text, &alice), None, "Bob is shown Alice's key: {text}");
    assert_eq!(leak(&text, &bob), None, "Bob's own answer: {text}");
}

#[tokio::test]
async fn a_key_echoed_in_a_successful_answer_is_not_passed_back() {
    let key = "pk_live_echoed_7f3a9c2e1b";
    let cid = new_cid();
    let server = ScriptedServer::every(echoing_pinarkive(&cid)).await;
    let bridge = builder(&server, RetryPolicy::none()).start().await.unwrap();
    let http = reqwest::Client::new();
    let pins = format!("{}/pins", bridge.url());
    for (request, expected) in [
        (http.get(format!("{pins}/{cid}.rec1")), 200),
        (http.get(&pins), 200),
        (http.post(&pins).json(&json!({ "cid": cid })), 202),
        (http.post(format!("{pins}/{cid}.rec1")).json(&json!({ "cid": cid, "name": "new" })), 202),
    ] {
        let (status, text) = send(request.bearer_auth(key)).await;
        assert_eq!(status, expected, "{text}");
        assert_eq!(leak(&text, key), None, "{text}");
        assert!(text.contains("[redacted]"), "the echo is shown redacted: {text}");
    }
}

#[tokio::test]
async fn cluster_ids_that_are_not_plain_tokens_are_not_echoed() {
    let cid = new_cid();
    let long = "c".repeat(65);
    let record = json!({ "cid": cid, "_id": "rec1", "clusterId": long });
    let server = ScriptedServer::every(Reply::answer(move |request| uploads(request, record.clone()))).await;
    let bridge = builder(&server, RetryPolicy::none()).start().await.unwrap();
    let reply = reqwest::Client::new().get(format!("{}/pins", bridge.url())).bearer_auth("pk_test_key_1");
    let reply: Value = reply.send().await.unwrap().json().await.unwrap();
    assert_eq!(reply["count"], 1, "{reply}");
    assert_eq!(reply["results"][0]["info"].get("cluster"), None, "{reply}");
}

/// A Pinarkive that answers every call `429` with `Retry-After: 2`.
async fn rate_limited_for_ever() -> ScriptedServer {
    let limited = Reply::Respond(
        429,
        vec![("content-type", "application/json".into()), ("retry-after", "2".into())],
        json!({ "error": "rate_limited", "message": "slow down" }).to_string(),
    );
    ScriptedServer::every(limited).await
}

#[tokio::test]
async fn a_request_past_the_bridges_deadline_is_a_504_in_the_psa_shape() {
    let server = rate_limited_for_ever().await;
    let patient = RetryPolicy::default().max_retries(100);
    let bridge = builder(&server, patient).request_timeout(Duration::from_secs(3)).start().await.unwrap();
    let started = Instant::now();
    let reply = reqwest::Client::new()
        .get(format!("{}/pins", bridge.url()))
        .bearer_auth("pk_test_key_1")
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 504);
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["error"]["reason"], "BRIDGE_TIMEOUT", "{body}");
}

#[tokio::test]
async fn a_caller_that_hangs_up_stops_the_bridges_calls() {
    let server = rate_limited_for_ever().await;
    let bridge = builder(&server, RetryPolicy::default()).start().await.unwrap();
    let gave_up = reqwest::Client::new()
        .get(format!("{}/pins", bridge.url()))
        .bearer_auth("pk_test_key_1")
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(gave_up.is_err(), "the caller gives up before the first Retry-After has passed");
    // The client would resend after 2 s, 4 s and 6 s; a handler left running would be seen.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(server.request_count(), 1, "Pinarkive was called again for a caller who left");
}

/// A Pinarkive that pins and lists, but whose status call is rate-limited.
fn pins_but_status_is_limited(cid: &str) -> Reply {
    let cid = cid.to_owned();
    Reply::answer(move |request| {
        let line = line(request);
        if line.contains("/status/") {
            Reply::Respond(429, vec![("retry-after", "30".into())], "{}".into())
        } else if line.contains("/files/pin/") {
            Reply::json(201, json!({ "cid": cid }))
        } else {
            uploads(request, json!({ "cid": cid, "_id": "rec1" }))
        }
    })
}

#[tokio::test]
async fn a_pin_that_was_made_is_not_reported_as_failed_when_its_status_cannot_be_read() {
    let cid = new_cid();
    let server = ScriptedServer::every(pins_but_status_is_limited(&cid)).await;
    let bridge = builder(&server, RetryPolicy::none()).start().await.unwrap();
    let reply = reqwest::Client::new()
        .post(format!("{}/pins", bridge.url()))
        .bearer_auth("pk_test_key_1")
        .json(&json!({ "cid": cid }))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 202);
    let pin: Value = reply.json().await.unwrap();
    assert_eq!(pin["status"], "pinned", "{pin}");
    let details = pin["info"]["status_details"].as_str().unwrap();
    assert!(details.contains("could not be read") && details.contains("429"), "{details}");
}

/// A Pinarkive that pins, but whose listing is rate-limited until `listable` is set.
fn pins_but_lists_only_later(cid: &str, listable: std::sync::Arc<std::sync::atomic::AtomicBool>) -> Reply {
    let cid = cid.to_owned();
    Reply::answer(move |request| {
        let line = line(request);
        if line.contains("/files/pin/") {
            Reply::json(201, json!({ "cid": cid }))
        } else if line.contains("/users/me/uploads") && listable.load(std::sync::atomic::Ordering::SeqCst) {
            uploads(request, json!({ "cid": cid, "_id": "rec1" }))
        } else {
            Reply::Respond(429, vec![("retry-after", "30".into())], "{}".into())
        }
    })
}

#[tokio::test]
async fn a_pin_that_was_made_is_not_reported_as_failed_when_its_record_cannot_be_read_back() {
    let cid = new_cid();
    let listable = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let server = ScriptedServer::every(pins_but_lists_only_later(&cid, listable.clone())).await;
    let bridge = builder(&server, RetryPolicy::none()).start().await.unwrap();
    let http = reqwest::Client::new();
    let reply = http
        .post(format!("{}/pins", bridge.url()))
        .bearer_auth("pk_test_key_1")
        .json(&json!({ "cid": cid, "name": "kept" }))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 202);
    let pin: Value = reply.json().await.unwrap();
    assert_eq!(
        (pin["status"].as_str(), pin["pin"]["name"].as_str()),
        (Some("pinned"), Some("kept")),
        "{pin}"
    );
    let details = pin["info"]["status_details"].as_str().unwrap();
    assert!(details.contains("could not be read back") && details.contains("429"), "{details}");
    // The requestid it was given names the CID's record once Pinarkive lists it again.
    listable.store(true, std::sync::atomic::Ordering::SeqCst);
    let requestid = pin["requestid"].as_str().unwrap();
    let reply =
        http.get(format!("{}/pins/{requestid}", bridge.url())).bearer_auth("pk_test_key_1").send().await;
    let found: Value = reply.unwrap().json().await.unwrap();
    assert_eq!(found["pin"]["cid"], cid, "{found}");
}

#[tokio::test]
async fn a_huge_bearer_token_is_401_and_unmapped_4xx_do_not_pass_through() {
    let conflict = Reply::json(409, json!({ "error": "conflict", "message": "already there" }));
    let server = ScriptedServer::every(conflict).await;
    let bridge = builder(&server, RetryPolicy::none()).start().await.unwrap();
    let http = reqwest::Client::new();
    let pins = format!("{}/pins", bridge.url());
    let huge = http.get(&pins).bearer_auth("k".repeat(4097)).send().await.unwrap();
    assert_eq!(huge.status(), 401);
    assert_eq!(server.request_count(), 0, "a huge token is not sent on");
    let reply = http.get(&pins).bearer_auth("pk_test_key_1").send().await.unwrap();
    assert_eq!(reply.status(), 400, "a 409 would read as the PSA's INSUFFICIENT_FUNDS");
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["error"]["reason"], "PINARKIVE_REFUSED", "{body}");
    assert!(body["error"]["details"].as_str().unwrap().contains("409"), "{body}");
}
