//! What a client can make the emulator keep is bounded: every stored string, the accounts, each
//! account's API keys; and the per-IP limit of the auth routes.

use std::net::IpAddr;
use std::time::Duration;

use pinarkive::emulator::{Clock, Emulator, MAX_ACCOUNTS, MAX_KEYS_PER_ACCOUNT, MAX_NAME_BYTES};
use serde_json::{json, Value};

use crate::support::{self, error_body, fetch, http, send, url, Reply, ADMIN};

const CID: &str = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

/// A JSON request of `operation` with the admin key.
async fn call(emu: &Emulator, operation: &str, method: reqwest::Method, path: &str, body: Value) -> Reply {
    send(operation, http().request(method, url(emu, path)).header("x-api-key", ADMIN).json(&body)).await
}

/// A string of `len` bytes that is valid where `field` is (an e-mail, an absolute path, ...).
fn sized(field: &str, len: usize, salt: usize) -> String {
    let (head, tail) = match field {
        "email" => (format!("u{salt}-"), "@x.test".to_owned()),
        "dirPath" => (format!("/d{salt}/"), String::new()),
        _ => (format!("{field}{salt}-"), String::new()),
    };
    let fill = len - head.len() - tail.len();
    format!("{head}{}{tail}", "n".repeat(fill))
}

#[tokio::test]
async fn every_string_a_client_stores_is_limited_and_the_400_names_the_field_and_the_limit() {
    use reqwest::Method;

    let emu = support::start().await;
    let (email, password) = emu.user();
    let (email, password) = (email.to_owned(), password.to_owned());
    let pinned = call(&emu, "files_pin", Method::POST, &format!("/files/pin/{CID}"), json!({})).await;
    assert_eq!(pinned.status, 201);
    let listed = support::client(&emu, ADMIN).users_me_uploads_list().send().await.unwrap();
    let upload_id = listed.uploads[0].id.clone().unwrap();
    // (operation, method, path, the other fields, the limited field, the success status)
    let cases: Vec<(&str, Method, String, Value, &str, u16)> = vec![
        ("files_pin", Method::POST, format!("/files/pin/{CID}"), json!({}), "customName", 201),
        ("files_pin", Method::POST, format!("/files/pin/{CID}"), json!({}), "originalName", 201),
        ("files_rename", Method::PUT, format!("/files/rename/{upload_id}"), json!({}), "newName", 200),
        ("files_directory_upload", Method::POST, "/files/directory".into(), json!({}), "dirPath", 201),
        ("tokens_generate", Method::POST, "/tokens/generate".into(), json!({}), "name", 201),
        (
            "tokens_generate",
            Method::POST,
            "/tokens/generate".into(),
            json!({ "name": "labelled" }),
            "label",
            201,
        ),
        ("users_me_update", Method::PUT, "/users/me".into(), json!({}), "name", 200),
        ("users_me_update", Method::PUT, "/users/me".into(), json!({}), "lastname", 200),
        (
            "users_me_preferences_update",
            Method::PUT,
            "/users/me/preferences".into(),
            json!({}),
            "language",
            200,
        ),
        (
            "users_me_preferences_update",
            Method::PUT,
            "/users/me/preferences".into(),
            json!({}),
            "country",
            200,
        ),
        (
            "users_me_password_update",
            Method::PUT,
            "/users/me/password".into(),
            json!({ "currentPassword": password }),
            "newPassword",
            200,
        ),
        (
            "auth_signup",
            Method::POST,
            "/auth/signup".into(),
            json!({ "email": "a@x.test", "password": "long enough" }),
            "name",
            201,
        ),
        (
            "auth_signup",
            Method::POST,
            "/auth/signup".into(),
            json!({ "name": "B", "password": "long enough" }),
            "email",
            201,
        ),
        (
            "auth_signup",
            Method::POST,
            "/auth/signup".into(),
            json!({ "name": "C", "email": "c@x.test" }),
            "password",
            201,
        ),
        (
            "auth_signup",
            Method::POST,
            "/auth/signup".into(),
            json!({ "name": "D", "email": "d@x.test", "password": "long enough" }),
            "language",
            201,
        ),
    ];
    for (i, (operation, method, path, base, field, success)) in cases.into_iter().enumerate() {
        let with = |len: usize| {
            let mut body = base.clone();
            body[field] = Value::String(sized(field, len, i));
            body
        };
        let over = call(&emu, operation, method.clone(), &path, with(MAX_NAME_BYTES + 1)).await;
        assert_eq!(over.status, 400, "{operation} {field}: {:?}", over.json());
        assert_eq!(
            over.json()["message"],
            format!("{field} too long: the limit is {MAX_NAME_BYTES} bytes"),
            "{operation} {field}"
        );
        let ok = call(&emu, operation, method, &path, with(MAX_NAME_BYTES)).await;
        assert_eq!(ok.status, success, "{operation} {field} at the limit: {:?}", ok.json());
    }
    // A reset password too, with the token from the mailed link.
    let forgot = send(
        "auth_forgot_password",
        http().post(url(&emu, "/auth/forgot-password")).json(&json!({ "email": email })),
    )
    .await;
    assert_eq!(forgot.status, 200);
    let token = emu.password_reset_token(&email).unwrap();
    let reset = |len: usize| {
        send(
            "auth_reset_password",
            http()
                .post(url(&emu, "/auth/reset-password"))
                .json(&json!({ "token": token, "newPassword": "p".repeat(len) })),
        )
    };
    let over = reset(MAX_NAME_BYTES + 1).await;
    assert_eq!(
        (over.status, over.json()["message"].clone()),
        (400, json!(format!("newPassword too long: the limit is {MAX_NAME_BYTES} bytes")))
    );
    assert_eq!(reset(MAX_NAME_BYTES).await.status, 200);
}

/// The review's measurement: pins and signups with huge names grew the emulator by hundreds of
/// MB. Now nothing of them is kept: such a body is refused whole (413), a long name is 400.
#[tokio::test]
async fn huge_names_are_refused_and_nothing_of_them_is_kept() {
    let emu = support::start().await;
    let client = http();
    let pin = |body: Value| {
        client.post(url(&emu, &format!("/files/pin/{CID}"))).header("x-api-key", ADMIN).json(&body)
    };
    let huge = json!({ "customName": "n".repeat(1 << 20) });
    let long = json!({ "customName": "n".repeat(90_000) });
    for i in 0..20 {
        // 413 is body-parser's answer on any JSON route; the spec lists it for uploads only.
        assert_eq!(fetch(pin(huge.clone())).await.status, 413, "run {i}");
        assert_eq!(fetch(pin(long.clone())).await.status, 400, "run {i}");
        let signup =
            json!({ "name": "n".repeat(90_000), "email": format!("u{i}@x.test"), "password": "long enough" });
        assert_eq!(fetch(client.post(url(&emu, "/auth/signup")).json(&signup)).await.status, 400, "run {i}");
    }
    let listed = support::client(&emu, ADMIN).users_me_uploads_list().send().await.unwrap();
    assert_eq!(listed.total, Some(0));
    assert_eq!(emu.verification_token("u0@x.test"), None, "no account was made");
}

#[tokio::test]
async fn the_emulator_holds_at_most_max_accounts_and_signup_beyond_is_403() {
    let emu = support::start().await;
    let client = http();
    let signup = |i: usize| {
        let body = json!({ "name": "N", "email": format!("user{i}@x.test"), "password": "long enough" });
        let request = client.post(url(&emu, "/auth/signup")).json(&body);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    // The built-in account is the first.
    for i in 1..MAX_ACCOUNTS {
        assert_eq!(signup(i).await, 201, "account {i}");
    }
    // 403 is not listed for signup: the cap is the emulator's own (see `login.rs`).
    let one_more = json!({ "name": "N", "email": "one.more@x.test", "password": "long enough" });
    let full = fetch(http().post(url(&emu, "/auth/signup")).json(&one_more)).await;
    assert_eq!(full.status, 403);
    error_body(&full);
    assert!(full.json()["message"].as_str().unwrap().contains(&MAX_ACCOUNTS.to_string()));
    // An address already taken is still 409.
    assert_eq!(signup(1).await, 409);
}

#[tokio::test]
async fn an_account_generates_at_most_max_keys_and_lists_them_in_order() {
    use reqwest::Method;

    let emu = support::start().await;
    // The builder's two keys count. One client for the many requests (checked by status only).
    let client = http();
    for i in 2..MAX_KEYS_PER_ACCOUNT {
        let body = json!({ "name": format!("t{i:03}") });
        let request = client.post(url(&emu, "/tokens/generate")).header("x-api-key", ADMIN).json(&body);
        assert_eq!(fetch(request).await.status, 201, "key {i}");
    }
    let full =
        call(&emu, "tokens_generate", Method::POST, "/tokens/generate", json!({ "name": "one-more" })).await;
    assert_eq!(full.status, 403);
    assert!(full.json()["message"].as_str().unwrap().contains(&MAX_KEYS_PER_ACCOUNT.to_string()));
    let listed =
        send("tokens_list", http().get(url(&emu, "/tokens/list")).header("x-api-key", ADMIN)).await.json();
    let names: Vec<&str> =
        listed["tokens"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), MAX_KEYS_PER_ACCOUNT);
    assert_eq!(&names[..3], ["key-1", "key-2", "t002"], "oldest first");
    let revoked = call(&emu, "tokens_revoke", Method::DELETE, "/tokens/revoke/t002", json!({})).await;
    assert_eq!(revoked.status, 200);
    let again =
        call(&emu, "tokens_generate", Method::POST, "/tokens/generate", json!({ "name": "one-more" })).await;
    assert_eq!(again.status, 201);
}

/// A raw client whose connections come from `ip` (any of 127/8 is loopback).
fn client_from(ip: [u8; 4]) -> reqwest::Client {
    pinarkive::tls::install_default_provider();
    reqwest::Client::builder().local_address(IpAddr::from(ip)).build().unwrap()
}

#[tokio::test]
async fn login_signup_and_password_reset_are_limited_per_ip_as_documented() {
    let clock = Clock::manual();
    let emu = Emulator::builder().api_key(ADMIN, ["*"]).clock(clock.clone()).start().await.unwrap();
    let (email, _) = emu.user();
    let first = client_from([127, 0, 0, 1]);
    let attempts = [
        ("auth_login", "/auth/login", json!({ "email": email, "password": "wrong" })),
        (
            "auth_signup",
            "/auth/signup",
            json!({ "name": "N", "email": "n@x.test", "password": "long enough" }),
        ),
        ("auth_forgot_password", "/auth/forgot-password", json!({ "email": email })),
        (
            "auth_reset_password",
            "/auth/reset-password",
            json!({ "token": "bogus", "newPassword": "long enough" }),
        ),
    ];
    // Ten attempts in all, whatever their answer, then 429 on each of the four routes.
    for i in 0..10 {
        let (operation, path, body) = &attempts[i % 4];
        let reply = send(operation, first.post(url(&emu, path)).json(body)).await;
        assert_ne!(reply.status, 429, "attempt {i}");
    }
    for (operation, path, body) in &attempts {
        let limited = send(operation, first.post(url(&emu, path)).json(body)).await;
        assert_eq!(limited.status, 429, "{operation}");
        let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
        assert_eq!(retry_after, 15 * 60);
        let body = limited.json();
        assert_eq!(
            (body["error"].clone(), body["limit"].clone(), body["remaining"].clone()),
            (json!("Too Many Requests"), json!(10), json!(0))
        );
        assert_eq!(body["retryAfter"], retry_after);
    }
    // Other routes, and other addresses, are not held back.
    let verify =
        send("auth_verify_email", first.post(url(&emu, "/auth/verify-email")).json(&json!({ "token": "x" })))
            .await;
    assert_eq!(verify.status, 400);
    assert_eq!(
        send("users_me_get", first.get(url(&emu, "/users/me")).header("x-api-key", ADMIN)).await.status,
        200
    );
    let second = client_from([127, 0, 0, 2]);
    let (operation, path, body) = &attempts[0];
    assert_eq!(send(operation, second.post(url(&emu, path)).json(body)).await.status, 401);
    // The window ends.
    clock.advance(Duration::from_secs(15 * 60));
    assert_eq!(send(operation, first.post(url(&emu, path)).json(body)).await.status, 401);
}

#[tokio::test]
async fn the_auth_limit_is_configurable_and_can_be_off() {
    let clock = Clock::manual();
    let emu = Emulator::builder()
        .auth_rate_limit(2, Duration::from_secs(60))
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let login = || {
        send(
            "auth_login",
            http().post(url(&emu, "/auth/login")).json(&json!({ "email": "a@x.test", "password": "p" })),
        )
    };
    assert_eq!(login().await.status, 401);
    assert_eq!(login().await.status, 401);
    let limited = login().await;
    assert_eq!((limited.status, limited.header("retry-after")), (429, Some("60")));
    let off = Emulator::builder().no_auth_rate_limit().start().await.unwrap();
    for _ in 0..30 {
        let reply = send(
            "auth_login",
            http().post(url(&off, "/auth/login")).json(&json!({ "email": "a@x.test", "password": "p" })),
        )
        .await;
        assert_eq!(reply.status, 401);
    }
}
