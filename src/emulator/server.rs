//! The listener: HTTP/1.1 connections served by hyper with a header-read timeout and a cap on
//! open connections, stopped gracefully.
//!
//! `axum::serve` has no timer, so hyper's header-read timeout never fires under it and a client
//! could hold any number of connections open by sending nothing. Here every connection gets the
//! timeout (it also covers an idle keep-alive connection waiting for its next request), and no
//! more than `max_connections` are served at once: the next one waits in the listen backlog until
//! one closes.

use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Semaphore};
use tokio::task::JoinSet;

/// How long to wait before accepting again after an error such as running out of file descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What bounds the connections of one emulator.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    /// The time a client has to send a request's headers, and an idle connection's lifetime.
    pub(crate) header_read_timeout: Duration,
    /// Connections served at once.
    pub(crate) max_connections: usize,
}

/// Serves `app` on `listener` until `stop` fires (or its sender is dropped), then stops accepting
/// and lets the open connections finish their requests.
pub(crate) async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: ConnectionLimits,
    stop: oneshot::Receiver<()>,
) {
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    // Owned here, so that aborting this task (dropping the emulator) ends every connection too.
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
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    if !is_connection_error(&e) {
                        tracing::warn!(error = %e, "emulator: accept failed");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        // Small answers go out at once instead of waiting on the peer's delayed ACK (~40 ms).
        let _ = tcp.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(tcp), service));
        connections.spawn(async move {
            // An error here is the client's doing (it went away, or sent its headers too slowly).
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Errors of one connection that came and went before it was accepted, not of the listener.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}
