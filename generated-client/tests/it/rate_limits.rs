//! Waits the server asks for: `Retry-After` (seconds or an HTTP date) and Cal.com's
//! `X-RateLimit-Reset-*`, the one-minute cap above which the client gives up at once, and the
//! `Error::RateLimited` returned when the retries run out. Waits are recorded, never slept.

use crate::common;

use std::time::Duration;

use calcom::Error;
use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MEMBERSHIP_PATH: &str = "/v2/organizations/10/teams/20/memberships/123";

/// Mounts `first` once for the membership GET, then a success.
async fn once_then_success(server: &MockServer, first: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .respond_with(success(membership_json(123, 7, 20, "MEMBER")))
        .with_priority(2)
        .mount(server)
        .await;
}

/// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`) `secs` seconds from now.
fn http_date_in(secs: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(secs)).format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[tokio::test]
async fn retry_after_in_seconds_is_the_wait() {
    let server = server().await;
    once_then_success(&server, cal_error(429).insert_header("Retry-After", "3")).await;
    let (cal, waits) = retrying_client(&server);

    let m = cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the retry succeeds");

    assert_eq!(m.id, 123);
    assert_eq!(waits.all(), vec![Duration::from_secs(3)], "exactly the server's wait, no jitter");
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_waits_until_then() {
    let server = server().await;
    once_then_success(&server, cal_error(429).insert_header("Retry-After", http_date_in(10).as_str())).await;
    let (cal, waits) = retrying_client(&server);

    cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the retry succeeds");

    let waits = waits.all();
    assert_eq!(waits.len(), 1, "{waits:?}");
    // The date has whole seconds, and some time passes before the answer is read.
    assert!(
        Duration::from_secs(8) <= waits[0] && waits[0] <= Duration::from_secs(10),
        "about 10 s, got {:?}",
        waits[0]
    );
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn retry_after_as_a_past_http_date_retries_at_once() {
    let server = server().await;
    once_then_success(&server, cal_error(429).insert_header("Retry-After", http_date_in(-30).as_str())).await;
    let (cal, waits) = retrying_client(&server);

    cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the retry succeeds");

    assert_eq!(waits.all(), vec![Duration::ZERO]);
}

#[tokio::test]
async fn without_retry_after_the_rate_limit_reset_is_the_wait() {
    let server = server().await;
    once_then_success(
        &server,
        cal_error(429)
            .insert_header("X-RateLimit-Limit-Default", "120")
            .insert_header("X-RateLimit-Remaining-Default", "0")
            .insert_header("X-RateLimit-Reset-Default", "2"),
    )
    .await;
    let (cal, waits) = retrying_client(&server);

    cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the retry succeeds");

    assert_eq!(waits.all(), vec![Duration::from_secs(2)]);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn retry_after_wins_over_the_rate_limit_reset() {
    let server = server().await;
    once_then_success(
        &server,
        cal_error(429).insert_header("Retry-After", "4").insert_header("X-RateLimit-Reset-Default", "30"),
    )
    .await;
    let (cal, waits) = retrying_client(&server);

    cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the retry succeeds");

    assert_eq!(waits.all(), vec![Duration::from_secs(4)]);
}

#[tokio::test]
async fn a_429_that_is_not_the_rate_limiter_is_an_api_error_with_what_cal_com_said() {
    // Cal.com maps internal "too many requests" failures to 429 without the limiter's headers.
    let server = server().await;
    let body = r#"{"status":"error","timestamp":"2026-01-01T00:00:00.000Z","path":"/v2/x","error":{"code":"TRPCError","message":"Too many requests. Please try again later."}}"#;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .respond_with(ResponseTemplate::new(429).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let (cal, waits) = retrying_client(&server);
    let e = cal.orgs().teams().memberships().get(10, 20, 123).max_retries(1).await.expect_err("429");
    let Error::Api(api) = e else { panic!("expected Error::Api, not a rate limit: {e:?}") };
    assert_eq!((api.status(), api.code()), (429, Some("TRPCError")));
    assert_eq!(api.message(), Some("Too many requests. Please try again later."));
    let waits = waits.all();
    assert!(waits.iter().all(|w| *w <= Duration::from_secs(1)), "backoff, not a rate-limit window: {waits:?}");
}

#[tokio::test]
async fn several_windows_wait_for_the_exhausted_one() {
    let server = server().await;
    once_then_success(
        &server,
        cal_error(429)
            .insert_header("X-RateLimit-Remaining-Short", "3")
            .insert_header("X-RateLimit-Reset-Short", "1")
            .insert_header("X-RateLimit-Remaining-Default", "0")
            .insert_header("X-RateLimit-Reset-Default", "7")
            .insert_header("X-RateLimit-Remaining-Long", "50")
            .insert_header("X-RateLimit-Reset-Long", "40"),
    )
    .await;
    let (cal, waits) = retrying_client(&server);
    cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the retry succeeds");
    assert_eq!(waits.all(), vec![Duration::from_secs(7)], "neither the smallest (1) nor the largest (40)");
}

#[tokio::test]
async fn a_reset_given_as_a_unix_time_is_read_as_a_time() {
    let server = server().await;
    let at = chrono::Utc::now().timestamp() + 5;
    once_then_success(
        &server,
        cal_error(429).insert_header("X-RateLimit-Remaining", "0").insert_header("X-RateLimit-Reset", at.to_string()),
    )
    .await;
    let (cal, waits) = retrying_client(&server);
    cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the retry succeeds");
    let waits = waits.all();
    assert_eq!(waits.len(), 1);
    assert!(Duration::from_secs(3) <= waits[0] && waits[0] <= Duration::from_secs(6), "about 5 s, got {waits:?}");
}

#[tokio::test]
async fn a_429_without_any_wait_header_backs_off() {
    let server = server().await;
    once_then_success(&server, cal_error(429)).await;
    let (cal, waits) = retrying_client(&server);

    cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the retry succeeds");

    let waits = waits.all();
    assert_eq!(waits.len(), 1, "{waits:?}");
    assert!(
        Duration::from_millis(250) <= waits[0] && waits[0] <= Duration::from_millis(500),
        "the first backoff, got {:?}",
        waits[0]
    );
}

#[tokio::test]
async fn a_503_with_retry_after_waits_as_told() {
    let server = server().await;
    once_then_success(&server, cal_error(503).insert_header("Retry-After", "5")).await;
    let (cal, waits) = retrying_client(&server);

    cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the retry succeeds");

    assert_eq!(waits.all(), vec![Duration::from_secs(5)]);
}

#[tokio::test]
async fn a_wait_over_the_one_minute_cap_is_returned_at_once() {
    let server = server().await;
    once_then_success(
        &server,
        cal_error(429).insert_header("Retry-After", "120").insert_header("X-Request-Id", "req-throttled"),
    )
    .await;
    let (cal, waits) = retrying_client(&server);

    match cal.orgs().teams().memberships().get(10, 20, 123).await {
        Err(Error::RateLimited { retry_after, error }) => {
            assert_eq!(retry_after, Duration::from_secs(120));
            assert_eq!(error.status(), 429);
            assert_eq!(error.code(), Some("ThrottlerException"));
            assert_eq!(error.request_id(), Some("req-throttled"));
        }
        other => panic!("expected Error::RateLimited, got {other:?}"),
    }
    assert_eq!(request_count(&server).await, 1, "no retry for a wait over a minute");
    assert!(waits.all().is_empty(), "no wait taken: {:?}", waits.all());
}

#[tokio::test]
async fn a_wait_of_exactly_the_cap_is_taken() {
    let server = server().await;
    once_then_success(&server, cal_error(429).insert_header("Retry-After", "60")).await;
    let (cal, waits) = retrying_client(&server);

    cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the retry succeeds");

    assert_eq!(waits.all(), vec![Duration::from_secs(60)]);
}

#[tokio::test]
async fn when_the_retries_run_out_on_429_the_last_retry_after_is_returned() {
    let server = server().await;
    for secs in ["1", "2"] {
        Mock::given(method("GET"))
            .and(path(MEMBERSHIP_PATH))
            .respond_with(cal_error(429).insert_header("Retry-After", secs))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .respond_with(cal_error(429).insert_header("Retry-After", "7"))
        .with_priority(2)
        .mount(&server)
        .await;
    let (cal, waits) = retrying_client(&server);

    match cal.orgs().teams().memberships().get(10, 20, 123).await {
        Err(Error::RateLimited { retry_after, error }) => {
            assert_eq!(retry_after, Duration::from_secs(7), "the third answer's Retry-After");
            assert_eq!(error.status(), 429);
        }
        other => panic!("expected Error::RateLimited, got {other:?}"),
    }
    assert_eq!(request_count(&server).await, 3);
    assert_eq!(waits.all(), vec![Duration::from_secs(1), Duration::from_secs(2)]);
}

/// Cal.com's throttler guard (`apps/api/v2/src/lib/throttler/throttler-guard.ts`) sets
/// `X-RateLimit-Limit-<Name>`, `X-RateLimit-Remaining-<Name>` and `X-RateLimit-Reset-<Name>` on
/// every request it lets through, before the handler runs, so a 500 or 503 from the API carries
/// the seconds left in the current rate-limit window although the client is not rate limited
/// (requests remain). That is no reason to wait: the retry should back off as usual (at most
/// 500 ms for the first), not sleep until the window ends (here 58 s, up to the 60 s cap).
#[tokio::test]
async fn a_5xx_with_requests_remaining_backs_off_instead_of_waiting_for_the_rate_limit_window() {
    for status in [500, 503] {
        let server = server().await;
        once_then_success(
            &server,
            cal_error(status)
                .insert_header("X-RateLimit-Limit-Default", "120")
                .insert_header("X-RateLimit-Remaining-Default", "119")
                .insert_header("X-RateLimit-Reset-Default", "58"),
        )
        .await;
        let (cal, waits) = retrying_client(&server);

        cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the retry succeeds");

        let waits = waits.all();
        assert_eq!(waits.len(), 1, "HTTP {status}: {waits:?}");
        assert!(
            waits[0] <= Duration::from_millis(500),
            "HTTP {status}: a backoff wait, not the rate-limit window: {waits:?}"
        );
    }
}
