//! The emulator with known keys, a bridge in front of it, and answers checked against the PSA
//! document.

use std::sync::OnceLock;

use pinarkive::emulator::{Emulator, EmulatorBuilder};
use pinarkive::pinning_service::PinningService;
use pinarkive::{Client, RetryPolicy};
use pinarkive_contract::conformance::Conformance;
use reqwest::Method;
use serde_json::Value;

/// Every scope.
pub const ADMIN: &str = "pk_psa_admin";
/// Everything but `files:write`.
pub const NO_WRITE: &str = "pk_psa_no_write";
/// Everything but `cluster:read` (no live status).
pub const NO_STATUS: &str = "pk_psa_no_status";

/// The emulator with the keys above and no rate limit.
pub fn emulator() -> EmulatorBuilder {
    Emulator::builder()
        .api_key(ADMIN, ["*"])
        .api_key(NO_WRITE, ["files:read", "files:delete", "cluster:read"])
        .api_key(NO_STATUS, ["files:read", "files:write", "files:delete"])
        .no_rate_limit()
}

/// A bridge and the emulator behind it.
pub struct Setup {
    pub emulator: Emulator,
    pub bridge: PinningService,
    http: reqwest::Client,
}

pub async fn start() -> Setup {
    start_with(emulator(), RetryPolicy::default()).await
}

pub async fn start_with(emulator: EmulatorBuilder, retry: RetryPolicy) -> Setup {
    let emulator = emulator.start().await.expect("emulator starts");
    let bridge = bridge_for(&emulator, retry).await;
    Setup { emulator, bridge, http: reqwest::Client::new() }
}

/// A new bridge on a free port in front of `emulator`, with no key of its own.
pub async fn bridge_for(emulator: &Emulator, retry: RetryPolicy) -> PinningService {
    let client = Client::builder().base_url(emulator.base_url()).retry_policy(retry).build().expect("client");
    PinningService::builder(client).bind(([127, 0, 0, 1], 0).into()).start().await.expect("bridge starts")
}

#[path = "../common/reply.rs"]
mod reply;
pub use reply::{fetch, Reply};

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The error body's `reason`.
    pub fn reason(&self) -> String {
        self.json()["error"]["reason"].as_str().unwrap_or_default().to_owned()
    }

    pub fn details(&self) -> String {
        self.json()["error"]["details"].as_str().unwrap_or_default().to_owned()
    }
}

/// The PSA document's validators. It has no `operationId`s, so each operation is named
/// `METHOD path` here.
pub fn psa() -> &'static Conformance {
    static PSA: OnceLock<Conformance> = OnceLock::new();
    PSA.get_or_init(|| {
        let yaml = include_str!("../../../openapi/ipfs-pinning-service.yaml");
        let mut document: Value = serde_yaml::from_str(yaml).expect("the PSA document parses");
        let paths = document["paths"].as_object_mut().expect("paths");
        for (path, item) in paths.iter_mut() {
            for (method, operation) in item.as_object_mut().expect("path item").iter_mut() {
                if let Some(operation) = operation.as_object_mut().filter(|_| method != "parameters") {
                    let id = format!("{} {path}", method.to_uppercase());
                    operation.insert("operationId".into(), Value::String(id));
                }
            }
        }
        Conformance::from_document(document).expect("the PSA document compiles")
    })
}

impl Setup {
    /// Sends a request to the bridge and reads the answer, without judging it.
    pub async fn raw(&self, method: Method, path: &str, key: Option<&str>, body: Option<&Value>) -> Reply {
        let mut request = self.http.request(method, format!("{}{path}", self.bridge.url()));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        fetch(request).await
    }

    /// Sends a request and asserts the answer conforms to the PSA document for its operation
    /// (`template` is the document's path, such as `/pins/{requestid}`).
    pub async fn call(
        &self,
        method: Method,
        template: &str,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let operation = format!("{method} {template}");
        let reply = self.raw(method, path, key, body).await;
        if let Err(e) = psa().check(&operation, reply.status, &reply.headers, &reply.body) {
            panic!("{e}\nbody: {}", reply.text());
        }
        reply
    }

    pub async fn add(&self, key: &str, pin: Value) -> Reply {
        self.call(Method::POST, "/pins", "/pins", Some(key), Some(&pin)).await
    }

    pub async fn list(&self, key: &str, query: &str) -> Reply {
        self.call(Method::GET, "/pins", &format!("/pins{query}"), Some(key), None).await
    }

    pub async fn get(&self, key: &str, requestid: &str) -> Reply {
        self.call(Method::GET, "/pins/{requestid}", &format!("/pins/{requestid}"), Some(key), None).await
    }

    pub async fn replace(&self, key: &str, requestid: &str, pin: Value) -> Reply {
        self.call(Method::POST, "/pins/{requestid}", &format!("/pins/{requestid}"), Some(key), Some(&pin))
            .await
    }

    pub async fn delete(&self, key: &str, requestid: &str) -> Reply {
        self.call(Method::DELETE, "/pins/{requestid}", &format!("/pins/{requestid}"), Some(key), None).await
    }

    /// Pins a new CID (named `name` when given) and returns its `PinStatus`; waits a few
    /// milliseconds first, so that every pin has its own `created` (Pinarkive's are to the ms).
    pub async fn pin(&self, name: Option<&str>) -> Value {
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        let mut pin = serde_json::json!({ "cid": new_cid() });
        if let Some(name) = name {
            pin["name"] = name.into();
        }
        let reply = self.add(ADMIN, pin).await;
        assert_eq!(reply.status, 202, "{}", reply.text());
        reply.json()
    }
}

/// A CID no test of this binary has used (test-support's made-up CIDs, one per call).
pub fn new_cid() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    test_support::scripted::fake_cid(NEXT.fetch_add(1, Ordering::Relaxed))
}
