//! Checks made before anything is sent: credentials the operation cannot take, malformed
//! credentials and base URLs refused by the builder, and secrets kept out of `Debug`.

use crate::common;

use calcom::{AuthMode, Error};
use common::*;
use serde_json::json;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, ResponseTemplate};

/// A server that would answer anything; the tests below check that it is never asked.
async fn catch_all_server() -> wiremock::MockServer {
    let server = server().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "success"})))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn an_authenticated_operation_without_credentials_is_refused_before_sending() {
    let server = catch_all_server().await;
    let cal = anonymous_client(&server);
    assert_eq!(cal.auth_mode(), None);

    match cal.orgs().teams().memberships().get(10, 20, 123).await {
        Err(Error::InvalidRequest(message)) => {
            assert!(message.contains("orgs.teams.memberships.get"), "names the operation: {message}");
            assert!(message.contains("api_key"), "lists the accepted credentials: {message}");
        }
        other => panic!("expected Error::InvalidRequest, got {other:?}"),
    }
    assert_eq!(request_count(&server).await, 0, "nothing was sent");
}

/// Every operation of the current spec accepts access tokens (see the generated `auth` lists),
/// so the check is shown with the platform client, which the attribute-option and
/// verified-resource operations do not accept.
#[tokio::test]
async fn credentials_of_a_kind_the_operation_does_not_accept_are_refused_before_sending() {
    let server = catch_all_server().await;
    let cal = platform_client(&server);

    let option_list = cal.orgs().attributes().options().list(10, "attr_1").await;
    match option_list {
        Err(Error::InvalidRequest(message)) => {
            assert!(message.contains("platform_client"), "names the refused kind: {message}");
            assert!(message.contains("api_key") && message.contains("access_token"), "{message}");
        }
        other => panic!("expected Error::InvalidRequest, got {other:?}"),
    }
    let phones = cal.teams().verified_resources().list_phones(20).await;
    assert!(matches!(phones, Err(Error::InvalidRequest(_))), "{phones:?}");
    let auth_url = cal.orgs().teams().conferencing().oauth_auth_url(10, 20, calcom::ConferencingApp::Zoom).await;
    assert!(matches!(auth_url, Err(Error::InvalidRequest(_))), "{auth_url:?}");

    assert_eq!(request_count(&server).await, 0, "nothing was sent");
}

#[tokio::test]
async fn an_access_token_client_is_accepted_where_the_operation_lists_access_token() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/attributes/attr_1/options"))
        .respond_with(success(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let cal = access_token_client(&server);
    assert_eq!(cal.auth_mode(), Some(AuthMode::AccessToken));

    cal.orgs().attributes().options().list(10, "attr_1").await.expect("accepted");
    assert_bearer(&only_request(&server).await, ACCESS_TOKEN);
}

fn expect_config_error(result: calcom::Result<calcom::Client>) -> String {
    match result {
        Err(Error::Config(message)) => message,
        other => panic!("expected Error::Config, got {other:?}"),
    }
}

#[test]
fn the_builder_refuses_malformed_api_keys() {
    for key in ["", "cal_test_abc\n", "cal_test_\r\nX-Injected: 1", " cal_test_abc", "cal_test_abc ", "\t"] {
        let message = expect_config_error(calcom::Client::builder().api_key(key).build());
        assert!(!message.contains("cal_test_abc"), "the message must not echo the key: {message}");
    }
    for key in ["Bearer cal_test_abc", "bearer cal_test_abc", "BEARER cal_test_abc"] {
        let message = expect_config_error(calcom::Client::builder().api_key(key).build());
        assert!(message.contains("Bearer"), "{message}");
    }
}

#[test]
fn the_builder_refuses_malformed_tokens_and_platform_credentials() {
    expect_config_error(calcom::Client::builder().access_token("").build());
    expect_config_error(calcom::Client::builder().access_token("Bearer abc").build());
    expect_config_error(calcom::Client::builder().platform_client("", "secret").build());
    expect_config_error(calcom::Client::builder().platform_client("id", "").build());
    expect_config_error(calcom::Client::builder().platform_client("id\n", "secret").build());
    expect_config_error(calcom::Client::builder().platform_client("id", "sec\nret").build());
}

#[test]
fn the_builder_refuses_two_kinds_of_credentials() {
    let message =
        expect_config_error(calcom::Client::builder().api_key(API_KEY).platform_client(CLIENT_ID, SECRET_KEY).build());
    assert!(message.contains("api_key") && message.contains("platform_client"), "{message}");
    expect_config_error(calcom::Client::builder().api_key(API_KEY).access_token(ACCESS_TOKEN).build());
    expect_config_error(calcom::Client::builder().api_key(API_KEY).api_key("cal_test_other").build());
}

#[test]
fn the_builder_refuses_base_urls_that_are_not_http() {
    for url in ["", "api.cal.com", "ftp://api.cal.com", "http://127.0.0.1:1/?x=1", "not a url", "file:///etc/passwd"] {
        expect_config_error(calcom::Client::builder().api_key(API_KEY).base_url(url).build());
    }
}

#[test]
fn the_builder_refuses_base_urls_with_credentials_or_a_fragment_and_never_shows_the_password() {
    for url in ["http://user:hunter2@127.0.0.1:1", "https://user@api.cal.com", "http://:hunter2@127.0.0.1:1/v"] {
        let builder = calcom::Client::builder().api_key(API_KEY).base_url(url);
        let debug = format!("{builder:?}");
        assert!(!debug.contains("hunter2"), "Debug shows no password: {debug}");
        let message = expect_config_error(builder.build());
        assert!(message.contains("user name or password"), "{message}");
        assert!(!message.contains("hunter2"), "the error shows no password: {message}");
    }
    for url in ["http://127.0.0.1:1/#frag", "http://127.0.0.1:1#", "https://api.cal.com/prefix#x"] {
        let message = expect_config_error(calcom::Client::builder().api_key(API_KEY).base_url(url).build());
        assert!(message.contains("fragment"), "{message}");
    }
}

#[test]
fn credentials_must_be_visible_ascii() {
    for key in ["cal_test_é", "cal_test_a b", "cal_test_\u{7f}", "cal_test_\u{a0}x"] {
        expect_config_error(calcom::Client::builder().api_key(key).build());
        expect_config_error(calcom::Client::builder().access_token(key).build());
        expect_config_error(calcom::Client::builder().platform_client(key, "secret").build());
        expect_config_error(calcom::Client::builder().platform_client("id", key).build());
    }
}

#[test]
fn well_formed_clients_build_with_their_auth_mode() {
    let cases = [
        (calcom::Client::builder().api_key("cal_live_abc"), Some(AuthMode::ApiKey)),
        (calcom::Client::builder().access_token(ACCESS_TOKEN), Some(AuthMode::AccessToken)),
        (calcom::Client::builder().platform_client(CLIENT_ID, SECRET_KEY), Some(AuthMode::PlatformClient)),
        (calcom::Client::builder(), None),
    ];
    for (builder, mode) in cases {
        let cal = builder.build().expect("builds");
        assert_eq!(cal.auth_mode(), mode);
        assert_eq!(cal.base_url(), calcom::DEFAULT_BASE_URL);
    }
}

#[tokio::test]
async fn a_base_url_with_a_trailing_slash_or_a_prefix_is_joined_cleanly() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/teams/20/memberships"))
        .respond_with(success(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/proxy/cal/v2/organizations/10/teams/20/memberships"))
        .respond_with(success(json!([])))
        .mount(&server)
        .await;

    for base_url in [format!("{}/", server.uri()), format!("{}/proxy/cal", server.uri())] {
        let cal = calcom::Client::builder().api_key(API_KEY).base_url(&base_url).build().unwrap();
        assert!(!cal.base_url().ends_with('/'));
        cal.orgs().teams().memberships().list(10, 20).await.unwrap_or_else(|e| panic!("{base_url}: {e}"));
    }
    let paths: Vec<String> =
        server.received_requests().await.unwrap().iter().map(|r| r.url.path().to_owned()).collect();
    assert_eq!(
        paths,
        ["/v2/organizations/10/teams/20/memberships", "/proxy/cal/v2/organizations/10/teams/20/memberships"]
    );
}

#[test]
fn debug_output_does_not_show_secrets() {
    let with_key = calcom::Client::builder().api_key(API_KEY).build().unwrap();
    let shown = format!("{with_key:?} {with_key:#?}");
    assert!(!shown.contains(API_KEY), "{shown}");
    assert!(!shown.contains("9f8e7d6c5b4a"), "no part of the key either: {shown}");
    assert!(shown.contains("redacted"), "{shown}");

    let with_token = calcom::Client::builder().access_token(ACCESS_TOKEN).build().unwrap();
    let shown = format!("{with_token:?}");
    assert!(!shown.contains(ACCESS_TOKEN) && !shown.contains("managed-user-token"), "{shown}");

    let platform = calcom::Client::builder().platform_client(CLIENT_ID, SECRET_KEY).build().unwrap();
    let shown = format!("{platform:?} {platform:#?}");
    assert!(!shown.contains(SECRET_KEY), "{shown}");
    assert!(!shown.contains("5a4b3c2d1e"), "{shown}");

    // The builder too, before and after a failed build.
    let builder = calcom::Client::builder().platform_client(CLIENT_ID, SECRET_KEY).api_key(API_KEY);
    let shown = format!("{builder:?}");
    assert!(!shown.contains(SECRET_KEY) && !shown.contains(API_KEY), "{shown}");
    let error = builder.build().unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(SECRET_KEY) && !shown.contains(API_KEY), "{shown}");
}

#[tokio::test]
async fn request_builders_and_errors_do_not_show_secrets() {
    let server = catch_all_server().await;
    let cal = platform_client(&server);

    let request = cal.orgs().teams().memberships().get(10, 20, 123);
    let shown = format!("{request:?}");
    assert!(!shown.contains(SECRET_KEY), "{shown}");

    let refused = cal.orgs().attributes().options().list(10, "a").await.unwrap_err();
    let shown = format!("{refused} {refused:?}");
    assert!(!shown.contains(SECRET_KEY), "{shown}");
}
