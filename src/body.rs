//! Reading a response body with a bound: a server's body may be endless or huge, and the
//! client keeps what it reads in memory.

use bytes::Bytes;
use reqwest::StatusCode;

/// The default of [`crate::ClientBuilder::max_response_body`]: 64 MiB, far more than any JSON
/// answer of the API.
pub const DEFAULT_MAX_RESPONSE_BODY: u64 = 64 * 1024 * 1024;

/// The most of an error body that is read: 64 KiB, more than any JSON error or proxy error
/// page needs. (A redirect's body is not read at all.) Also the most of an undecodable body
/// that [`crate::Error::Decode`] keeps.
pub const MAX_ERROR_BODY: u64 = 64 * 1024;

/// How much of a body the client reads before it gives up on the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodyLimits {
    /// The largest body of a successful (2xx) response.
    pub(crate) success: u64,
}

impl BodyLimits {
    /// The limit for a response with this status.
    pub(crate) fn for_status(self, status: StatusCode) -> u64 {
        if status.is_success() {
            self.success
        } else {
            self.success.min(MAX_ERROR_BODY)
        }
    }
}

/// A success body the client hook has read (up to its limit), carried to its decoding
/// (`crate::decode`) in the response's extensions: the response itself is not rebuilt around it.
#[derive(Debug, Clone)]
pub(crate) struct ReadBody(pub(crate) Bytes);

/// Reads the body of `response`, or stops as soon as it is known to be longer than `limit`
/// (by its `Content-Length`, or after reading at most `limit` bytes plus one chunk), returning
/// `None`. The rest is never read: dropping the response closes the connection.
pub(crate) async fn read_bounded(
    response: &mut reqwest::Response,
    limit: u64,
) -> reqwest::Result<Option<Bytes>> {
    Ok(read_into_buffer(response, limit).await?.map(Bytes::from))
}

async fn read_into_buffer(response: &mut reqwest::Response, limit: u64) -> reqwest::Result<Option<Vec<u8>>> {
    let declared = response.headers().get(reqwest::header::CONTENT_LENGTH);
    let declared = declared.and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Ok(None);
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    // The chunks are copied into one buffer that never grows past the limit: kept as they come,
    // they would hold on to the connection's read buffers, several times their own size.
    // A declared length is the server's word, not bytes: it sizes the first buffer only up to
    // MAX_FIRST_BUFFER, and the buffer grows as the bytes arrive.
    let first = declared.map_or(FIRST_BUFFER, |length| length.min(MAX_FIRST_BUFFER) as usize).min(limit);
    let mut body: Vec<u8> = Vec::with_capacity(first);
    while let Some(chunk) = response.chunk().await? {
        let needed = body.len().saturating_add(chunk.len());
        if needed > limit {
            return Ok(None);
        }
        if needed > body.capacity() {
            let grown = body.capacity().saturating_mul(2).max(needed).min(limit);
            body.reserve_exact(grown - body.len());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// The buffer a body of unknown length starts with.
const FIRST_BUFFER: usize = 16 * 1024;

/// The largest buffer a body starts with, whatever its declared length: 1 MiB.
const MAX_FIRST_BUFFER: u64 = 1024 * 1024;

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    use super::*;

    const CHUNK: usize = 8 * 1024;

    /// A response whose body never ends, counting the bytes it hands out.
    fn endless(headers: &[(&str, &str)]) -> (reqwest::Response, Arc<AtomicU64>) {
        let served = Arc::new(AtomicU64::new(0));
        let counter = served.clone();
        let body = futures::stream::repeat_with(move || {
            counter.fetch_add(CHUNK as u64, Ordering::Relaxed);
            Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; CHUNK]))
        });
        let mut builder = http::Response::builder().status(200);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        (reqwest::Response::from(builder.body(reqwest::Body::wrap_stream(body)).unwrap()), served)
    }

    #[tokio::test]
    async fn an_endless_body_is_read_up_to_the_limit_plus_one_chunk() {
        let limit = 100 * 1024;
        let (mut response, served) = endless(&[]);
        assert_eq!(read_bounded(&mut response, limit).await.unwrap(), None);
        let served = served.load(Ordering::Relaxed);
        assert!(served > limit && served <= limit + CHUNK as u64, "read {served} bytes");
    }

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused_unread() {
        let (mut response, served) = endless(&[("content-length", "1000000")]);
        assert_eq!(read_bounded(&mut response, 1000).await.unwrap(), None);
        assert_eq!(served.load(Ordering::Relaxed), 0);
    }

    #[tokio::test]
    async fn a_body_within_the_limit_is_read_whole() {
        let chunks =
            vec![Ok::<_, std::io::Error>(Bytes::from_static(b"{\"a\":")), Ok(Bytes::from_static(b"1}"))];
        let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
        let mut response = reqwest::Response::from(http::Response::new(body));
        assert_eq!(read_bounded(&mut response, 7).await.unwrap().unwrap(), Bytes::from_static(b"{\"a\":1}"));
        let mut empty = reqwest::Response::from(http::Response::new(reqwest::Body::from(Vec::new())));
        assert_eq!(read_bounded(&mut empty, 0).await.unwrap().unwrap(), Bytes::new());
    }

    #[tokio::test]
    async fn a_declared_length_reserves_at_most_the_first_buffer() {
        // 60 MiB declared, within the limit, and 10 bytes sent.
        let body = reqwest::Body::wrap_stream(futures::stream::iter([Ok::<_, std::io::Error>(
            Bytes::from_static(b"0123456789"),
        )]));
        let declared = http::Response::builder().header("content-length", (60u64 << 20).to_string());
        let mut response = reqwest::Response::from(declared.body(body).unwrap());
        let read = read_into_buffer(&mut response, DEFAULT_MAX_RESPONSE_BODY).await.unwrap().unwrap();
        assert_eq!(read, b"0123456789");
        assert!(read.capacity() as u64 <= MAX_FIRST_BUFFER, "reserved {} bytes", read.capacity());
    }

    #[test]
    fn error_bodies_have_the_smaller_limit() {
        let limits = BodyLimits { success: 1024 * 1024 };
        assert_eq!(limits.for_status(StatusCode::OK), 1024 * 1024);
        assert_eq!(limits.for_status(StatusCode::UNAUTHORIZED), MAX_ERROR_BODY);
        assert_eq!(limits.for_status(StatusCode::FOUND), MAX_ERROR_BODY);
        let tiny = BodyLimits { success: 10 };
        assert_eq!(tiny.for_status(StatusCode::SERVICE_UNAVAILABLE), 10);
    }
}
