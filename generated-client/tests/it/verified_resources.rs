//! `orgs.teams.verified_resources` and `teams.verified_resources`: bodies, paging, status-only
//! answers, decoding.

use crate::common;

use calcom::{RequestEmailCode, RequestPhoneCode, VerifyEmailCode, VerifyPhoneCode};
use common::*;
use serde_json::json;
use wiremock::Mock;
use wiremock::matchers::{bearer_token, body_json, header, method, path, query_param, query_param_is_missing};

fn verified_email(id: i64, team_id: i64, user_id: Option<i64>) -> serde_json::Value {
    json!({ "id": id, "email": "sender@acme.example", "teamId": team_id, "userId": user_id })
}

fn verified_phone(id: i64, team_id: i64) -> serde_json::Value {
    json!({ "id": id, "phoneNumber": "+37255556666", "teamId": team_id })
}

// ---- orgs.teams.verified_resources ----

#[tokio::test]
async fn org_team_verify_email_sends_email_and_code() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/organizations/10/teams/20/verified-resources/emails/verification-code/verify"))
        .and(bearer_token(API_KEY))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({ "email": "sender@acme.example", "code": "1ABG2C" })))
        .respond_with(success(verified_email(789, 20, Some(45))))
        .expect(1)
        .mount(&server)
        .await;

    let email = api_key_client(&server)
        .orgs()
        .teams()
        .verified_resources()
        .verify_email(10, 20, VerifyEmailCode::new("sender@acme.example", "1ABG2C"))
        .await
        .expect("decodes");

    assert_eq!(email.id, 789);
    assert_eq!(email.email, "sender@acme.example");
    assert_eq!(email.team_id, 20);
    assert_eq!(email.user_id, Some(45));
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(raw_query(&request), None);
    assert_api_key_auth(&request);
}

#[tokio::test]
async fn org_team_list_phones_sends_take_and_skip() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/teams/20/verified-resources/phones"))
        .and(query_param("take", "10"))
        .and(query_param("skip", "20"))
        .and(bearer_token(API_KEY))
        .respond_with(success(json!([verified_phone(1, 20), verified_phone(2, 20)])))
        .expect(1)
        .mount(&server)
        .await;

    let phones = api_key_client(&server)
        .orgs()
        .teams()
        .verified_resources()
        .list_phones(10, 20)
        .take(10)
        .skip(20)
        .await
        .expect("decodes");

    assert_eq!(phones.len(), 2);
    assert_eq!(phones[0].phone_number, "+37255556666");
    assert_eq!((phones[1].id, phones[1].team_id, phones[1].user_id), (2, 20, None));
    let request = only_request(&server).await;
    assert_eq!(raw_query(&request), Some("take=10&skip=20"));
    assert_api_key_auth(&request);
}

#[tokio::test]
async fn org_team_list_emails_with_only_take_sends_no_skip() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/teams/20/verified-resources/emails"))
        .and(query_param("take", "1"))
        .and(query_param_is_missing("skip"))
        .respond_with(success(json!([verified_email(3, 20, None)])))
        .expect(1)
        .mount(&server)
        .await;

    let emails =
        api_key_client(&server).orgs().teams().verified_resources().list_emails(10, 20).take(1).await.expect("ok");
    assert_eq!(emails[0].user_id, None, "`userId: null` decodes to None");
}

#[tokio::test]
async fn org_team_request_phone_code_returns_unit_on_a_status_only_answer() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/organizations/10/teams/20/verified-resources/phones/verification-code/request"))
        .and(body_json(json!({ "phone": "+372 5555 6666" })))
        .respond_with(success_without_data())
        .expect(1)
        .mount(&server)
        .await;

    api_key_client(&server)
        .orgs()
        .teams()
        .verified_resources()
        .request_phone_code(10, 20, RequestPhoneCode::new("+372 5555 6666"))
        .await
        .expect("status-only success");
}

#[tokio::test]
async fn org_team_get_phone_puts_the_id_in_the_path() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/teams/20/verified-resources/phones/789"))
        .respond_with(success(verified_phone(789, 20)))
        .expect(1)
        .mount(&server)
        .await;

    let phone =
        access_token_client(&server).orgs().teams().verified_resources().get_phone(10, 20, 789).await.expect("ok");
    assert_eq!(phone.id, 789);
    assert_bearer(&only_request(&server).await, ACCESS_TOKEN);
}

// ---- teams.verified_resources ----

#[tokio::test]
async fn team_verify_email_sends_email_and_code() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/teams/20/verified-resources/emails/verification-code/verify"))
        .and(bearer_token(API_KEY))
        .and(body_json(json!({ "email": "ops@acme.example", "code": "ZX81" })))
        .respond_with(success(json!({ "id": 5, "email": "ops@acme.example", "teamId": 20 })))
        .expect(1)
        .mount(&server)
        .await;

    let email = api_key_client(&server)
        .teams()
        .verified_resources()
        .verify_email(20, VerifyEmailCode::new("ops@acme.example", "ZX81"))
        .await
        .expect("decodes");

    assert_eq!((email.id, email.email.as_str(), email.team_id, email.user_id), (5, "ops@acme.example", 20, None));
    let request = only_request(&server).await;
    assert_eq!(String::from_utf8(request.body.clone()).unwrap(), r#"{"email":"ops@acme.example","code":"ZX81"}"#);
    assert_api_key_auth(&request);
}

#[tokio::test]
async fn team_list_phones_sends_take_and_skip() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/teams/20/verified-resources/phones"))
        .and(query_param("take", "250"))
        .and(query_param("skip", "0"))
        .and(bearer_token(API_KEY))
        .respond_with(success(json!([verified_phone(9, 20)])))
        .expect(1)
        .mount(&server)
        .await;

    let phones =
        api_key_client(&server).teams().verified_resources().list_phones(20).take(250).skip(0).await.expect("ok");
    assert_eq!(phones.len(), 1);
    assert_eq!(phones[0].id, 9);
    let request = only_request(&server).await;
    assert_eq!(raw_query(&request), Some("take=250&skip=0"), "an explicit 0 is still sent");
    assert_api_key_auth(&request);
}

#[tokio::test]
async fn team_verify_phone_sends_phone_and_code() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/teams/20/verified-resources/phones/verification-code/verify"))
        .and(body_json(json!({ "phone": "+37255556666", "code": "1ABG2C" })))
        .respond_with(success(json!({ "id": 4, "phoneNumber": "+37255556666", "teamId": 20, "userId": 45 })))
        .expect(1)
        .mount(&server)
        .await;

    let phone = api_key_client(&server)
        .teams()
        .verified_resources()
        .verify_phone(20, VerifyPhoneCode::new("+37255556666", "1ABG2C"))
        .await
        .expect("decodes");
    assert_eq!(phone.user_id, Some(45));
}

#[tokio::test]
async fn team_request_email_code_accepts_an_empty_201() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/teams/20/verified-resources/emails/verification-code/request"))
        .and(body_json(json!({ "email": "acme@example.com" })))
        .respond_with(wiremock::ResponseTemplate::new(201))
        .expect(1)
        .mount(&server)
        .await;

    api_key_client(&server)
        .teams()
        .verified_resources()
        .request_email_code(20, RequestEmailCode::new("acme@example.com"))
        .await
        .expect("an operation without data accepts an empty body");
}

#[tokio::test]
async fn team_get_email_decodes() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/teams/20/verified-resources/emails/7"))
        .respond_with(success(verified_email(7, 20, Some(1))))
        .expect(1)
        .mount(&server)
        .await;

    let email = api_key_client(&server).teams().verified_resources().get_email(20, 7).await.expect("decodes");
    assert_eq!((email.id, email.team_id, email.user_id), (7, 20, Some(1)));
}
