//! Emulators, clients with known keys, and responses checked against the spec.

use pinarkive::conformance::Conformance;
use pinarkive::emulator::{Emulator, EmulatorBuilder};
use pinarkive::{Client, RetryPolicy};
use reqwest::header::HeaderMap;
use serde_json::Value;

/// A key with every scope.
pub const ADMIN: &str = "pk_emu_admin";
/// A key with only `files:read`.
pub const READER: &str = "pk_emu_reader";

/// An emulator builder with the two keys above and no rate limit.
pub fn builder() -> EmulatorBuilder {
    Emulator::builder().api_key(ADMIN, ["*"]).api_key(READER, ["files:read"]).no_rate_limit()
}

pub async fn start() -> Emulator {
    builder().start().await.expect("emulator starts")
}

/// A typed client for `emu` with `key` as `X-API-Key` and no retries.
pub fn client(emu: &Emulator, key: &str) -> Client {
    Client::builder()
        .base_url(emu.base_url())
        .api_key(key)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client")
}

/// A raw HTTP client.
pub fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// `emu`'s URL for `path` (below the base URL).
pub fn url(emu: &Emulator, path: &str) -> String {
    format!("{}{path}", emu.base_url())
}

/// A response read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends `request`, reads the whole answer, and asserts it conforms to the spec for `operation`.
pub async fn send(operation: &str, request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("the emulator answers");
    let reply = Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.bytes().await.expect("a whole body").to_vec(),
    };
    if let Err(e) = Conformance::embedded().check(operation, reply.status, &reply.headers, &reply.body) {
        panic!("{e}\nbody: {}", String::from_utf8_lossy(&reply.body));
    }
    reply
}

/// Logs in as the emulator's built-in user and returns the session token.
pub async fn session(emu: &Emulator) -> String {
    let (email, password) = emu.user();
    let reply = send(
        "auth_login",
        http()
            .post(url(emu, "/auth/login"))
            .json(&serde_json::json!({ "email": email, "password": password })),
    )
    .await;
    assert_eq!(reply.status, 200);
    reply.json()["token"].as_str().expect("a session token").to_owned()
}
