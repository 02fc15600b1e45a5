//! Emulators and clients with known keys.

use pinarkive::emulator::{Emulator, EmulatorBuilder};
use pinarkive::{Client, RetryPolicy};

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

/// Reads a response as status and JSON body.
pub async fn json(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let body = response.json().await.expect("a JSON body");
    (status, body)
}
