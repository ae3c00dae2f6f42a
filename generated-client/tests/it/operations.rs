//! Every operation of the spec, through its generated example call, against a mock server on
//! 127.0.0.1: the request that goes out has the operation's method, path, query parameters,
//! credentials, `cal-api-version` and (when it has one) a JSON body with exactly the fields set. New operations are covered as soon as
//! they are in the spec: the example calls are generated (`tests/generated/operations.rs`).
#![cfg(feature = "full")]

use crate::examples::{EXAMPLES, Example};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_KEY: &str = "cal_test_operations";
const CLIENT_ID: &str = "client-id";
const SECRET: &str = "platform-secret";

/// A client with the first auth mode the operation accepts (none if it takes none).
fn client_for(example: &Example, base_url: &str) -> calcom::Client {
    let builder = calcom::Client::builder().base_url(base_url).max_retries(0);
    let builder = match example.auth.first().copied() {
        Some("api_key") => builder.api_key(API_KEY),
        Some("access_token") => builder.access_token("access-token"),
        Some("platform_client") => builder.platform_client(CLIENT_ID, SECRET),
        Some(other) => panic!("{}: unknown auth mode {other}", example.name),
        None => builder,
    };
    builder.build().expect("client builds")
}

/// What is wrong with the one request `example` sent, if anything.
async fn check(example: &Example) -> Vec<String> {
    let server = MockServer::start().await;
    // The body does not matter here (responses are checked against Prism): any JSON will do.
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "status": "success", "data": null })))
        .mount(&server)
        .await;
    let client = client_for(example, &server.uri());
    let result = (example.call)(&client).await;
    let mut problems = Vec::new();
    if let Err(calcom::Error::InvalidRequest(why) | calcom::Error::Config(why)) = &result {
        problems.push(format!("refused before sending: {why}"));
        return problems;
    }
    let requests = server.received_requests().await.unwrap_or_default();
    let [request] = requests.as_slice() else {
        problems.push(format!("{} requests sent instead of one", requests.len()));
        return problems;
    };
    if request.method.as_str() != example.method {
        problems.push(format!("method {} instead of {}", request.method, example.method));
    }
    if request.url.path() != example.path {
        problems.push(format!("path {} instead of {}", request.url.path(), example.path));
    }
    let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    match example.auth.first().copied() {
        Some("api_key") => {
            if header("authorization").as_deref() != Some(&format!("Bearer {API_KEY}")) {
                problems.push(format!("authorization header {:?}", header("authorization")));
            }
        }
        Some("platform_client") => {
            if header("x-cal-client-id").as_deref() != Some(CLIENT_ID)
                || header("x-cal-secret-key").as_deref() != Some(SECRET)
            {
                problems.push("platform client headers missing".to_owned());
            }
            if header("authorization").is_some() {
                problems.push("authorization sent with platform credentials".to_owned());
            }
        }
        Some(_) => {}
        None => {
            for name in ["authorization", "x-cal-client-id", "x-cal-secret-key"] {
                if header(name).is_some() {
                    problems.push(format!("{name} sent by an operation that takes no credentials"));
                }
            }
        }
    }
    if header("cal-api-version").as_deref() != example.api_version {
        problems.push(format!("cal-api-version {:?} instead of {:?}", header("cal-api-version"), example.api_version));
    }
    let query: Vec<String> = request.url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    if query != example.query {
        problems.push(format!("query parameters {query:?} instead of {:?}", example.query));
    }
    if example.has_body {
        if header("content-type").as_deref() != Some("application/json") {
            problems.push(format!("content-type {:?}", header("content-type")));
        }
        match serde_json::from_slice::<serde_json::Value>(&request.body) {
            Ok(serde_json::Value::Object(body)) => {
                // The example sets the required fields and nothing else: exactly those go out
                // (unset optional fields are left out, not sent as null).
                let mut sent: Vec<&str> = body.keys().map(String::as_str).collect();
                let mut wanted: Vec<&str> = example.body_fields.to_vec();
                sent.sort_unstable();
                wanted.sort_unstable();
                if sent != wanted {
                    problems.push(format!("body fields {sent:?} instead of {wanted:?}"));
                }
            }
            Ok(other) if example.body_fields.is_empty() => {
                // A body that is not an object (a list, a scalar union shape) has no fields to check.
                let _ = other;
            }
            Ok(other) => problems.push(format!("the body is not a JSON object: {other}")),
            Err(_) => problems.push("the body is not JSON".to_owned()),
        }
    } else if !request.body.is_empty() {
        problems.push("a body was sent by an operation without one".to_owned());
    }
    problems
}

#[tokio::test]
async fn every_operation_sends_its_method_path_credentials_and_version() {
    assert!(!EXAMPLES.is_empty());
    let mut report = Vec::new();
    for example in EXAMPLES {
        for problem in check(example).await {
            report.push(format!("{} ({} {}): {problem}", example.name, example.method, example.path_template));
        }
    }
    assert!(report.is_empty(), "{} problems:\n{}", report.len(), report.join("\n"));
}

#[test]
fn operation_names_are_unique() {
    let mut names: Vec<&str> = EXAMPLES.iter().map(|e| e.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "two operations share a name");
}
