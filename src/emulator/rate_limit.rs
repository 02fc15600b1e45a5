//! Per-credential request limits: a one-second and a one-minute fixed window, as the backend's
//! defaults (10 per second, 100 per minute) describe.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::StatusCode;
use chrono::Utc;
use tokio::time::Instant;

use super::clock::Clock;
use super::errors::ApiError;
use super::RateLimit;
use crate::spec::ErrorCode;

pub(crate) struct RateLimiter {
    limits: RateLimit,
    clock: Clock,
    windows: Mutex<HashMap<String, [Window; 2]>>,
}

#[derive(Clone, Copy)]
struct Window {
    start: Instant,
    count: u32,
}

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);

impl RateLimiter {
    pub(crate) fn new(limits: RateLimit, clock: Clock) -> RateLimiter {
        RateLimiter { limits, clock, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts one request of `credential`, or answers the 429 if a window is full.
    ///
    /// A refused request is not counted, so a client that waits `Retry-After` gets through.
    pub(crate) fn check(&self, credential: &str) -> Result<(), ApiError> {
        let RateLimit::PerKey { per_second, per_minute } = self.limits else { return Ok(()) };
        let now = self.clock.now();
        let mut all = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let windows = all
            .entry(credential.to_owned())
            .or_insert([Window { start: now, count: 0 }, Window { start: now, count: 0 }]);
        let rules = [(SECOND, per_second), (MINUTE, per_minute)];
        let mut refused: Option<(u32, Instant)> = None;
        for (window, (length, limit)) in windows.iter_mut().zip(rules) {
            if now >= window.start + length {
                *window = Window { start: now, count: 0 };
            }
            let reset = window.start + length;
            // The window that frees up last decides how long the client must wait.
            if window.count >= limit && refused.is_none_or(|(_, at)| reset > at) {
                refused = Some((limit, reset));
            }
        }
        match refused {
            Some((limit, reset)) => Err(too_many_requests(limit, reset.saturating_duration_since(now))),
            None => {
                for window in windows.iter_mut() {
                    window.count += 1;
                }
                Ok(())
            }
        }
    }
}

fn too_many_requests(limit: u32, wait: Duration) -> ApiError {
    // Whole seconds, rounded up, and never 0: a client that waits them is let through.
    let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let retry_after = retry_after.max(1);
    let reset = Utc::now() + chrono::TimeDelta::from_std(wait).unwrap_or(chrono::TimeDelta::zero());
    let mut error =
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded").with_code(ErrorCode::RateLimit);
    error.body.retry_after = Some(retry_after);
    error.body.limit = Some(u64::from(limit));
    error.body.remaining = Some(0);
    error.body.reset_time = Some(reset.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    error
        .header("retry-after", retry_after)
        .header("x-ratelimit-limit", limit)
        .header("x-ratelimit-remaining", 0)
        .header("x-ratelimit-reset", reset.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_second: u32, per_minute: u32) -> (RateLimiter, Clock) {
        let clock = Clock::manual();
        (RateLimiter::new(RateLimit::PerKey { per_second, per_minute }, clock.clone()), clock)
    }

    #[tokio::test]
    async fn a_refused_request_is_not_counted() {
        let (limiter, clock) = limiter(1, 2);
        assert!(limiter.check("k").is_ok());
        for _ in 0..5 {
            assert!(limiter.check("k").is_err());
        }
        clock.advance(SECOND);
        // Only one of the minute's two requests was spent.
        assert!(limiter.check("k").is_ok());
    }

    #[tokio::test]
    async fn retry_after_rounds_up_and_names_the_window_that_frees_last() {
        let (limiter, clock) = limiter(1, 1);
        assert!(limiter.check("k").is_ok());
        clock.advance(Duration::from_millis(1500));
        let refused = limiter.check("k").unwrap_err();
        assert_eq!(refused.body.retry_after, Some(59));
        assert_eq!(refused.body.limit, Some(1));
    }

    #[tokio::test]
    async fn without_limits_everything_passes() {
        let limiter = RateLimiter::new(RateLimit::Off, Clock::manual());
        for _ in 0..1000 {
            assert!(limiter.check("k").is_ok());
        }
    }
}
