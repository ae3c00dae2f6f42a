//! Per-request and client settings that are not about retries: timeouts (per request and per
//! client), the `cal-api-version` override, and redirects, which are never followed.

use crate::common;

use std::time::{Duration, Instant};

use calcom::{ApiVersion, Error};
use common::*;
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MEMBERSHIP_PATH: &str = "/v2/organizations/10/teams/20/memberships/123";
const MEMBERSHIPS_PATH: &str = "/v2/organizations/10/teams/20/memberships";

/// A server whose membership GET answers after `delay`.
async fn slow_server(delay: Duration) -> MockServer {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .respond_with(success(membership_json(123, 7, 20, "MEMBER")).set_delay(delay))
        .mount(&server)
        .await;
    server
}

fn expect_timeout<T: std::fmt::Debug>(result: calcom::Result<T>) {
    match result {
        Err(e @ Error::Timeout(_)) => {
            assert_eq!(e.status(), None);
            assert!(std::error::Error::source(&e).is_some(), "the reqwest error is the source");
        }
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
}

// ---- Timeouts ------------------------------------------------------------------------------

#[tokio::test]
async fn a_request_timeout_cuts_a_slow_answer_short() {
    let server = slow_server(Duration::from_millis(500)).await;
    let cal = api_key_client(&server); // timeout 10 s, no retries

    let started = Instant::now();
    let result = cal.orgs().teams().memberships().get(10, 20, 123).timeout(Duration::from_millis(100)).await;

    expect_timeout(result);
    assert!(started.elapsed() < Duration::from_millis(450), "gave up early: {:?}", started.elapsed());
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn a_client_timeout_applies_to_every_request() {
    let server = slow_server(Duration::from_millis(500)).await;
    let (builder, waits) = recording_builder(&server.uri());
    let cal = builder.timeout(Duration::from_millis(100)).max_retries(0).build().unwrap();

    let started = Instant::now();
    expect_timeout(cal.orgs().teams().memberships().get(10, 20, 123).await);
    assert!(started.elapsed() < Duration::from_millis(450), "gave up early: {:?}", started.elapsed());
    assert!(waits.all().is_empty());
}

#[tokio::test]
async fn a_request_timeout_longer_than_the_client_one_wins() {
    let server = slow_server(Duration::from_millis(300)).await;
    let (builder, _waits) = recording_builder(&server.uri());
    let cal = builder.timeout(Duration::from_millis(100)).max_retries(0).build().unwrap();

    expect_timeout(cal.orgs().teams().memberships().get(10, 20, 123).await);
    let m = cal
        .orgs()
        .teams()
        .memberships()
        .get(10, 20, 123)
        .timeout(Duration::from_secs(5))
        .await
        .expect("this request may wait longer than the client's timeout");
    assert_eq!(m.id, 123);
}

#[tokio::test]
async fn a_timed_out_get_is_retried() {
    let server = slow_server(Duration::from_millis(500)).await;
    let (cal, waits) = retrying_client(&server);

    expect_timeout(cal.orgs().teams().memberships().get(10, 20, 123).timeout(Duration::from_millis(100)).await);

    assert_eq!(waits.all().len(), 2, "a timeout is retried: {:?}", waits.all());
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test]
async fn a_timed_out_post_is_not_retried() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(MEMBERSHIPS_PATH))
        .respond_with(success(membership_json(123, 7, 20, "MEMBER")).set_delay(Duration::from_millis(500)))
        .mount(&server)
        .await;
    let (cal, waits) = retrying_client(&server);

    let result = cal
        .orgs()
        .teams()
        .memberships()
        .create(10, 20, calcom::CreateTeamMembership::new(7))
        .timeout(Duration::from_millis(100))
        .await;

    expect_timeout(result);
    assert!(waits.all().is_empty(), "the server may have done it: no retry");
    assert_eq!(request_count(&server).await, 1);
}

// ---- cal-api-version -----------------------------------------------------------------------

#[tokio::test]
async fn no_api_version_is_sent_by_default() {
    let server = server().await;
    Mock::given(any()).respond_with(success(membership_json(123, 7, 20, "MEMBER"))).mount(&server).await;
    let cal = api_key_client(&server);

    cal.orgs().teams().memberships().get(10, 20, 123).await.expect("decodes");

    let request = only_request(&server).await;
    assert_eq!(header_value(&request, "cal-api-version"), None);
}

#[tokio::test]
async fn api_version_sends_the_header() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .and(header("cal-api-version", "2024-08-13"))
        .respond_with(success(membership_json(123, 7, 20, "MEMBER")))
        .expect(1)
        .mount(&server)
        .await;
    let cal = api_key_client(&server);

    cal.orgs().teams().memberships().get(10, 20, 123).api_version(ApiVersion::V2024_08_13).await.expect("decodes");

    let request = only_request(&server).await;
    assert_eq!(header_value(&request, "cal-api-version"), Some("2024-08-13"));
    assert_eq!(header_value(&request, "authorization"), Some(format!("Bearer {API_KEY}").as_str()));
}

#[tokio::test]
async fn api_version_is_per_request_and_sent_on_every_attempt() {
    let server = server().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).with_priority(1).mount(&server).await;
    Mock::given(any())
        .respond_with(success(membership_json(123, 7, 20, "MEMBER")))
        .with_priority(2)
        .mount(&server)
        .await;
    let (cal, _waits) = retrying_client(&server);

    cal.orgs().teams().memberships().get(10, 20, 123).api_version(ApiVersion::V2024_09_04).await.expect("retried");
    cal.orgs().teams().memberships().get(10, 20, 123).await.expect("decodes");

    let sent: Vec<Option<String>> =
        requests(&server).await.iter().map(|r| header_value(r, "cal-api-version").map(str::to_owned)).collect();
    assert_eq!(sent, vec![Some("2024-09-04".to_owned()), Some("2024-09-04".to_owned()), None]);
}

// ---- Redirects -----------------------------------------------------------------------------

#[tokio::test]
async fn a_redirect_is_not_followed_and_is_an_api_error() {
    let elsewhere = server().await;
    Mock::given(any()).respond_with(success(membership_json(999, 9, 99, "OWNER"))).mount(&elsewhere).await;
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", format!("{}{MEMBERSHIP_PATH}", elsewhere.uri()).as_str())
                .insert_header("X-Request-Id", "req-302"),
        )
        .mount(&server)
        .await;
    let (cal, waits) = retrying_client(&server);

    match cal.orgs().teams().memberships().get(10, 20, 123).await {
        Err(Error::Api(e)) => {
            assert_eq!(e.status(), 302);
            assert_eq!(e.request_id(), Some("req-302"));
        }
        other => panic!("expected Error::Api with status 302, got {other:?}"),
    }
    assert_eq!(request_count(&elsewhere).await, 0, "the credentials never reached the other server");
    assert_eq!(request_count(&server).await, 1);
    assert!(waits.all().is_empty());
}

#[tokio::test]
async fn a_redirect_is_not_followed_for_platform_credentials_either() {
    let elsewhere = server().await;
    Mock::given(any()).respond_with(success(membership_json(999, 9, 99, "OWNER"))).mount(&elsewhere).await;
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .respond_with(ResponseTemplate::new(301).insert_header("Location", elsewhere.uri().as_str()))
        .mount(&server)
        .await;
    let cal = platform_client(&server);

    let result = cal.orgs().teams().memberships().get(10, 20, 123).await;

    assert!(matches!(&result, Err(Error::Api(e)) if e.status() == 301), "{result:?}");
    assert_eq!(request_count(&elsewhere).await, 0, "x-cal-secret-key never reached the other server");
}
