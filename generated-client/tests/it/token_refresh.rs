//! Expired access tokens (HTTP 498): the refresher is called once, the request is sent again
//! with the new token, later requests keep it, concurrent 498s share one refresh, and the
//! failures (no refresher, refresher error, new token expired too) surface as their errors.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use calcom::{CreateTeamMembership, Error};
use common::*;
use wiremock::matchers::{bearer_token, method, path};
use wiremock::{Mock, MockServer};

const MEMBERSHIP_PATH: &str = "/v2/organizations/10/teams/20/memberships/123";
const MEMBERSHIPS_PATH: &str = "/v2/organizations/10/teams/20/memberships";
const NEW_TOKEN: &str = "new-token";

/// How many times a refresher ran.
#[derive(Clone, Default)]
struct Calls(Arc<AtomicUsize>);

impl Calls {
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// An access-token client (old token [`ACCESS_TOKEN`]) whose refresher counts its calls, waits
/// `delay` and returns [`NEW_TOKEN`]. `max_retries` as given; waits are recorded, not taken.
fn refreshing_client(server: &MockServer, delay: Duration, max_retries: u32) -> (calcom::Client, Calls) {
    let calls = Calls::default();
    let counter = calls.clone();
    let cal = calcom::Client::builder()
        .access_token(ACCESS_TOKEN)
        .base_url(server.uri())
        .timeout(Duration::from_secs(10))
        .max_retries(max_retries)
        .sleep_fn(RecordedWaits::default().sleep_fn())
        .token_refresher(move || {
            let counter = counter.clone();
            async move {
                counter.0.fetch_add(1, Ordering::SeqCst);
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                Ok::<_, std::io::Error>(NEW_TOKEN.to_owned())
            }
        })
        .build()
        .expect("an access-token client with a refresher builds");
    (cal, calls)
}

/// The old token gets 498 on `route`, the new one a membership.
async fn old_token_expired(server: &MockServer, verb: &str, route: &str) {
    Mock::given(method(verb))
        .and(path(route))
        .and(bearer_token(ACCESS_TOKEN))
        .respond_with(cal_error(498))
        .mount(server)
        .await;
    Mock::given(method(verb))
        .and(path(route))
        .and(bearer_token(NEW_TOKEN))
        .respond_with(success(membership_json(123, 7, 20, "MEMBER")))
        .mount(server)
        .await;
}

/// The `Authorization` header of each request `server` received, in order.
async fn sent_tokens(server: &MockServer) -> Vec<String> {
    requests(server)
        .await
        .iter()
        .map(|r| header_value(r, "authorization").expect("an Authorization header").to_owned())
        .collect()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn a_498_refreshes_the_token_once_and_resends_the_request_with_it() {
    let server = server().await;
    old_token_expired(&server, "GET", MEMBERSHIP_PATH).await;
    let (cal, calls) = refreshing_client(&server, Duration::ZERO, 2);

    let m = cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the resent request succeeds");

    assert_eq!(m.id, 123);
    assert_eq!(calls.get(), 1, "the refresher ran once");
    assert_eq!(sent_tokens(&server).await, vec![bearer(ACCESS_TOKEN), bearer(NEW_TOKEN)]);
    let sent = requests(&server).await;
    assert_eq!(sent[1].url.path(), MEMBERSHIP_PATH, "the same request is resent");
    assert_bearer(&sent[1], NEW_TOKEN);
}

#[tokio::test]
async fn later_requests_use_the_new_token_without_refreshing_again() {
    let server = server().await;
    old_token_expired(&server, "GET", MEMBERSHIP_PATH).await;
    let (cal, calls) = refreshing_client(&server, Duration::ZERO, 2);

    cal.orgs().teams().memberships().get(10, 20, 123).await.expect("refreshed");
    cal.orgs().teams().memberships().get(10, 20, 123).await.expect("uses the new token");
    // A clone shares the credentials.
    cal.clone().orgs().teams().memberships().get(10, 20, 123).await.expect("so does a clone");

    assert_eq!(calls.get(), 1);
    assert_eq!(
        sent_tokens(&server).await,
        vec![bearer(ACCESS_TOKEN), bearer(NEW_TOKEN), bearer(NEW_TOKEN), bearer(NEW_TOKEN)]
    );
}

#[tokio::test]
async fn the_refresh_is_not_a_retry_and_happens_with_retries_off() {
    let server = server().await;
    old_token_expired(&server, "GET", MEMBERSHIP_PATH).await;
    let (cal, calls) = refreshing_client(&server, Duration::ZERO, 0);

    cal.orgs().teams().memberships().get(10, 20, 123).max_retries(0).await.expect("refreshed and resent");

    assert_eq!(calls.get(), 1);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn a_post_rejected_with_498_is_resent_after_the_refresh() {
    // The server refused the request, so sending it again cannot do anything twice.
    let server = server().await;
    old_token_expired(&server, "POST", MEMBERSHIPS_PATH).await;
    let (cal, calls) = refreshing_client(&server, Duration::ZERO, 2);

    let created = cal.orgs().teams().memberships().create(10, 20, CreateTeamMembership::new(7)).await;

    assert!(created.is_ok(), "{created:?}");
    assert_eq!(calls.get(), 1);
    assert_eq!(sent_tokens(&server).await, vec![bearer(ACCESS_TOKEN), bearer(NEW_TOKEN)]);
    let sent = requests(&server).await;
    assert_eq!(sent[0].body, sent[1].body, "the same body is resent");
}

#[tokio::test]
async fn a_498_after_the_refresh_is_token_expired_with_a_single_refresh() {
    let server = server().await;
    Mock::given(method("GET")).and(path(MEMBERSHIP_PATH)).respond_with(cal_error(498)).mount(&server).await;
    let (cal, calls) = refreshing_client(&server, Duration::ZERO, 2);

    // Bounded, so that a client refreshing on every 498 fails here instead of looping forever.
    let result = tokio::time::timeout(Duration::from_secs(5), cal.orgs().teams().memberships().get(10, 20, 123))
        .await
        .expect("the request ends instead of refreshing forever");
    match result {
        Err(Error::TokenExpired(e)) => {
            assert_eq!(e.status(), 498);
            assert_eq!(e.message(), Some("ACCESS_TOKEN_IS_EXPIRED"));
        }
        other => panic!("expected Error::TokenExpired, got {other:?}"),
    }
    assert_eq!(calls.get(), 1, "one refresh per request");
    assert_eq!(sent_tokens(&server).await, vec![bearer(ACCESS_TOKEN), bearer(NEW_TOKEN)]);
}

#[tokio::test]
async fn without_a_refresher_498_is_token_expired_after_one_request() {
    let server = server().await;
    Mock::given(method("GET")).and(path(MEMBERSHIP_PATH)).respond_with(cal_error(498)).mount(&server).await;
    // Default retries: a 498 is not one of the retried answers.
    let cal = calcom::Client::builder()
        .access_token(ACCESS_TOKEN)
        .base_url(server.uri())
        .sleep_fn(RecordedWaits::default().sleep_fn())
        .build()
        .unwrap();

    let result = cal.orgs().teams().memberships().get(10, 20, 123).await;

    assert!(matches!(&result, Err(Error::TokenExpired(e)) if e.status() == 498), "{result:?}");
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn a_failing_refresher_is_token_refresh_with_its_error() {
    let server = server().await;
    old_token_expired(&server, "GET", MEMBERSHIP_PATH).await;
    let calls = Calls::default();
    let counter = calls.clone();
    let cal = calcom::Client::builder()
        .access_token(ACCESS_TOKEN)
        .base_url(server.uri())
        .sleep_fn(RecordedWaits::default().sleep_fn())
        .token_refresher(move || {
            counter.0.fetch_add(1, Ordering::SeqCst);
            async { Err::<String, _>(std::io::Error::other("the refresh token was revoked")) }
        })
        .build()
        .unwrap();

    let result = cal.orgs().teams().memberships().get(10, 20, 123).await;

    match &result {
        Err(e @ Error::TokenRefresh(inner)) => {
            assert_eq!(inner.to_string(), "the refresh token was revoked");
            assert!(e.to_string().contains("the refresh token was revoked"), "{e}");
            assert!(std::error::Error::source(e).is_some(), "the refresher's error is the source");
        }
        other => panic!("expected Error::TokenRefresh, got {other:?}"),
    }
    assert_eq!(calls.get(), 1);
    assert_eq!(request_count(&server).await, 1, "nothing is resent without a new token");
    assert_eq!(cal.auth_mode(), Some(calcom::AuthMode::AccessToken));
}

/// A refresher that "succeeds" with a value that cannot be sent as a token is a failed
/// refresh. The client does refuse the value, but as `Error::Config`, which its docs reserve for
/// a client that "could not be built: a malformed key or base URL"; a caller matching
/// `Error::TokenRefresh` to send the user back to sign-in misses it.
#[tokio::test]
async fn an_unusable_token_from_the_refresher_is_token_refresh() {
    for bad in ["", "Bearer new-token", "new\r\ntoken"] {
        let server = server().await;
        old_token_expired(&server, "GET", MEMBERSHIP_PATH).await;
        let cal = calcom::Client::builder()
            .access_token(ACCESS_TOKEN)
            .base_url(server.uri())
            .max_retries(0)
            .token_refresher(move || async move { Ok::<_, std::io::Error>(bad.to_owned()) })
            .build()
            .unwrap();

        let result = cal.orgs().teams().memberships().get(10, 20, 123).await;

        assert!(matches!(result, Err(Error::TokenRefresh(_))), "refresher returned {bad:?}: {result:?}");
        assert_eq!(request_count(&server).await, 1, "the unusable token is never sent");
    }
}

#[tokio::test]
async fn concurrent_498s_share_one_refresh() {
    let server = server().await;
    old_token_expired(&server, "GET", MEMBERSHIP_PATH).await;
    // A slow refresher, so that every request meets its 498 while the refresh is running.
    let (cal, calls) = refreshing_client(&server, Duration::from_millis(50), 2);
    let get = || cal.orgs().teams().memberships().get(10, 20, 123);

    let (a, b, c, d, e) = tokio::join!(get(), get(), get(), get(), get());

    for (i, result) in [a, b, c, d, e].into_iter().enumerate() {
        assert_eq!(result.unwrap_or_else(|err| panic!("request {i} failed: {err}")).id, 123);
    }
    assert_eq!(calls.get(), 1, "five expired requests, one refresh");
    let tokens = sent_tokens(&server).await;
    assert_eq!(tokens.iter().filter(|t| **t == bearer(ACCESS_TOKEN)).count(), 5, "{tokens:?}");
    assert_eq!(tokens.iter().filter(|t| **t == bearer(NEW_TOKEN)).count(), 5, "{tokens:?}");
}

#[tokio::test]
async fn concurrent_498s_on_separate_tasks_share_one_refresh() {
    let server = server().await;
    old_token_expired(&server, "GET", MEMBERSHIP_PATH).await;
    let (cal, calls) = refreshing_client(&server, Duration::from_millis(50), 2);

    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let cal = cal.clone();
            tokio::spawn(async move { cal.orgs().teams().memberships().get(10, 20, 123).await })
        })
        .collect();
    let results = futures_util::future::join_all(tasks).await;

    for result in results {
        assert_eq!(result.expect("the task did not panic").expect("the request succeeds").id, 123);
    }
    assert_eq!(calls.get(), 1, "five expired requests, one refresh");
    assert_eq!(request_count(&server).await, 10);
}

#[tokio::test]
async fn the_builder_refuses_a_refresher_without_an_access_token() {
    let refresher = || async { Ok::<_, std::io::Error>(NEW_TOKEN.to_owned()) };
    let builders = [
        ("api key", calcom::Client::builder().api_key(API_KEY)),
        ("platform client", calcom::Client::builder().platform_client(CLIENT_ID, SECRET_KEY)),
        ("no credentials", calcom::Client::builder()),
    ];
    for (what, builder) in builders {
        match builder.token_refresher(refresher).build() {
            Err(Error::Config(message)) => {
                assert!(message.contains("access-token"), "{what}: {message}");
            }
            other => panic!("{what}: expected Error::Config, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_refresher_that_never_returns_is_bounded_and_so_are_the_requests_waiting_for_it() {
    let server = server().await;
    old_token_expired(&server, "GET", MEMBERSHIP_PATH).await;
    let calls = Calls::default();
    let counter = calls.clone();
    let cal = calcom::Client::builder()
        .access_token(ACCESS_TOKEN)
        .base_url(server.uri())
        .max_retries(0)
        .token_refresh_timeout(Duration::from_millis(200))
        .token_refresher(move || {
            counter.0.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<Result<String, std::io::Error>>()
        })
        .build()
        .expect("builds");
    let get = || cal.orgs().teams().memberships().get(10, 20, 123);
    let started = std::time::Instant::now();
    let (a, b) = tokio::join!(get(), get());
    assert!(started.elapsed() < Duration::from_secs(5), "bounded: {:?}", started.elapsed());
    for result in [a, b] {
        let Err(calcom::Error::TokenRefresh(e)) = result else { panic!("expected TokenRefresh, got {result:?}") };
        assert!(e.to_string().contains("did not return within"), "{e}");
    }
    assert!(calls.get() <= 2, "at most one stalled refresh per waiting request, got {}", calls.get());
}
