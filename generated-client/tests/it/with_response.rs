//! `.with_response()`: the decoded value with the status, headers, request id, rate-limit
//! headers and pagination meta of the answer.

use crate::common;

use std::time::Duration;

use common::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const MEMBERSHIP_PATH: &str = "/v2/organizations/10/teams/20/memberships/123";
const MEMBERSHIPS_PATH: &str = "/v2/organizations/10/teams/20/memberships";

#[tokio::test]
async fn with_response_exposes_status_request_id_and_rate_limits() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .respond_with(
            success(membership_json(123, 7, 20, "OWNER"))
                .insert_header("X-Request-Id", "req-abc-123")
                .insert_header("X-RateLimit-Limit-Default", "120")
                .insert_header("X-RateLimit-Remaining-Default", "117")
                .insert_header("X-RateLimit-Reset-Default", "42"),
        )
        .mount(&server)
        .await;
    let cal = api_key_client(&server);

    let resp = cal.orgs().teams().memberships().get(10, 20, 123).with_response().await.expect("decodes");

    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req-abc-123"));
    assert_eq!(resp.rate_limit_remaining(), Some(117), "not the limit (120)");
    assert_eq!(resp.rate_limit_reset(), Some(Duration::from_secs(42)));
    assert_eq!(resp.headers().get("x-ratelimit-limit-default").map(|v| v.to_str().unwrap()), Some("120"));
    assert_eq!(resp.page_info(), None, "no pagination object in this answer");
    assert_eq!(resp.value().id, 123);
    let m = resp.into_value();
    assert_eq!((m.id, m.user_id, m.role), (123, 7, calcom::MembershipRole::Owner));
}

#[tokio::test]
async fn with_response_without_the_optional_headers_gives_none() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .respond_with(success(membership_json(123, 7, 20, "MEMBER")))
        .mount(&server)
        .await;

    let resp = api_key_client(&server).orgs().teams().memberships().get(10, 20, 123).with_response().await.unwrap();

    assert_eq!(resp.request_id(), None);
    assert_eq!(resp.rate_limit_remaining(), None);
    assert_eq!(resp.rate_limit_reset(), None);
    assert_eq!(resp.page_info(), None);
}

#[tokio::test]
async fn several_rate_limits_give_the_smallest_remaining_and_the_longest_reset() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .respond_with(
            success(membership_json(123, 7, 20, "MEMBER"))
                .insert_header("X-RateLimit-Remaining-Default", "117")
                .insert_header("X-RateLimit-Remaining-Short", "3")
                .insert_header("X-RateLimit-Reset-Default", "42")
                .insert_header("X-RateLimit-Reset-Short", "1.5"),
        )
        .mount(&server)
        .await;

    let resp = api_key_client(&server).orgs().teams().memberships().get(10, 20, 123).with_response().await.unwrap();

    assert_eq!(resp.rate_limit_remaining(), Some(3));
    assert_eq!(resp.rate_limit_reset(), Some(Duration::from_secs(42)));
}

#[tokio::test]
async fn with_response_decodes_the_pagination_object_of_a_list() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIPS_PATH))
        .respond_with(ResponseTemplate::new(200).insert_header("X-Request-Id", "req-list").set_body_json(json!({
            "status": "success",
            "data": [membership_json(1, 11, 20, "MEMBER"), membership_json(2, 12, 20, "ADMIN")],
            "pagination": {
                "totalItems": 5,
                "remainingItems": 1,
                "returnedItems": 2,
                "itemsPerPage": 2,
                "currentPage": 2,
                "totalPages": 3,
                "hasNextPage": true,
                "hasPreviousPage": true
            }
        })))
        .mount(&server)
        .await;

    let resp = api_key_client(&server)
        .orgs()
        .teams()
        .memberships()
        .list(10, 20)
        .take(2)
        .skip(2)
        .with_response()
        .await
        .expect("decodes");

    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req-list"));
    let page = resp.page_info().expect("the pagination object").clone();
    assert_eq!(page.total_items, Some(5));
    assert_eq!(page.remaining_items, Some(1));
    assert_eq!(page.returned_items, Some(2));
    assert_eq!(page.items_per_page, Some(2));
    assert_eq!(page.current_page, Some(2));
    assert_eq!(page.total_pages, Some(3));
    assert_eq!(page.has_next_page, Some(true));
    assert_eq!(page.has_previous_page, Some(true));
    let items = resp.into_value();
    assert_eq!(items.iter().map(|m| m.id).collect::<Vec<_>>(), vec![1, 2]);
}

#[tokio::test]
async fn a_partial_pagination_object_decodes_with_the_rest_none() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIPS_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "success",
            "data": [],
            "pagination": { "hasNextPage": false, "someFutureField": 1 }
        })))
        .mount(&server)
        .await;

    let resp = api_key_client(&server).orgs().teams().memberships().list(10, 20).with_response().await.unwrap();

    let page = resp.page_info().expect("the pagination object");
    assert_eq!(page.has_next_page, Some(false));
    assert_eq!(page.total_items, None);
    assert_eq!((page.current_page, page.has_previous_page), (None, None));
    assert!(resp.into_value().is_empty());
}

#[tokio::test]
async fn with_response_reports_a_non_200_success_status() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(MEMBERSHIPS_PATH))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "status": "success", "data": membership_json(55, 7, 20, "MEMBER") })),
        )
        .mount(&server)
        .await;

    let resp = api_key_client(&server)
        .orgs()
        .teams()
        .memberships()
        .create(10, 20, calcom::CreateTeamMembership::new(7))
        .with_response()
        .await
        .expect("decodes");

    assert_eq!(resp.status(), 201);
    assert_eq!(resp.into_value().id, 55);
}
