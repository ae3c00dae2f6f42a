//! `orgs.attributes.options`: list query parameters (comma-separated lists), bodies, and string
//! path parameters that must stay inside their segment.

use crate::common;

use calcom::{AssignAttributeOption, CreateAttributeOption, UpdateAttributeOption};
use common::*;
use serde_json::json;
use wiremock::Mock;
use wiremock::matchers::{bearer_token, body_json, method, path, path_regex, query_param};

fn assigned_option(id: &str, users: &[i64]) -> serde_json::Value {
    json!({
        "id": id,
        "attributeId": "attr_1",
        "value": format!("value of {id}"),
        "slug": format!("slug-{id}"),
        "assignedUserIds": users,
    })
}

#[tokio::test]
async fn list_assigned_sends_lists_comma_separated() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/attributes/attr_1/options/assigned"))
        // Decoded values, as Cal.com reads them once its query parser has run.
        .and(query_param("teamIds", "1,2"))
        .and(query_param("assignedOptionIds", "opt_a,opt_b"))
        .and(query_param("take", "25"))
        .and(query_param("skip", "5"))
        .and(bearer_token(API_KEY))
        .respond_with(success(json!([assigned_option("opt_a", &[124, 224]), assigned_option("opt_c", &[])])))
        .expect(1)
        .mount(&server)
        .await;

    let options = api_key_client(&server)
        .orgs()
        .attributes()
        .options()
        .list_assigned(10, "attr_1")
        .team_ids([1, 2])
        .assigned_option_ids(["opt_a".to_owned(), "opt_b".to_owned()])
        .take(25)
        .skip(5)
        .await
        .expect("decodes");

    assert_eq!(options.len(), 2);
    assert_eq!(options[0].id, "opt_a");
    assert_eq!(options[0].attribute_id, "attr_1");
    assert_eq!(options[0].value, "value of opt_a");
    assert_eq!(options[0].slug, "slug-opt_a");
    assert_eq!(options[0].assigned_user_ids, vec![124, 224]);
    assert!(options[1].assigned_user_ids.is_empty());

    let request = only_request(&server).await;
    assert_api_key_auth(&request);
    // Each list is ONE parameter with a comma-separated value, never a repeated key
    // (`teamIds=1&teamIds=2`) nor brackets (`teamIds[]=1`).
    let pairs = query_pairs(&request);
    assert_eq!(
        pairs,
        [
            ("skip".to_owned(), "5".to_owned()),
            ("take".to_owned(), "25".to_owned()),
            ("assignedOptionIds".to_owned(), "opt_a,opt_b".to_owned()),
            ("teamIds".to_owned(), "1,2".to_owned()),
        ]
    );
    // On the wire the comma is form-encoded (`%2C`); a query parser decodes it back to `,`, so the
    // server reads `1,2`. Either spelling is the same value; anything else is not.
    let raw = raw_query(&request).unwrap();
    assert!(raw.contains("teamIds=1%2C2") || raw.contains("teamIds=1,2"), "teamIds on the wire: {raw}");
    assert!(
        raw.contains("assignedOptionIds=opt_a%2Copt_b") || raw.contains("assignedOptionIds=opt_a,opt_b"),
        "assignedOptionIds on the wire: {raw}"
    );
}

#[tokio::test]
async fn list_assigned_with_a_single_team_sends_one_value() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/attributes/attr_1/options/assigned"))
        .respond_with(success(json!([])))
        .expect(1)
        .mount(&server)
        .await;

    let options = api_key_client(&server).orgs().attributes().options().list_assigned(10, "attr_1").team_ids([7]).await;
    assert!(options.expect("decodes").is_empty());
    assert_eq!(raw_query(&only_request(&server).await), Some("teamIds=7"));
}

#[tokio::test]
async fn list_assigned_by_slug_puts_the_slug_in_the_path() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/organizations/10/attributes/slugs/department/options/assigned"))
        .and(query_param("teamIds", "100,200"))
        .respond_with(success(json!([assigned_option("opt_x", &[1])])))
        .expect(1)
        .mount(&server)
        .await;

    let options = api_key_client(&server)
        .orgs()
        .attributes()
        .options()
        .list_assigned_by_slug(10, "department")
        .team_ids([100, 200])
        .await
        .expect("decodes");
    assert_eq!(options[0].assigned_user_ids, vec![1]);
}

#[tokio::test]
async fn create_sends_value_and_slug() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/organizations/10/attributes/attr_1/options"))
        .and(body_json(json!({ "value": "Engineering", "slug": "engineering" })))
        .respond_with(success(json!({
            "id": "opt_new", "attributeId": "attr_1", "value": "Engineering", "slug": "engineering"
        })))
        .expect(1)
        .mount(&server)
        .await;

    let option = api_key_client(&server)
        .orgs()
        .attributes()
        .options()
        .create(10, "attr_1", CreateAttributeOption::new("Engineering", "engineering"))
        .await
        .expect("decodes");
    assert_eq!((option.id.as_str(), option.slug.as_str()), ("opt_new", "engineering"));
    assert_api_key_auth(&only_request(&server).await);
}

#[tokio::test]
async fn update_with_one_field_sends_only_that_field() {
    let server = server().await;
    Mock::given(method("PATCH"))
        .and(path("/v2/organizations/10/attributes/attr_1/options/opt_9"))
        .and(body_json(json!({ "slug": "new-slug" })))
        .respond_with(success(json!({
            "id": "opt_9", "attributeId": "attr_1", "value": "Old value", "slug": "new-slug"
        })))
        .expect(1)
        .mount(&server)
        .await;

    let option = api_key_client(&server)
        .orgs()
        .attributes()
        .options()
        .update(10, "attr_1", "opt_9", UpdateAttributeOption::default().slug("new-slug"))
        .await
        .expect("decodes");
    assert_eq!(option.value, "Old value");
    let request = only_request(&server).await;
    assert_eq!(String::from_utf8(request.body).unwrap(), r#"{"slug":"new-slug"}"#);
}

#[tokio::test]
async fn assign_to_user_leaves_unset_optional_fields_out() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/organizations/10/attributes/options/55"))
        .and(body_json(json!({ "attributeId": "attr_1", "value": "Berlin" })))
        .respond_with(success(json!({ "id": "asg_1", "memberId": 900, "attributeOptionId": "opt_berlin" })))
        .expect(1)
        .mount(&server)
        .await;

    let assignment = api_key_client(&server)
        .orgs()
        .attributes()
        .options()
        .assign_to_user(10, 55, AssignAttributeOption::new("attr_1").value("Berlin"))
        .await
        .expect("decodes");
    assert_eq!(assignment.member_id, 900);
    assert_eq!(assignment.attribute_option_id, "opt_berlin");

    let sent: serde_json::Value = only_request(&server).await.body_json().unwrap();
    assert!(
        !sent.as_object().unwrap().contains_key("attributeOptionId"),
        "unset attributeOptionId must be absent, not null: {sent}"
    );
}

/// Path parameters that contain `/` or `..` stay one segment, and the request reaches the
/// route of the operation called.
#[tokio::test]
async fn string_path_parameters_stay_in_their_segment() {
    for attribute_id in ["../admin", "a/b", "a b?c#d", "%2F", "é/ü"] {
        let server = server().await;
        Mock::given(method("GET"))
            .and(path_regex(r"^/v2/organizations/10/attributes/[^/]+/options$"))
            .respond_with(success(json!([])))
            .expect(1)
            .mount(&server)
            .await;

        let options = api_key_client(&server).orgs().attributes().options().list(10, attribute_id).await;
        assert!(options.expect("the intended route answered").is_empty(), "{attribute_id:?}");

        let request = only_request(&server).await;
        let segments: Vec<&str> = request.url.path().split('/').collect();
        assert_eq!(segments.len(), 7, "{attribute_id:?} became {:?}", request.url.path());
        let segment = segments[5];
        assert!(!segment.contains('/'), "{segment}");
        assert_eq!(percent_decode(segment), attribute_id, "the segment decodes to the value given");
        assert_eq!(raw_query(&request), None, "`?` in a path value must not start a query: {attribute_id:?}");
    }
}

#[tokio::test]
async fn slashes_are_percent_encoded_on_the_wire() {
    let server = server().await;
    Mock::given(method("DELETE"))
        .and(path("/v2/organizations/10/attributes/..%2Fadmin/options/a%2Fb"))
        .respond_with(success(json!({ "id": "a/b", "attributeId": "../admin", "value": "v", "slug": "s" })))
        .expect(1)
        .mount(&server)
        .await;

    let deleted =
        api_key_client(&server).orgs().attributes().options().delete(10, "../admin", "a/b").await.expect("decodes");
    assert_eq!(deleted.id, "a/b");
    let path = only_request(&server).await.url.path().to_owned();
    assert!(path.contains("%2Fadmin") && path.contains("a%2Fb"), "{path}");
}

/// A value that is exactly `..` or `.` must not climb out of its segment either: the request
/// must either be refused before sending or reach the intended route with the value in its
/// segment. Checked on the raw request line, since a mock that parses URLs would normalise it.
#[tokio::test]
async fn dot_segments_do_not_climb_out_of_their_segment() {
    for value in ["..", "."] {
        let (base_url, targets) = raw_server(EMPTY_LIST_BODY);
        let cal = api_key_client_at(&base_url);

        let listed = cal.orgs().attributes().options().list(10, value).await.map(drop);
        check_sent_to_intended_route(listed, &targets, value, "/v2/organizations/10/attributes/", "/options");

        let deleted = cal.orgs().attributes().options().delete(10, "attr_1", value).await.map(drop);
        check_sent_to_intended_route(deleted, &targets, value, "/v2/organizations/10/attributes/attr_1/options/", "");
    }
}

/// Either the call was refused before anything was sent, or the raw target has the value's
/// segment between `prefix` and `suffix`.
fn check_sent_to_intended_route(
    result: calcom::Result<()>,
    targets: &std::sync::mpsc::Receiver<String>,
    value: &str,
    prefix: &str,
    suffix: &str,
) {
    match result {
        Err(calcom::Error::InvalidRequest(_)) => {
            assert!(targets.try_recv().is_err(), "a refused request must not be sent ({value:?})");
        }
        other => {
            let target = targets.try_recv().expect("the request was sent");
            let segment = target.strip_prefix(prefix).and_then(|rest| rest.strip_suffix(suffix));
            assert!(
                segment.is_some_and(|s| !s.is_empty() && !s.contains('/')),
                "{value:?} was sent to {target} (result {other:?})"
            );
        }
    }
}
