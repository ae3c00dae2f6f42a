//! The test kit (`calcom::mock`, feature `test-util`): every operation's generated stub, the
//! failures, sequences and counts, pages, typed requests, what happens without a stub, and the
//! webhook deliveries. The mock is driven through the real client, as users drive it.
#![cfg(feature = "test-util")]

use std::time::Duration;

use calcom::mock::{Failure, MockServer, any, webhooks};
use calcom::{AuthMode, Booking, CreateBooking, CreateBookingRequest, Error, MembershipRole, NewBookingAttendee};
use futures_util::TryStreamExt;

/// Every operation has a stub: registered with its example answer on a reset mock, the
/// operation's generated example call succeeds against it, decoding the answer, and the stub
/// is hit exactly once.
#[cfg(feature = "full")]
#[tokio::test]
async fn every_operation_answers_its_example_call_through_its_generated_stub() {
    use crate::examples::EXAMPLES;
    let mock = MockServer::start().await;
    let mut report = Vec::new();
    for example in EXAMPLES {
        mock.reset();
        (example.stub)(&mock);
        let client = match example.auth.first().copied() {
            None => mock.builder().build().expect("a client without credentials builds"),
            Some("api_key") => mock.client_as(AuthMode::ApiKey),
            Some("access_token") => mock.client_as(AuthMode::AccessToken),
            Some("platform_client") => mock.client_as(AuthMode::PlatformClient),
            other => panic!("{}: unknown auth mode {other:?}", example.name),
        };
        let result = (example.call)(&client).await;
        let requests = mock.requests();
        let problems = mock.problems();
        match (&result, requests.as_slice()) {
            (Ok(()), [request]) if request.was_answered() && request.operation() == Some(example.name) => {}
            _ => report.push(format!(
                "{} ({} {}): {:?}; {} request(s), resolved to {:?}; {problems:?}",
                example.name,
                example.method,
                example.path_template,
                result.err(),
                requests.len(),
                requests.iter().map(|r| r.operation()).collect::<Vec<_>>()
            )),
        }
    }
    mock.reset();
    assert!(report.is_empty(), "{} operation(s) fail against their stub:\n{}", report.len(), report.join("\n"));
}

#[tokio::test]
async fn a_typed_answer_and_path_matchers() {
    let mock = MockServer::start().await;
    let mut membership = mock.orgs().teams().memberships().get(1, 2, 3).example();
    membership.role = MembershipRole::Admin;
    membership.id = 3;
    mock.orgs().teams().memberships().get(1, 2, 3).returns(membership.clone()).expect(1);
    mock.orgs().teams().memberships().get(1, 2, any()).fails(Failure::not_found("no such membership"));
    let cal = mock.client_as(AuthMode::PlatformClient);
    assert_eq!(cal.orgs().teams().memberships().get(1, 2, 3).await.unwrap(), membership);
    let Err(Error::Api(e)) = cal.orgs().teams().memberships().get(1, 2, 4).await else { panic!("expected a 404") };
    assert_eq!((e.status(), e.code(), e.message()), (404, Some("NotFoundException"), Some("no such membership")));
    assert_eq!(e.request_id(), Some("mock-2"));
    let sent = mock.orgs().teams().memberships().get(any(), any(), any()).received();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].path_param("membershipId"), Some("4"));
    assert_eq!(sent[0].header("x-cal-client-id"), Some(calcom::mock::CLIENT_ID));
    assert_eq!(sent[0].header("authorization"), None);
    mock.verify();
}

#[tokio::test]
async fn rate_limits_are_waited_out_as_cal_com_asks() {
    let mock = MockServer::start().await;
    mock.me().get().fails(Failure::rate_limited(Duration::from_millis(1500))).times(1);
    mock.me().get().returns_example();
    let me = mock.client().me().get().await;
    assert!(me.is_ok(), "{me:?}");
    // The throttler's reset (seconds, rounded up) is the wait; it was recorded, not slept.
    assert_eq!(mock.waits(), vec![Duration::from_secs(2)]);
    let first = &mock.requests()[0];
    assert_eq!(first.operation(), Some("me.get"));
    mock.verify();

    // Without retries the 429 is the error, with the wait.
    mock.reset();
    mock.me().get().fails(Failure::rate_limited(Duration::from_secs(7)));
    let err = mock.client().me().get().max_retries(0).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { retry_after, .. } if retry_after == Duration::from_secs(7)), "{err:?}");
}

#[tokio::test]
async fn server_errors_and_dropped_connections_are_retried_then_succeed() {
    let mock = MockServer::start().await;
    mock.me().get().fails(Failure::server_error()).times(1);
    mock.me().get().fails(Failure::disconnect()).times(1);
    mock.me().get().returns_example().expect(1);
    assert!(mock.client().me().get().await.is_ok());
    assert_eq!(mock.waits().len(), 2, "one backoff per retry");
    mock.verify();

    // A POST is not retried: the first failure is the answer.
    mock.reset();
    mock.bookings().create().fails(Failure::status(503)).times(1);
    let body = CreateBooking::new("2030-01-15T10:00:00Z".parse().unwrap(), NewBookingAttendee::new("Ada", "UTC"));
    let err = mock.client().bookings().create(body).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    mock.verify();
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_request_sent_again() {
    let mock = MockServer::start().await;
    mock.me()
        .get()
        .header("authorization", format!("Bearer {}", calcom::mock::ACCESS_TOKEN))
        .fails(Failure::token_expired());
    mock.me().get().header("authorization", "Bearer fresh").returns_example().expect(1);
    let cal = mock
        .builder()
        .access_token(calcom::mock::ACCESS_TOKEN)
        .token_refresher(|| async { Ok::<_, std::io::Error>("fresh".to_owned()) })
        .build()
        .unwrap();
    assert!(cal.me().get().await.is_ok());
    let sent = mock.me().get().received();
    assert_eq!(
        sent.iter().map(|r| r.header("authorization").unwrap()).collect::<Vec<_>>(),
        ["Bearer mock-access-token", "Bearer fresh"]
    );
    mock.verify();
}

#[tokio::test]
async fn a_delay_longer_than_the_timeout_times_out() {
    let mock = MockServer::start().await;
    mock.me().get().delay(Duration::from_millis(300)).returns_example();
    let err = mock.client().me().get().timeout(Duration::from_millis(50)).max_retries(0).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
}

#[tokio::test]
async fn list_stubs_serve_every_item_in_pages_as_cal_com_does() {
    let mock = MockServer::start().await;
    let bookings = mock.bookings().list().examples(23);
    mock.bookings().list().returns_all(bookings.clone());
    let cal = mock.client();
    let streamed: Vec<Booking> = cal.bookings().list().take(10).stream().try_collect().await.unwrap();
    assert_eq!(streamed, bookings);
    let pages = mock.bookings().list().received();
    let offsets: Vec<_> = pages.iter().map(|r| (r.query("take").unwrap(), r.query("skip").unwrap())).collect();
    assert_eq!(offsets, [("10", "0"), ("10", "10"), ("10", "20")]);
    // `GET /v2/bookings` answers carry Cal.com's pagination object, computed as Cal.com does.
    let second = cal.bookings().list().take(10).skip(10).with_response().await.unwrap();
    let info = second.page_info().expect("bookings lists carry pagination");
    assert_eq!(
        (info.total_items, info.remaining_items, info.returned_items, info.current_page, info.total_pages),
        (Some(23), Some(3), Some(10), Some(2), Some(3))
    );
    assert_eq!((info.has_next_page, info.has_previous_page), (Some(true), Some(true)));

    // Lists whose answers carry no pagination object get none; the stream stops at a short page.
    let memberships = mock.teams().memberships().list(5).examples(3);
    mock.teams().memberships().list(5).returns_all(memberships.clone());
    let page = cal.teams().memberships().list(5).take(2).with_response().await.unwrap();
    assert!(page.page_info().is_none());
    let all: Vec<_> = cal.teams().memberships().list(5).take(2).stream().try_collect().await.unwrap();
    assert_eq!(all, memberships);
    mock.verify();
}

#[tokio::test]
async fn typed_body_predicates_and_typed_recorded_requests() {
    let mock = MockServer::start().await;
    let late = "2030-06-01T00:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    mock.bookings()
        .create()
        .when_body(move |b: &CreateBookingRequest| matches!(b, CreateBookingRequest::Regular(r) if r.start >= late))
        .returns_example()
        .expect(1);
    mock.bookings().create().fails(Failure::bad_request("start must be in June or later"));
    let cal = mock.client();
    let early = CreateBooking::new("2030-01-15T10:00:00Z".parse().unwrap(), NewBookingAttendee::new("Ada", "UTC"));
    assert_eq!(cal.bookings().create(early).await.unwrap_err().status(), Some(400));
    let good = CreateBooking::new(late, NewBookingAttendee::new("Grace", "Europe/London")).event_type_id(42);
    assert!(cal.bookings().create(good).await.is_ok());
    let sent = mock.bookings().create().received();
    let CreateBookingRequest::Regular(body) = sent[1].body() else { panic!("{:?}", sent[1].body()) };
    assert_eq!((body.attendee.name.as_str(), body.event_type_id), ("Grace", Some(42)));
    assert_eq!(sent[1].header("cal-api-version"), Some("2024-08-13"));
    // Typed query matchers, named as on the request builder.
    mock.bookings().list().status([calcom::BookingStatusFilter::Past]).returns_all(Vec::new()).expect(1);
    assert!(cal.bookings().list().status([calcom::BookingStatusFilter::Past]).await.unwrap().is_empty());
    mock.verify();
}

#[tokio::test]
async fn a_request_without_a_stub_gets_an_answer_naming_its_operation() {
    let mock = MockServer::start().await;
    mock.bookings().get("known").returns_example();
    let err = mock.client().bookings().get("other").await.unwrap_err();
    let Error::Api(e) = &err else { panic!("{err:?}") };
    assert_eq!((e.status(), e.code()), (501, Some("MockNotStubbed")));
    let message = e.message().unwrap();
    assert!(message.contains("`bookings.get`") && message.contains("/v2/bookings/{bookingUid}"), "{message}");
    assert!(message.contains(r#"bookingUid = "known""#), "{message}");
    let problems = mock.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("GET /v2/bookings/other (`bookings.get`) was answered by no stub"), "{problems:?}");
    let verified = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| mock.verify()));
    assert!(verified.is_err(), "verify reports the unanswered request");

    // A path no operation has: 404, said so.
    let raw = reqwest::get(format!("{}/v2/nothing-here", mock.base_url())).await.unwrap();
    assert_eq!(raw.status(), 404);
    let body: serde_json::Value = serde_json::from_slice(&raw.bytes().await.unwrap()).unwrap();
    assert_eq!(body["status"], "error");
    assert!(body["error"]["message"].as_str().unwrap().contains("no operation of the spec"), "{body}");
    // Garbage does not bring the server down.
    let raw = reqwest::Client::new()
        .post(format!("{}/v2/bookings", mock.base_url()))
        .body(vec![0xff, 0x00, b'{'])
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 501);
    assert!(mock.client().bookings().get("known").await.is_ok());
}

#[tokio::test]
async fn unmet_counts_are_reported_by_verify_and_on_drop() {
    let mock = MockServer::start().await;
    let stub = mock.me().get().returns_example().times(2);
    assert!(mock.client().me().get().await.is_ok());
    assert_eq!(stub.hits(), 1);
    let problems = mock.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("stub `me.get` -> its example was expected 2 time(s), and was hit 1 time(s)"),
        "{problems:?}"
    );
    // Dropping it without `verify` panics with the same report.
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(mock)));
    let message = dropped.unwrap_err();
    let message = message.downcast_ref::<String>().unwrap();
    assert!(message.contains("unmet expectations"), "{message}");
}

#[tokio::test]
async fn a_panicking_predicate_is_a_reported_problem_not_a_dead_server() {
    let mock = MockServer::start().await;
    mock.me().get().when(|_| panic!("predicate bug")).returns_example();
    mock.me().get().returns_example();
    assert!(mock.client().me().get().await.is_ok(), "the next stub answers");
    let problems = mock.problems();
    assert!(problems.iter().any(|p| p.contains("panicked") && p.contains("predicate bug")), "{problems:?}");
}

#[test]
fn webhook_deliveries_are_signed_as_verify_expects_and_forgeries_fail() {
    use calcom::webhooks::{WebhookError, WebhookEvent, sign, verify, verify_and_parse};
    let delivery = webhooks::booking_created().with(|b| b.title = "Intro call".to_owned());
    let body = delivery.body();
    assert!(
        body.starts_with(br#"{"triggerEvent":"BOOKING_CREATED","createdAt":""#),
        "{}",
        String::from_utf8_lossy(&body)
    );
    let signature = delivery.signature("whsec_1");
    assert_eq!(signature, sign(&body, "whsec_1").unwrap());
    assert_eq!(signature.len(), 64);
    match verify_and_parse(&body, Some(&signature), "whsec_1").unwrap() {
        WebhookEvent::BookingCreated(d) => assert_eq!(d.payload.title, "Intro call"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        verify(&body, Some(&delivery.signature("other")), "whsec_1"),
        Err(WebhookError::InvalidSignature)
    ));
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    assert!(matches!(verify(&tampered, Some(&signature), "whsec_1"), Err(WebhookError::InvalidSignature)));
    assert!(matches!(sign(&body, ""), Err(WebhookError::EmptySecret)));
    // The digest of a known body, computed with openssl (tests/it/webhooks_axum.rs).
    let known = br#"{"triggerEvent":"PING","createdAt":"2024-05-01T10:00:00.000Z","payload":{"type":"Test","title":"Test trigger event"}}"#;
    assert_eq!(
        sign(known, "calcom-test-secret").unwrap(),
        "d3b416815058d7f09153bf611303c432d7e2ad6fa279ec86419bf7a545cf705b"
    );
    // Flat events stand beside `triggerEvent`.
    let meeting = webhooks::meeting_ended().body();
    assert!(
        meeting.starts_with(br#"{"triggerEvent":"MEETING_ENDED","#) && !meeting.windows(9).any(|w| w == b"\"payload\"")
    );
    // Every generated event decodes as its own variant.
    let all = webhooks::every_event();
    assert!(all.len() >= 18, "{}", all.len());
    for (trigger, body) in all {
        let event = verify_and_parse(&body, Some(&sign(&body, "s").unwrap()), "s").unwrap();
        assert!(!matches!(event, WebhookEvent::Malformed(_) | WebhookEvent::Unknown { .. }), "{trigger}: {event:?}");
        assert_eq!(event.trigger(), trigger);
    }
}

/// The axum extractor, fed genuine and forged deliveries over HTTP.
#[cfg(feature = "axum")]
#[tokio::test]
async fn the_axum_extractor_takes_genuine_deliveries_and_refuses_forged_ones() {
    use axum::routing::post;
    use calcom::webhooks::WebhookEvent;
    use calcom::webhooks::axum::{Webhook, WebhookSecret};
    let (tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new()
        .route(
            "/hook",
            post(move |Webhook(event): Webhook| {
                let tx = tx.clone();
                async move { tx.send(event).map_or("gone", |()| "ok") }
            }),
        )
        .with_state(WebhookSecret::new("whsec_2"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let delivery = webhooks::booking_cancelled().with(|b| b.cancellation_reason = Some("sick".to_owned()));
    assert_eq!(delivery.post(&url, "whsec_2").await.unwrap().status(), 200);
    match seen.recv().await.unwrap() {
        WebhookEvent::BookingCancelled(d) => assert_eq!(d.payload.cancellation_reason.as_deref(), Some("sick")),
        other => panic!("{other:?}"),
    }
    assert_eq!(delivery.post(&url, "not-the-secret").await.unwrap().status(), 401);
    assert_eq!(delivery.post_with_signature(&url, None).await.unwrap().status(), 401);
    assert!(seen.try_recv().is_err(), "forged deliveries never reach the handler");
    server.abort();
}
