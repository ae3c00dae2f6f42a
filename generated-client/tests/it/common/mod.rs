//! Shared helpers of the integration tests: mock server, clients, canned Cal.com answers and
//! checks on the requests the client sent.
//!
//! Every test talks to a `wiremock::MockServer` bound on 127.0.0.1 (or, for the raw-path checks,
//! a plain TCP listener on 127.0.0.1): nothing here contacts a real host.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::{MockServer, Request, ResponseTemplate};

/// The API key of the test clients (a test key, as Cal.com issues them).
pub const API_KEY: &str = "cal_test_9f8e7d6c5b4a39281706";
/// The access token of the access-token test client.
pub const ACCESS_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.managed-user-token";
/// The platform OAuth client of the platform test client.
pub const CLIENT_ID: &str = "clxyz123platformclient";
pub const SECRET_KEY: &str = "platform_secret_5a4b3c2d1e";

/// A fresh mock server (127.0.0.1, random port).
pub async fn server() -> MockServer {
    MockServer::start().await
}

/// The builder every test client starts from: talking to `base_url`, a 10 s timeout, and one
/// request per call (retries have their own tests, in retries.rs).
pub fn test_builder(base_url: &str) -> calcom::ClientBuilder {
    calcom::Client::builder().base_url(base_url).timeout(Duration::from_secs(10)).max_retries(0)
}

/// A client authenticated with [`API_KEY`], talking to `server`.
pub fn api_key_client(server: &MockServer) -> calcom::Client {
    api_key_client_at(&server.uri())
}

/// An API-key client talking to `base_url` (for servers that are not a `MockServer`).
pub fn api_key_client_at(base_url: &str) -> calcom::Client {
    test_builder(base_url).api_key(API_KEY).build().expect("a client with a well-formed API key builds")
}

/// A client authenticated with [`ACCESS_TOKEN`], talking to `server`.
pub fn access_token_client(server: &MockServer) -> calcom::Client {
    test_builder(&server.uri()).access_token(ACCESS_TOKEN).build().expect("an access-token client builds")
}

/// A client authenticated as the platform OAuth client [`CLIENT_ID`] / [`SECRET_KEY`].
pub fn platform_client(server: &MockServer) -> calcom::Client {
    platform_client_at(&server.uri())
}

/// A platform client talking to `base_url`.
pub fn platform_client_at(base_url: &str) -> calcom::Client {
    test_builder(base_url).platform_client(CLIENT_ID, SECRET_KEY).build().expect("a platform client builds")
}

/// A client without credentials, talking to `server`.
pub fn anonymous_client(server: &MockServer) -> calcom::Client {
    test_builder(&server.uri()).build().expect("a client without credentials builds")
}

/// `{"status": "success", "data": <data>}` with HTTP 200.
pub fn success(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "status": "success", "data": data }))
}

/// A status-only success envelope, `{"status": "success"}`, with HTTP 200.
pub fn success_without_data() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "status": "success" }))
}

/// Cal.com's error body: `{"status": "error", "timestamp", "path", "error": {code, message, details}}`.
pub fn cal_error_body(path: &str, code: &str, message: &str, details: Value) -> Value {
    json!({
        "status": "error",
        "timestamp": "2025-10-07T12:34:56.789Z",
        "path": path,
        "error": { "code": code, "message": message, "details": details }
    })
}

/// The response of GET `/v2/organizations/{orgId}/teams/{teamId}/memberships/{membershipId}`
/// exactly as the reference documents it (`/work/shared/calcom/README.md`).
pub const DOCUMENTED_MEMBERSHIP_RESPONSE: &str = r#"{
  "status": "success",
  "data": {
    "id": 123,
    "userId": 123,
    "teamId": 123,
    "accepted": true,
    "role": "MEMBER",
    "disableImpersonation": true,
    "user": {
      "avatarUrl": "<string>",
      "username": "<string>",
      "name": "<string>",
      "email": "<string>",
      "bio": "<string>",
      "metadata": { "key": "value" }
    }
  }
}"#;

/// A membership (`data` of the membership operations) with distinct values in every field,
/// so that a field decoded from the wrong key shows.
pub fn membership_json(id: i64, user_id: i64, team_id: i64, role: &str) -> Value {
    json!({
        "id": id,
        "userId": user_id,
        "teamId": team_id,
        "accepted": false,
        "role": role,
        "disableImpersonation": false,
        "user": {
            "avatarUrl": "https://cal.example/avatar/7.png",
            "username": "ada",
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "bio": "Analyst",
            "metadata": null
        }
    })
}

/// The only request `server` received; fails when it received none or several.
pub async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("request recording is on");
    assert_eq!(requests.len(), 1, "expected exactly one request, got {requests:#?}");
    requests.pop().unwrap()
}

/// How many requests `server` received.
pub async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.expect("request recording is on").len()
}

/// The value of header `name` as a string, if the request has it (once).
pub fn header_value<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    let mut values = request.headers.get_all(name).iter();
    let first = values.next()?;
    assert!(values.next().is_none(), "header `{name}` sent more than once");
    Some(first.to_str().expect("header value is visible ASCII"))
}

/// Lower-case names of the request's headers.
pub fn header_names(request: &Request) -> Vec<String> {
    request.headers.keys().map(|k| k.as_str().to_ascii_lowercase()).collect()
}

/// The request authenticates with [`API_KEY`] only: `Authorization: Bearer <key>`, no `x-cal-*`
/// header, and no `cal-api-version` (none of the operations tested here takes one).
pub fn assert_api_key_auth(request: &Request) {
    assert_bearer(request, API_KEY);
}

/// The request authenticates with `Authorization: Bearer <token>` and nothing else.
pub fn assert_bearer(request: &Request, token: &str) {
    assert_eq!(header_value(request, "authorization"), Some(format!("Bearer {token}").as_str()));
    let names = header_names(request);
    assert!(
        !names.iter().any(|n| n.starts_with("x-cal-")),
        "a Bearer request must carry no x-cal-* header, got {names:?}"
    );
    assert!(!names.iter().any(|n| n == "cal-api-version"), "unexpected cal-api-version header: {names:?}");
}

/// The request authenticates as the platform client: `x-cal-client-id` and `x-cal-secret-key`,
/// no `Authorization`, no `cal-api-version`.
pub fn assert_platform_auth(request: &Request) {
    assert_eq!(header_value(request, "x-cal-client-id"), Some(CLIENT_ID));
    assert_eq!(header_value(request, "x-cal-secret-key"), Some(SECRET_KEY));
    let names = header_names(request);
    assert!(!names.iter().any(|n| n == "authorization"), "platform requests carry no Authorization: {names:?}");
    assert!(!names.iter().any(|n| n == "cal-api-version"), "unexpected cal-api-version header: {names:?}");
}

/// The query string exactly as it arrived (`None` when the URL has none).
pub fn raw_query(request: &Request) -> Option<&str> {
    request.url.query()
}

/// The decoded query pairs, in order.
pub fn query_pairs(request: &Request) -> Vec<(String, String)> {
    request.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// Decodes `%XX` escapes (a test helper; no `+` handling, paths do not use it).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ASCII escape");
            out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8 after decoding")
}

/// A one-shot HTTP server on 127.0.0.1 that records the request line exactly as the client wrote
/// it (wiremock parses the target with the `url` crate, which would normalise it first), and
/// answers every request with HTTP 200 and the JSON `body`.
///
/// Returns the base URL and a receiver of the request targets (`/v2/...?...`), one per request.
pub fn raw_server(body: &'static str) -> (String, mpsc::Receiver<String>) {
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // Skip the headers; the requests sent here have no body.
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if line == "\r\n" || line == "\n" => break,
                    Ok(_) => {}
                }
            }
            let target = request_line.split_whitespace().nth(1).unwrap_or_default().to_owned();
            let _ = tx.send(target);
            let _ = stream.write_all(response.as_bytes());
            let _ = stream.flush();
        }
    });
    (base_url, rx)
}

/// A success envelope whose `data` is an empty list.
pub const EMPTY_LIST_BODY: &str = r#"{"status":"success","data":[]}"#;

/// The waits a client asked for between retries, recorded by the `sleep_fn` of
/// [`recording_builder`] instead of being slept through.
#[derive(Debug, Clone, Default)]
pub struct RecordedWaits(Arc<Mutex<Vec<Duration>>>);

impl RecordedWaits {
    /// Every wait so far, in order.
    pub fn all(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }

    /// A `sleep_fn` that records each wait here and returns at once.
    pub fn sleep_fn(&self) -> impl Fn(Duration) -> std::future::Ready<()> + Send + Sync + 'static {
        let waits = self.clone();
        move |d| {
            waits.0.lock().unwrap().push(d);
            std::future::ready(())
        }
    }
}

/// A builder for an API-key client talking to `base_url` with the default retry settings, whose
/// waits between retries are recorded (and not taken). The caller may change retries before
/// `build`.
pub fn recording_builder(base_url: &str) -> (calcom::ClientBuilder, RecordedWaits) {
    let waits = RecordedWaits::default();
    // The client's default retries, unlike `test_builder`.
    let builder =
        test_builder(base_url).api_key(API_KEY).max_retries(calcom::DEFAULT_MAX_RETRIES).sleep_fn(waits.sleep_fn());
    (builder, waits)
}

/// An API-key client talking to `server` with the default retries (2) and recorded waits.
pub fn retrying_client(server: &MockServer) -> (calcom::Client, RecordedWaits) {
    let (builder, waits) = recording_builder(&server.uri());
    (builder.build().expect("a client with a well-formed API key builds"), waits)
}

/// The requests `server` received, in order.
pub async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("request recording is on")
}

/// A base URL on 127.0.0.1 where nothing listens: a port that was free a moment ago.
pub fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// Cal.com's error answer with HTTP `status` (a `ThrottlerException` body for 429, a generic
/// one otherwise), for the retry tests.
pub fn cal_error(status: u16) -> ResponseTemplate {
    let (code, message) = match status {
        429 => ("ThrottlerException", "ThrottlerException: Too Many Requests"),
        498 => ("UnauthorizedException", "ACCESS_TOKEN_IS_EXPIRED"),
        s if s >= 500 => ("INTERNAL_SERVER_ERROR", "Something went wrong"),
        _ => ("BadRequestException", "Bad request"),
    };
    ResponseTemplate::new(status).set_body_json(cal_error_body("/v2/test", code, message, Value::Null))
}
