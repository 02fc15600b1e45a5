//! The key never shows: not in `Debug`, `Display`, error text or tracing output.

use httpmock::{Method, MockServer};
use pinarkive::{Client, Credentials, Error, RetryPolicy};
use serde_json::json;

use crate::support::{self, capture_tracing, Auth, Reply, ScriptedServer, KEY};

fn assert_hidden(text: &str) {
    assert!(!text.contains(KEY), "the key leaked into: {text}");
    assert!(!text.contains(&KEY[3..]), "part of the key leaked into: {text}");
}

#[test]
fn debug_of_clients_builders_and_credentials() {
    for auth in Auth::BOTH {
        let builder = Client::builder().credentials(auth.credentials());
        assert_hidden(&format!("{builder:?}"));
        assert_hidden(&format!("{:?}", builder.build().unwrap()));
        assert_hidden(&format!("{:?}", auth.credentials()));
    }
    assert_hidden(&format!("{:?}", Credentials::web_session(KEY)));
}

#[test]
fn configuration_errors_do_not_echo_the_key() {
    let bad = format!("{KEY}\r\nX-Injected: 1");
    let error = Client::builder().api_key(bad).build().unwrap_err();
    assert!(matches!(error, Error::Config(_)));
    assert_hidden(&error.to_string());
    assert_hidden(&format!("{error:?}"));
}

#[tokio::test]
async fn errors_and_tracing_output_do_not_contain_the_key() {
    let (_guard, log) = capture_tracing();
    let server = ScriptedServer::start(vec![
        Reply::json(429, json!({"error": "Too Many Requests", "retryAfter": 0})),
        Reply::json(401, json!({"error": "Unauthorized", "code": "INVALID_API_KEY"})),
    ])
    .await;
    let client = Client::builder().base_url(&server.url).api_key(KEY).build().unwrap();
    let error = client.users_me_get().send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_hidden(&error.to_string());
    assert_hidden(&format!("{error:?}"));

    let upload_error = client.upload_dag().file("../x", b"x".to_vec()).send().await.unwrap_err();
    assert_hidden(&format!("{upload_error} {upload_error:?}"));

    let log = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert!(log.contains("retrying"), "tracing was captured: {log}");
    assert_hidden(&log);
}

#[tokio::test]
async fn the_key_goes_only_into_its_header() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(Method::GET).path("/users/me").header("x-api-key", KEY).query_param_missing("key");
            then.status(200).json_body(json!({}));
        })
        .await;
    let client = support::builder(&server, Auth::ApiKey).retry_policy(RetryPolicy::none()).build().unwrap();
    client.users_me_get().send().await.unwrap();
    mock.assert_async().await;
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 64, ..proptest::test_runner::Config::default() })]

    /// The key, in any form, at any offset of an error body or message, never shows: not in
    /// `Display`, `Debug` or anything logged (no piece of 8 characters or more, raw or escaped).
    #[test]
    fn an_echoed_key_at_any_offset_never_shows(
        key in crate::leak::nasty_key(),
        form in 0..crate::leak::FORMS,
        before in "[ -~]{0,120}",
        after in "[ -~]{0,40}",
        status in proptest::sample::select(vec![200u16, 401, 403, 404, 500, 502]),
        as_json in proptest::bool::ANY,
    ) {
        let echo = format!("{before}{}{after}", crate::leak::encoded(&key, form));
        let body = if as_json { json!({"error": "Nope", "message": echo}).to_string() } else { echo };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (_guard, log) = capture_tracing();
        let error = runtime.block_on(async {
            let server = ScriptedServer::start(vec![Reply::Respond(status, vec![], body)]).await;
            let client = Client::builder().base_url(&server.url).api_key(&key).retry_policy(RetryPolicy::none()).build().unwrap();
            client.users_me_uploads_list().send().await.map(drop).unwrap_err()
        });
        proptest::prop_assert_eq!(error.status().map(|s| s.as_u16()).unwrap_or(200), status);
        let log = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
        for shown in [error.to_string(), format!("{error:?}"), log] {
            proptest::prop_assert_eq!(crate::leak::leak(&shown, &key), None, "{}", shown);
        }
    }
}
