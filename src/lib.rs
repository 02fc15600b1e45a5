//! A client for the [Pinarkive](https://pinarkive.com) IPFS pinning API v3: upload files and
//! directories, pin CIDs, list and remove pins, manage API keys, find gateways. Every operation
//! of the API is a typed method of [`Client`], generated at build time from a hand-maintained
//! OpenAPI spec ([`spec::YAML`]); uploads, retries, errors and paging are written by hand around it.
//!
//! # Quick start
//!
//! ```toml
//! [dependencies]
//! pinarkive = "0.3"
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! ```no_run
//! #[tokio::main]
//! async fn main() -> pinarkive::Result<()> {
//!     let client = pinarkive::Client::from_env()?; // reads PINARKIVE_API_KEY
//!     let upload = client.upload_file("photo.png").send().await?;
//!     println!("uploaded as {}", upload.cid);
//!     Ok(())
//! }
//! ```
//!
//! The examples in the repository run against the local emulator with no account:
//! `cargo run --example upload_with_progress -- FILE`, `list_all_uploads`, `pin_by_cid` and
//! `test_against_emulator` (see each file's header).
//!
//! # Credentials and `from_env`
//!
//! [`Client::from_env`] reads three variables:
//!
//! | Variable | Meaning |
//! |---|---|
//! | `PINARKIVE_API_KEY` | An API key from the dashboard (required). Its scopes limit what the client may do. |
//! | `PINARKIVE_API_BASE_URL` | The API's base URL; default [`DEFAULT_BASE_URL`]. |
//! | `PINARKIVE_CLUSTER_ID` | The cluster uploads and pins go to (`X-Cluster`), unless a call names one. |
//!
//! A missing key is [`Error::Config`] with [`ConfigError::MissingEnv`]. Or configure by hand:
//!
//! ```no_run
//! use std::time::Duration;
//! use pinarkive::{Client, Credentials};
//!
//! # fn main() -> pinarkive::Result<()> {
//! let client = Client::builder()
//!     .credentials(Credentials::api_key("pk_..."))
//!     .cluster("cl0-global")
//!     .connect_timeout(Duration::from_secs(5))
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! The key is sent only to the base URL's origin (redirects are never followed), only over https
//! (plain http is refused except on loopback, see
//! [`ClientBuilder::allow_insecure_http`]), and never appears in `Debug`, `Display`, logs or
//! errors (a server that echoes it gets it replaced in every error this crate returns).
//!
//! # Errors and retries
//!
//! Every call returns [`Error`]. Match on what you can act on, and use its accessors for the rest:
//!
//! ```no_run
//! use pinarkive::{ConfigError, Error, ErrorCode};
//!
//! # async fn run(client: &pinarkive::Client) {
//! match client.users_me_get().send().await {
//!     Ok(me) => println!("signed in as {:?}", me.email),
//!     Err(e) if e.code() == Some(&ErrorCode::MissingScope) => {
//!         eprintln!("the key needs scope {:?}", e.api().and_then(|api| api.required_scope.clone()))
//!     }
//!     Err(Error::Config(ConfigError::MissingEnv { variable })) => eprintln!("set {variable}"),
//!     Err(e) if e.is_timeout() => eprintln!("no answer in time: {e}"),
//!     Err(e) => eprintln!("HTTP {:?}: {e} (retryable: {})", e.status(), e.is_retryable()),
//! }
//! # }
//! ```
//!
//! [`Error::Api`] carries the status, the API's [`ErrorCode`], the scope a key lacks,
//! `retry_after` and the raw body; [`Error::Decode`] keeps the status and body of an answer that
//! does not match the spec (an HTML page from a proxy, say). [`Error`] and [`ConfigError`] are
//! `#[non_exhaustive]`: keep a catch-all arm.
//!
//! Requests are retried by default ([`RetryPolicy::default`]: 3 retries; a 429 or 503 waits for
//! `Retry-After`, 502/503/504 and failed connections back off with jitter; never another 4xx, a
//! redirect, an oversized body or a local file's fault; a request that is not idempotent is not
//! resent after an ambiguous failure, except uploads, which are content-addressed). Tune it, or
//! watch it:
//!
//! ```no_run
//! # use std::time::Duration;
//! # fn main() -> pinarkive::Result<()> {
//! let client = pinarkive::Client::builder()
//!     .api_key("pk_...")
//!     .retry_policy(pinarkive::RetryPolicy::default().max_retries(5).max_delay(Duration::from_secs(20)))
//!     .on_retry(|retry| eprintln!("retry {} of {} in {:?}", retry.number, retry.operation, retry.wait))
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! # Uploads and progress
//!
//! [`Client::upload_file`] streams a file from disk (it is reopened for a retry, and a file that
//! changes while it is sent is an error, not a corrupt pin); [`Client::upload`] takes bytes or a
//! reader ([`upload::Source`]); [`Client::upload_directory`] and [`Client::upload_dag`] upload a
//! directory as one DAG. Each reports progress to a callback:
//!
//! ```no_run
//! # async fn run(client: &pinarkive::Client) -> pinarkive::Result<()> {
//! let uploaded = client
//!     .upload_file("video.mp4")
//!     .cluster("cl0-global")
//!     .on_progress(|p| match p.total {
//!         Some(total) => eprint!("\r{} of {total} bytes", p.sent),
//!         None => eprint!("\r{} bytes", p.sent),
//!     })
//!     .send()
//!     .await?;
//! println!("\n{}", uploaded.cid);
//! # Ok(()) }
//! ```
//!
//! # Pinning by CID
//!
//! ```no_run
//! # async fn run(client: &pinarkive::Client) -> pinarkive::Result<()> {
//! let cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
//! client.files_pin().cid(cid).body_map(|body| body.custom_name("hello.txt".to_string())).send().await?;
//! # Ok(()) }
//! ```
//!
//! A CID is checked before anything is sent ([`validate_cid`]); a bad one is
//! [`Error::InvalidInput`].
//!
//! # Pagination
//!
//! [`Client::uploads`] walks every page of the user's uploads as a stream, and stops with
//! [`Error::Paging`] on a server whose pages would not end (a repeated page, more pages than its
//! own total):
//!
//! ```no_run
//! use futures::TryStreamExt;
//!
//! # async fn run(client: &pinarkive::Client) -> pinarkive::Result<()> {
//! let uploads = client.uploads().page_size(100).stream();
//! futures::pin_mut!(uploads);
//! while let Some(upload) = uploads.try_next().await? {
//!     println!("{} {}", upload.cid, upload.name.as_deref().unwrap_or("-"));
//! }
//! # Ok(()) }
//! ```
//!
//! One page at a time: `client.users_me_uploads_list().page(2).limit(50).send()`.
//!
//! # Gateways
//!
//! [`Client::gateways`] ranks the gateways of the user's clusters (the client's cluster first) and
//! builds content URLs from them:
//!
//! ```no_run
//! # async fn run(client: &pinarkive::Client, cid: &str) -> pinarkive::Result<()> {
//! let gateways = client.gateways().await?;
//! println!("{}", gateways.url(cid)?);
//! # Ok(()) }
//! ```
//!
//! [`gateway::content_url`] joins any gateway base and a CID.
//!
//! # Features
//!
//! | Feature | Default | What it adds |
//! |---|---|---|
//! | `rustls` | yes | TLS by rustls with the *ring* provider (see [`tls`]) |
//! | `native-tls` | no | TLS by the platform's library instead (OpenSSL on Linux) |
//! | `mock` | no | `mock`: typed [httpmock](https://docs.rs/httpmock) helpers for every generated operation |
//! | `emulator` | no | `emulator`: a local Pinarkive (in-memory, on loopback) for tests and demos |
//! | `emulator-cli` | no | the emulator's options as `clap::Args`, and serving until Ctrl-C |
//!
//! To use the platform's TLS: `pinarkive = { version = "0.3", default-features = false, features
//! = ["native-tls"] }`. [`tls`] says how the two differ and what happens with both or neither.
//!
//! # Testing your own code against the emulator
//!
//! With the `emulator` feature (as a dev-dependency), a test starts a real HTTP server on
//! loopback that behaves like the API (routing, scopes, error bodies, rate limits, uploads,
//! pins) and points the client at it. No account, no network:
//!
//! ```toml
//! [dev-dependencies]
//! pinarkive = { version = "0.3", features = ["emulator"] }
//! ```
//!
//! ```no_run
//! # #[cfg(feature = "emulator")]
//! # mod doc {
//! use pinarkive::emulator::Emulator;
//! use pinarkive::Client;
//!
//! // The code under test: takes any client.
//! async fn archive(client: &Client, text: &str) -> pinarkive::Result<String> {
//!     Ok(client.upload("note.txt", text.as_bytes().to_vec()).send().await?.cid.clone())
//! }
//!
//! #[tokio::test]
//! async fn archive_returns_the_cid() {
//!     let emulator = Emulator::builder().api_key("test-key", ["files:read", "files:write"]).start().await.unwrap();
//!     let client = Client::builder().base_url(emulator.base_url()).api_key("test-key").build().unwrap();
//!     let cid = archive(&client, "hello").await.unwrap();
//!     let listed = client.users_me_uploads_list().send().await.unwrap();
//!     assert!(listed.uploads.iter().any(|u| u.cid == cid));
//!     emulator.shutdown().await;
//! }
//! # }
//! # fn main() {}
//! ```
//!
//! The same emulator runs standalone for other languages and tools: `pinarkive emulator` (from
//! the `pinarkive-cli` package). With the `mock` feature, `pinarkive::mock` has typed httpmock helpers
//! for finer control of single answers.
//!
//! # Versions
//!
//! The crate version follows Cargo's semver rules (in `0.y.z`, a breaking change bumps `y`).
//! Its build metadata is the date of the vendor docs the spec was last reconciled with:
//! `0.3.0+2026042200` is crate version 0.3.0 with the spec of 2026-04-22 (the last two digits
//! count reconciliations on one day). Build metadata is no version bump: Cargo ignores it when
//! it resolves versions. [`spec::YAML`] is the spec this build was generated from.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

mod generated;

pub mod auth;
pub mod body;
mod cid;
pub mod client;
mod config_error;
#[cfg(any(feature = "emulator", feature = "pinning-service"))]
mod cors;
mod decode;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
pub mod error;
pub mod gateway;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock;
pub mod pagination;
#[cfg(feature = "pinning-service")]
pub mod pinning_service;
pub mod redact;
pub mod retry;
#[cfg(any(feature = "emulator", feature = "pinning-service"))]
mod serve;
pub mod spec;
pub mod tls;
pub mod upload;

pub use crate::auth::{ApiKeyHeader, Credentials};
pub use crate::cid::validate_cid;
pub use crate::client::{ClientBuilder, DEFAULT_BASE_URL};
pub use crate::error::{ApiError, ConfigError, Error, ErrorCode, LocalFileError, RateLimit, Result};
pub use crate::retry::RetryPolicy;
pub use crate::spec::{OperationId, Scope};
pub use generated::{builder, types, Client, ResponseValue};

// The README's example is compiled with the doctests (the README itself is the repository's
// front page, with links that only work there).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
