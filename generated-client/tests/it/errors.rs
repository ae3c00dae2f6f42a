//! How answers that are not a plain success become `calcom::Error`s: Cal.com's error shape,
//! 429, 498, non-JSON pages, bodies that do not decode, error envelopes in a 2xx, transport
//! failures and timeouts. None may panic.

use crate::common;

use std::time::Duration;

use calcom::Error;
use common::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MEMBERSHIP_PATH: &str = "/v2/organizations/10/teams/20/memberships/123";

/// Mounts `response` for the membership GET and calls it with an API-key client.
async fn get_membership_answered_with(response: ResponseTemplate) -> calcom::Result<calcom::TeamMembership> {
    let server = server().await;
    Mock::given(method("GET")).and(path(MEMBERSHIP_PATH)).respond_with(response).expect(1).mount(&server).await;
    api_key_client(&server).orgs().teams().memberships().get(10, 20, 123).await
}

/// The `DecodeError` of a result, or a panic naming what came instead.
fn expect_decode_error<T: std::fmt::Debug>(result: calcom::Result<T>) -> calcom::DecodeError {
    match result {
        Err(Error::Decode(e)) => e,
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

/// The `ApiError` of a result, or a panic naming what came instead.
fn expect_api_error<T: std::fmt::Debug>(result: calcom::Result<T>) -> calcom::ApiError {
    match result {
        Err(Error::Api(e)) => e,
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

#[tokio::test]
async fn not_found_keeps_code_message_details_and_request_id() {
    let details = json!({ "membershipId": 123, "hint": "was it deleted?" });
    let body =
        cal_error_body(MEMBERSHIP_PATH, "NotFoundException", "Membership with id 123 not found", details.clone());
    let result = get_membership_answered_with(
        ResponseTemplate::new(404).set_body_json(&body).insert_header("X-Request-Id", "req-0f3a9c"),
    )
    .await;

    let error = result.expect_err("404 is an error");
    assert_eq!(error.status(), Some(404));
    assert_eq!(error.request_id(), Some("req-0f3a9c"));
    let e = expect_api_error(Err::<(), _>(error));
    assert_eq!(e.status(), 404);
    assert_eq!(e.code(), Some("NotFoundException"));
    assert_eq!(e.message(), Some("Membership with id 123 not found"));
    assert_eq!(e.details(), Some(&details));
    assert_eq!(e.request_id(), Some("req-0f3a9c"));
    assert_eq!(serde_json::from_str::<serde_json::Value>(e.body()).unwrap(), body, "the body is kept");
    let shown = e.to_string();
    assert!(shown.contains("404") && shown.contains("NotFoundException") && shown.contains("req-0f3a9c"), "{shown}");
}

#[tokio::test]
async fn validation_errors_keep_the_field_list_in_details() {
    let details =
        json!({ "errors": [{ "property": "userId", "constraints": { "isInt": "userId must be an integer" } }] });
    let result = get_membership_answered_with(ResponseTemplate::new(400).set_body_json(cal_error_body(
        MEMBERSHIP_PATH,
        "BAD_REQUEST",
        "Validation failed",
        details.clone(),
    )))
    .await;

    let e = expect_api_error(result);
    assert_eq!((e.status(), e.code()), (400, Some("BAD_REQUEST")));
    assert_eq!(e.details().and_then(|d| d.get("errors")), details.get("errors"));
    assert_eq!(e.request_id(), None, "no X-Request-Id header, no request id");
}

#[tokio::test]
async fn a_list_of_messages_is_joined() {
    let result = get_membership_answered_with(ResponseTemplate::new(400).set_body_json(json!({
        "status": "error",
        "error": { "code": "BadRequestException", "message": ["take must be <= 250", "skip must be >= 0"] }
    })))
    .await;
    let e = expect_api_error(result);
    assert_eq!(e.message(), Some("take must be <= 250; skip must be >= 0"));
    assert_eq!(e.details(), None);
}

#[tokio::test]
async fn too_many_requests_reads_retry_after() {
    let result = get_membership_answered_with(
        ResponseTemplate::new(429)
            .insert_header("Retry-After", "7")
            .insert_header("X-Request-Id", "req-429")
            .set_body_json(cal_error_body(MEMBERSHIP_PATH, "ThrottlerException", "Too Many Requests", json!(null))),
    )
    .await;

    match result {
        Err(Error::RateLimited { retry_after, error }) => {
            assert_eq!(retry_after, Duration::from_secs(7));
            assert_eq!(error.status(), 429);
            assert_eq!(error.code(), Some("ThrottlerException"));
            assert_eq!(error.request_id(), Some("req-429"));
        }
        other => panic!("expected Error::RateLimited, got {other:?}"),
    }
}

#[tokio::test]
async fn too_many_requests_without_retry_after_uses_the_rate_limit_reset_or_a_minute() {
    // A bare 429 is not the rate limiter (see tests/rate_limits.rs): an Api error, no window.
    assert!(
        matches!(get_membership_answered_with(ResponseTemplate::new(429)).await, Err(Error::Api(ref e)) if e.status() == 429)
    );
    let cases = [
        (ResponseTemplate::new(429).insert_header("X-RateLimit-Reset-Default", "12"), Duration::from_secs(12)),
        (ResponseTemplate::new(429).insert_header("X-RateLimit-Remaining-Default", "0"), Duration::from_secs(60)),
        (ResponseTemplate::new(429).insert_header("Retry-After", "86400"), Duration::from_secs(300)),
        (ResponseTemplate::new(429).insert_header("Retry-After", "soon"), Duration::from_secs(60)),
    ];
    for (response, expected) in cases {
        match get_membership_answered_with(response).await {
            Err(Error::RateLimited { retry_after, error }) => {
                assert_eq!(retry_after, expected);
                assert_eq!(error.code(), None, "no body, no code");
            }
            other => panic!("expected Error::RateLimited, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn status_498_is_token_expired() {
    let result = get_membership_answered_with(ResponseTemplate::new(498).set_body_json(cal_error_body(
        MEMBERSHIP_PATH,
        "UnauthorizedException",
        "ACCESS_TOKEN_IS_EXPIRED",
        json!(null),
    )))
    .await;

    match result {
        Err(Error::TokenExpired(e)) => {
            assert_eq!(e.status(), 498);
            assert_eq!(e.message(), Some("ACCESS_TOKEN_IS_EXPIRED"));
        }
        other => panic!("expected Error::TokenExpired, got {other:?}"),
    }
}

#[tokio::test]
async fn an_html_error_page_is_an_api_error_without_code_that_keeps_the_body() {
    let page = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";
    let result =
        get_membership_answered_with(ResponseTemplate::new(502).set_body_raw(page, "text/html; charset=utf-8")).await;

    let e = expect_api_error(result);
    assert_eq!(e.status(), 502);
    assert_eq!(e.code(), None);
    assert_eq!(e.message(), None);
    assert_eq!(e.details(), None);
    assert_eq!(e.body(), page);
    assert!(e.to_string().contains("502 Bad Gateway"), "the display shows the page's text: {e}");
}

#[tokio::test]
async fn a_wrong_typed_field_is_a_decode_error_at_its_path() {
    let mut data = membership_json(1, 2, 20, "MEMBER");
    data["id"] = json!("abc");
    let result = get_membership_answered_with(success(data).insert_header("X-Request-Id", "req-decode")).await;

    let e = expect_decode_error(result);
    assert_eq!(e.path(), "data.id");
    assert_eq!(e.status(), 200);
    assert_eq!(e.request_id(), Some("req-decode"));
    assert!(e.body().contains(r#""id":"abc""#), "the body is kept: {}", e.body());
    assert!(e.to_string().contains("data.id"), "{e}");
}

#[tokio::test]
async fn decode_errors_name_nested_and_list_paths() {
    let mut data = membership_json(1, 2, 20, "MEMBER");
    data["user"]["email"] = json!(5);
    let e = expect_decode_error(get_membership_answered_with(success(data)).await);
    assert_eq!(e.path(), "data.user.email");

    let mut data = membership_json(1, 2, 20, "MEMBER");
    data["role"] = json!(null);
    let e = expect_decode_error(get_membership_answered_with(success(data)).await);
    assert_eq!(e.path(), "data.role");

    let server = server().await;
    let mut second = membership_json(2, 3, 20, "MEMBER");
    second["teamId"] = json!(true);
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/teams/20/memberships"))
        .respond_with(success(json!([membership_json(1, 2, 20, "MEMBER"), second])))
        .mount(&server)
        .await;
    let result = api_key_client(&server).orgs().teams().memberships().list(10, 20).await;
    assert_eq!(expect_decode_error(result).path(), "data[1].teamId");
}

#[tokio::test]
async fn truncated_json_is_a_decode_error() {
    let truncated = r#"{"status":"success","data":{"id":123,"userId":123,"teamId":12"#;
    let e = expect_decode_error(
        get_membership_answered_with(ResponseTemplate::new(200).set_body_raw(truncated, "application/json")).await,
    );
    assert_eq!(e.status(), 200);
    assert_eq!(e.body(), truncated);
    assert!(e.path().starts_with("data"), "path {:?}", e.path());
}

#[tokio::test]
async fn trailing_garbage_after_the_json_is_a_decode_error() {
    let body = format!("{}}}", DOCUMENTED_MEMBERSHIP_RESPONSE);
    let e = expect_decode_error(
        get_membership_answered_with(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await,
    );
    assert_eq!(e.path(), "");
}

#[tokio::test]
async fn an_empty_200_for_an_operation_with_data_is_a_decode_error() {
    for body in ["", "  \n"] {
        let e = expect_decode_error(
            get_membership_answered_with(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await,
        );
        assert_eq!((e.status(), e.path()), (200, ""));
    }
}

#[tokio::test]
async fn a_missing_or_null_data_for_a_required_value_is_a_decode_error() {
    let e = expect_decode_error(get_membership_answered_with(success_without_data()).await);
    assert_eq!(e.status(), 200);
    assert!(e.message().contains("data"), "{}", e.message());

    let e = expect_decode_error(get_membership_answered_with(success(json!(null))).await);
    assert!(e.path().starts_with("data") || e.path().is_empty(), "{:?}", e.path());
}

#[tokio::test]
async fn an_error_envelope_in_a_200_is_an_api_error() {
    let result = get_membership_answered_with(
        ResponseTemplate::new(200).insert_header("X-Request-Id", "req-200-error").set_body_json(cal_error_body(
            MEMBERSHIP_PATH,
            "ForbiddenException",
            "Not a team admin",
            json!(null),
        )),
    )
    .await;

    let e = expect_api_error(result);
    assert_eq!(e.status(), 200);
    assert_eq!(e.code(), Some("ForbiddenException"));
    assert_eq!(e.message(), Some("Not a team admin"));
    assert_eq!(e.request_id(), Some("req-200-error"));
}

#[tokio::test]
async fn an_error_envelope_in_a_200_is_an_api_error_for_operations_without_data() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/teams/20/verified-resources/emails/verification-code/request"))
        .respond_with(ResponseTemplate::new(201).set_body_json(cal_error_body(
            "/v2/teams/20/verified-resources/emails/verification-code/request",
            "BadRequestException",
            "Invalid email",
            json!(null),
        )))
        .mount(&server)
        .await;

    let result = api_key_client(&server)
        .teams()
        .verified_resources()
        .request_email_code(20, calcom::RequestEmailCode::new("nope"))
        .await;
    let e = expect_api_error(result);
    assert_eq!((e.status(), e.code()), (201, Some("BadRequestException")));
}

#[tokio::test]
async fn a_non_cal_json_error_still_yields_the_message() {
    let result = get_membership_answered_with(
        ResponseTemplate::new(401).set_body_json(json!({ "statusCode": 401, "message": "Unauthorized" })),
    )
    .await;
    let e = expect_api_error(result);
    assert_eq!((e.status(), e.message()), (401, Some("Unauthorized")));
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    // A port that was just free on 127.0.0.1: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let cal = api_key_client_at(&format!("http://127.0.0.1:{port}"));

    match cal.orgs().teams().memberships().get(10, 20, 123).await {
        Err(e @ Error::Transport(_)) => {
            assert_eq!(e.status(), None);
            assert!(std::error::Error::source(&e).is_some(), "the reqwest error is the source");
        }
        other => panic!("expected Error::Transport, got {other:?}"),
    }
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .respond_with(success(membership_json(1, 2, 20, "MEMBER")).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let cal = calcom::Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .timeout(Duration::from_millis(200))
        .max_retries(0)
        .build()
        .unwrap();

    match cal.orgs().teams().memberships().get(10, 20, 123).await {
        Err(Error::Timeout(_)) => {}
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
}
