//! Typed `httpmock` helpers for every generated operation, generated from the spec
//! (feature `mock`). Point a [`crate::Client`] at an `httpmock::MockServer` whose base URL
//! has no path, then:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> pinarkive::Result<()> {
//! use pinarkive::mock::MockServerExt;
//! let server = httpmock::MockServer::start_async().await;
//! let health = server.health_get(|when, then| {
//!     then.ok(&serde_json::from_value(serde_json::json!({"status": "ok"})).unwrap());
//! });
//! let client = pinarkive::Client::builder().base_url(server.base_url()).build()?;
//! client.health_get().send().await?;
//! health.assert();
//! # Ok(()) }
//! ```
//!
//! The multipart uploads have no typed helper (progenitor generates none for operations it
//! cannot generate); mock them with `server.mock(..)` on `POST /files`.

#![allow(missing_docs, clippy::all, clippy::pedantic, unused_imports)]

include!(concat!(env!("OUT_DIR"), "/generated_httpmock.rs"));
