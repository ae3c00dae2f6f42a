//! `.stream()` on a paginated list: the pages it asks for (`take` / `skip`), when it stops
//! (`pagination.hasNextPage`, a short page, an empty page, a repeated page, an error), and
//! that it is lazy.

use crate::common;

use calcom::{Error, TeamMembership};
use common::*;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MEMBERSHIPS_PATH: &str = "/v2/organizations/10/teams/20/memberships";

/// `n` memberships with ids `first..first + n`.
fn memberships(first: i64, n: i64) -> Vec<Value> {
    (first..first + n).map(|id| membership_json(id, 1000 + id, 20, "MEMBER")).collect()
}

/// A page without pagination meta.
fn page(items: Vec<Value>) -> ResponseTemplate {
    success(Value::Array(items))
}

/// A page with Cal.com's `pagination` object beside `data`.
fn page_with_meta(items: Vec<Value>, current_page: u64, has_next_page: bool) -> ResponseTemplate {
    let returned = items.len();
    ResponseTemplate::new(200).set_body_json(json!({
        "status": "success",
        "data": items,
        "pagination": {
            "totalItems": 6,
            "remainingItems": if has_next_page { 6 - 2 * current_page } else { 0 },
            "returnedItems": returned,
            "itemsPerPage": 2,
            "currentPage": current_page,
            "totalPages": 3,
            "hasNextPage": has_next_page,
            "hasPreviousPage": current_page > 1
        }
    }))
}

/// Answers the list request with `skip` (and `take`) with `response`, once at most.
async fn mount_page(server: &MockServer, take: &str, skip: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(MEMBERSHIPS_PATH))
        .and(query_param("take", take))
        .and(query_param("skip", skip))
        .respond_with(response)
        .expect(1)
        .mount(server)
        .await;
}

/// The `(take, skip)` of every request `server` received, in order; panics on other parameters.
async fn pages_requested(server: &MockServer) -> Vec<(String, String)> {
    requests(server)
        .await
        .iter()
        .map(|r| {
            assert_eq!(r.url.path(), MEMBERSHIPS_PATH);
            let pairs = query_pairs(r);
            assert_eq!(pairs.len(), 2, "only take and skip: {pairs:?}");
            let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).expect(name);
            (get("take"), get("skip"))
        })
        .collect()
}

fn ids(items: &[TeamMembership]) -> Vec<i64> {
    items.iter().map(|m| m.id).collect()
}

fn pair(take: &str, skip: &str) -> (String, String) {
    (take.to_owned(), skip.to_owned())
}

#[tokio::test]
async fn has_next_page_drives_the_stream_through_every_page_in_order() {
    let server = server().await;
    mount_page(&server, "2", "0", page_with_meta(memberships(1, 2), 1, true)).await;
    mount_page(&server, "2", "2", page_with_meta(memberships(3, 2), 2, true)).await;
    // A full last page: only `hasNextPage: false` says it is the last.
    mount_page(&server, "2", "4", page_with_meta(memberships(5, 2), 3, false)).await;
    let cal = api_key_client(&server);

    let items: Vec<TeamMembership> =
        cal.orgs().teams().memberships().list(10, 20).take(2).stream().try_collect().await.expect("every page decodes");

    assert_eq!(ids(&items), vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(items[3].user_id, 1004, "whole items, not just ids");
    assert_eq!(pages_requested(&server).await, vec![pair("2", "0"), pair("2", "2"), pair("2", "4")]);
    for request in requests(&server).await {
        assert_api_key_auth(&request);
    }
}

#[tokio::test]
async fn has_next_page_true_continues_after_a_short_page() {
    // The server may return fewer than `take` and still have more: the meta decides.
    let server = server().await;
    mount_page(&server, "3", "0", page_with_meta(memberships(1, 2), 1, true)).await;
    mount_page(&server, "3", "2", page_with_meta(memberships(3, 1), 2, false)).await;
    let cal = api_key_client(&server);

    let items: Vec<TeamMembership> =
        cal.orgs().teams().memberships().list(10, 20).take(3).stream().try_collect().await.expect("decodes");

    assert_eq!(ids(&items), vec![1, 2, 3]);
    assert_eq!(
        pages_requested(&server).await,
        vec![pair("3", "0"), pair("3", "2")],
        "the offset follows the items received"
    );
}

#[tokio::test]
async fn without_meta_a_page_shorter_than_take_is_the_last() {
    let server = server().await;
    mount_page(&server, "2", "0", page(memberships(1, 2))).await;
    mount_page(&server, "2", "2", page(memberships(3, 2))).await;
    mount_page(&server, "2", "4", page(memberships(5, 1))).await;
    let cal = api_key_client(&server);

    let items: Vec<TeamMembership> =
        cal.orgs().teams().memberships().list(10, 20).take(2).stream().try_collect().await.expect("decodes");

    assert_eq!(ids(&items), vec![1, 2, 3, 4, 5]);
    assert_eq!(pages_requested(&server).await, vec![pair("2", "0"), pair("2", "2"), pair("2", "4")]);
}

#[tokio::test]
async fn a_server_repeating_the_same_full_page_cannot_loop_the_stream() {
    let server = server().await;
    // The same two items whatever the offset.
    Mock::given(method("GET")).and(path(MEMBERSHIPS_PATH)).respond_with(page(memberships(1, 2))).mount(&server).await;
    let cal = api_key_client(&server);

    let stream = cal.orgs().teams().memberships().list(10, 20).take(2).stream();
    // Bounded, so that a regression fails instead of hanging.
    let results: Vec<_> = stream.take(50).collect().await;

    let items: Vec<TeamMembership> = results.into_iter().collect::<Result<_, _>>().expect("decodes");
    assert_eq!(ids(&items), vec![1, 2], "the first page's items, once");
    assert_eq!(pages_requested(&server).await, vec![pair("2", "0"), pair("2", "2")], "ends after the repeated page");
}

#[tokio::test]
async fn a_server_repeating_the_same_page_with_has_next_page_true_cannot_loop_the_stream() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIPS_PATH))
        .respond_with(page_with_meta(memberships(1, 2), 1, true))
        .mount(&server)
        .await;
    let cal = api_key_client(&server);

    let results: Vec<_> = cal.orgs().teams().memberships().list(10, 20).take(2).stream().take(50).collect().await;

    let items: Vec<TeamMembership> = results.into_iter().collect::<Result<_, _>>().expect("decodes");
    assert_eq!(ids(&items), vec![1, 2]);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn an_empty_page_ends_the_stream() {
    let server = server().await;
    mount_page(&server, "2", "0", page(memberships(1, 2))).await;
    mount_page(&server, "2", "2", page(vec![])).await;
    let cal = api_key_client(&server);

    let items: Vec<TeamMembership> =
        cal.orgs().teams().memberships().list(10, 20).take(2).stream().try_collect().await.expect("decodes");

    assert_eq!(ids(&items), vec![1, 2]);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn an_empty_page_ends_the_stream_even_if_it_claims_a_next_page() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIPS_PATH))
        .respond_with(page_with_meta(vec![], 1, true))
        .mount(&server)
        .await;
    let cal = api_key_client(&server);

    let results: Vec<_> = cal.orgs().teams().memberships().list(10, 20).stream().take(50).collect().await;

    assert!(results.is_empty(), "{results:?}");
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn an_error_is_yielded_once_and_ends_the_stream() {
    let server = server().await;
    mount_page(&server, "2", "0", page(memberships(1, 2))).await;
    mount_page(
        &server,
        "2",
        "2",
        ResponseTemplate::new(403).insert_header("X-Request-Id", "req-page-2").set_body_json(cal_error_body(
            MEMBERSHIPS_PATH,
            "ForbiddenException",
            "Not a team admin",
            Value::Null,
        )),
    )
    .await;
    let cal = api_key_client(&server);

    let results: Vec<_> = cal.orgs().teams().memberships().list(10, 20).take(2).stream().take(50).collect().await;

    assert_eq!(results.len(), 3, "two items, then one error: {results:?}");
    assert_eq!(results[0].as_ref().expect("item 1").id, 1);
    assert_eq!(results[1].as_ref().expect("item 2").id, 2);
    match &results[2] {
        Err(Error::Api(e)) => {
            assert_eq!(e.status(), 403);
            assert_eq!(e.code(), Some("ForbiddenException"));
            assert_eq!(e.request_id(), Some("req-page-2"));
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert_eq!(request_count(&server).await, 2, "nothing is asked after the error");
}

#[tokio::test]
async fn try_collect_stops_at_the_error() {
    let server = server().await;
    mount_page(&server, "2", "0", page(memberships(1, 2))).await;
    mount_page(&server, "2", "2", ResponseTemplate::new(500).set_body_string("upstream down")).await;
    let cal = api_key_client(&server);

    let result: calcom::Result<Vec<TeamMembership>> =
        cal.orgs().teams().memberships().list(10, 20).take(2).stream().try_collect().await;

    assert!(matches!(&result, Err(Error::Api(e)) if e.status() == 500), "{result:?}");
    assert_eq!(request_count(&server).await, 2, "api_key_client does not retry");
}

/// `n` memberships with ids `first..first + n`, typed (for the test kit's stubs).
#[cfg(feature = "test-util")]
fn typed_memberships(first: i64, n: i64) -> Vec<TeamMembership> {
    let json = serde_json::to_vec(&memberships(first, n)).expect("serializes");
    calcom::decode::from_slice(&json).expect("memberships decode")
}

/// The `(take, skip)` of every list request the test kit's mock received, in order.
#[cfg(feature = "test-util")]
fn pages_stubbed(mock: &calcom::mock::MockServer) -> Vec<(String, String)> {
    let sent = mock.orgs().teams().memberships().list(10, 20).received();
    sent.iter().map(|r| pair(r.query("take").expect("take"), r.query("skip").expect("skip"))).collect()
}

#[cfg(feature = "test-util")]
#[tokio::test]
async fn a_failed_page_is_retried_like_any_get() {
    let mock = calcom::mock::MockServer::start().await;
    mock.orgs().teams().memberships().list(10, 20).skip(2).fails(calcom::mock::Failure::status(503)).times(1);
    mock.orgs().teams().memberships().list(10, 20).returns_all(typed_memberships(1, 3));

    let cal = mock.client();

    let items: Vec<TeamMembership> =
        cal.orgs().teams().memberships().list(10, 20).take(2).stream().try_collect().await.expect("the retry succeeds");

    assert_eq!(ids(&items), vec![1, 2, 3]);
    assert_eq!(pages_stubbed(&mock), vec![pair("2", "0"), pair("2", "2"), pair("2", "2")]);
    assert_eq!(mock.waits().len(), 1);
    mock.verify();
}

#[cfg(feature = "test-util")]
#[tokio::test]
async fn take_and_skip_of_the_builder_are_the_page_size_and_the_first_offset() {
    let mock = calcom::mock::MockServer::start().await;
    mock.orgs().teams().memberships().list(10, 20).returns_all(typed_memberships(1, 15));

    let cal = mock.client();

    let items: Vec<TeamMembership> =
        cal.orgs().teams().memberships().list(10, 20).skip(10).take(3).stream().try_collect().await.expect("decodes");

    assert_eq!(ids(&items), vec![11, 12, 13, 14, 15]);
    assert_eq!(pages_stubbed(&mock), vec![pair("3", "10"), pair("3", "13")]);
}

/// `spec/orgs/teams/memberships.yaml` gives `take` the server's default 250 and the stream is
/// meant to use it. Commit 8cfba57 ("The whole Cal.com API v2 in the spec") quoted the docs
/// string so that `default: 250` became part of it (`docs: "Page size (1 to 250)., default: 250"`);
/// the operation lost its default, the generator fell back to `paginated(take, skip, 100i64, ...)`
/// and the generated docs now read "Page size (1 to 250)., default: 250". The runtime is right
/// (see the next test); the spec entry is not. `skip` lost its default the same way.
#[tokio::test]
async fn without_take_the_page_size_is_the_spec_default_of_250() {
    let server = server().await;
    mount_page(&server, "250", "0", page(memberships(1, 250))).await;
    mount_page(&server, "250", "250", page(memberships(251, 4))).await;
    let cal = api_key_client(&server);

    let items: Vec<TeamMembership> =
        cal.orgs().teams().memberships().list(10, 20).stream().try_collect().await.expect("decodes");

    assert_eq!(items.len(), 254);
    assert_eq!(ids(&items), (1..=254).collect::<Vec<_>>());
    assert_eq!(pages_requested(&server).await, vec![pair("250", "0"), pair("250", "250")]);
}

/// The same check on `teams().memberships().list`, whose spec entry still declares
/// `default: 250` (`paginated(take, skip, 250i64, ...)`): without `take`, the stream sends the
/// operation's default as the page size and a full page of it is not the last.
#[cfg(feature = "test-util")]
#[tokio::test]
async fn without_take_the_stream_pages_by_the_operation_default() {
    let mock = calcom::mock::MockServer::start().await;
    mock.teams().memberships().list(20).returns_all(typed_memberships(1, 254));
    let cal = mock.client();

    let items: Vec<TeamMembership> = cal.teams().memberships().list(20).stream().try_collect().await.expect("decodes");

    assert_eq!(ids(&items), (1..=254).collect::<Vec<_>>());
    let sent: Vec<Vec<(String, String)>> =
        mock.teams().memberships().list(20).received().iter().map(|r| r.request().query_pairs().to_vec()).collect();
    assert_eq!(
        sent,
        vec![vec![pair("take", "250"), pair("skip", "0")], vec![pair("take", "250"), pair("skip", "250")]]
    );
}

#[cfg(feature = "test-util")]
#[tokio::test]
async fn skip_without_take_starts_there_with_the_default_page_size() {
    let mock = calcom::mock::MockServer::start().await;
    mock.teams().memberships().list(20).returns_all(typed_memberships(1, 43));
    let cal = mock.client();

    let items: Vec<TeamMembership> =
        cal.teams().memberships().list(20).skip(40).stream().try_collect().await.expect("decodes");

    assert_eq!(ids(&items), vec![41, 42, 43]);
    let sent = mock.teams().memberships().list(20).received();
    assert_eq!(sent.len(), 1, "a page shorter than 250 is the last");
    assert_eq!((sent[0].query("take"), sent[0].query("skip")), (Some("250"), Some("40")));
}

#[tokio::test]
async fn the_stream_fetches_pages_only_as_they_are_read() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIPS_PATH))
        .and(query_param("skip", "0"))
        .respond_with(page(memberships(1, 2)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIPS_PATH))
        .and(query_param("skip", "2"))
        .respond_with(page(memberships(3, 2)))
        .mount(&server)
        .await;
    let cal = api_key_client(&server);

    let mut stream = Box::pin(cal.orgs().teams().memberships().list(10, 20).take(2).stream());
    assert_eq!(request_count(&server).await, 0, "nothing is sent before the stream is read");

    assert_eq!(stream.next().await.expect("an item").expect("decodes").id, 1);
    assert_eq!(stream.next().await.expect("an item").expect("decodes").id, 2);
    assert_eq!(request_count(&server).await, 1, "the first page serves two items");

    assert_eq!(stream.next().await.expect("an item").expect("decodes").id, 3);
    assert_eq!(request_count(&server).await, 2);
}

/// `n` memberships from `first`, with pagination meta whose `currentPage` is `current`, always
/// claiming a next page (a broken server).
fn endless_page(items: Vec<Value>, current: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "status": "success",
        "data": items,
        "pagination": { "currentPage": current, "hasNextPage": true, "itemsPerPage": 2 }
    }))
}

#[tokio::test]
async fn the_same_items_with_changing_metadata_end_the_stream() {
    let server = server().await;
    // Every request gets the same two items; only `currentPage` goes up.
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(1));
    let c = counter.clone();
    Mock::given(method("GET"))
        .and(path(MEMBERSHIPS_PATH))
        .respond_with(move |_: &wiremock::Request| {
            endless_page(memberships(1, 2), c.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
        })
        .mount(&server)
        .await;
    let cal = api_key_client(&server);
    let all: Vec<TeamMembership> =
        cal.orgs().teams().memberships().list(10, 20).take(2).stream().try_collect().await.expect("ends");
    assert_eq!(ids(&all), [1, 2]);
    assert_eq!(request_count(&server).await, 2, "the second page brought nothing new");
}

#[tokio::test]
async fn two_pages_in_turn_end_the_stream() {
    let server = server().await;
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let c = counter.clone();
    Mock::given(method("GET"))
        .and(path(MEMBERSHIPS_PATH))
        .respond_with(move |_: &wiremock::Request| {
            let n = c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            endless_page(if n.is_multiple_of(2) { memberships(1, 2) } else { memberships(3, 2) }, n + 1)
        })
        .mount(&server)
        .await;
    let cal = api_key_client(&server);
    let all: Vec<TeamMembership> =
        cal.orgs().teams().memberships().list(10, 20).take(2).stream().try_collect().await.expect("ends");
    assert_eq!(ids(&all), [1, 2, 3, 4]);
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test]
async fn the_offset_reaching_total_items_ends_the_stream() {
    let server = server().await;
    let body = |items: Vec<Value>| {
        ResponseTemplate::new(200).set_body_json(json!({
            "status": "success", "data": items,
            "pagination": { "totalItems": 4, "hasNextPage": true }
        }))
    };
    mount_page(&server, "2", "0", body(memberships(1, 2))).await;
    mount_page(&server, "2", "2", body(memberships(3, 2))).await;
    let cal = api_key_client(&server);
    let all: Vec<TeamMembership> =
        cal.orgs().teams().memberships().list(10, 20).take(2).stream().try_collect().await.expect("ends");
    assert_eq!(ids(&all), [1, 2, 3, 4]);
    assert_eq!(pages_requested(&server).await, [pair("2", "0"), pair("2", "2")], "no third request");
}

#[tokio::test]
async fn the_page_limit_is_an_error_the_user_can_match() {
    let server = server().await;
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let c = counter.clone();
    Mock::given(method("GET"))
        .and(path(MEMBERSHIPS_PATH))
        .respond_with(move |_: &wiremock::Request| {
            let n = c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            endless_page(memberships(1 + 2 * n, 2), 1)
        })
        .mount(&server)
        .await;
    let cal = calcom::Client::builder().api_key(API_KEY).base_url(server.uri()).max_pages(3).build().expect("builds");
    assert_eq!(calcom::DEFAULT_MAX_PAGES, 1_000);
    let results: Vec<_> = cal.orgs().teams().memberships().list(10, 20).take(2).stream().collect().await;
    assert_eq!(results.len(), 7, "six items, then the error");
    assert!(matches!(results[6], Err(Error::PageLimit { pages: 3 })), "{:?}", results[6]);
    assert_eq!(request_count(&server).await, 3);
}
