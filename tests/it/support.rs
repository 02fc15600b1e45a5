//! What every test needs: a client pointed at a mock server, with known credentials.

use httpmock::MockServer;
use pinarkive::{Client, Credentials, RetryPolicy};

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

/// What the scripted server does with one connection.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Reads the whole request, then answers with this status, headers and body.
    Respond(u16, Vec<(&'static str, String)>, String),
    /// Reads this many bytes of the request, then closes the connection without answering.
    DropAfter(usize),
    /// Reads this many bytes of the request, then neither reads nor answers (a hung server).
    StallAfter(usize),
    /// Like `Respond`, but pauses this long before each read of the request.
    Slowly(std::time::Duration, u16, String),
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Respond(status, vec![("content-type", "application/json".into())], body.to_string())
    }
}

/// A loopback HTTP/1.1 server that answers each connection with the next scripted reply
/// (then closes it), and records every request it read. httpmock cannot script a sequence
/// (503, then 200) nor drop a connection halfway through an upload; this can.
pub struct ScriptedServer {
    pub url: String,
    pub requests: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
    task: tokio::task::JoinHandle<()>,
}

impl ScriptedServer {
    pub async fn start(script: Vec<Reply>) -> ScriptedServer {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = requests.clone();
        let task = tokio::spawn(async move {
            for reply in script {
                let Ok((mut socket, _)) = listener.accept().await else { return };
                let mut request = Vec::new();
                let mut buf = vec![0u8; 256 * 1024];
                let (limit, pause) = match &reply {
                    Reply::DropAfter(n) | Reply::StallAfter(n) => (Some(*n), None),
                    Reply::Respond(..) => (None, None),
                    Reply::Slowly(pause, ..) => (None, Some(*pause)),
                };
                loop {
                    if let Some(pause) = pause {
                        tokio::time::sleep(pause).await;
                    }
                    if limit.is_some_and(|n| request.len() >= n)
                        || (limit.is_none() && request_complete(&request))
                    {
                        break;
                    }
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                seen.lock().unwrap().push(request);
                let reply = match reply {
                    Reply::Slowly(_, status, body) => {
                        Reply::Respond(status, vec![("content-type", "application/json".into())], body)
                    }
                    Reply::StallAfter(_) => {
                        tokio::spawn(async move {
                            let _held = socket;
                            std::future::pending::<()>().await
                        });
                        continue;
                    }
                    other => other,
                };
                if let Reply::Respond(status, headers, body) = reply {
                    let mut head = format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                        body.len()
                    );
                    for (name, value) in headers {
                        head.push_str(&format!("{name}: {value}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = socket.write_all(head.as_bytes()).await;
                    let _ = socket.write_all(body.as_bytes()).await;
                    let _ = socket.shutdown().await;
                }
                // A dropped socket with unread data is reset, as a crashing server's would be.
                drop(socket);
            }
        });
        ScriptedServer { url, requests, task }
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Whether `request` holds the headers and the whole body (by Content-Length or chunked end).
fn request_complete(request: &[u8]) -> bool {
    let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") else { return false };
    let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
    let body = &request[end + 4..];
    if let Some(length) = head.lines().find_map(|l| l.strip_prefix("content-length:")) {
        return body.len() >= length.trim().parse::<usize>().unwrap_or(0);
    }
    if head.contains("transfer-encoding: chunked") {
        return body.ends_with(b"0\r\n\r\n");
    }
    true
}

/// Collects everything logged through `tracing` on this thread (all levels, all crates,
/// reqwest and hyper included) while the guard lives.
pub fn capture_tracing() -> (tracing::subscriber::DefaultGuard, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || CaptureWriter(writer.clone()))
        .finish();
    (tracing::subscriber::set_default(subscriber), buffer)
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

/// The `wait_ms` of every retry logged in `log`, in order.
pub fn logged_waits(log: &[u8]) -> Vec<u64> {
    String::from_utf8_lossy(log)
        .lines()
        .filter(|line| line.contains("retrying"))
        .filter_map(|line| line.split("wait_ms=").nth(1)?.split_whitespace().next()?.parse().ok())
        .collect()
}
