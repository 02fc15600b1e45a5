//! Retries: how many attempts, how long between them, and what is never resent.
//!
//! Time is paused, so waits of seconds cost nothing; the waits are read from the client's
//! `on_retry` callback, which is told each resend before its wait.

use std::sync::{Arc, Mutex};

use httpmock::{Method, MockServer};
use pinarkive::retry::Retry;
use pinarkive::{Client, Error, OperationId, RetryPolicy};
use serde_json::json;

use crate::support::{self, scripted_client as client, Auth, Reply, ScriptedServer, CID, KEY};

/// A client for a scripted server at `url` that records every resend it makes.
fn recording(url: &str, policy: RetryPolicy) -> (Client, Arc<Mutex<Vec<Retry>>>) {
    let retries = Arc::new(Mutex::new(Vec::new()));
    let seen = retries.clone();
    let client = Client::builder()
        .base_url(url)
        .api_key(KEY)
        .retry_policy(policy)
        .on_retry(move |retry| seen.lock().unwrap().push(retry.clone()))
        .build()
        .expect("test client");
    (client, retries)
}

/// The waits of `retries`, in milliseconds.
fn waits(retries: &Mutex<Vec<Retry>>) -> Vec<u64> {
    retries.lock().unwrap().iter().map(|retry| retry.wait.as_millis() as u64).collect()
}

fn rate_limited(retry_after: &str) -> Reply {
    Reply::Respond(
        429,
        vec![("content-type", "application/json".into()), ("retry-after", retry_after.into())],
        json!({"error": "Too Many Requests"}).to_string(),
    )
}

fn me() -> Reply {
    Reply::json(200, json!({"email": "a@example.com"}))
}

#[tokio::test(start_paused = true)]
async fn users_me_get_waits_for_retry_after_then_succeeds() {
    let server = ScriptedServer::start(vec![rate_limited("7"), rate_limited("2"), me()]).await;
    let (client, retries) = recording(&server.url, RetryPolicy::default());
    let me = client.users_me_get().send().await.unwrap();
    assert_eq!(me.email.as_deref(), Some("a@example.com"));
    assert_eq!(server.request_count(), 3);
    assert_eq!(waits(&retries), [7000, 2000]);
    let retries = retries.lock().unwrap();
    assert_eq!(retries.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 2]);
    for retry in retries.iter() {
        assert_eq!((retry.operation, retry.status.map(|s| s.as_u16())), (OperationId::UsersMeGet, Some(429)));
    }
}

#[tokio::test(start_paused = true)]
async fn users_me_get_takes_retry_after_from_the_body() {
    let body_only = Reply::json(429, json!({"error": "Too Many Requests", "retryAfter": 5}));
    let server = ScriptedServer::start(vec![body_only, me()]).await;
    let (client, retries) = recording(&server.url, RetryPolicy::default());
    client.users_me_get().send().await.unwrap();
    assert_eq!(waits(&retries), [5000]);
}

#[tokio::test(start_paused = true)]
async fn users_me_get_backs_off_on_503_within_bounds() {
    let unavailable = || Reply::json(503, json!({"error": "Service Unavailable"}));
    let server = ScriptedServer::start(vec![unavailable(), unavailable(), unavailable(), me()]).await;
    let (client, retries) = recording(&server.url, RetryPolicy::default());
    client.users_me_get().send().await.unwrap();
    let waits = waits(&retries);
    assert_eq!(waits.len(), 3, "{waits:?}");
    for (retry, wait) in waits.iter().enumerate() {
        let ceiling = 250 * 2u64.pow(retry as u32);
        assert!((ceiling / 2..=ceiling).contains(wait), "retry {retry} waited {wait} ms");
    }
}

#[tokio::test(start_paused = true)]
async fn users_me_get_gives_up_when_retry_after_exceeds_the_cap() {
    let server = ScriptedServer::start(vec![rate_limited("3600"), me()]).await;
    let error = client(&server.url, RetryPolicy::default()).users_me_get().send().await.unwrap_err();
    assert_eq!(server.request_count(), 1);
    assert_eq!(error.retry_after(), Some(std::time::Duration::from_secs(3600)));
}

#[tokio::test(start_paused = true)]
async fn a_429_storm_stops_at_the_budget() {
    let server = ScriptedServer::start((0..20).map(|_| rate_limited("1")).collect()).await;
    let policy = RetryPolicy::default().max_retries(4);
    let (client, retries) = recording(&server.url, policy);
    let error = client.users_me_get().send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(server.request_count(), 5);
    assert_eq!(waits(&retries), [1000; 4]);
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for status in [400, 401, 403, 404, 409, 413] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(Method::GET).path("/users/me");
                then.status(status)
                    .header("content-type", "application/json")
                    .json_body(json!({"error": "no"}));
            })
            .await;
        let client = support::builder(&server, Auth::ApiKey).build().unwrap();
        let error = client.users_me_get().send().await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_post_is_not_resent_after_an_ambiguous_failure() {
    let server =
        ScriptedServer::start(vec![Reply::DropAfter(1), Reply::json(201, json!({"cid": CID}))]).await;
    let error = client(&server.url, RetryPolicy::default()).files_pin().cid(CID).send().await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)));
    assert_eq!(server.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_get_is_resent_after_an_ambiguous_failure() {
    let server = ScriptedServer::start(vec![Reply::DropAfter(1), me()]).await;
    let (client, retries) = recording(&server.url, RetryPolicy::default());
    client.users_me_get().send().await.unwrap();
    assert_eq!(server.request_count(), 2);
    let retries = retries.lock().unwrap();
    assert_eq!(retries.len(), 1);
    assert_eq!(retries[0].status, None, "no answer came: the connection dropped");
}

#[tokio::test(start_paused = true)]
async fn a_post_is_resent_after_a_refusal() {
    let unavailable = Reply::Respond(503, vec![("retry-after", "1".into())], "<html>busy</html>".into());
    let server = ScriptedServer::start(vec![unavailable, Reply::json(201, json!({"cid": CID}))]).await;
    let pin = client(&server.url, RetryPolicy::default()).files_pin().cid(CID).send().await.unwrap();
    assert_eq!(pin.cid.as_deref(), Some(CID));
    assert_eq!(server.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn retries_can_be_turned_off() {
    let server = ScriptedServer::start(vec![rate_limited("0"), me()]).await;
    let error = client(&server.url, RetryPolicy::none()).users_me_get().send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(server.request_count(), 1);
}
