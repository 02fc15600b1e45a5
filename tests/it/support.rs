//! What every test needs: a client pointed at a mock server, with known credentials.

use httpmock::MockServer;
use pinarkive::{Client, Credentials, RetryPolicy};

pub use crate::scripted::{fake_cid, Gate, Reply, Request, ScriptedServer};

/// The API key every test client sends.
pub const KEY: &str = "pk_test_0123456789abcdef";

/// A valid CIDv1 and a valid CIDv0.
pub const CID: &str = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
pub const CID_V0: &str = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";

/// How a test client authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `X-API-Key: KEY`.
    ApiKey,
    /// `Authorization: Bearer KEY`.
    Bearer,
}

impl Auth {
    pub const BOTH: [Auth; 2] = [Auth::ApiKey, Auth::Bearer];

    pub fn credentials(self) -> Credentials {
        match self {
            Auth::ApiKey => Credentials::api_key(KEY),
            Auth::Bearer => Credentials::api_key_as_bearer(KEY),
        }
    }

    /// Requires this form of the key on `when`, and the absence of the other form.
    pub fn expect(self, when: httpmock::When) -> httpmock::When {
        match self {
            Auth::ApiKey => when.header("x-api-key", KEY).header_missing("authorization"),
            Auth::Bearer => when.header("authorization", format!("Bearer {KEY}")).header_missing("x-api-key"),
        }
    }
}

/// A client for `server` with the key in the given form and no retries.
pub fn client(server: &MockServer, auth: Auth) -> Client {
    builder(server, auth).retry_policy(RetryPolicy::none()).build().expect("test client")
}

/// A builder for `server` with the key in the given form (default retries).
pub fn builder(server: &MockServer, auth: Auth) -> pinarkive::ClientBuilder {
    Client::builder().base_url(server.base_url()).credentials(auth.credentials())
}

/// A client for a [`ScriptedServer`] at `url`, with the key as `X-API-Key`.
pub fn scripted_client(url: &str, policy: RetryPolicy) -> Client {
    Client::builder().base_url(url).api_key(KEY).retry_policy(policy).build().expect("test client")
}

/// Collects everything logged through `tracing` on this thread (all levels, all crates,
/// reqwest and hyper included) while the guard lives.
pub fn capture_tracing() -> (tracing::subscriber::DefaultGuard, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    static UNDECIDED: std::sync::Once = std::sync::Once::new();
    UNDECIDED.call_once(|| {
        let _ = tracing::subscriber::set_global_default(Undecided);
    });
    let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || CaptureWriter(writer.clone()))
        .finish();
    (tracing::subscriber::set_default(subscriber), buffer)
}

/// A global subscriber that records nothing but says every callsite is "sometimes" of
/// interest. Without it, tracing caches a callsite first hit on a thread with no subscriber as
/// of no interest to anyone, and a capture on another thread then misses its events: with tests
/// on many threads, which one comes first is luck.
struct Undecided;

impl tracing::Subscriber for Undecided {
    fn register_callsite(&self, _: &'static tracing::Metadata<'static>) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::sometimes()
    }
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        false
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

struct CaptureWriter(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CaptureWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
