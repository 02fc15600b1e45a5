//! A request's body as the emulator reads it: every byte counts toward the upload limit, and
//! what a handler leaves unread is drained before the answer goes out.
//!
//! The backend is a Node app, and Node reads and discards a request body nobody consumed before
//! it reuses the connection. A server that answers early (401, 403, 429, a 400 about the path)
//! and then closes with the body unread makes the client's kernel see a reset, and a client that
//! writes its whole body before reading (Node's `fetch`, Python `requests`, most SDKs) gets
//! `EPIPE` or `ECONNRESET` instead of the JSON error. So the body is drained, up to the upload
//! limit and for at most [`DRAIN_TIMEOUT`]; past the limit the answer is 413 and the connection
//! is closed, as it is after a timeout. A body whose `Content-Length` is already past the limit
//! is answered 413 at once, unread, and the connection closed.
//!
//! A body must also keep coming: one that stalls for the stall timeout (the server's header-read
//! timeout) or takes longer than [`BODY_TIMEOUT`] in all (Node's `requestTimeout`) fails, and the
//! answer is 408 with the connection closed, as Node's is.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, BodyDataStream};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::time::{Instant, Sleep};

use super::errors::ApiError;

/// The longest a client may take to send the rest of a body the handler did not read.
pub(crate) const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a body may take in all: Node's default `requestTimeout`.
pub(crate) const BODY_TIMEOUT: Duration = Duration::from_secs(300);

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BodyError {
    /// The body passed the upload limit (413).
    #[error("the request body is larger than the limit of {0} bytes")]
    TooLarge(u64),
    /// The body passed the operation's own cap, below the upload limit (413, as body-parser's
    /// `entity.too.large`).
    #[error("the request body is larger than this operation's limit of {0} bytes")]
    OverCap(usize),
    /// A multipart part's headers passed their limit (400).
    #[error("a multipart part's headers are longer than the limit of {0} bytes")]
    PartHeaderTooLong(usize),
    /// The client stopped sending or sent something hyper could not decode.
    #[error("the request body could not be read")]
    Broken,
    /// The body stalled, or took too long in all (408).
    #[error("the request body was not sent in time")]
    TimedOut,
}

impl BodyError {
    /// The answer for a body that could not be read.
    pub(crate) fn into_api_error(self) -> ApiError {
        match self {
            BodyError::TooLarge(limit) => ApiError::file_too_large(limit),
            BodyError::OverCap(cap) => ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                format!("request entity too large: the limit is {cap} bytes"),
            ),
            BodyError::PartHeaderTooLong(limit) => {
                ApiError::bad_request(format!("Multipart part header too long: the limit is {limit} bytes"))
            }
            BodyError::Broken => ApiError::bad_request("Request body unreadable"),
            BodyError::TimedOut => ApiError::new(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                "The request body stalled or took too long",
            ),
        }
    }
}

/// Where the body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Progress {
    Open,
    Ended,
    Failed,
}

struct Reading {
    stream: BodyDataStream,
    read: u64,
    progress: Progress,
    /// Set once the limit is passed; the body is not read further.
    too_large: bool,
    /// When the body times out unless more of it comes: a stall, or the end of its time in all.
    deadline: Pin<Box<Sleep>>,
    /// The end of its time in all.
    last_call: Instant,
}

/// The body of one request, shared by the handler (which reads what it needs) and the router
/// (which drains the rest): a `Stream` of its bytes that fails once they pass `limit`, or once
/// none comes for `stall`.
#[derive(Clone)]
pub(crate) struct RequestBody {
    reading: Arc<Mutex<Reading>>,
    limit: u64,
    stall: Duration,
    /// The `Content-Length` the request declared.
    declared: Option<u64>,
}

/// `after` past `now`, but no later than `last_call` (and no overflow, however long `after`).
fn deadline(now: Instant, after: Duration, last_call: Instant) -> Instant {
    now.checked_add(after).map_or(last_call, |at| at.min(last_call))
}

impl RequestBody {
    pub(crate) fn new(body: Body, limit: u64, stall: Duration, declared: Option<u64>) -> RequestBody {
        let now = Instant::now();
        let last_call = now + BODY_TIMEOUT;
        let reading = Reading {
            stream: body.into_data_stream(),
            read: 0,
            progress: Progress::Open,
            too_large: false,
            deadline: Box::pin(tokio::time::sleep_until(deadline(now, stall, last_call))),
            last_call,
        };
        RequestBody { reading: Arc::new(Mutex::new(reading)), limit, stall, declared }
    }

    /// Whether the declared `Content-Length` is already past the upload limit.
    pub(crate) fn declared_too_large(&self) -> bool {
        self.declared.is_some_and(|length| length > self.limit)
    }

    fn reading(&self) -> MutexGuard<'_, Reading> {
        self.reading.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The whole body, or an error once it passes `cap` bytes (an operation's own limit, below
    /// the upload limit) or the upload limit.
    pub(crate) async fn bytes(&mut self, cap: usize) -> Result<Bytes, BodyError> {
        if self.declared.is_some_and(|length| length > cap as u64) {
            return Err(BodyError::OverCap(cap));
        }
        let mut collected = Vec::new();
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            if collected.len() + chunk.len() > cap {
                return Err(BodyError::OverCap(cap));
            }
            collected.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(collected))
    }

    /// Called with the handler's answer once it is done with the body: drains what is left so
    /// that the client gets the answer (see the module docs), or closes the connection.
    pub(crate) async fn settle(self, response: Response) -> Response {
        let (progress, too_large) = {
            let reading = self.reading();
            (reading.progress, reading.too_large)
        };
        if too_large || progress == Progress::Failed || self.declared_too_large() {
            return close(response);
        }
        if progress == Progress::Ended {
            return response;
        }
        let mut rest = self.clone();
        let drained = tokio::time::timeout(DRAIN_TIMEOUT, async move {
            while let Some(chunk) = rest.next().await {
                chunk?;
            }
            Ok(())
        });
        match drained.await {
            Ok(Ok(())) => response,
            Ok(Err(BodyError::TooLarge(limit))) => close(ApiError::file_too_large(limit).into_response()),
            Ok(Err(BodyError::TimedOut)) => close(BodyError::TimedOut.into_api_error().into_response()),
            Ok(Err(_)) | Err(_) => close(response),
        }
    }
}

/// `response` with `Connection: close`, so hyper ends the connection once it is sent.
fn close(mut response: Response) -> Response {
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

impl Stream for RequestBody {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let (limit, stall) = (self.limit, self.stall);
        let mut reading = self.reading();
        if reading.too_large {
            return Poll::Ready(Some(Err(BodyError::TooLarge(limit))));
        }
        if reading.progress != Progress::Open {
            return Poll::Ready(None);
        }
        match reading.stream.poll_next_unpin(cx) {
            Poll::Pending => {
                if reading.deadline.as_mut().poll(cx).is_ready() {
                    reading.progress = Progress::Failed;
                    return Poll::Ready(Some(Err(BodyError::TimedOut)));
                }
                Poll::Pending
            }
            Poll::Ready(None) => {
                reading.progress = Progress::Ended;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(_))) => {
                reading.progress = Progress::Failed;
                Poll::Ready(Some(Err(BodyError::Broken)))
            }
            Poll::Ready(Some(Ok(chunk))) => {
                let next = deadline(Instant::now(), stall, reading.last_call);
                reading.deadline.as_mut().reset(next);
                reading.read = reading.read.saturating_add(chunk.len() as u64);
                if reading.read > limit {
                    reading.too_large = true;
                    return Poll::Ready(Some(Err(BodyError::TooLarge(limit))));
                }
                Poll::Ready(Some(Ok(chunk)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(chunks: &[&'static [u8]], limit: u64) -> RequestBody {
        let chunks: Vec<Result<Bytes, std::io::Error>> =
            chunks.iter().map(|c| Ok(Bytes::from_static(c))).collect();
        let stream = futures::stream::iter(chunks);
        RequestBody::new(Body::from_stream(stream), limit, Duration::from_secs(5), None)
    }

    #[tokio::test]
    async fn bytes_past_the_limit_fail_and_keep_failing() {
        let mut b = body(&[b"12345", b"67890"], 8);
        assert_eq!(b.next().await, Some(Ok(Bytes::from_static(b"12345"))));
        assert_eq!(b.next().await, Some(Err(BodyError::TooLarge(8))));
        assert_eq!(b.next().await, Some(Err(BodyError::TooLarge(8))));
        let closed = b.settle(Response::new(Body::empty())).await;
        assert_eq!(closed.headers()[header::CONNECTION], "close");
    }

    #[tokio::test]
    async fn an_unread_body_is_drained_and_the_answer_kept() {
        let b = body(&[b"12345", b"67890"], 10);
        let answer = b.clone().settle(ApiError::invalid_api_key().into_response()).await;
        assert_eq!(answer.status(), 401);
        assert!(answer.headers().get(header::CONNECTION).is_none());
    }

    #[tokio::test]
    async fn an_unread_body_past_the_limit_is_413_and_closes() {
        let b = body(&[b"12345", b"67890"], 9);
        let answer = b.settle(ApiError::invalid_api_key().into_response()).await;
        assert_eq!(answer.status(), 413);
        assert_eq!(answer.headers()[header::CONNECTION], "close");
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stalls_times_out_and_the_answer_is_408_and_closes() {
        let stalled = futures::stream::once(async { Ok::<_, std::io::Error>(Bytes::from_static(b"12")) })
            .chain(futures::stream::pending());
        let mut b = RequestBody::new(Body::from_stream(stalled), 100, Duration::from_secs(5), None);
        assert_eq!(b.next().await, Some(Ok(Bytes::from_static(b"12"))));
        assert_eq!(b.next().await, Some(Err(BodyError::TimedOut)));
        let answer = b.settle(ApiError::invalid_api_key().into_response()).await;
        assert_eq!(answer.headers()[header::CONNECTION], "close");

        // Trickling past the stall timeout still ends at the timeout in all.
        let trickle = futures::stream::unfold((), |()| async {
            tokio::time::sleep(Duration::from_secs(4)).await;
            Some((Ok::<_, std::io::Error>(Bytes::from_static(b"x")), ()))
        });
        let mut b = RequestBody::new(Body::from_stream(trickle), u64::MAX, Duration::from_secs(5), None);
        let started = Instant::now();
        while let Some(Ok(_)) = b.next().await {}
        let took = started.elapsed();
        assert!(took >= BODY_TIMEOUT && took < BODY_TIMEOUT + Duration::from_secs(5), "{took:?}");
    }

    #[tokio::test]
    async fn a_body_over_an_operations_cap_is_told_apart_from_one_over_the_limit() {
        assert_eq!(body(&[b"12345", b"67890"], 100).bytes(6).await, Err(BodyError::OverCap(6)));
        assert_eq!(body(&[b"12345", b"67890"], 100).bytes(10).await, Ok(Bytes::from_static(b"1234567890")));
        assert_eq!(body(&[b"12345", b"67890"], 7).bytes(100).await, Err(BodyError::TooLarge(7)));
        assert_eq!(BodyError::OverCap(6).into_api_error().status, 413);
    }

    #[tokio::test]
    async fn a_declared_length_past_a_cap_or_the_limit_fails_unread() {
        let declared = |length| {
            let stream = futures::stream::pending::<Result<Bytes, std::io::Error>>();
            RequestBody::new(Body::from_stream(stream), 100, Duration::from_secs(5), Some(length))
        };
        // Refused before a byte is read (the stream never yields one).
        assert_eq!(declared(11).bytes(10).await, Err(BodyError::OverCap(10)));
        assert!(!declared(100).declared_too_large());
        let over = declared(101);
        assert!(over.declared_too_large());
        let answer = over.settle(ApiError::file_too_large(100).into_response()).await;
        assert_eq!(answer.headers()[header::CONNECTION], "close");
    }

    #[tokio::test]
    async fn a_stall_timeout_of_any_length_does_not_overflow() {
        let mut b = RequestBody::new(
            Body::from_stream(futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"1"))])),
            10,
            Duration::MAX,
            None,
        );
        assert_eq!(b.next().await, Some(Ok(Bytes::from_static(b"1"))));
        assert_eq!(b.next().await, None);
    }
}
