//! The listener of the emulator and the pinning-service bridge: HTTP/1.1 connections served by
//! hyper with a header-read timeout, a write timeout and a cap on open connections, stopped
//! gracefully.
//!
//! `axum::serve` has no timer, so hyper's header-read timeout never fires under it and a client
//! could hold any number of connections open by sending nothing. Here every connection gets the
//! timeout (it also covers an idle keep-alive connection waiting for its next request), and no
//! more than `max_connections` are served at once: the next one waits in the listen backlog until
//! one closes. hyper has no write timeout, so a client that sends requests and never reads the
//! answers would hold its connection for ever: a write that makes no progress for the same
//! timeout fails and ends the connection.
//!
//! The emulator lets a client shut down its side once its request is sent and still read the
//! answer (hyper's `half_close`), as Node (the vendor's backend) allows. The bridge does not
//! ([`ConnectionLimits::half_close`] off): there a client that hangs up ends the connection, and
//! hyper drops the request's handler, so no Pinarkive call goes on for a caller who left.
//!
//! Each request carries the peer's address as axum's `ConnectInfo<SocketAddr>` (the emulator's
//! per-IP limit of the auth routes reads it).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use tokio_io_timeout::TimeoutWriter;
use tower::util::MapRequest;

/// How long to wait before accepting again after an error such as running out of file descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The longest timeout [`serve`] applies; a longer one is cut to it, so that no deadline overflows.
pub(crate) const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The default time a client has to send a request's headers (and an idle connection's life).
pub(crate) const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The default number of connections served at once.
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// What bounds the connections of one server.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    /// The time a client has to send a request's headers, an idle connection's lifetime, and
    /// the longest a write may wait for the client to read.
    pub(crate) header_read_timeout: Duration,
    /// Connections served at once.
    pub(crate) max_connections: usize,
    /// Whether a client that shuts down its writing side still gets its answer; off, it is
    /// taken as gone and its request's work stops.
    pub(crate) half_close: bool,
}

/// A server running in a task of its own: stopped by [`Server::shutdown`], or ended on drop.
#[derive(Debug)]
pub(crate) struct Server {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `app` on `listener` in a new task.
    pub(crate) fn spawn(listener: TcpListener, app: axum::Router, limits: ConnectionLimits) -> Server {
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, app, limits, stopped));
        Server { stop: Some(stop), task: Some(task) }
    }

    /// Stops accepting connections and waits (at most 5 s) for open ones to finish.
    pub(crate) async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            // Idle keep-alive connections close at once; a stuck one must not hang the caller.
            if tokio::time::timeout(Duration::from_secs(5), &mut task).await.is_err() {
                task.abort();
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Drop cannot wait, so the task is ended here rather than left running.
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Serves `app` on `listener` until `stop` fires (or its sender is dropped), then stops accepting
/// and lets the open connections finish their requests.
async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: ConnectionLimits,
    stop: oneshot::Receiver<()>,
) {
    // The builder's setters keep both in range; clamped again, as a deadline past them panics.
    let timeout = limits.header_read_timeout.clamp(Duration::from_millis(1), MAX_TIMEOUT);
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(timeout).half_close(limits.half_close);
    let permits = Arc::new(Semaphore::new(limits.max_connections.clamp(1, Semaphore::MAX_PERMITS)));
    let graceful = GracefulShutdown::new();
    // Owned here, so that aborting this task (dropping the server) ends every connection too.
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    if !is_connection_error(&e) {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        // Small answers go out at once instead of waiting on the peer's delayed ACK (~40 ms).
        let _ = tcp.set_nodelay(true);
        let mut io = TimeoutWriter::new(tcp);
        io.set_timeout(Some(timeout));
        let service = TowerToHyperService::new(MapRequest::new(app.clone(), with_peer(peer)));
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(Box::pin(io)), service));
        connections.spawn(async move {
            // An error here is the client's doing (it went away, or sent its headers too slowly).
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Adds the peer's address to each request of a connection, as `axum::serve` does.
fn with_peer<B>(peer: SocketAddr) -> impl Fn(http::Request<B>) -> http::Request<B> + Clone {
    move |mut request| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    }
}

/// Errors of one connection that came and went before it was accepted, not of the listener.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}
