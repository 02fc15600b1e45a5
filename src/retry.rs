//! When to resend a request, and how long to wait first.
//!
//! Classification and waits are pure functions, unit-tested here; `send` is the one loop
//! that generated operations (through the client hook) and uploads both use.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;

use crate::error::Captured;
use crate::spec::OperationId;
use crate::Client;

/// How many times, and how patiently, a failed request is resent.
///
/// On by default: 3 retries, exponential backoff from 250 ms up to 8 s with jitter, and a
/// `Retry-After` of at most 60 s is honoured (a longer one is returned as the error instead
/// of blocking the caller). Start from [`RetryPolicy::default`] or [`RetryPolicy::none`] and
/// change what you need (new knobs may be added, so the struct cannot be built literally):
///
/// ```
/// # use std::time::Duration;
/// let policy = pinarkive::RetryPolicy::default().max_retries(5).max_delay(Duration::from_secs(30));
/// assert_eq!(policy.max_retries, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Resends after the first attempt; 0 turns retries off.
    pub max_retries: u32,
    /// The first backoff; each later one doubles, up to `max_delay`.
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
    /// The longest `Retry-After` worth waiting for.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never resend.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..RetryPolicy::default() }
    }

    /// Sets [`max_retries`](Self::max_retries): resends after the first attempt.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets [`base_delay`](Self::base_delay): the first backoff.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets [`max_delay`](Self::max_delay): the longest backoff.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets [`max_retry_after`](Self::max_retry_after): the longest `Retry-After` worth waiting for.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }
}

/// A resend the client is about to make; see
/// [`ClientBuilder::on_retry`](crate::ClientBuilder::on_retry).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Retry {
    /// The operation resent.
    pub operation: OperationId,
    /// Which resend this is: 1 for the first.
    pub number: u32,
    /// How long the client waits before it: the server's `Retry-After`, or the backoff.
    pub wait: Duration,
    /// The status of the answer that is retried; None when no answer came (a failed connection,
    /// a timeout).
    pub status: Option<StatusCode>,
}

/// The callback of [`ClientBuilder::on_retry`](crate::ClientBuilder::on_retry).
#[derive(Clone)]
pub(crate) struct OnRetry(pub(crate) Arc<dyn Fn(&Retry) + Send + Sync>);

impl fmt::Debug for OnRetry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OnRetry(..)")
    }
}

/// What went wrong with one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The server answered with this status.
    Status { status: u16, retry_after: Option<Duration> },
    /// No connection was made, so the request was certainly not processed.
    Connect,
    /// The request may have reached the server (timeout, connection dropped after sending).
    Ambiguous,
    /// Sending again cannot help: a body over the limit, a local file's fault.
    Final,
}

/// Whether to resend, and after how long. `retries` counts the resends already made.
pub(crate) fn decide(
    policy: &RetryPolicy,
    retries: u32,
    failure: Failure,
    idempotent: bool,
) -> Option<Duration> {
    if retries >= policy.max_retries {
        return None;
    }
    let backoff = || backoff(policy, retries);
    match failure {
        // The server refused the request without acting on it: safe for every method.
        Failure::Status { status: 429 | 503, retry_after: Some(wait) } => {
            (wait <= policy.max_retry_after).then_some(wait)
        }
        Failure::Status { status: 429 | 503, retry_after: None } => Some(backoff()),
        // A gateway failed: the origin may have acted on the request.
        Failure::Status { status: 502 | 504, .. } if idempotent => Some(backoff()),
        Failure::Status { .. } => None,
        Failure::Connect => Some(backoff()),
        Failure::Ambiguous if idempotent => Some(backoff()),
        Failure::Ambiguous | Failure::Final => None,
    }
}

/// Exponential backoff with jitter: between half and all of `base * 2^retries`, capped.
pub(crate) fn backoff(policy: &RetryPolicy, retries: u32) -> Duration {
    let exponential =
        policy.base_delay.saturating_mul(2u32.saturating_pow(retries.min(30))).min(policy.max_delay);
    let half = exponential / 2;
    half + half.mul_f64(unit_random())
}

/// A value in [0, 1) for jitter, which needs spread, not secrecy: the hash of nothing under a
/// fresh `RandomState`, whose keys std seeds randomly per thread and changes for every new one.
/// (An RNG crate would add five crates to every user's build for this one number.)
fn unit_random() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let bits = std::collections::hash_map::RandomState::new().build_hasher().finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// Parses `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A failed attempt, as the retry loop needs to see it.
pub(crate) trait AttemptError: From<reqwest::Error> {
    /// What kind of failure it is.
    fn failure(&self) -> Failure;
}

impl AttemptError for reqwest::Error {
    fn failure(&self) -> Failure {
        if self.is_connect() {
            Failure::Connect
        } else {
            Failure::Ambiguous
        }
    }
}

impl AttemptError for crate::Error {
    fn failure(&self) -> Failure {
        match self {
            crate::Error::Transport(e) => e.failure(),
            crate::Error::Timeout { .. } => Failure::Ambiguous,
            _ => Failure::Final,
        }
    }
}

/// Sends a request, resending it as the client's policy allows.
///
/// `attempt` sends one request (generated operations: `reqwest::Client::execute`; uploads add a
/// stall watchdog). `rebuild` makes each further request (a clone of a buffered request, or an
/// upload with its file reopened); `None` means it cannot be rebuilt, and the last failure
/// stands. Every body is read here, up to the client's limits; error responses come back
/// captured (see [`Captured`]), their body read once for `retryAfter` and kept for the error
/// built from it. Each resend is announced to the client's `on_retry` and as a `retrying`
/// debug event.
pub(crate) async fn send<E: AttemptError, F: Future<Output = Result<reqwest::Response, E>>>(
    client: &Client,
    operation: OperationId,
    idempotent: bool,
    first: reqwest::Request,
    mut rebuild: impl FnMut() -> Option<reqwest::Request>,
    attempt: impl Fn(reqwest::Request) -> F,
) -> Result<reqwest::Response, E> {
    let (policy, limits) = (client.retry_policy(), client.body_limits());
    let mut request = first;
    let mut retries = 0;
    loop {
        let (failure, result) = match attempt(request).await {
            Ok(response) => match Captured::from_response(response, limits).await {
                Ok(Ok(success)) => return Ok(success),
                Ok(Err(captured)) => {
                    let failure = match captured.exceeded {
                        // An endless or huge body is not worth asking for again.
                        Some(_) => Failure::Final,
                        None => Failure::Status {
                            status: captured.status.as_u16(),
                            retry_after: captured.retry_after(),
                        },
                    };
                    (failure, Ok(captured.into_envelope()))
                }
                Err(e) => (Failure::Ambiguous, Err(E::from(e))),
            },
            Err(e) => (e.failure(), Err(e)),
        };
        let Some(wait) = decide(policy, retries, failure, idempotent) else { return result };
        let Some(next) = rebuild() else { return result };
        retries += 1;
        let status = match failure {
            Failure::Status { status, .. } => StatusCode::from_u16(status).ok(),
            _ => None,
        };
        if let Some(on_retry) = client.on_retry() {
            (on_retry.0)(&Retry { operation, number: retries, wait, status });
        }
        let operation_id = operation.as_str();
        tracing::debug!(operation_id, retries, wait_ms = wait.as_millis() as u64, ?failure, "retrying");
        tokio::time::sleep(wait).await;
        request = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_MINUTE: Duration = Duration::from_secs(60);

    fn status(status: u16, retry_after: Option<u64>) -> Failure {
        Failure::Status { status, retry_after: retry_after.map(Duration::from_secs) }
    }

    #[test]
    fn rate_limits_wait_for_retry_after_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(decide(&p, 0, status(429, Some(7)), false), Some(Duration::from_secs(7)));
        assert_eq!(decide(&p, 0, status(429, Some(60)), false), Some(ONE_MINUTE));
        assert_eq!(decide(&p, 0, status(429, Some(61)), true), None);
        let wait = decide(&p, 0, status(429, None), false).unwrap();
        assert!(wait >= Duration::from_millis(125) && wait <= Duration::from_millis(250), "{wait:?}");
    }

    #[test]
    fn client_errors_are_never_retried() {
        let p = RetryPolicy::default();
        for code in [400, 401, 403, 404, 409, 413, 500] {
            assert_eq!(decide(&p, 0, status(code, Some(1)), true), None, "{code}");
        }
    }

    #[test]
    fn ambiguous_failures_are_retried_only_when_idempotent() {
        let p = RetryPolicy::default();
        assert!(decide(&p, 0, Failure::Ambiguous, true).is_some());
        assert!(decide(&p, 0, Failure::Ambiguous, false).is_none());
        assert!(decide(&p, 0, status(502, None), false).is_none());
        assert!(decide(&p, 0, status(504, None), true).is_some());
        assert!(decide(&p, 0, Failure::Connect, false).is_some());
        assert!(decide(&p, 0, status(503, None), false).is_some());
        assert!(decide(&p, 0, Failure::Final, true).is_none());
    }

    #[test]
    fn the_budget_is_respected() {
        let p = RetryPolicy { max_retries: 2, ..RetryPolicy::default() };
        assert!(decide(&p, 1, Failure::Connect, true).is_some());
        assert!(decide(&p, 2, Failure::Connect, true).is_none());
        assert!(decide(&RetryPolicy::none(), 0, status(429, Some(0)), true).is_none());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        for retries in 0..40 {
            let ceiling = (p.base_delay * 2u32.pow(retries.min(20))).min(p.max_delay);
            let wait = backoff(&p, retries);
            assert!(wait >= ceiling / 2 && wait <= ceiling, "retry {retries}: {wait:?}");
        }
    }

    #[test]
    fn jitter_is_in_range_and_spread() {
        let samples: Vec<f64> = (0..1000).map(|_| unit_random()).collect();
        assert!(samples.iter().all(|x| (0.0..1.0).contains(x)));
        // Every tenth of the range is hit: the values spread, they do not repeat.
        for tenth in 0..10 {
            let (low, high) = (tenth as f64 / 10.0, (tenth + 1) as f64 / 10.0);
            assert!(samples.iter().any(|x| (low..high).contains(x)), "nothing in [{low}, {high})");
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2026 07:28:00 GMT").unwrap();
        assert_eq!(parse_retry_after(" 12 ", now), Some(Duration::from_secs(12)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2026 07:28:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2026 07:27:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }
}
