//! The axum extractor `calcom::webhooks::axum::Webhook` in a real server: a router like the one
//! of `examples/webhook_server.rs`, served with `axum::serve` on 127.0.0.1, and requests sent
//! with reqwest. Good deliveries reach the handler typed; bad signatures get 401 and bodies that
//! do not decode 400, both without running the handler.
#![cfg(feature = "axum")]

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::post;
use calcom::webhooks::axum::{Webhook, WebhookRejection, WebhookSecret};
use calcom::webhooks::{SIGNATURE_HEADER, WebhookError, WebhookEvent};
use hmac::{Hmac, KeyInit, Mac};
use reqwest::StatusCode;
use sha2::Sha256;
use tokio::sync::mpsc;

/// The webhook secret the server is configured with.
const SECRET: &str = "calcom-test-secret";

/// A body, its signature: see tests/webhooks.rs for where the figure comes from
/// (`printf '%s' "$BODY" | openssl dgst -sha256 -hmac 'calcom-test-secret'`).
const KNOWN_BODY: &str = r#"{"triggerEvent":"PING","createdAt":"2024-05-01T10:00:00.000Z","payload":{"type":"Test","title":"Test trigger event"}}"#;
const KNOWN_DIGEST: &str = "d3b416815058d7f09153bf611303c432d7e2ad6fa279ec86419bf7a545cf705b";

/// A BOOKING_CREATED as Cal.com sends it.
const BOOKING_CREATED: &str = r#"{"triggerEvent":"BOOKING_CREATED","createdAt":"2024-05-01T10:00:00.123Z","payload":{"type":"30min","title":"30 min meeting between Ada Lovelace and Grace Hopper","startTime":"2024-05-06T09:00:00Z","endTime":"2024-05-06T09:30:00Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60},"attendees":[{"email":"grace@example.com","name":"Grace Hopper","timeZone":"Europe/London","language":{"locale":"fr"},"utcOffset":null}],"uid":"bk_7Hd9aQ2","bookingId":101,"destinationCalendar":null,"cancellationReason":null,"status":"ACCEPTED"}}"#;

/// Lowercase hex HMAC-SHA256 of `body` keyed with `secret`, on `hmac`/`sha2` directly.
fn sign(body: &[u8], secret: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// A running server: where it listens, and what its handler saw.
struct Server {
    addr: SocketAddr,
    seen: mpsc::UnboundedReceiver<WebhookEvent>,
    http: reqwest::Client,
}

impl Server {
    /// Serves `Router::new().route("/hook", post(handler)).with_state(WebhookSecret::new(SECRET))`
    /// on 127.0.0.1, port chosen by the system. The handler sends each event it gets to `seen`.
    async fn start() -> Server {
        Server::start_with(WebhookSecret::new(SECRET)).await
    }

    /// [`Server::start`] with another secret setting (for example a body limit).
    async fn start_with(secret: WebhookSecret) -> Server {
        let (tx, seen) = mpsc::unbounded_channel();
        let handler = move |Webhook(event): Webhook| {
            let tx = tx.clone();
            async move {
                tx.send(event).expect("the test still listens");
                "ok"
            }
        };
        let app: Router = Router::new().route("/hook", post(handler)).with_state(secret);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("the server runs");
        });
        let http =
            reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().expect("a reqwest client");
        Server { addr, seen, http }
    }

    /// POSTs `body` to /hook, with `X-Cal-Signature-256: signature` when given.
    async fn post(&self, body: &str, signature: Option<&str>) -> (StatusCode, String) {
        let mut request = self
            .http
            .post(format!("http://{}/hook", self.addr))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(signature) = signature {
            request = request.header(SIGNATURE_HEADER, signature);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        (status, response.text().await.expect("a text answer"))
    }

    /// The event the handler saw, or a panic if it saw none within a few seconds.
    async fn next_event(&mut self) -> WebhookEvent {
        tokio::time::timeout(Duration::from_secs(5), self.seen.recv())
            .await
            .expect("the handler ran")
            .expect("the channel is open")
    }

    /// Panics if the handler ran. The answer is sent after the handler returns, so once a
    /// response is in, an event the handler sent is already in the channel.
    fn assert_handler_did_not_run(&mut self) {
        match self.seen.try_recv() {
            Err(mpsc::error::TryRecvError::Empty) => {}
            other => panic!("the handler ran: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_good_signature_reaches_the_handler_with_the_typed_event() {
    let mut server = Server::start().await;
    let signature = sign(BOOKING_CREATED.as_bytes(), SECRET);
    let (status, text) = server.post(BOOKING_CREATED, Some(&signature)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(text, "ok");
    let WebhookEvent::BookingCreated(d) = server.next_event().await else { panic!("expected BookingCreated") };
    assert_eq!(d.payload.title, "30 min meeting between Ada Lovelace and Grace Hopper");
    assert_eq!(d.payload.organizer.email, "ada@example.com");
    assert_eq!(d.payload.attendees[0].language.locale, "fr");
    assert_eq!(d.payload.uid.as_deref(), Some("bk_7Hd9aQ2"));
    assert_eq!(d.payload.status, Some(calcom::WebhookBookingStatus::Accepted));
    server.assert_handler_did_not_run(); // exactly one event
}

#[tokio::test]
async fn an_upper_case_signature_is_accepted() {
    let mut server = Server::start().await;
    let upper = sign(BOOKING_CREATED.as_bytes(), SECRET).to_ascii_uppercase();
    let (status, text) = server.post(BOOKING_CREATED, Some(&upper)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(matches!(server.next_event().await, WebhookEvent::BookingCreated(_)));
}

#[tokio::test]
async fn the_openssl_figure_passes_verification_in_the_server() {
    let mut server = Server::start().await;
    // KNOWN_BODY is a PING cut short (no times, no people): signed right, so not a 401; it
    // does not decode, so the handler gets it as Malformed, naming the missing field.
    let (status, text) = server.post(KNOWN_BODY, Some(KNOWN_DIGEST)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let WebhookEvent::Malformed(m) = server.next_event().await else { panic!("expected Malformed") };
    assert_eq!((m.trigger.as_str(), m.error.message()), ("PING", "missing field `startTime`"));
    // One digit off: now it is the signature.
    let off = format!("{}{}", &KNOWN_DIGEST[..63], if KNOWN_DIGEST.ends_with('0') { '1' } else { '0' });
    let (status, _) = server.post(KNOWN_BODY, Some(&off)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.assert_handler_did_not_run();
}

#[tokio::test]
async fn a_bad_signature_is_401_and_the_handler_does_not_run() {
    let mut server = Server::start().await;
    // Signed with another secret.
    let wrong = sign(BOOKING_CREATED.as_bytes(), "another-secret");
    let (status, text) = server.post(BOOKING_CREATED, Some(&wrong)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    assert!(text.contains("signature"), "the answer says why: {text}");
    server.assert_handler_did_not_run();
    // The right signature of another body.
    let (status, _) = server.post(BOOKING_CREATED, Some(KNOWN_DIGEST)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.assert_handler_did_not_run();
    // A body changed after signing.
    let signature = sign(BOOKING_CREATED.as_bytes(), SECRET);
    let tampered = BOOKING_CREATED.replace("ACCEPTED", "CANCELLED");
    let (status, _) = server.post(&tampered, Some(&signature)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.assert_handler_did_not_run();
}

#[tokio::test]
async fn a_missing_header_is_401() {
    let mut server = Server::start().await;
    let (status, text) = server.post(BOOKING_CREATED, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    assert!(text.contains(SIGNATURE_HEADER), "the answer names the header: {text}");
    server.assert_handler_did_not_run();
}

#[tokio::test]
async fn other_signature_problems_are_401_too() {
    let mut server = Server::start().await;
    for signature in ["no-secret-provided", &KNOWN_DIGEST[..63], "sha256=abcdef"] {
        let (status, text) = server.post(KNOWN_BODY, Some(signature)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{signature}: {text}");
    }
    // A header value that is not visible ASCII.
    let request = server
        .http
        .post(format!("http://{}/hook", server.addr))
        .header(
            SIGNATURE_HEADER,
            reqwest::header::HeaderValue::from_bytes(b"\xe9t\xe9").expect("obs-text is a valid header value"),
        )
        .body(KNOWN_BODY);
    let response = request.send().await.expect("the server answers");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    server.assert_handler_did_not_run();
}

#[tokio::test]
async fn a_good_signature_on_a_wrong_typed_field_reaches_the_handler_as_malformed() {
    let mut server = Server::start().await;
    let body = BOOKING_CREATED.replace(r#""email":"ada@example.com""#, r#""email":7"#);
    assert_ne!(body, BOOKING_CREATED);
    let signature = sign(body.as_bytes(), SECRET);
    let (status, text) = server.post(&body, Some(&signature)).await;
    assert_eq!(status, StatusCode::OK, "a genuine delivery is answered 2xx: {text}");
    let WebhookEvent::Malformed(m) = server.next_event().await else { panic!("expected Malformed") };
    assert_eq!(m.trigger, "BOOKING_CREATED");
    assert_eq!(m.error.path(), "payload.organizer.email");
    assert_eq!(m.payload().map(|p| &p["organizer"]["email"]), Some(&serde_json::json!(7)));
    // A correctly signed body that is not JSON: 400 as well.
    let text_body = "title=30%20min";
    let (status, _) = server.post(text_body, Some(&sign(text_body.as_bytes(), SECRET))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    server.assert_handler_did_not_run();
}

#[tokio::test]
async fn an_unknown_trigger_reaches_the_handler() {
    let mut server = Server::start().await;
    let body =
        r#"{"triggerEvent":"BOOKING_TELEPORTED","createdAt":"2024-05-06T18:00:00.000Z","payload":{"to":"Mars"}}"#;
    let (status, _) = server.post(body, Some(&sign(body.as_bytes(), SECRET))).await;
    assert_eq!(status, StatusCode::OK);
    let WebhookEvent::Unknown { trigger, body } = server.next_event().await else { panic!("expected Unknown") };
    assert_eq!(trigger, "BOOKING_TELEPORTED");
    assert_eq!(body["payload"]["to"], "Mars");
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_and_the_limit_can_be_raised() {
    let mut big = String::from(r#"{"triggerEvent":"BOOKING_TELEPORTED","payload":{"pad":""#);
    big.push_str(&"x".repeat(3 * 1024 * 1024));
    big.push_str(r#""}}"#);
    let signature = sign(big.as_bytes(), SECRET);
    let mut server = Server::start().await;
    let (status, _) = server.post(&big, Some(&signature)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "over the 2 MiB default");
    server.assert_handler_did_not_run();
    let mut server = Server::start_with(WebhookSecret::new(SECRET).body_limit(4 * 1024 * 1024)).await;
    let (status, _) = server.post(&big, Some(&signature)).await;
    assert_eq!(status, StatusCode::OK, "under a raised limit");
    assert!(matches!(server.next_event().await, WebhookEvent::Unknown { .. }));
}

#[test]
fn webhook_secret_debug_does_not_show_the_secret() {
    let secret = WebhookSecret::new(SECRET);
    let debug = format!("{secret:?}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(!debug.contains(&format!("{:?}", SECRET.as_bytes())), "not as bytes either: {debug}");
    assert!(!debug.contains(&format!("{:?}", &SECRET.as_bytes()[..4])), "not even a prefix of the bytes: {debug}");
    assert!(!debug.contains("calcom-test"), "{debug}");
    let pretty = format!("{secret:#?}");
    assert!(!pretty.contains(SECRET), "{pretty}");
}

#[test]
fn rejections_map_signature_errors_to_401_and_body_errors_to_400() {
    let unauthorized = [
        WebhookError::EmptySecret,
        WebhookError::MissingSignature,
        WebhookError::NoSecretProvided,
        WebhookError::MalformedSignature("expected 64 hex digits"),
        WebhookError::InvalidSignature,
    ];
    for e in unauthorized {
        let shown = format!("{e:?}");
        assert_eq!(WebhookRejection(e).into_response().status(), axum::http::StatusCode::UNAUTHORIZED, "{shown}");
    }
    let not_json = calcom::decode::from_slice::<serde_json::Value>(b"nope").expect_err("not JSON");
    let bad_request = [WebhookError::NotJson(not_json), WebhookError::MissingTrigger];
    for e in bad_request {
        let shown = format!("{e:?}");
        assert_eq!(WebhookRejection(e).into_response().status(), axum::http::StatusCode::BAD_REQUEST, "{shown}");
    }
}
