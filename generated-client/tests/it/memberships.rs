//! `orgs.teams.memberships`: the documented GET, both kinds of credentials, forward-compatible
//! decoding, and the request shapes of create / list / update / delete.

use crate::common;

use calcom::{CreateTeamMembership, MembershipRole, UpdateTeamMembership};
use common::*;
use serde_json::json;
use wiremock::matchers::{bearer_token, body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

const MEMBERSHIP_PATH: &str = "/v2/organizations/10/teams/20/memberships/123";

#[tokio::test]
async fn get_decodes_the_documented_response_and_sends_only_the_api_key() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .and(bearer_token(API_KEY))
        .respond_with(ResponseTemplate::new(200).set_body_raw(DOCUMENTED_MEMBERSHIP_RESPONSE, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let cal = api_key_client(&server);

    let m = cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the documented response decodes");

    assert_eq!(m.id, 123);
    assert_eq!(m.user_id, 123);
    assert_eq!(m.team_id, 123);
    assert!(m.accepted);
    assert_eq!(m.role, MembershipRole::Member);
    assert!(m.disable_impersonation);
    assert_eq!(m.user.avatar_url.as_deref(), Some("<string>"));
    assert_eq!(m.user.username.as_deref(), Some("<string>"));
    assert_eq!(m.user.name.as_deref(), Some("<string>"));
    assert_eq!(m.user.email, "<string>");
    assert_eq!(m.user.bio.as_deref(), Some("<string>"));
    assert_eq!(m.user.metadata, Some(json!({ "key": "value" })));

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), MEMBERSHIP_PATH);
    assert_eq!(raw_query(&request), None, "no query parameter was set");
    assert!(request.body.is_empty(), "a GET carries no body");
    assert_eq!(header_value(&request, "authorization"), Some(format!("Bearer {API_KEY}").as_str()));
    assert_api_key_auth(&request); // also: no x-cal-*, no cal-api-version
}

#[tokio::test]
async fn get_with_a_platform_client_sends_the_client_pair_and_no_authorization() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .and(header("x-cal-client-id", CLIENT_ID))
        .and(header("x-cal-secret-key", SECRET_KEY))
        .respond_with(ResponseTemplate::new(200).set_body_raw(DOCUMENTED_MEMBERSHIP_RESPONSE, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let cal = platform_client(&server);
    assert_eq!(cal.auth_mode(), Some(calcom::AuthMode::PlatformClient));

    let m = cal.orgs().teams().memberships().get(10, 20, 123).await.expect("decodes");
    assert_eq!(m.id, 123);
    assert_eq!(m.role, MembershipRole::Member);

    let request = only_request(&server).await;
    assert_platform_auth(&request);
}

#[tokio::test]
async fn get_with_an_access_token_sends_it_as_a_bearer_token() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .and(bearer_token(ACCESS_TOKEN))
        .respond_with(success(membership_json(123, 7, 20, "ADMIN")))
        .expect(1)
        .mount(&server)
        .await;
    let cal = access_token_client(&server);

    let m = cal.orgs().teams().memberships().get(10, 20, 123).await.expect("decodes");
    assert_eq!(m.role, MembershipRole::Admin);
    assert_bearer(&only_request(&server).await, ACCESS_TOKEN);
}

#[tokio::test]
async fn an_unknown_role_and_unknown_fields_still_decode() {
    let server = server().await;
    let mut data = membership_json(5, 6, 20, "SUPERVISOR");
    data["somethingNew"] = json!({ "nested": [1, 2, 3] });
    data["createdAt"] = json!("2025-10-07T00:00:00.000Z");
    data["user"]["timeZone"] = json!("Europe/Tallinn");
    data["user"]["locale"] = json!(null);
    Mock::given(method("GET")).and(path(MEMBERSHIP_PATH)).respond_with(success(data)).expect(1).mount(&server).await;
    let cal = api_key_client(&server);

    let m = cal.orgs().teams().memberships().get(10, 20, 123).await.expect("unknown values are tolerated");

    assert_eq!(m.role, MembershipRole::Unknown("SUPERVISOR".to_owned()));
    assert_eq!(m.role.as_str(), "SUPERVISOR");
    assert_eq!(m.role.to_string(), "SUPERVISOR");
    assert_eq!("SUPERVISOR".parse::<MembershipRole>().unwrap(), m.role);
    // Round trip through serde, as the wire value.
    assert_eq!(serde_json::to_value(&m.role).unwrap(), json!("SUPERVISOR"));
    // The known fields are still right.
    assert_eq!((m.id, m.user_id, m.team_id, m.accepted), (5, 6, 20, false));
    assert!(!m.disable_impersonation);
    assert_eq!(m.user.email, "ada@example.com");
    assert_eq!(m.user.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(m.user.metadata, None, "`metadata: null` decodes to None");
}

#[tokio::test]
async fn known_roles_decode_to_their_variants_and_round_trip() {
    for (wire, role) in
        [("MEMBER", MembershipRole::Member), ("ADMIN", MembershipRole::Admin), ("OWNER", MembershipRole::Owner)]
    {
        let server = server().await;
        Mock::given(method("GET"))
            .and(path(MEMBERSHIP_PATH))
            .respond_with(success(membership_json(1, 2, 20, wire)))
            .mount(&server)
            .await;
        let m = api_key_client(&server).orgs().teams().memberships().get(10, 20, 123).await.expect("decodes");
        assert_eq!(m.role, role);
        assert_eq!(m.role.as_str(), wire);
        assert_eq!(wire.parse::<MembershipRole>().unwrap(), role);
    }
}

#[tokio::test]
async fn a_membership_with_only_the_keys_the_server_always_sends_decodes() {
    let server = server().await;
    // The membership queries select these user columns, so the keys are there, maybe null.
    let data = json!({
        "id": 9, "userId": 8, "teamId": 20, "accepted": true, "role": "OWNER", "disableImpersonation": false,
        "user": { "email": "only@example.com", "avatarUrl": null, "username": null, "name": null, "bio": null }
    });
    Mock::given(method("GET")).and(path(MEMBERSHIP_PATH)).respond_with(success(data)).mount(&server).await;

    let m = api_key_client(&server).orgs().teams().memberships().get(10, 20, 123).await.expect("decodes");
    assert_eq!(m.role, MembershipRole::Owner);
    assert_eq!(m.user.email, "only@example.com");
    assert_eq!((m.user.avatar_url, m.user.username, m.user.name, m.user.bio), (None, None, None, None));
    assert_eq!(m.user.metadata, None);
}

#[tokio::test]
async fn create_sends_the_body_with_the_fields_set_and_nothing_else() {
    let server = server().await;
    let expected_body = json!({ "userId": 42, "role": "ADMIN", "accepted": true });
    Mock::given(method("POST"))
        .and(path("/v2/organizations/10/teams/20/memberships"))
        .and(bearer_token(API_KEY))
        .and(header("content-type", "application/json"))
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "status": "success",
            "data": membership_json(77, 42, 20, "ADMIN"),
        })))
        .expect(1)
        .mount(&server)
        .await;
    let cal = api_key_client(&server);

    let body = CreateTeamMembership::new(42).role(MembershipRole::Admin).accepted(true);
    let created = cal.orgs().teams().memberships().create(10, 20, body).await.expect("201 decodes");

    assert_eq!((created.id, created.user_id, created.team_id), (77, 42, 20));
    assert_eq!(created.role, MembershipRole::Admin);

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(raw_query(&request), None);
    assert_api_key_auth(&request);
    let sent: serde_json::Value = request.body_json().expect("the body is JSON");
    assert_eq!(sent, expected_body);
    let sent = sent.as_object().unwrap();
    assert!(
        !sent.contains_key("disableImpersonation"),
        "an unset optional field is left out, not sent as null: {sent:?}"
    );
    assert!(sent.values().all(|v| !v.is_null()), "no null in the body: {sent:?}");
}

#[tokio::test]
async fn create_with_only_the_required_field_sends_only_it() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/organizations/10/teams/20/memberships"))
        .and(body_json(json!({ "userId": 42 })))
        .respond_with(success(membership_json(78, 42, 20, "MEMBER")))
        .expect(1)
        .mount(&server)
        .await;

    let created = api_key_client(&server)
        .orgs()
        .teams()
        .memberships()
        .create(10, 20, CreateTeamMembership::new(42))
        .await
        .expect("decodes");
    assert_eq!(created.id, 78);

    let request = only_request(&server).await;
    assert_eq!(String::from_utf8(request.body).unwrap(), r#"{"userId":42}"#);
}

#[tokio::test]
async fn list_sends_take_and_skip_and_decodes_the_page() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/teams/20/memberships"))
        .and(query_param("take", "50"))
        .and(query_param("skip", "100"))
        .and(bearer_token(API_KEY))
        .respond_with(success(json!([membership_json(1, 11, 20, "MEMBER"), membership_json(2, 12, 20, "OWNER")])))
        .expect(1)
        .mount(&server)
        .await;

    let page =
        api_key_client(&server).orgs().teams().memberships().list(10, 20).take(50).skip(100).await.expect("decodes");

    assert_eq!(page.len(), 2);
    assert_eq!((page[0].id, page[0].user_id, page[0].role.clone()), (1, 11, MembershipRole::Member));
    assert_eq!((page[1].id, page[1].user_id, page[1].role.clone()), (2, 12, MembershipRole::Owner));

    let request = only_request(&server).await;
    assert_eq!(raw_query(&request), Some("take=50&skip=100"));
    assert_api_key_auth(&request);
}

#[tokio::test]
async fn list_without_paging_sends_no_query_string() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/teams/20/memberships"))
        .respond_with(success(json!([])))
        .expect(1)
        .mount(&server)
        .await;

    let page = api_key_client(&server).orgs().teams().memberships().list(10, 20).await.expect("decodes");
    assert!(page.is_empty());
    assert_eq!(raw_query(&only_request(&server).await), None);
}

#[tokio::test]
async fn update_patches_only_the_fields_given() {
    let server = server().await;
    Mock::given(method("PATCH"))
        .and(path(MEMBERSHIP_PATH))
        .and(body_json(json!({ "role": "OWNER", "disableImpersonation": true })))
        .respond_with(success(membership_json(123, 7, 20, "OWNER")))
        .expect(1)
        .mount(&server)
        .await;

    let body = UpdateTeamMembership::default().role(MembershipRole::Owner).disable_impersonation(true);
    let updated =
        api_key_client(&server).orgs().teams().memberships().update(10, 20, 123, body).await.expect("decodes");
    assert_eq!(updated.role, MembershipRole::Owner);

    let request = only_request(&server).await;
    let sent: serde_json::Value = request.body_json().unwrap();
    assert!(!sent.as_object().unwrap().contains_key("accepted"), "unset `accepted` is absent: {sent}");
}

#[tokio::test]
async fn delete_sends_a_bodyless_delete_and_returns_the_removed_membership() {
    let server = server().await;
    Mock::given(method("DELETE"))
        .and(path(MEMBERSHIP_PATH))
        .respond_with(success(membership_json(123, 7, 20, "MEMBER")))
        .expect(1)
        .mount(&server)
        .await;

    let removed = api_key_client(&server).orgs().teams().memberships().delete(10, 20, 123).await.expect("decodes");
    assert_eq!(removed.id, 123);

    let request = only_request(&server).await;
    assert!(request.body.is_empty());
    assert!(!header_names(&request).contains(&"content-type".to_owned()), "no body, no content type");
}

#[tokio::test]
async fn a_request_future_can_be_named_stored_and_spawned() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(MEMBERSHIP_PATH))
        .respond_with(success(membership_json(123, 7, 20, "ADMIN")))
        .expect(2)
        .mount(&server)
        .await;
    // A client that lives for the whole program, as one usually does, lets requests be spawned.
    let cal: &'static calcom::Client = Box::leak(Box::new(api_key_client(&server)));

    let stored: calcom::RequestFuture<'static, calcom::TeamMembership> =
        cal.orgs().teams().memberships().get(10, 20, 123).send();
    let spawned = tokio::spawn(stored).await.expect("the task ran").expect("the membership decodes");
    assert_eq!(spawned.role, MembershipRole::Admin);

    // `IntoFuture` gives the same type, so `.await` and `send()` are interchangeable.
    let via_into: calcom::RequestFuture<'static, calcom::TeamMembership> =
        std::future::IntoFuture::into_future(cal.orgs().teams().memberships().get(10, 20, 123));
    assert_eq!(via_into.await.expect("decodes").user_id, 7);
}
