//! Retries: which answers and failures are retried, how many times (client default, client and
//! per-request overrides), which methods, and how the backoff grows. The waits are recorded by
//! an injected `sleep_fn`, never slept through.

use crate::common;

use std::time::Duration;

use calcom::{CreateTeamMembership, Error, MembershipRole, UpdateTeamMembership};
use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MEMBERSHIP_PATH: &str = "/v2/organizations/10/teams/20/memberships/123";
const MEMBERSHIPS_PATH: &str = "/v2/organizations/10/teams/20/memberships";

/// Mounts `failures` answers of `status` for `verb` on `route`, then a success for every later request.
async fn fail_then_succeed(server: &MockServer, verb: &str, route: &str, status: u16, failures: u64) {
    if failures > 0 {
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(cal_error(status))
            .up_to_n_times(failures)
            .with_priority(1)
            .mount(server)
            .await;
    }
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(success(membership_json(123, 7, 20, "ADMIN")))
        .with_priority(2)
        .mount(server)
        .await;
}

/// Mounts `status` for every `verb` request on `route`.
async fn always(server: &MockServer, verb: &str, route: &str, status: u16) {
    Mock::given(method(verb)).and(path(route)).respond_with(cal_error(status)).mount(server).await;
}

fn expect_api_status<T: std::fmt::Debug>(result: calcom::Result<T>, status: u16) {
    match result {
        Err(Error::Api(e)) => assert_eq!(e.status(), status, "{e}"),
        other => panic!("expected Error::Api with status {status}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_get_is_retried_twice_by_default_and_succeeds_on_the_third_request() {
    let server = server().await;
    fail_then_succeed(&server, "GET", MEMBERSHIP_PATH, 503, 2).await;
    let (cal, waits) = retrying_client(&server);

    let m = cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the third answer is a success");

    assert_eq!((m.id, m.role), (123, MembershipRole::Admin));
    assert_eq!(request_count(&server).await, 3);
    assert_eq!(waits.all().len(), 2, "one wait before each retry: {:?}", waits.all());
    // Every attempt is the same request.
    for request in requests(&server).await {
        assert_eq!(request.url.path(), MEMBERSHIP_PATH);
        assert_api_key_auth(&request);
    }
}

#[tokio::test]
async fn three_503s_exhaust_the_default_retries_and_return_the_last_error() {
    let server = server().await;
    always(&server, "GET", MEMBERSHIP_PATH, 503).await;
    let (cal, waits) = retrying_client(&server);

    let result = cal.orgs().teams().memberships().get(10, 20, 123).await;

    expect_api_status(result, 503);
    assert_eq!(request_count(&server).await, 3, "1 request + DEFAULT_MAX_RETRIES ({})", calcom::DEFAULT_MAX_RETRIES);
    assert_eq!(waits.all().len(), 2);
}

#[tokio::test]
async fn every_retryable_status_is_retried() {
    for status in [408, 500, 502, 503, 504] {
        let server = server().await;
        fail_then_succeed(&server, "GET", MEMBERSHIP_PATH, status, 2).await;
        let (cal, waits) = retrying_client(&server);

        let result = cal.orgs().teams().memberships().get(10, 20, 123).await;

        assert!(result.is_ok(), "HTTP {status} twice, then 200: {result:?}");
        assert_eq!(request_count(&server).await, 3, "HTTP {status} is retried");
        assert_eq!(waits.all().len(), 2, "HTTP {status}");
    }
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for status in [400, 401, 403, 404, 409, 422] {
        let server = server().await;
        always(&server, "GET", MEMBERSHIP_PATH, status).await;
        let (cal, waits) = retrying_client(&server);

        let result = cal.orgs().teams().memberships().get(10, 20, 123).await;

        expect_api_status(result, status);
        assert_eq!(request_count(&server).await, 1, "HTTP {status} is not retried");
        assert!(waits.all().is_empty(), "HTTP {status}: no wait, got {:?}", waits.all());
    }
}

#[tokio::test]
async fn max_retries_zero_on_the_client_sends_one_request() {
    let server = server().await;
    fail_then_succeed(&server, "GET", MEMBERSHIP_PATH, 503, 1).await;
    let (builder, waits) = recording_builder(&server.uri());
    let cal = builder.max_retries(0).build().unwrap();

    expect_api_status(cal.orgs().teams().memberships().get(10, 20, 123).await, 503);
    assert_eq!(request_count(&server).await, 1);
    assert!(waits.all().is_empty());
}

#[tokio::test]
async fn max_retries_zero_on_one_request_sends_one_request() {
    let server = server().await;
    fail_then_succeed(&server, "GET", MEMBERSHIP_PATH, 503, 1).await;
    let (cal, waits) = retrying_client(&server);

    expect_api_status(cal.orgs().teams().memberships().get(10, 20, 123).max_retries(0).await, 503);
    assert_eq!(request_count(&server).await, 1);
    assert!(waits.all().is_empty());

    // The next request, without the override, has the client's retries again.
    let again = cal.orgs().teams().memberships().get(10, 20, 123).await;
    assert!(again.is_ok(), "{again:?}");
    assert_eq!(request_count(&server).await, 2, "the mock's one 503 was used up; this one succeeds at once");
}

#[tokio::test]
async fn a_request_max_retries_overrides_the_client_setting_both_ways() {
    // More than the client allows.
    let server = server().await;
    always(&server, "GET", MEMBERSHIP_PATH, 503).await;
    let (builder, waits) = recording_builder(&server.uri());
    let cal = builder.max_retries(1).build().unwrap();

    expect_api_status(cal.orgs().teams().memberships().get(10, 20, 123).max_retries(5).await, 503);
    assert_eq!(request_count(&server).await, 6, "1 request + 5 retries");
    assert_eq!(waits.all().len(), 5);

    // And fewer.
    let server = common::server().await;
    always(&server, "GET", MEMBERSHIP_PATH, 503).await;
    let (builder, waits) = recording_builder(&server.uri());
    let cal = builder.max_retries(5).build().unwrap();

    expect_api_status(cal.orgs().teams().memberships().get(10, 20, 123).max_retries(1).await, 503);
    assert_eq!(request_count(&server).await, 2, "1 request + 1 retry");
    assert_eq!(waits.all().len(), 1);
}

#[tokio::test]
async fn a_per_request_override_succeeds_where_the_client_setting_would_give_up() {
    let server = server().await;
    fail_then_succeed(&server, "GET", MEMBERSHIP_PATH, 502, 4).await;
    let (cal, waits) = retrying_client(&server);

    let m = cal.orgs().teams().memberships().get(10, 20, 123).max_retries(5).await.expect("the 5th answer succeeds");

    assert_eq!(m.id, 123);
    assert_eq!(request_count(&server).await, 5);
    assert_eq!(waits.all().len(), 4);
}

/// First wait 0.5 s, then doubling up to 8 s, each scaled by a jitter factor in [0.5, 1].
#[tokio::test]
async fn backoff_waits_grow_exponentially_within_the_jitter_bounds_up_to_the_cap() {
    let server = server().await;
    always(&server, "GET", MEMBERSHIP_PATH, 503).await;
    let (builder, waits) = recording_builder(&server.uri());
    let cal = builder.max_retries(7).build().unwrap();

    expect_api_status(cal.orgs().teams().memberships().get(10, 20, 123).await, 503);

    let waits = waits.all();
    assert_eq!(waits.len(), 7, "{waits:?}");
    let ms = Duration::from_millis;
    let bounds = [
        (ms(250), ms(500)),
        (ms(500), ms(1000)),
        (ms(1000), ms(2000)),
        (ms(2000), ms(4000)),
        (ms(4000), ms(8000)),
        (ms(4000), ms(8000)), // capped at 8 s
        (ms(4000), ms(8000)),
    ];
    for (i, (wait, (low, high))) in waits.iter().zip(bounds).enumerate() {
        assert!(low <= *wait && *wait <= high, "wait {i} is {wait:?}, expected within [{low:?}, {high:?}]: {waits:?}");
    }
}

#[tokio::test]
async fn the_second_wait_is_longer_than_the_first() {
    // Default settings: two retries, so two waits.
    let server = server().await;
    always(&server, "GET", MEMBERSHIP_PATH, 500).await;
    let (cal, waits) = retrying_client(&server);

    expect_api_status(cal.orgs().teams().memberships().get(10, 20, 123).await, 500);

    let waits = waits.all();
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert!(
        Duration::from_millis(250) <= waits[0] && waits[0] <= Duration::from_millis(500),
        "first wait {:?} is in [250 ms, 500 ms]",
        waits[0]
    );
    assert!(
        Duration::from_millis(500) <= waits[1] && waits[1] <= Duration::from_secs(1),
        "second wait {:?} is in [500 ms, 1 s]",
        waits[1]
    );
    assert!(waits[1] > waits[0], "the backoff grows: {waits:?}");
}

#[tokio::test]
async fn the_backoff_has_jitter() {
    // The first wait of ten separate requests: with a random factor they cannot all be equal.
    let server = server().await;
    always(&server, "GET", MEMBERSHIP_PATH, 503).await;
    let (builder, waits) = recording_builder(&server.uri());
    let cal = builder.max_retries(1).build().unwrap();

    for _ in 0..10 {
        expect_api_status(cal.orgs().teams().memberships().get(10, 20, 123).await, 503);
    }

    let mut first_waits = waits.all();
    assert_eq!(first_waits.len(), 10);
    first_waits.sort();
    first_waits.dedup();
    assert!(first_waits.len() > 1, "ten first waits are all {first_waits:?}: no jitter");
}

#[tokio::test]
async fn delete_is_idempotent_and_retried() {
    let server = server().await;
    fail_then_succeed(&server, "DELETE", MEMBERSHIP_PATH, 503, 2).await;
    let (cal, waits) = retrying_client(&server);

    let removed = cal.orgs().teams().memberships().delete(10, 20, 123).await.expect("succeeds on the third request");

    assert_eq!(removed.id, 123);
    assert_eq!(request_count(&server).await, 3);
    assert_eq!(waits.all().len(), 2);
}

// ---- POST and PATCH ------------------------------------------------------------------------

#[tokio::test]
async fn post_is_not_retried_by_default() {
    let server = server().await;
    fail_then_succeed(&server, "POST", MEMBERSHIPS_PATH, 503, 1).await;
    let (cal, waits) = retrying_client(&server);

    let result = cal.orgs().teams().memberships().create(10, 20, CreateTeamMembership::new(7)).await;

    expect_api_status(result, 503);
    assert_eq!(request_count(&server).await, 1, "a POST is not sent twice unless asked");
    assert!(waits.all().is_empty());
}

#[tokio::test]
async fn patch_is_not_retried_by_default() {
    let server = server().await;
    fail_then_succeed(&server, "PATCH", MEMBERSHIP_PATH, 503, 1).await;
    let (cal, waits) = retrying_client(&server);

    let body = UpdateTeamMembership::default().role(MembershipRole::Admin);
    let result = cal.orgs().teams().memberships().update(10, 20, 123, body).await;

    expect_api_status(result, 503);
    assert_eq!(request_count(&server).await, 1, "a PATCH is not sent twice unless asked");
    assert!(waits.all().is_empty());
}

#[tokio::test]
async fn post_is_not_retried_on_429_or_a_connection_error_either() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(MEMBERSHIPS_PATH))
        .respond_with(cal_error(429).insert_header("Retry-After", "1"))
        .mount(&server)
        .await;
    let (cal, waits) = retrying_client(&server);
    let result = cal.orgs().teams().memberships().create(10, 20, CreateTeamMembership::new(7)).await;
    assert!(matches!(result, Err(Error::RateLimited { .. })), "{result:?}");
    assert_eq!(request_count(&server).await, 1);
    assert!(waits.all().is_empty());

    let (builder, waits) = recording_builder(&closed_port_url());
    let cal = builder.build().unwrap();
    let result = cal.orgs().teams().memberships().create(10, 20, CreateTeamMembership::new(7)).await;
    assert!(matches!(result, Err(Error::Transport(_))), "{result:?}");
    assert!(waits.all().is_empty(), "no retry, no wait: {:?}", waits.all());
}

#[tokio::test]
async fn post_is_retried_when_the_request_allows_it() {
    let server = server().await;
    fail_then_succeed(&server, "POST", MEMBERSHIPS_PATH, 503, 2).await;
    let (cal, waits) = retrying_client(&server);

    let created = cal
        .orgs()
        .teams()
        .memberships()
        .create(10, 20, CreateTeamMembership::new(7).role(MembershipRole::Admin))
        .retry_non_idempotent(true)
        .await
        .expect("succeeds on the third request");

    assert_eq!(created.id, 123);
    assert_eq!(request_count(&server).await, 3);
    assert_eq!(waits.all().len(), 2);
    // Each attempt carries the whole body.
    for request in requests(&server).await {
        let body: serde_json::Value = serde_json::from_slice(&request.body).expect("a JSON body");
        assert_eq!(body, serde_json::json!({ "userId": 7, "role": "ADMIN" }));
    }
}

#[tokio::test]
async fn patch_is_retried_when_the_client_allows_it() {
    let server = server().await;
    fail_then_succeed(&server, "PATCH", MEMBERSHIP_PATH, 504, 2).await;
    let (builder, waits) = recording_builder(&server.uri());
    let cal = builder.retry_non_idempotent(true).build().unwrap();

    let body = UpdateTeamMembership::default().accepted(true);
    let updated =
        cal.orgs().teams().memberships().update(10, 20, 123, body).await.expect("succeeds on the third request");

    assert_eq!(updated.id, 123);
    assert_eq!(request_count(&server).await, 3);
    assert_eq!(waits.all().len(), 2);
}

#[tokio::test]
async fn post_is_retried_when_the_client_allows_it_unless_the_request_says_no() {
    let server = server().await;
    fail_then_succeed(&server, "POST", MEMBERSHIPS_PATH, 503, 1).await;
    let (builder, waits) = recording_builder(&server.uri());
    let cal = builder.retry_non_idempotent(true).build().unwrap();

    let result =
        cal.orgs().teams().memberships().create(10, 20, CreateTeamMembership::new(7)).retry_non_idempotent(false).await;
    expect_api_status(result, 503);
    assert_eq!(request_count(&server).await, 1, "the request's `false` wins over the client's `true`");
    assert!(waits.all().is_empty());

    // Without the override, the client's setting applies (the one 503 is used up: mount another).
    let server = common::server().await;
    fail_then_succeed(&server, "POST", MEMBERSHIPS_PATH, 503, 1).await;
    let (builder, waits) = recording_builder(&server.uri());
    let cal = builder.retry_non_idempotent(true).build().unwrap();
    let created = cal.orgs().teams().memberships().create(10, 20, CreateTeamMembership::new(7)).await;
    assert!(created.is_ok(), "{created:?}");
    assert_eq!(request_count(&server).await, 2);
    assert_eq!(waits.all().len(), 1);
}

// ---- Connection errors ---------------------------------------------------------------------

#[tokio::test]
async fn a_refused_connection_is_retried_for_a_get() {
    let (builder, waits) = recording_builder(&closed_port_url());
    let cal = builder.max_retries(2).build().unwrap();

    let result = cal.orgs().teams().memberships().get(10, 20, 123).await;

    match result {
        Err(Error::Transport(e)) => assert!(e.is_connect(), "a connection error: {e}"),
        other => panic!("expected Error::Transport, got {other:?}"),
    }
    let waits = waits.all();
    assert_eq!(waits.len(), 2, "two retries, each after a wait: {waits:?}");
    assert!(waits[0] <= Duration::from_millis(500) && waits[1] <= Duration::from_secs(1), "backoff waits: {waits:?}");
}

#[tokio::test]
async fn a_redirect_is_not_retried() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", "http://127.0.0.1:9/elsewhere"))
        .mount(&server)
        .await;
    let (cal, waits) = retrying_client(&server);

    expect_api_status(cal.orgs().teams().memberships().get(10, 20, 123).await, 307);
    assert_eq!(request_count(&server).await, 1);
    assert!(waits.all().is_empty());
}
