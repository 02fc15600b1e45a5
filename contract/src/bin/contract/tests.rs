//! The suite against servers on loopback: the emulator (what CI relies on), a deliberately
//! broken emulator, and the emulator posing as a live server for the live-mode guards.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body as AxumBody;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use pinarkive::emulator::Emulator;

use super::checks::{Check, Outcome};
use super::plan::{self, Options, Target};
use super::safety::{Policy, TargetConfig};

const KEY: &str = "pk_contract_test_key_0123456789";

/// A burst larger than the command's default, so that a slow machine still packs more than the
/// emulator's per-second limit into one window (the burst stops at the first 429 anyway).
fn options() -> Options {
    Options { max_requests: 1500, burst: 400, max_wait: Duration::from_secs(5) }
}

/// Serves `router` on a free loopback port; the task ends with the test's runtime.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}/api/v3")
}

fn emulator() -> pinarkive::emulator::EmulatorBuilder {
    Emulator::builder()
        .api_key(KEY, ["*"])
        .rate_limit(super::EMULATOR_RATE.0, super::EMULATOR_RATE.1)
        .no_auth_rate_limit()
}

fn skipped(report: &super::report::Report) -> Vec<String> {
    report
        .cells()
        .filter_map(|(op, check, outcome)| match outcome {
            Outcome::Skip(why) => Some(format!("{op} {}: {why}", check.name())),
            _ => None,
        })
        .collect()
}

/// What CI relies on: `cargo xtask contract` passes against the emulator, every operation of the
/// spec is covered, and nothing is skipped but the checks no source gives a scope for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_against_the_emulator() {
    let report = super::execute(TargetConfig::Emulator, &options()).await.unwrap();
    let text = report.render();
    assert!(!report.failed(), "{text}");
    for op in pinarkive::OperationId::ALL.iter().copied() {
        let cells: Vec<&Outcome> = Check::ALL.iter().map(|c| report.outcome(op, *c)).collect();
        assert!(cells.iter().any(|o| **o == Outcome::Pass), "{op} has no passing check\n{text}");
    }
    let unexpected: Vec<String> =
        skipped(&report).into_iter().filter(|s| !s.contains("x-scope: none-documented")).collect();
    assert!(unexpected.is_empty(), "unexpected skips: {unexpected:#?}\n{text}");
    assert_eq!(
        report.outcome(pinarkive::OperationId::UsersMeGet, Check::RateLimit),
        &Outcome::Pass,
        "{text}"
    );
    assert!(!text.contains(KEY));
    // The emulator answers what the spec says, no more and no less.
    assert_eq!(report.observed.lines(), Vec::<String>::new(), "{text}");
}

/// Adds to `GET /users/me` a field the spec does not declare (holding an address, which must
/// never reach a report) and an object of them.
async fn add_undeclared_fields(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    if !(path.ends_with("/users/me") && response.status() == 200) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    json["lastLoginIp"] = serde_json::json!("203.0.113.9");
    json["session"] = serde_json::json!({"device": "phone", "since": 1700000000});
    parts.headers.remove("content-length");
    Response::from_parts(parts, AxumBody::from(json.to_string()))
}

/// `cargo xtask contract --observed FILE` against a server that adds fields: the file names
/// each by operation, status, pointer and type, and holds none of the values.
#[test]
fn observed_lists_the_fields_a_server_adds_and_never_their_values() {
    use clap::Parser;
    let server = tokio::runtime::Runtime::new().unwrap();
    let router = emulator().into_router().layer(axum::middleware::from_fn(add_undeclared_fields));
    let base_url = server.block_on(serve(router));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("observed.json");
    let args = super::Args::parse_from([
        "contract",
        "--base-url",
        &base_url,
        "--observed",
        file.to_str().unwrap(),
        "--max-requests",
        "1500",
        "--max-wait",
        "5",
    ]);
    let config =
        TargetConfig::Server { base_url, api_key: KEY.into(), login: None, policy: Policy::ReadOnly };
    assert_eq!(super::run_suite(&args, config), std::process::ExitCode::SUCCESS);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("203.0.113.9") && !text.contains("phone"), "a value leaked: {text}");
    let observed: serde_json::Value = serde_json::from_str(&text).unwrap();
    let operations = observed["operations"].as_array().unwrap();
    assert_eq!(operations.len(), 1, "only users_me_get answers differ: {text}");
    let me = &operations[0];
    assert_eq!(
        (me["operationId"].as_str(), me["method"].as_str(), me["status"].as_u64()),
        (Some("users_me_get"), Some("GET"), Some(200))
    );
    let found: Vec<(&str, &str, &str)> = me["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (o["pointer"].as_str().unwrap(), o["kind"].as_str().unwrap(), o["observedType"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        found,
        [
            ("/lastLoginIp", "undeclared", "string"),
            ("/session", "undeclared", "object"),
            ("/session/device", "undeclared", "string"),
            ("/session/since", "undeclared", "integer"),
        ],
        "{text}"
    );
}

/// Breaks what a middleware can break: the body of `GET /users/me`, `Retry-After` on 429s, the
/// body of 401s from `GET /tokens/list`, the scope named by 403s from `/users/me/referrals`
/// and the status of the invalid-CID answer of `files_pin`.
async fn break_responses(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    if parts.status == 429 {
        parts.headers.remove("retry-after");
    }
    if path.ends_with("/files/pin/not-a-cid") {
        parts.status = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
    }
    let body = if path.ends_with("/users/me") && parts.status == 200 {
        AxumBody::from(r#"{"email": 5}"#)
    } else if path.ends_with("/tokens/list") && parts.status == 401 {
        parts.headers.insert("content-type", "text/plain".parse().unwrap());
        AxumBody::from("Unauthorized")
    } else if path.ends_with("/users/me/referrals") && parts.status == 403 {
        AxumBody::from(r#"{"error":"Forbidden","code":"missing_scope","required":"user:read"}"#)
    } else {
        body
    };
    parts.headers.remove("content-length");
    Response::from_parts(parts, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_server_fails_the_checks_it_breaks_with_the_reason() {
    let emu = emulator();
    let (email, password) = (pinarkive::emulator::DEFAULT_EMAIL, pinarkive::emulator::DEFAULT_PASSWORD);
    let router = emu.into_router().layer(axum::middleware::from_fn(break_responses));
    let target = Target {
        base_url: serve(router).await,
        api_key: KEY.into(),
        login: Some((email.into(), password.into())),
        policy: Policy::Disposable,
        mailbox: None,
    };
    let report = plan::run(&target, &options()).await;
    let text = report.render();
    assert!(report.failed(), "{text}");

    let Outcome::Fail(why) = report.outcome(pinarkive::OperationId::UsersMeGet, Check::Success) else {
        panic!("{text}")
    };
    assert!(why.contains("200 body /email: 5 is not of type \"string\""), "{why}");
    let Outcome::Fail(why) = report.outcome(pinarkive::OperationId::UsersMeGet, Check::RateLimit) else {
        panic!("{text}")
    };
    assert!(why.starts_with("429 without Retry-After"), "{why}");
    for check in [Check::NoKey, Check::BadKey] {
        let Outcome::Fail(why) = report.outcome(pinarkive::OperationId::TokensList, check) else {
            panic!("{text}")
        };
        assert!(why.contains("header Content-Type: \"text/plain\""), "{why}");
        assert!(why.contains("not JSON"), "{why}");
    }
    let Outcome::Fail(why) = report.outcome(pinarkive::OperationId::UsersMeReferralsGet, Check::Scope) else {
        panic!("{text}")
    };
    assert_eq!(why, "required is Some(\"user:read\"), expected \"referrals:read\"");
    let Outcome::Fail(why) = report.outcome(pinarkive::OperationId::FilesPin, Check::ErrorBody) else {
        panic!("{text}")
    };
    assert!(why.starts_with("expected a documented 4xx, got 500"), "{why}");
    // What was not broken still passes.
    assert_eq!(report.outcome(pinarkive::OperationId::TokensList, Check::Success), &Outcome::Pass, "{text}");
    assert_eq!(
        report.outcome(pinarkive::OperationId::UsersMePreferencesGet, Check::NoKey),
        &Outcome::Pass,
        "{text}"
    );
    assert!(text.contains("Failures:\n"), "{text}");
}

/// Records `METHOD path status` of every request.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<(String, String, u16)>>>);

impl Recorder {
    fn layer(&self, router: axum::Router) -> axum::Router {
        let log = self.0.clone();
        router.layer(axum::middleware::from_fn(move |request: Request, next: Next| {
            let log = log.clone();
            async move {
                let (method, path) = (request.method().to_string(), request.uri().path().to_string());
                let response = next.run(request).await;
                log.lock().unwrap().push((method, path, response.status().as_u16()));
                response
            }
        }))
    }

    fn accepted_writes(&self) -> Vec<String> {
        let log = self.0.lock().unwrap();
        log.iter()
            .filter(|(method, _, status)| method != "GET" && (200..300).contains(status))
            .map(|(method, path, status)| format!("{method} {path} -> {status}"))
            .collect()
    }
}

/// A server that is not the suite's own, as `--base-url` runs see it.
fn live_target(base_url: String, policy: Policy) -> Target {
    Target { base_url, api_key: KEY.into(), login: None, policy, mailbox: None }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_run_without_allow_writes_changes_nothing() {
    let recorder = Recorder::default();
    let base_url = serve(recorder.layer(emulator().into_router())).await;
    let report = plan::run(&live_target(base_url, Policy::ReadOnly), &options()).await;
    let text = report.render();
    assert_eq!(recorder.accepted_writes(), Vec::<String>::new(), "{text}");
    let Outcome::Skip(why) = report.outcome(pinarkive::OperationId::FilesUpload, Check::Success) else {
        panic!("{text}")
    };
    assert_eq!(why, "read-only run: writes need --allow-writes");
    let Outcome::Skip(why) = report.outcome(pinarkive::OperationId::UsersMeGet, Check::Scope) else {
        panic!("{text}")
    };
    assert!(why.contains("--allow-writes"), "{why}");
    // Reads and the harmless checks still ran and passed.
    assert_eq!(report.outcome(pinarkive::OperationId::UsersMeGet, Check::Success), &Outcome::Pass, "{text}");
    assert_eq!(report.outcome(pinarkive::OperationId::FilesUpload, Check::NoKey), &Outcome::Pass, "{text}");
    assert_eq!(report.outcome(pinarkive::OperationId::FilesPin, Check::ErrorBody), &Outcome::Pass, "{text}");
    assert!(!report.failed(), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_run_with_allow_writes_cleans_up_after_itself() {
    let recorder = Recorder::default();
    let base_url = serve(recorder.layer(emulator().into_router())).await;
    let report = plan::run(&live_target(base_url.clone(), Policy::Reversible), &options()).await;
    let text = report.render();
    assert!(!report.failed(), "{text}");
    let writes = recorder.accepted_writes();
    let allowed =
        ["/files", "/files/pin/", "/files/rename/", "/files/remove/", "/tokens/generate", "/tokens/revoke/"];
    for write in &writes {
        let path = write.split(' ').nth(1).unwrap().trim_start_matches("/api/v3");
        let base = path.trim_end_matches(|c: char| c != '/');
        assert!(allowed.contains(&path) || allowed.contains(&base), "unexpected write {write}");
    }
    assert_eq!(
        report.outcome(pinarkive::OperationId::UsersMePasswordUpdate, Check::Success),
        &Outcome::Skip("not sent to a live server: it would change the account's password".into())
    );
    assert_eq!(report.outcome(pinarkive::OperationId::FilesRemove, Check::Success), &Outcome::Pass, "{text}");
    assert_eq!(report.outcome(pinarkive::OperationId::UsersMeGet, Check::Scope), &Outcome::Pass, "{text}");

    // Nothing is left: no upload, and no key but the one the run was given.
    pinarkive::tls::install_default_provider();
    let http = reqwest::Client::new();
    let uploads: serde_json::Value = http
        .get(format!("{base_url}/users/me/uploads"))
        .header("x-api-key", KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(uploads["uploads"], serde_json::json!([]), "{text}");
    let tokens = http.get(format!("{base_url}/tokens/list")).header("x-api-key", KEY).send().await.unwrap();
    let tokens = tokens.text().await.unwrap();
    assert!(!tokens.contains("contract-"), "{tokens}");
}

#[test]
fn a_missing_key_is_a_usage_error_before_anything_is_built() {
    use clap::Parser;
    std::env::remove_var(super::safety::API_KEY_VAR);
    let args = super::Args::parse_from(["contract", "--base-url", "https://api.pinarkive.com/api/v3"]);
    assert_eq!(super::run(&args), std::process::ExitCode::from(2));
}

/// A server that answers 429 (with `retry_after` as its `Retry-After`) to every odd request.
async fn every_other_429(retry_after: &'static str) -> String {
    let count = Arc::new(Mutex::new(0u32));
    let router = axum::Router::new().route(
        "/api/v3/health",
        axum::routing::get(move || {
            let count = count.clone();
            async move {
                let n = {
                    let mut count = count.lock().unwrap();
                    *count += 1;
                    *count
                };
                let status = if n % 2 == 1 { 429 } else { 200 };
                Response::builder()
                    .status(status)
                    .header("retry-after", retry_after)
                    .header("content-type", "application/json")
                    .body(AxumBody::from("{}"))
                    .unwrap()
            }
        }),
    );
    serve(router).await
}

#[tokio::test]
async fn http_waits_out_429s_and_keeps_to_its_budget() {
    use super::http::{Auth, Http, Req};

    let http = Http::new(&every_other_429("1").await, 3, Duration::from_secs(5)).unwrap();
    let started = std::time::Instant::now();
    let resp = http.send(&Req::new("GET", "/health"), Auth::None).await.unwrap();
    assert_eq!(resp.status, 200);
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was not honoured");
    assert_eq!(http.sent(), 2);
    let resp = http.send_once(&Req::new("GET", "/health"), Auth::None).await.unwrap();
    assert_eq!(resp.status, 429, "send_once shows the 429");
    let spent = http.send_once(&Req::new("GET", "/health"), Auth::None).await.unwrap_err();
    assert_eq!(spent, "the request budget (--max-requests) is spent");
    http.allow_more(1);
    assert!(http.send_once(&Req::new("GET", "/health"), Auth::None).await.is_ok());

    let http = Http::new(&every_other_429("3600").await, 10, Duration::from_secs(5)).unwrap();
    let e = http.send(&Req::new("GET", "/health"), Auth::None).await.unwrap_err();
    assert!(e.contains("Retry-After 3600 s, more than --max-wait 5 s"), "{e}");
}
