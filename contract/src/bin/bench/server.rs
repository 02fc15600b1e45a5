//! The local server both clients talk to: axum on 127.0.0.1, on its own thread and runtime.
//!
//! `POST /api/v3/files` streams the body to the end, counting and discarding it, and records
//! what arrived so the benchmark can refuse a run in which a client sent less than the file.
//! `GET /api/v3/health` answers `{"status":"ok"}` and counts the calls.
//! `GET /api/v3/users/me` compares `X-API-Key` with [`BENCH_KEY`] and answers a constant profile:
//! the floor the emulator's authenticated GETs are compared with.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use futures_util::StreamExt;

/// The CID every upload gets.
pub const CID: &str = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

/// The health body: the generated `types::HealthResponse` decodes it.
const HEALTH_BODY: &str = r#"{"status":"ok"}"#;

/// The API key every client of the benchmarks sends.
pub const BENCH_KEY: &str = "bench-key";

/// A profile of the size the emulator answers for `GET /users/me`.
const PROFILE_BODY: &str = r#"{"_id":"6650f0c2a1b2c3d4e5f60718","email":"dev@emulator.local","username":"dev","name":"Dev","lastname":"Emulator","role":"user","plan":"premium","clusters":["cl0-global"]}"#;

/// How much of the end of an upload body is kept to check the closing boundary.
const TAIL: usize = 256;

/// What the server saw of one upload.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Bytes of request body read (the whole multipart body).
    pub body_bytes: u64,
    /// The body ended with the closing multipart boundary.
    pub complete: bool,
    /// Reading the body failed.
    pub error: Option<String>,
    /// From the handler's start to the body's end.
    pub elapsed: Duration,
    /// The client sent `Expect: 100-continue`.
    pub expect_continue: bool,
}

#[derive(Default)]
struct Shared {
    uploads: Mutex<Vec<Upload>>,
    health: AtomicU64,
}

pub struct Server {
    /// `http://127.0.0.1:<port>/api/v3`.
    pub base_url: String,
    shared: Arc<Shared>,
}

impl Server {
    /// Binds a free port and serves on a thread with a current-thread runtime. The thread
    /// lives until the process exits.
    pub fn start() -> std::io::Result<Server> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/api/v3/files", post(upload))
            .route("/api/v3/health", get(health))
            .route("/api/v3/users/me", get(profile))
            .layer(DefaultBodyLimit::disable())
            .with_state(Arc::clone(&shared));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new().name("bench-server".into()).spawn(move || {
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                let listener = listener.tap_io(|tcp| {
                    let _ = tcp.set_nodelay(true);
                });
                axum::serve(listener, app).await.expect("the bench server runs");
            })
        })?;
        Ok(Server { base_url: format!("http://{addr}/api/v3"), shared })
    }

    /// The uploads recorded since the last call.
    pub fn take_uploads(&self) -> Vec<Upload> {
        std::mem::take(&mut *self.shared.uploads.lock().expect("not poisoned"))
    }

    /// `GET /health` calls so far.
    pub fn health_count(&self) -> u64 {
        self.shared.health.load(Ordering::Relaxed)
    }
}

async fn health(State(shared): State<Arc<Shared>>) -> Response {
    shared.health.fetch_add(1, Ordering::Relaxed);
    ([(header::CONTENT_TYPE, "application/json")], HEALTH_BODY).into_response()
}

async fn profile(headers: HeaderMap) -> Response {
    let json = [(header::CONTENT_TYPE, "application/json")];
    if headers.get("x-api-key").is_some_and(|key| key == BENCH_KEY) {
        (json, PROFILE_BODY).into_response()
    } else {
        let body = r#"{"error":"Invalid API key","code":"INVALID_API_KEY"}"#;
        (StatusCode::UNAUTHORIZED, json, body).into_response()
    }
}

async fn upload(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let boundary = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(boundary_of);
    let expect_continue = headers.contains_key(header::EXPECT);
    let mut stream = body.into_data_stream();
    let (mut body_bytes, mut tail, mut error) = (0u64, Vec::with_capacity(2 * TAIL), None);
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => {
                body_bytes += chunk.len() as u64;
                keep_tail(&mut tail, &chunk);
            }
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
    }
    let closing = boundary.map(|b| format!("--{b}--\r\n"));
    let complete = closing.is_some_and(|closing| tail.ends_with(closing.as_bytes()));
    let elapsed = started.elapsed();
    let ok = complete && error.is_none();
    let record = Upload { body_bytes, complete, error, elapsed, expect_continue };
    shared.uploads.lock().expect("not poisoned").push(record);
    let json = |status, body: String| (status, [(header::CONTENT_TYPE, "application/json")], body);
    if ok {
        json(StatusCode::CREATED, format!(r#"{{"cid":"{CID}","size":{body_bytes}}}"#)).into_response()
    } else {
        let message = r#"{"error":"incomplete multipart body","message":"incomplete multipart body"}"#;
        json(StatusCode::BAD_REQUEST, message.to_string()).into_response()
    }
}

/// The `boundary` parameter of a `multipart/form-data` content type.
fn boundary_of(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim().eq_ignore_ascii_case("boundary").then(|| value.trim().trim_matches('"').to_string())
    })
}

/// Keeps the last `TAIL` bytes seen.
fn keep_tail(tail: &mut Vec<u8>, chunk: &[u8]) {
    if chunk.len() >= TAIL {
        tail.clear();
        tail.extend_from_slice(&chunk[chunk.len() - TAIL..]);
    } else {
        tail.extend_from_slice(chunk);
        if tail.len() > TAIL {
            tail.drain(..tail.len() - TAIL);
        }
    }
}
