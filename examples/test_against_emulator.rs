//! How to test your own code that uses `pinarkive`, against the emulator: no account, no
//! network, a real HTTP server on loopback that answers as the API does (scopes, error codes,
//! uploads, pins, paging).
//!
//! ```sh
//! cargo run --example test_against_emulator    # runs the checks below as a program
//! cargo test --example test_against_emulator   # runs them as tests, as your own crate would
//! ```
//!
//! In your crate: `pinarkive = { version = "0.3", features = ["emulator"] }` under
//! `[dev-dependencies]`, then tests like the ones at the end of this file.

use pinarkive::emulator::Emulator;
use pinarkive::{Client, ErrorCode};

/// The code under test: archives a note and returns its CID. It takes any client, so a test can
/// hand it one that talks to the emulator.
async fn archive_note(client: &Client, title: &str, text: &str) -> pinarkive::Result<String> {
    let uploaded = client.upload(format!("{title}.txt"), text.as_bytes().to_vec()).send().await?;
    Ok(uploaded.cid.clone())
}

/// Starts an emulator with one key of the given scopes, and a client that uses that key.
async fn emulator_with(scopes: &[&str]) -> (Emulator, Client) {
    let emulator = Emulator::builder()
        .api_key("test-key", scopes.iter().copied())
        .start()
        .await
        .expect("the emulator starts on loopback");
    let client = Client::builder()
        .base_url(emulator.base_url())
        .api_key("test-key")
        .retry_policy(pinarkive::RetryPolicy::none())
        .build()
        .expect("a client for the emulator");
    (emulator, client)
}

async fn the_note_is_listed_under_its_cid() {
    let (emulator, client) = emulator_with(&["files:read", "files:write"]).await;
    let cid = archive_note(&client, "groceries", "milk, eggs").await.unwrap();
    let listed = client.users_me_uploads_list().send().await.unwrap();
    assert!(listed.uploads.iter().any(|u| u.cid == cid), "{cid} is not listed");
    emulator.shutdown().await;
}

async fn a_key_without_files_write_is_refused_with_its_scope() {
    let (emulator, client) = emulator_with(&["files:read"]).await;
    let error = archive_note(&client, "groceries", "milk").await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::MissingScope), "{error}");
    assert_eq!(error.api().and_then(|api| api.required_scope.as_deref()), Some("files:write"));
    emulator.shutdown().await;
}

#[tokio::main]
async fn main() {
    the_note_is_listed_under_its_cid().await;
    println!("ok: the note is listed under its CID");
    a_key_without_files_write_is_refused_with_its_scope().await;
    println!("ok: a key without files:write is refused with its scope");
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_note_is_listed_under_its_cid() {
        super::the_note_is_listed_under_its_cid().await;
    }

    #[tokio::test]
    async fn a_key_without_files_write_is_refused_with_its_scope() {
        super::a_key_without_files_write_is_refused_with_its_scope().await;
    }
}
