//! `orgs.teams.conferencing`: the `ConferencingApp` path parameter, the optional `data` of
//! `get_default`, query parameters, status-only answers.

use crate::common;

use std::time::Duration;

use calcom::ConferencingApp;
use common::*;
use serde_json::json;
use wiremock::matchers::{bearer_token, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn connect_puts_the_app_wire_value_in_the_path_and_sends_no_body() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/organizations/10/teams/20/conferencing/google-meet/connect"))
        .and(bearer_token(API_KEY))
        .respond_with(success(json!({
            "id": 31, "type": "google_video", "userId": null, "teamId": 20, "invalid": false
        })))
        .expect(1)
        .mount(&server)
        .await;

    let app = api_key_client(&server)
        .orgs()
        .teams()
        .conferencing()
        .connect(10, 20, ConferencingApp::GoogleMeet)
        .await
        .expect("decodes");

    assert_eq!(app.id, 31);
    assert_eq!(app.r#type, "google_video");
    assert_eq!(app.user_id, None, "`userId: null` decodes to None");
    assert_eq!(app.team_id, Some(20));
    assert_eq!(app.invalid, Some(false));

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert!(request.body.is_empty(), "connect has no body");
    assert_eq!(raw_query(&request), None);
    assert_api_key_auth(&request);
}

#[tokio::test]
async fn every_app_is_sent_as_its_wire_value() {
    let apps = [
        (ConferencingApp::GoogleMeet, "google-meet"),
        (ConferencingApp::Zoom, "zoom"),
        (ConferencingApp::MsTeams, "msteams"),
        (ConferencingApp::CalVideo, "daily-video"),
        (ConferencingApp::Unknown("whereby".to_owned()), "whereby"),
    ];
    for (app, wire) in apps {
        let server = server().await;
        Mock::given(method("POST"))
            .and(path(format!("/v2/organizations/10/teams/20/conferencing/{wire}/default")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "status": "success" })))
            .expect(1)
            .mount(&server)
            .await;

        assert_eq!(app.as_str(), wire);
        assert_eq!(wire.parse::<ConferencingApp>().unwrap(), app);
        api_key_client(&server)
            .orgs()
            .teams()
            .conferencing()
            .set_default(10, 20, app.clone())
            .await
            .unwrap_or_else(|e| panic!("set_default({wire}) failed: {e}"));
    }
}

#[tokio::test]
async fn get_default_is_none_when_the_envelope_has_no_data() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/teams/20/conferencing/default"))
        .respond_with(success_without_data())
        .expect(1)
        .mount(&server)
        .await;

    let default = api_key_client(&server).orgs().teams().conferencing().get_default(10, 20).await;
    assert_eq!(default.expect("a status-only envelope decodes"), None);
}

#[tokio::test]
async fn get_default_decodes_the_default_app() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/teams/20/conferencing/default"))
        .respond_with(success(json!({ "appSlug": "zoom", "appLink": "https://zoom.us/j/1", "credentialId": 5 })))
        .expect(1)
        .mount(&server)
        .await;

    let default = platform_client(&server)
        .orgs()
        .teams()
        .conferencing()
        .get_default(10, 20)
        .await
        .expect("decodes")
        .expect("the envelope has data");
    assert_eq!(default.app_slug.as_deref(), Some("zoom"));
    assert_eq!(default.app_link.as_deref(), Some("https://zoom.us/j/1"));
    assert_eq!(default.credential_id, Some(5));
    assert_platform_auth(&only_request(&server).await);
}

#[tokio::test]
async fn get_default_with_an_error_envelope_is_an_error_not_none() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/teams/20/conferencing/default"))
        .respond_with(ResponseTemplate::new(200).set_body_json(cal_error_body(
            "/v2/organizations/10/teams/20/conferencing/default",
            "INTERNAL_SERVER_ERROR",
            "boom",
            json!(null),
        )))
        .mount(&server)
        .await;

    match api_key_client(&server).orgs().teams().conferencing().get_default(10, 20).await {
        Err(calcom::Error::Api(e)) => {
            assert_eq!(e.status(), 200);
            assert_eq!(e.code(), Some("INTERNAL_SERVER_ERROR"));
            assert_eq!(e.details(), None, "`details: null` is no details");
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

#[tokio::test]
async fn oauth_auth_url_sends_its_query_parameters_encoded() {
    let server = server().await;
    let return_to = "https://app.example.com/done?tab=video&x=1 2";
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/teams/20/conferencing/zoom/oauth/auth-url"))
        .and(query_param("returnTo", return_to))
        .and(query_param("onErrorReturnTo", "https://app.example.com/failed"))
        .respond_with(success(json!({ "url": "https://zoom.us/oauth/authorize?client_id=abc" })))
        .expect(1)
        .mount(&server)
        .await;

    let url = api_key_client(&server)
        .orgs()
        .teams()
        .conferencing()
        .oauth_auth_url(10, 20, ConferencingApp::Zoom)
        .return_to(return_to)
        .on_error_return_to("https://app.example.com/failed")
        .await
        .expect("decodes");
    assert_eq!(url.url, "https://zoom.us/oauth/authorize?client_id=abc");

    let request = only_request(&server).await;
    let pairs = query_pairs(&request);
    assert_eq!(pairs.len(), 2, "`&` inside a value must not split it: {pairs:?}");
}

#[tokio::test]
async fn list_decodes_connected_apps() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/teams/20/conferencing"))
        .respond_with(success(json!([
            { "id": 1, "type": "zoom_video", "userId": null, "teamId": 20 },
            { "id": 2, "type": "office365_video", "userId": 4, "invalid": true, "appId": "msteams" }
        ])))
        .expect(1)
        .mount(&server)
        .await;

    let apps = api_key_client(&server).orgs().teams().conferencing().list(10, 20).await.expect("decodes");
    assert_eq!(apps.len(), 2);
    assert_eq!((apps[0].id, apps[0].team_id, apps[0].invalid), (1, Some(20), None));
    assert_eq!((apps[1].user_id, apps[1].team_id, apps[1].invalid), (Some(4), None, Some(true)));
}

#[tokio::test]
async fn disconnect_accepts_a_status_only_answer() {
    let server = server().await;
    Mock::given(method("DELETE"))
        .and(path("/v2/organizations/10/teams/20/conferencing/msteams/disconnect"))
        .respond_with(success_without_data())
        .expect(1)
        .mount(&server)
        .await;

    api_key_client(&server)
        .orgs()
        .teams()
        .conferencing()
        .disconnect(10, 20, ConferencingApp::MsTeams)
        .await
        .expect("a status-only answer is success");
}

#[tokio::test]
async fn save_oauth_credentials_sends_state_and_code() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/teams/20/conferencing/zoom/oauth/callback"))
        .and(query_param("state", r#"{"returnTo":"https://app.example.com"}"#))
        .and(query_param("code", "auth-code-1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;

    api_key_client(&server)
        .orgs()
        .teams()
        .conferencing()
        .save_oauth_credentials(
            10,
            20,
            ConferencingApp::Zoom,
            r#"{"returnTo":"https://app.example.com"}"#,
            "auth-code-1",
        )
        .await
        .expect("an empty 200 is success for an operation without data");
    let request = only_request(&server).await;
    let keys: Vec<String> = query_pairs(&request).into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["state", "code"], "unset error / error_description are not sent");
}

/// Cal.com answers the OAuth callback with a 301 to the caller's `returnTo`, which can be any
/// host. The platform secret must not follow the redirect there. (reqwest strips
/// `Authorization` on a cross-host redirect, but not the custom `x-cal-*` headers.)
#[tokio::test]
async fn platform_secret_does_not_follow_a_redirect_to_another_host() {
    let cal_com = server().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/landing"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>connected</html>"))
        .mount(&elsewhere)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/teams/20/conferencing/zoom/oauth/callback"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", format!("{}/landing", elsewhere.uri())))
        .expect(1)
        .mount(&cal_com)
        .await;

    let result = tokio::time::timeout(
        Duration::from_secs(10),
        platform_client(&cal_com).orgs().teams().conferencing().save_oauth_credentials(
            10,
            20,
            ConferencingApp::Zoom,
            "{}",
            "code",
        ),
    )
    .await
    .expect("no hang");

    for request in elsewhere.received_requests().await.unwrap() {
        let names = header_names(&request);
        assert!(
            !names.iter().any(|n| n == "x-cal-secret-key" || n == "authorization"),
            "credentials were sent to another host: {names:?} (result {result:?})"
        );
    }
}
