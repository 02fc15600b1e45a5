//! Emulators, clients with known keys, and responses checked against the spec.

use pinarkive::emulator::{Emulator, EmulatorBuilder};
use pinarkive::{Client, RetryPolicy};
use pinarkive_contract::conformance::Conformance;
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
    pinarkive::tls::install_default_provider();
    reqwest::Client::new()
}

/// `emu`'s URL for `path` (below the base URL).
pub fn url(emu: &Emulator, path: &str) -> String {
    format!("{}{path}", emu.base_url())
}

#[path = "../common/reply.rs"]
mod reply;
pub use reply::{fetch, Reply};

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends `request`, reads the whole answer, and asserts it conforms to the spec for `operation`.
pub async fn send(operation: &str, request: reqwest::RequestBuilder) -> Reply {
    let reply = fetch(request).await;
    if let Err(e) = Conformance::embedded().check(operation, reply.status, &reply.headers, &reply.body) {
        panic!("{e}\nbody: {}", String::from_utf8_lossy(&reply.body));
    }
    reply
}

/// Asserts that `reply`'s body is the API's error body: for answers the Express app gives
/// whatever the operation (before routing, or from its middleware) that the spec does not list
/// for every operation.
pub fn error_body(reply: &Reply) {
    if let Err(problems) = Conformance::embedded().check_error_body(&reply.body) {
        panic!("not the error body: {problems:?}\nbody: {}", String::from_utf8_lossy(&reply.body));
    }
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

/// One HTTP/1.1 connection driven by hand, for what reqwest hides: a client that writes its
/// whole request before it reads, and connections the server keeps or closes.
pub struct RawConnection {
    stream: tokio::net::TcpStream,
    buffered: Vec<u8>,
}

/// A response read off a [`RawConnection`].
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

impl RawConnection {
    pub async fn connect(emu: &Emulator) -> RawConnection {
        let stream = tokio::net::TcpStream::connect(emu.addr()).await.expect("connects");
        RawConnection::from_stream(stream)
    }

    /// A connection made by the caller (with its own socket options, say).
    pub fn from_stream(stream: tokio::net::TcpStream) -> RawConnection {
        RawConnection { stream, buffered: Vec::new() }
    }

    /// Writes all of `bytes` before returning; an error if the server closed first.
    pub async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        use tokio::io::AsyncWriteExt;
        self.stream.write_all(bytes).await
    }

    /// Reads one response (its body by `Content-Length`); an error if the connection ends first.
    pub async fn read_response(&mut self) -> std::io::Result<RawResponse> {
        let head_end = loop {
            if let Some(at) = self.buffered.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            self.fill().await?;
        };
        let head = String::from_utf8_lossy(&self.buffered[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok());
        let status = status.ok_or_else(|| std::io::Error::other(format!("bad status line: {head}")))?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while self.buffered.len() < head_end + length {
            self.fill().await?;
        }
        let body = self.buffered[head_end..head_end + length].to_vec();
        self.buffered.drain(..head_end + length);
        Ok(RawResponse { status, headers, body })
    }

    /// Whether the server closes the connection (EOF or reset) within `wait`, reading and
    /// dropping anything it sends meanwhile.
    pub async fn closed_within(&mut self, wait: std::time::Duration) -> bool {
        use tokio::io::AsyncReadExt;
        let mut sink = [0u8; 1024];
        let read_to_end = async {
            loop {
                match self.stream.read(&mut sink).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        };
        tokio::time::timeout(wait, read_to_end).await.is_ok()
    }

    async fn fill(&mut self) -> std::io::Result<()> {
        use tokio::io::AsyncReadExt;
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        self.buffered.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

/// A multipart body of `parts` (name, file name, content) with `boundary`, byte for byte, so a
/// test knows its exact size.
pub fn multipart_body(boundary: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file_name, content) in parts {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
        );
        if let Some(file_name) = file_name {
            body.extend_from_slice(format!("; filename=\"{file_name}\"").as_bytes());
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}
