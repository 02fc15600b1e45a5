//! Request limits as the backend reference documents them (API.md, "Rate limiting"):
//! - per credential on authenticated routes: a one-second and a one-minute fixed window (10 and
//!   100 by default);
//! - per client IP on login, signup, forgot-password and reset-password: one window of 15
//!   minutes (10 attempts by default).
//!
//! Both answer the documented 429 body with `Retry-After`. A window starts with the first request
//! after the last one ended, as express-rate-limit's memory store keeps them.
//!
//! What is remembered stays bounded: an entry whose windows have all ended is swept (the map is
//! walked once per longest window, so each request pays for at most one entry), and a
//! credential's entry goes at once when its session ends or its key is revoked.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use chrono::Utc;
use tokio::time::Instant;

use super::clock::Clock;
use super::errors::ApiError;
use super::{AuthRateLimit, RateLimit, MAX_DURATION};
use crate::spec::{ErrorCode, OperationId};

/// The operations the backend limits per IP: AMD:L64 names login, signup, forgot-password and
/// reset-password.
const AUTH_LIMITED: [OperationId; 4] = [
    OperationId::AuthLogin,
    OperationId::AuthSignup,
    OperationId::AuthForgotPassword,
    OperationId::AuthResetPassword,
];

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);

pub(crate) struct RateLimiter {
    clock: Clock,
    per_credential: Option<Windows<String, 2>>,
    /// `None` stands for a client whose address is unknown (a router served in memory).
    per_ip: Option<Windows<Option<IpAddr>, 1>>,
}

impl RateLimiter {
    pub(crate) fn new(per_credential: RateLimit, auth: AuthRateLimit, clock: Clock) -> RateLimiter {
        let per_credential = match per_credential {
            RateLimit::Off => None,
            RateLimit::PerKey { per_second, per_minute } => {
                Some(Windows::new([(SECOND, per_second), (MINUTE, per_minute)]))
            }
        };
        let per_ip = match auth {
            AuthRateLimit::Off => None,
            AuthRateLimit::PerIp { attempts, window } => Some(Windows::new([(window, attempts)])),
        };
        RateLimiter { clock, per_credential, per_ip }
    }

    /// Counts one request of `credential`, or answers the 429 if a window is full.
    ///
    /// A refused request is not counted, so a client that waits `Retry-After` gets through.
    pub(crate) fn check(&self, credential: &str) -> Result<(), ApiError> {
        match &self.per_credential {
            Some(windows) => windows.check(credential, self.clock.now()),
            None => Ok(()),
        }
    }

    /// Counts one request of `client` if `operation` is an auth route the backend limits per IP.
    pub(crate) fn check_auth_route(
        &self,
        operation: OperationId,
        client: Option<IpAddr>,
    ) -> Result<(), ApiError> {
        match &self.per_ip {
            Some(windows) if AUTH_LIMITED.contains(&operation) => windows.check(&client, self.clock.now()),
            _ => Ok(()),
        }
    }

    /// Forgets a credential that ended (a session logged out, a key revoked).
    pub(crate) fn forget(&self, credential: &str) {
        if let Some(windows) = &self.per_credential {
            windows.entries().map.remove(credential);
        }
    }

    /// How many credentials and addresses are remembered.
    #[cfg(test)]
    pub(crate) fn remembered(&self) -> usize {
        self.per_credential.as_ref().map_or(0, |w| w.entries().map.len())
            + self.per_ip.as_ref().map_or(0, |w| w.entries().map.len())
    }
}

#[derive(Clone, Copy)]
struct Window {
    start: Instant,
    count: u32,
}

/// `N` fixed windows (length, limit) per key.
struct Windows<K, const N: usize> {
    rules: [(Duration, u32); N],
    entries: Mutex<Entries<K, N>>,
}

struct Entries<K, const N: usize> {
    map: HashMap<K, [Window; N]>,
    /// When to sweep ended entries next.
    next_sweep: Option<Instant>,
}

impl<K: Hash + Eq, const N: usize> Windows<K, N> {
    fn new(rules: [(Duration, u32); N]) -> Self {
        // Cut to the longest duration the emulator takes, so that no window's end overflows.
        let rules = rules.map(|(length, limit)| (length.min(MAX_DURATION), limit));
        Windows { rules, entries: Mutex::new(Entries { map: HashMap::new(), next_sweep: None }) }
    }

    fn entries(&self) -> MutexGuard<'_, Entries<K, N>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn check<Q>(&self, key: &Q, now: Instant) -> Result<(), ApiError>
    where
        Q: ToOwned<Owned = K> + ?Sized,
    {
        let rules = self.rules;
        let mut entries = self.entries();
        let longest = rules.iter().map(|(length, _)| *length).max().unwrap_or(MINUTE);
        if entries.next_sweep.is_none_or(|at| now >= at) {
            entries.map.retain(|_, windows| {
                windows.iter().zip(rules).any(|(window, (length, _))| now < window.start + length)
            });
            entries.next_sweep = Some(now + longest);
        }
        let windows = entries.map.entry(key.to_owned()).or_insert([Window { start: now, count: 0 }; N]);
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
        let limits = RateLimit::PerKey { per_second, per_minute };
        (RateLimiter::new(limits, AuthRateLimit::Off, clock.clone()), clock)
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
        let limiter = RateLimiter::new(RateLimit::Off, AuthRateLimit::Off, Clock::manual());
        for _ in 0..1000 {
            assert!(limiter.check("k").is_ok());
            assert!(limiter.check_auth_route(OperationId::AuthLogin, None).is_ok());
        }
        assert_eq!(limiter.remembered(), 0);
    }

    #[tokio::test]
    async fn ended_windows_are_swept_and_ended_credentials_forgotten() {
        let (limiter, clock) = limiter(10, 100);
        for i in 0..10_000 {
            assert!(limiter.check(&format!("k{i}")).is_ok());
        }
        assert_eq!(limiter.remembered(), 10_000);
        limiter.forget("k0");
        assert_eq!(limiter.remembered(), 9_999);
        // Past the minute every window has ended: the next request sweeps them all.
        clock.advance(MINUTE);
        assert!(limiter.check("fresh").is_ok());
        assert_eq!(limiter.remembered(), 1);
        // Many credentials over many minutes: never more than the last minute's.
        for minute in 0..5 {
            for i in 0..1000 {
                assert!(limiter.check(&format!("m{minute}-{i}")).is_ok());
            }
            clock.advance(MINUTE);
            assert!(limiter.remembered() <= 1001, "{}", limiter.remembered());
        }
    }

    #[tokio::test]
    async fn the_auth_routes_are_limited_per_ip_and_nothing_else() {
        let clock = Clock::manual();
        let window = Duration::from_secs(15 * 60);
        let limiter =
            RateLimiter::new(RateLimit::Off, AuthRateLimit::PerIp { attempts: 2, window }, clock.clone());
        let (a, b) = (Some(IpAddr::from([127, 0, 0, 1])), Some(IpAddr::from([127, 0, 0, 2])));
        assert!(limiter.check_auth_route(OperationId::AuthLogin, a).is_ok());
        assert!(limiter.check_auth_route(OperationId::AuthSignup, a).is_ok());
        let refused = limiter.check_auth_route(OperationId::AuthResetPassword, a).unwrap_err();
        assert_eq!(
            (refused.status, refused.body.retry_after, refused.body.limit),
            (StatusCode::TOO_MANY_REQUESTS, Some(900), Some(2))
        );
        assert!(limiter.check_auth_route(OperationId::AuthForgotPassword, b).is_ok());
        for _ in 0..10 {
            assert!(limiter.check_auth_route(OperationId::AuthVerifyEmail, a).is_ok());
            assert!(limiter.check("k").is_ok());
        }
        clock.advance(window);
        assert!(limiter.check_auth_route(OperationId::AuthLogin, a).is_ok());
        assert_eq!(limiter.remembered(), 1, "b's window ended and was swept");
    }

    /// Through the router: what ends a credential makes the limiter forget it.
    #[tokio::test]
    async fn sessions_that_end_and_keys_revoked_are_forgotten() {
        use std::sync::Arc;

        use axum::body::Body;
        use axum::http::Request;
        use tower::ServiceExt;

        let state = Arc::new(super::super::Emulator::builder().api_key("admin", ["*"]).into_state());
        let app = super::super::router::router(state.clone());
        let call = |method: &str, path: &str, credential: &str, body: serde_json::Value| {
            let request = Request::builder()
                .method(method)
                .uri(format!("/api/v3{path}"))
                .header("authorization", format!("Bearer {credential}"))
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            let app = app.clone();
            async move {
                let response = app.oneshot(request).await.unwrap();
                let status = response.status();
                let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
                (status, serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default())
            }
        };
        let (email, password) = (super::super::DEFAULT_EMAIL, super::super::DEFAULT_PASSWORD);
        let login = serde_json::json!({ "email": email, "password": password });
        let (_, body) = call("POST", "/auth/login", "", login.clone()).await;
        let session = body["token"].as_str().unwrap().to_owned();
        assert_eq!(call("GET", "/users/me", &session, serde_json::Value::Null).await.0, StatusCode::OK);
        let (_, body) = call("POST", "/tokens/generate", "admin", serde_json::json!({ "name": "t" })).await;
        let key = body["token"].as_str().unwrap().to_owned();
        assert_eq!(call("GET", "/users/me", &key, serde_json::Value::Null).await.0, StatusCode::OK);
        // The admin key, the session, the new key and the login's client address.
        assert_eq!(state.limiter.remembered(), 4);
        assert_eq!(call("POST", "/auth/logout", &session, serde_json::Value::Null).await.0, StatusCode::OK);
        assert_eq!(state.limiter.remembered(), 3);
        let revoked = call("DELETE", "/tokens/revoke/t", "admin", serde_json::json!({})).await;
        assert_eq!(revoked.0, StatusCode::OK);
        assert_eq!(state.limiter.remembered(), 2);
    }

    #[tokio::test]
    async fn a_window_too_long_is_cut_to_the_longest_duration() {
        let limiter = RateLimiter::new(
            RateLimit::Off,
            AuthRateLimit::PerIp { attempts: 1, window: Duration::MAX },
            Clock::manual(),
        );
        assert!(limiter.check_auth_route(OperationId::AuthLogin, None).is_ok());
        let refused = limiter.check_auth_route(OperationId::AuthLogin, None).unwrap_err();
        assert_eq!(refused.body.retry_after, Some(MAX_DURATION.as_secs()));
    }
}
