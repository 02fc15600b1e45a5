//! A loopback HTTP/1.1 server that plays a script, shared by the `it` and `cli` test binaries.
//!
//! httpmock cannot script a sequence (503, then 200), drop a connection halfway through an
//! upload, send a body that never ends, or answer from what the request said; this can. Each
//! connection gets one reply, then is closed. A second server is a second origin.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Notify;

/// What the scripted server does with one connection.
#[derive(Clone)]
pub enum Reply {
    /// Reads the whole request, then answers with this status, headers and body.
    Respond(u16, Vec<(&'static str, String)>, String),
    /// Reads this many bytes of the request, then closes the connection without answering.
    DropAfter(usize),
    /// Reads this many bytes of the request, then neither reads nor answers (a hung server).
    StallAfter(usize),
    /// Like `Respond`, but pauses this long before each read of the request.
    Slowly(Duration, u16, String),
    /// Reads the whole request, then answers with this status and headers and a chunked body
    /// that never ends: it is written until the client hangs up.
    Endless(u16, Vec<(&'static str, String)>),
    /// Reads the whole request, then answers with this status and the start of a chunked body,
    /// and sends nothing more while holding the connection open (a server that hangs mid-answer).
    HoldAfter(u16, String),
    /// Reads this many bytes of the request, tells the gate it got there, waits for the gate to
    /// open, then goes on as the reply inside.
    Gated(usize, Arc<Gate>, Box<Reply>),
    /// Reads the whole request, then answers with what the function makes of it.
    Answer(Arc<dyn Fn(&Request) -> Reply + Send + Sync>),
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Respond(status, vec![("content-type", "application/json".into())], body.to_string())
    }

    /// A reply made from the request.
    pub fn answer(answer: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Reply {
        Reply::Answer(Arc::new(answer))
    }
}

/// Where a [`Reply::Gated`] connection stops: the server says when it got there, the test says
/// when to go on.
#[derive(Default)]
pub struct Gate {
    pub reached: Notify,
    pub open: Notify,
}

/// A request as the server read it.
pub struct Request(pub Vec<u8>);

impl Request {
    /// The head (request line and headers) as text.
    pub fn head(&self) -> String {
        let end = self.0.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(self.0.len());
        String::from_utf8_lossy(&self.0[..end]).into_owned()
    }

    /// A header's value (the name in any case).
    pub fn header(&self, name: &str) -> Option<String> {
        self.head().lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_string())
        })
    }

    /// A query parameter of the request line, as sent.
    pub fn query(&self, name: &str) -> Option<String> {
        let head = self.head();
        let target = head.split_whitespace().nth(1)?.to_string();
        let query = target.split_once('?')?.1.to_string();
        query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| value.to_string())
        })
    }
}

/// What the server answers each connection with: the next reply of a list, or the same reply
/// for every connection.
enum Script {
    List(std::vec::IntoIter<Reply>),
    Every(Reply),
}

impl Script {
    fn next(&mut self) -> Option<Reply> {
        match self {
            Script::List(replies) => replies.next(),
            Script::Every(reply) => Some(reply.clone()),
        }
    }
}

/// The server; it stops when dropped.
pub struct ScriptedServer {
    pub url: String,
    /// Every request read, in order.
    pub requests: Arc<Mutex<Vec<Vec<u8>>>>,
    /// Connections accepted, answered or not.
    pub connections: Arc<AtomicUsize>,
    /// Bytes of endless bodies written.
    pub endless_bytes: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl ScriptedServer {
    /// Answers the first connection with the first reply, and so on; then accepts no more.
    pub async fn start(script: Vec<Reply>) -> ScriptedServer {
        ScriptedServer::play(Script::List(script.into_iter())).await
    }

    /// Answers every connection with `reply` (an [`Reply::Answer`], typically).
    pub async fn every(reply: Reply) -> ScriptedServer {
        ScriptedServer::play(Script::Every(reply)).await
    }

    async fn play(mut script: Script) -> ScriptedServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let endless_bytes = Arc::new(AtomicU64::new(0));
        let (seen, accepted, written) = (requests.clone(), connections.clone(), endless_bytes.clone());
        let task = tokio::spawn(async move {
            while let Some(reply) = script.next() {
                let Ok((socket, _)) = listener.accept().await else { return };
                accepted.fetch_add(1, Ordering::SeqCst);
                serve(socket, reply, &seen, &written).await;
            }
        });
        ScriptedServer { url, requests, connections, endless_bytes, task }
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut socket: tokio::net::TcpStream,
    reply: Reply,
    seen: &Arc<Mutex<Vec<Vec<u8>>>>,
    written: &Arc<AtomicU64>,
) {
    let mut request = Vec::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut reply = reply;
    let (limit, pause) = match &reply {
        Reply::DropAfter(n) | Reply::StallAfter(n) => (Some(*n), None),
        Reply::Slowly(pause, ..) => (None, Some(*pause)),
        _ => (None, None),
    };
    let mut gate = match &reply {
        Reply::Gated(at, gate, _) => Some((*at, gate.clone())),
        _ => None,
    };
    loop {
        if let Some(pause) = pause {
            tokio::time::sleep(pause).await;
        }
        if let Some((_, gate)) = gate.take_if(|(at, _)| request.len() >= *at) {
            gate.reached.notify_one();
            gate.open.notified().await;
        }
        if limit.is_some_and(|n| request.len() >= n) || (limit.is_none() && request_complete(&request)) {
            break;
        }
        let want = match &gate {
            Some((at, _)) => buf.len().min(at - request.len()).max(1),
            None => buf.len(),
        };
        match socket.read(&mut buf[..want]).await {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    seen.lock().unwrap().push(request.clone());
    if let Reply::Gated(_, _, inner) = reply {
        reply = *inner;
    }
    if let Reply::Answer(answer) = reply {
        reply = answer(&Request(request));
    }
    match reply {
        Reply::Slowly(_, status, body) => {
            respond(&mut socket, status, vec![("content-type", "application/json".into())], body).await
        }
        Reply::Respond(status, headers, body) => respond(&mut socket, status, headers, body).await,
        Reply::StallAfter(_) => {
            tokio::spawn(async move {
                let _held = socket;
                std::future::pending::<()>().await
            });
            return;
        }
        Reply::HoldAfter(status, start) => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ntransfer-encoding: chunked\r\ncontent-type: application/json\r\n\r\n"
            );
            let chunk = format!("{:x}\r\n{start}\r\n", start.len());
            let _ = socket.write_all(format!("{head}{chunk}").as_bytes()).await;
            tokio::spawn(async move {
                let _held = socket;
                std::future::pending::<()>().await
            });
            return;
        }
        Reply::Endless(status, headers) => {
            let mut head =
                format!("HTTP/1.1 {status} X\r\ntransfer-encoding: chunked\r\nconnection: close\r\n");
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let chunk = [b"10000\r\n".as_slice(), &[b'x'; 0x10000], b"\r\n"].concat();
            if socket.write_all(head.as_bytes()).await.is_ok() {
                while socket.write_all(&chunk).await.is_ok() {
                    written.fetch_add(0x10000, Ordering::Relaxed);
                }
            }
        }
        Reply::DropAfter(_) | Reply::Gated(..) | Reply::Answer(_) => {}
    }
    // A dropped socket with unread data is reset, as a crashing server's would be.
    drop(socket);
}

async fn respond(
    socket: &mut tokio::net::TcpStream,
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
) {
    let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = socket.write_all(head.as_bytes()).await;
    let _ = socket.write_all(body.as_bytes()).await;
    let _ = socket.shutdown().await;
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

/// A valid CIDv1 (raw, sha2-256, base32) of its own for every `n`: a server's made-up answers
/// must hold real CIDs, or the client refuses them.
pub fn fake_cid(n: u64) -> String {
    let digest: Vec<u8> = std::iter::repeat_n(n.to_be_bytes(), 4).flatten().collect();
    let hash = cid::multihash::Multihash::<64>::wrap(0x12, &digest).expect("a 32-byte digest fits");
    cid::Cid::new_v1(0x55, hash).to_string()
}
