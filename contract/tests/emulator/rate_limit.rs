//! Per-key rate limits, driven by a manual clock (no sleeps).

use std::time::Duration;

use pinarkive::emulator::{Clock, Emulator};

use crate::support::{http, send, url, Reply};

async fn me(emu: &Emulator, key: &str) -> Reply {
    send("users_me_get", http().get(url(emu, "/users/me")).header("x-api-key", key)).await
}

#[tokio::test]
async fn per_second_limit_answers_429_with_headers_and_body_then_lets_through() {
    let clock = Clock::manual();
    let emu = Emulator::builder()
        .api_key("a", ["*"])
        .rate_limit(3, 100)
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(me(&emu, "a").await.status, 200);
    }
    let limited = me(&emu, "a").await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("1"));
    assert_eq!(limited.header("x-ratelimit-limit"), Some("3"));
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert!(limited.header("x-ratelimit-reset").is_some());
    let body = limited.json();
    assert_eq!(body["error"], "Too Many Requests");
    assert_eq!(body["retryAfter"], 1);
    assert_eq!(body["limit"], 3);
    assert_eq!(body["remaining"], 0);
    assert!(chrono::DateTime::parse_from_rfc3339(body["resetTime"].as_str().unwrap()).is_ok());

    clock.advance(Duration::from_secs(1));
    assert_eq!(me(&emu, "a").await.status, 200);
}

#[tokio::test]
async fn per_minute_limit_waits_for_the_minute_window() {
    let clock = Clock::manual();
    let emu =
        Emulator::builder().api_key("a", ["*"]).rate_limit(10, 5).clock(clock.clone()).start().await.unwrap();
    for _ in 0..5 {
        assert_eq!(me(&emu, "a").await.status, 200);
        clock.advance(Duration::from_secs(2));
    }
    // 10 s of the minute are gone: 50 s to wait.
    let limited = me(&emu, "a").await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("50"));
    assert_eq!(limited.json()["limit"], 5);
    clock.advance(Duration::from_secs(49));
    assert_eq!(me(&emu, "a").await.status, 429);
    clock.advance(Duration::from_secs(1));
    assert_eq!(me(&emu, "a").await.status, 200);
}

#[tokio::test]
async fn each_key_has_its_own_budget_and_public_routes_are_not_limited() {
    let clock = Clock::manual();
    let emu = Emulator::builder()
        .api_key("a", ["*"])
        .api_key("b", ["*"])
        .rate_limit(1, 100)
        .clock(clock)
        .start()
        .await
        .unwrap();
    assert_eq!(me(&emu, "a").await.status, 200);
    assert_eq!(me(&emu, "a").await.status, 429);
    assert_eq!(me(&emu, "b").await.status, 200);
    for _ in 0..5 {
        assert_eq!(send("health_get", http().get(url(&emu, "/health"))).await.status, 200);
    }
}

#[tokio::test]
async fn the_default_is_10_per_second() {
    let clock = Clock::manual();
    let emu = Emulator::builder().api_key("a", ["*"]).clock(clock).start().await.unwrap();
    for _ in 0..10 {
        assert_eq!(me(&emu, "a").await.status, 200);
    }
    assert_eq!(me(&emu, "a").await.status, 429);
}

#[tokio::test(start_paused = true)]
async fn the_tokio_clock_follows_paused_time() {
    let emu = Emulator::builder().api_key("a", ["*"]).rate_limit(1, 100).start().await.unwrap();
    let client = http();
    let get = || client.get(url(&emu, "/users/me")).header("x-api-key", "a").send();
    assert_eq!(get().await.unwrap().status(), 200);
    assert_eq!(get().await.unwrap().status(), 429);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(get().await.unwrap().status(), 200);
}

#[tokio::test]
async fn the_typed_client_reads_retry_after_from_a_429() {
    let clock = Clock::manual();
    let emu = Emulator::builder().api_key("a", ["*"]).rate_limit(1, 100).clock(clock).start().await.unwrap();
    let client = pinarkive::Client::builder()
        .base_url(emu.base_url())
        .api_key("a")
        .retry_policy(pinarkive::RetryPolicy::none())
        .build()
        .unwrap();
    client.users_me_get().send().await.unwrap();
    let err = client.users_me_get().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
}
