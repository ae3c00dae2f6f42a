//! Receiving Cal.com webhooks without a server: the `X-Cal-Signature-256` check (against a
//! digest computed independently with openssl), the order "verify, then decode", and the
//! decoding of one realistic body per trigger event into the typed `WebhookEvent`.
//!
//! The bodies are written from the documented shapes (the "Webhooks" facts about Cal.com and
//! `spec/webhook_events.yaml`) and signed with a signer of this file's own, built on the `hmac`
//! and `sha2` crates directly and checked once against the openssl figure.

use calcom::WebhookBookingStatus;
use calcom::webhooks::{self, NO_SECRET_PROVIDED, SIGNATURE_HEADER, WebhookError, WebhookEvent};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;

// ---------------------------------------------------------------------------------------------
// The reference figure, computed outside Rust:
//
//   BODY='{"triggerEvent":"PING","createdAt":"2024-05-01T10:00:00.000Z","payload":{"type":"Test","title":"Test trigger event"}}'
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac 'calcom-test-secret'
//   SHA2-256(stdin)= d3b416815058d7f09153bf611303c432d7e2ad6fa279ec86419bf7a545cf705b
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac 'another-secret'
//   SHA2-256(stdin)= d56c079b5efe8aeb477275b4ea6cadceae6fbac7e0499e2a8dc5b9730a0c2a8a
//
// (OpenSSL 3.0.19.)
// ---------------------------------------------------------------------------------------------

/// The body the openssl figures were computed over.
const KNOWN_BODY: &str = r#"{"triggerEvent":"PING","createdAt":"2024-05-01T10:00:00.000Z","payload":{"type":"Test","title":"Test trigger event"}}"#;
/// The webhook secret of every test here.
const SECRET: &str = "calcom-test-secret";
/// `printf '%s' "$BODY" | openssl dgst -sha256 -hmac 'calcom-test-secret'`
const KNOWN_DIGEST: &str = "d3b416815058d7f09153bf611303c432d7e2ad6fa279ec86419bf7a545cf705b";
/// Another secret, and the digest of the same body under it.
const OTHER_SECRET: &str = "another-secret";
/// `printf '%s' "$BODY" | openssl dgst -sha256 -hmac 'another-secret'`
const OTHER_SECRET_DIGEST: &str = "d56c079b5efe8aeb477275b4ea6cadceae6fbac7e0499e2a8dc5b9730a0c2a8a";

/// Cal.com's signer: lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the secret.
/// Written here on `hmac`/`sha2` directly, not through the code under test.
fn sign(body: &[u8], secret: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Signs `body` with [`SECRET`] and decodes it, panicking with the error if that fails.
fn parse_signed(body: &str) -> WebhookEvent {
    let signature = sign(body.as_bytes(), SECRET);
    match webhooks::verify_and_parse(body.as_bytes(), Some(&signature), SECRET) {
        Ok(event) => event,
        Err(e) => panic!("a correctly signed body should decode, got {e:?} ({e})"),
    }
}

/// Signs `body` with [`SECRET`] and returns the decoding error, panicking if it decodes.
fn parse_signed_err(body: &str) -> WebhookError {
    let signature = sign(body.as_bytes(), SECRET);
    match webhooks::verify_and_parse(body.as_bytes(), Some(&signature), SECRET) {
        Ok(event) => panic!("expected an error, got {event:?}"),
        Err(e) => e,
    }
}

/// The error of `verify(body, signature, secret)`, panicking if it verifies.
fn verify_err(body: &[u8], signature: Option<&str>, secret: &str) -> WebhookError {
    match webhooks::verify(body, signature, secret) {
        Ok(_) => panic!("expected verification to fail for signature {signature:?}"),
        Err(e) => e,
    }
}

/// A UTC instant, built field by field (not parsed with the code under test's parser).
fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single().expect("a valid instant")
}

/// [`utc`] plus milliseconds.
fn utc_ms(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: i64) -> DateTime<Utc> {
    utc(y, mo, d, h, mi, s) + TimeDelta::milliseconds(ms)
}

/// The `trigger`, error path and message of a delivery that did not decode, panicking on
/// anything else (such a delivery is an event, `Malformed`, never an error).
fn malformed(event: WebhookEvent) -> (String, String, String) {
    match event {
        WebhookEvent::Malformed(m) => (m.trigger.clone(), m.error.path(), m.error.message().to_owned()),
        other => panic!("expected WebhookEvent::Malformed, got {other:?}"),
    }
}

// =============================================================================================
// 1. Signature
// =============================================================================================

#[test]
fn test_signer_agrees_with_openssl() {
    assert_eq!(sign(KNOWN_BODY.as_bytes(), SECRET), KNOWN_DIGEST);
    assert_eq!(sign(KNOWN_BODY.as_bytes(), OTHER_SECRET), OTHER_SECRET_DIGEST);
}

#[test]
fn openssl_digest_is_accepted_and_the_body_is_kept_as_is() {
    let verified =
        webhooks::verify(KNOWN_BODY.as_bytes(), Some(KNOWN_DIGEST), SECRET).expect("the openssl digest verifies");
    assert_eq!(verified.bytes(), KNOWN_BODY.as_bytes());
}

#[test]
fn the_header_name_is_the_documented_one() {
    assert_eq!(SIGNATURE_HEADER, "x-cal-signature-256");
    assert_eq!(NO_SECRET_PROVIDED, "no-secret-provided");
}

#[test]
fn a_one_byte_change_to_the_body_is_an_invalid_signature() {
    let original = KNOWN_BODY.as_bytes();
    // First byte, a byte of a value, the last byte: each changed alone.
    for index in [0, original.len() / 2, original.len() - 1] {
        let mut tampered = original.to_vec();
        tampered[index] ^= 0x01;
        let e = verify_err(&tampered, Some(KNOWN_DIGEST), SECRET);
        assert!(
            matches!(e, WebhookError::InvalidSignature),
            "byte {index} changed: expected InvalidSignature, got {e:?}"
        );
    }
    // A meaningful edit: "Test" -> "Tesu".
    let edited = KNOWN_BODY.replace("\"Test\"", "\"Tesu\"");
    assert_eq!(edited.len(), KNOWN_BODY.len());
    assert!(matches!(verify_err(edited.as_bytes(), Some(KNOWN_DIGEST), SECRET), WebhookError::InvalidSignature));
    // One byte more or less is a change too.
    let longer = format!("{KNOWN_BODY} ");
    assert!(matches!(verify_err(longer.as_bytes(), Some(KNOWN_DIGEST), SECRET), WebhookError::InvalidSignature));
    let shorter = &KNOWN_BODY.as_bytes()[..KNOWN_BODY.len() - 1];
    assert!(matches!(verify_err(shorter, Some(KNOWN_DIGEST), SECRET), WebhookError::InvalidSignature));
}

#[test]
fn uppercase_hex_is_accepted_because_bytes_are_compared_not_spelling() {
    let upper = KNOWN_DIGEST.to_ascii_uppercase();
    assert_ne!(upper, KNOWN_DIGEST, "the digest has letters, so upper case spells it differently");
    let verified = webhooks::verify(KNOWN_BODY.as_bytes(), Some(&upper), SECRET)
        .expect("upper-case hex of the right digest verifies");
    assert_eq!(verified.bytes(), KNOWN_BODY.as_bytes());
    // Mixed case too.
    let mixed: String =
        KNOWN_DIGEST.chars().enumerate().map(|(i, c)| if i % 2 == 0 { c.to_ascii_uppercase() } else { c }).collect();
    assert!(webhooks::verify(KNOWN_BODY.as_bytes(), Some(&mixed), SECRET).is_ok());
    // Upper case does not make a wrong digest right.
    let upper_other = OTHER_SECRET_DIGEST.to_ascii_uppercase();
    assert!(matches!(verify_err(KNOWN_BODY.as_bytes(), Some(&upper_other), SECRET), WebhookError::InvalidSignature));
}

#[test]
fn a_missing_header_is_missing_signature() {
    let e = verify_err(KNOWN_BODY.as_bytes(), None, SECRET);
    assert!(matches!(e, WebhookError::MissingSignature), "got {e:?}");
    assert!(e.to_string().contains(SIGNATURE_HEADER), "the message names the header: {e}");
}

#[test]
fn no_secret_provided_is_its_own_error() {
    let e = verify_err(KNOWN_BODY.as_bytes(), Some("no-secret-provided"), SECRET);
    assert!(matches!(e, WebhookError::NoSecretProvided), "got {e:?}");
    assert!(e.is_unauthenticated());
}

#[test]
fn a_non_hex_signature_is_malformed() {
    // 64 characters, one of them a `g`, at the start, in the middle, at the end.
    for index in [0, 31, 63] {
        let mut chars: Vec<char> = KNOWN_DIGEST.chars().collect();
        chars[index] = 'g';
        let signature: String = chars.into_iter().collect();
        assert_eq!(signature.len(), 64);
        let e = verify_err(KNOWN_BODY.as_bytes(), Some(&signature), SECRET);
        assert!(matches!(e, WebhookError::MalformedSignature(_)), "`g` at {index}: got {e:?}");
    }
    // A `sha256=` prefix (GitHub style, which Cal.com does not use) is not hex either.
    let prefixed = format!("sha256={}", &KNOWN_DIGEST[..57]);
    assert_eq!(prefixed.len(), 64);
    assert!(matches!(verify_err(KNOWN_BODY.as_bytes(), Some(&prefixed), SECRET), WebhookError::MalformedSignature(_)));
}

#[test]
fn a_signature_of_the_wrong_length_is_malformed() {
    let short = &KNOWN_DIGEST[..63];
    let long = format!("{KNOWN_DIGEST}0");
    for signature in [short, long.as_str()] {
        let e = verify_err(KNOWN_BODY.as_bytes(), Some(signature), SECRET);
        assert!(matches!(e, WebhookError::MalformedSignature(_)), "{} chars: got {e:?}", signature.len());
    }
    // 128 hex digits (the digest twice) are not accepted as "starts with the digest".
    let doubled = format!("{KNOWN_DIGEST}{KNOWN_DIGEST}");
    assert!(matches!(verify_err(KNOWN_BODY.as_bytes(), Some(&doubled), SECRET), WebhookError::MalformedSignature(_)));
}

#[test]
fn an_empty_signature_is_refused_as_unauthenticated() {
    // Whatever the variant, an empty header never verifies and is a 401-kind error.
    for signature in ["", "   "] {
        let e = verify_err(KNOWN_BODY.as_bytes(), Some(signature), SECRET);
        assert!(e.is_unauthenticated(), "{signature:?}: got {e:?}");
    }
}

#[test]
fn an_empty_signature_is_malformed() {
    let e = verify_err(KNOWN_BODY.as_bytes(), Some(""), SECRET);
    assert!(matches!(e, WebhookError::MalformedSignature(_)), "0 chars: got {e:?}");
}

#[test]
fn a_signature_made_with_another_secret_is_invalid() {
    // The openssl figure under the other secret is a well-formed digest of this very body...
    assert!(webhooks::verify(KNOWN_BODY.as_bytes(), Some(OTHER_SECRET_DIGEST), OTHER_SECRET).is_ok());
    // ...but not under ours.
    let e = verify_err(KNOWN_BODY.as_bytes(), Some(OTHER_SECRET_DIGEST), SECRET);
    assert!(matches!(e, WebhookError::InvalidSignature), "got {e:?}");
    // And ours is not valid under theirs.
    assert!(matches!(
        verify_err(KNOWN_BODY.as_bytes(), Some(KNOWN_DIGEST), OTHER_SECRET),
        WebhookError::InvalidSignature
    ));
}

#[test]
fn an_empty_secret_is_refused_even_with_a_matching_signature() {
    // HMAC accepts an empty key, so this is a "valid" signature for the empty secret: still refused.
    let signature = sign(KNOWN_BODY.as_bytes(), "");
    let e = verify_err(KNOWN_BODY.as_bytes(), Some(&signature), "");
    assert!(matches!(e, WebhookError::EmptySecret), "got {e:?}");
    assert!(matches!(verify_err(KNOWN_BODY.as_bytes(), Some(KNOWN_DIGEST), ""), WebhookError::EmptySecret));
    // Through verify_and_parse as well.
    assert!(matches!(
        webhooks::verify_and_parse(KNOWN_BODY.as_bytes(), Some(&signature), ""),
        Err(WebhookError::EmptySecret)
    ));
}

#[test]
fn secrets_are_bytes() {
    // `impl AsRef<[u8]>`: a byte secret, or an owned one, works like the same string.
    assert!(webhooks::verify(KNOWN_BODY.as_bytes(), Some(KNOWN_DIGEST), SECRET.as_bytes()).is_ok());
    let owned: Vec<u8> = SECRET.bytes().collect();
    assert!(webhooks::verify(KNOWN_BODY.as_bytes(), Some(KNOWN_DIGEST), owned).is_ok());
}

#[test]
fn verification_happens_before_parsing() {
    let body = b"this is not JSON at all";
    let good = sign(body, SECRET);
    // Correctly signed: verification passes, then decoding fails.
    let e = webhooks::verify_and_parse(body, Some(&good), SECRET).expect_err("not JSON");
    assert!(matches!(e, WebhookError::NotJson(_)), "got {e:?}");
    assert!(!e.is_unauthenticated());
    assert!(std::error::Error::source(&e).is_some(), "NotJson carries the serde_json error");
    // The same body with a bad signature: refused for the signature, so it was never parsed.
    let e = webhooks::verify_and_parse(body, Some(KNOWN_DIGEST), SECRET).expect_err("bad signature");
    assert!(matches!(e, WebhookError::InvalidSignature), "got {e:?}");
    let e = webhooks::verify_and_parse(body, None, SECRET).expect_err("no signature");
    assert!(matches!(e, WebhookError::MissingSignature), "got {e:?}");
    // Likewise a JSON body with a wrong-typed field: a bad signature wins over the shape error.
    let bad_shape = r#"{"triggerEvent":"BOOKING_CREATED","payload":{"startTime":42}}"#;
    let e = webhooks::verify_and_parse(bad_shape.as_bytes(), Some(KNOWN_DIGEST), SECRET).expect_err("bad signature");
    assert!(matches!(e, WebhookError::InvalidSignature), "got {e:?}");
}

#[test]
fn is_unauthenticated_is_true_exactly_for_the_signature_errors() {
    let body = KNOWN_BODY.as_bytes();
    let g_digest = format!("g{}", &KNOWN_DIGEST[1..]);
    let signature_errors = [
        verify_err(body, Some(KNOWN_DIGEST), ""),
        verify_err(body, None, SECRET),
        verify_err(body, Some(NO_SECRET_PROVIDED), SECRET),
        verify_err(body, Some(&g_digest), SECRET),
        verify_err(body, Some(OTHER_SECRET_DIGEST), SECRET),
    ];
    assert!(matches!(signature_errors[0], WebhookError::EmptySecret));
    assert!(matches!(signature_errors[1], WebhookError::MissingSignature));
    assert!(matches!(signature_errors[2], WebhookError::NoSecretProvided));
    assert!(matches!(signature_errors[3], WebhookError::MalformedSignature(_)));
    assert!(matches!(signature_errors[4], WebhookError::InvalidSignature));
    for e in &signature_errors {
        assert!(e.is_unauthenticated(), "{e:?} is about the signature");
    }

    let body_errors =
        [parse_signed_err("plain text"), parse_signed_err(r#"{"createdAt":"2024-05-01T10:00:00.000Z","payload":{}}"#)];
    assert!(matches!(body_errors[0], WebhookError::NotJson(_)));
    assert!(matches!(body_errors[1], WebhookError::MissingTrigger));
    for e in &body_errors {
        assert!(!e.is_unauthenticated(), "{e:?} is about the body");
    }
}

// =============================================================================================
// 2. Parsing: one body per trigger
// =============================================================================================

/// A BOOKING_CREATED as Cal.com sends it: organizer and attendee with `language` and
/// `utcOffset` (null for one), responses with labels, `destinationCalendar` and
/// `cancellationReason` null.
const BOOKING_CREATED: &str = r#"{
  "triggerEvent": "BOOKING_CREATED",
  "createdAt": "2024-05-01T10:00:00.123Z",
  "payload": {
    "type": "30min",
    "title": "30 min meeting between Ada Lovelace and Grace Hopper",
    "description": "Let us talk about engines",
    "additionalNotes": "Let us talk about engines",
    "customInputs": {},
    "startTime": "2024-05-06T09:00:00Z",
    "endTime": "2024-05-06T09:30:00Z",
    "organizer": {
      "id": 5,
      "name": "Ada Lovelace",
      "email": "ada@example.com",
      "username": "ada",
      "timeZone": "Europe/London",
      "language": { "locale": "en" },
      "utcOffset": 60
    },
    "responses": {
      "name": { "label": "your_name", "value": "Grace Hopper", "isHidden": false },
      "email": { "label": "email_address", "value": "grace@example.com", "isHidden": false },
      "location": { "label": "location", "value": { "value": "integrations:daily", "optionValue": "" }, "isHidden": false },
      "guests": { "label": "additional_guests", "value": [], "isHidden": true }
    },
    "userFieldsResponses": {},
    "attendees": [
      {
        "email": "grace@example.com",
        "name": "Grace Hopper",
        "firstName": "Grace",
        "lastName": "Hopper",
        "timeZone": "Etc/Unknown",
        "phoneNumber": null,
        "language": { "locale": "fr" },
        "utcOffset": null
      }
    ],
    "location": "integrations:daily",
    "destinationCalendar": null,
    "hideCalendarNotes": false,
    "requiresConfirmation": false,
    "eventTypeId": 12,
    "seatsShowAttendees": true,
    "seatsPerTimeSlot": null,
    "uid": "bk_7Hd9aQ2",
    "cancellationReason": null,
    "videoCallData": { "type": "daily_video", "id": "room-7Hd9aQ2", "password": "", "url": "https://cal.video/room-7Hd9aQ2" },
    "appsStatus": [],
    "eventTitle": "30 min",
    "eventDescription": null,
    "price": 0,
    "currency": "usd",
    "length": 30,
    "bookingId": 101,
    "metadata": { "videoCallUrl": "https://cal.video/room-7Hd9aQ2" },
    "status": "ACCEPTED"
  }
}"#;

#[test]
fn booking_created() {
    let event = parse_signed(BOOKING_CREATED);
    assert_eq!(event.trigger(), "BOOKING_CREATED");
    let WebhookEvent::BookingCreated(d) = event else { panic!("expected BookingCreated, got {event:?}") };
    assert_eq!(d.created_at, Some(utc_ms(2024, 5, 1, 10, 0, 0, 123)));
    assert!(d.extra.is_empty(), "no top-level fields besides the wrapper: {:?}", d.extra);
    let p = &d.payload;
    assert_eq!(p.r#type, "30min");
    assert_eq!(p.title, "30 min meeting between Ada Lovelace and Grace Hopper");
    assert_eq!(p.start_time, utc(2024, 5, 6, 9, 0, 0));
    assert_eq!(p.end_time, utc(2024, 5, 6, 9, 30, 0));
    assert_eq!(p.end_time - p.start_time, TimeDelta::minutes(30));
    assert_eq!(p.organizer.email, "ada@example.com");
    assert_eq!(p.organizer.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(p.organizer.id, Some(5));
    assert_eq!(p.organizer.username.as_deref(), Some("ada"));
    assert_eq!(p.organizer.time_zone, "Europe/London");
    assert_eq!(p.organizer.language.locale, "en");
    assert_eq!(p.organizer.utc_offset, Some(60));
    assert_eq!(p.attendees.len(), 1);
    let grace = &p.attendees[0];
    assert_eq!(grace.email, "grace@example.com");
    assert_eq!(grace.language.locale, "fr");
    assert_eq!(grace.utc_offset, None, "utcOffset: null");
    assert_eq!(grace.phone_number, None);
    assert_eq!(grace.first_name.as_deref(), Some("Grace"));
    assert_eq!(grace.last_name.as_deref(), Some("Hopper"));
    assert_eq!(grace.id, None);
    assert_eq!(p.status, Some(WebhookBookingStatus::Accepted));
    assert_eq!(p.uid.as_deref(), Some("bk_7Hd9aQ2"));
    assert_eq!(p.booking_id, Some(101));
    assert_eq!(p.event_type_id, Some(12));
    assert_eq!(p.location.as_deref(), Some("integrations:daily"));
    assert_eq!(p.destination_calendar, None, "destinationCalendar: null");
    assert_eq!(p.cancellation_reason, None, "cancellationReason: null");
    assert_eq!(p.length, Some(30));
    assert_eq!(p.price, Some(0.0));
    assert_eq!(p.currency.as_deref(), Some("usd"));
    let responses = p.responses.as_ref().expect("responses");
    assert_eq!(responses["name"].value, Some(json!("Grace Hopper")));
    assert_eq!(responses["name"].label.as_deref(), Some("your_name"));
    assert_eq!(responses["location"].value, Some(json!({"value": "integrations:daily", "optionValue": ""})));
    assert_eq!(responses["guests"].is_hidden, Some(true));
    assert_eq!(p.user_fields_responses.as_ref().map(|m| m.len()), Some(0));
    assert_eq!(p.custom_inputs.as_ref().map(|m| m.len()), Some(0));
    assert_eq!(p.metadata.as_ref().expect("metadata")["videoCallUrl"], json!("https://cal.video/room-7Hd9aQ2"));
    assert_eq!(p.video_call_data.as_ref().expect("videoCallData")["type"], json!("daily_video"));
    assert_eq!(p.download_link, None);
    assert_eq!(p.team, None);
}

#[test]
fn booking_requested() {
    // A team event waiting for confirmation: team present, destinationCalendar an array,
    // responses absent, description, additionalNotes, location and eventTypeId null.
    let body = r#"{"triggerEvent":"BOOKING_REQUESTED","createdAt":"2024-05-02T08:15:30.000Z","payload":{"type":"intro-call","title":"Intro call between Team Engines and Charles Babbage","description":null,"additionalNotes":null,"startTime":"2024-05-07T13:00:00.000Z","endTime":"2024-05-07T13:45:00.000Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","username":"ada","timeZone":"America/New_York","language":{"locale":"en"},"utcOffset":-240},"attendees":[{"email":"charles@example.com","name":"Charles Babbage","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}],"location":null,"eventTypeId":null,"team":{"id":3,"name":"Team Engines","members":[{"id":6,"name":"Mary Somerville","email":"mary@example.com","timeZone":"Europe/London","language":{"locale":"en"}}]},"destinationCalendar":[{"id":1,"integration":"google_calendar","externalId":"ada@example.com","primaryEmail":"ada@example.com","userId":5,"eventTypeId":null,"credentialId":2}],"uid":"bk_req1","bookingId":102,"status":"PENDING","requiresConfirmation":true}}"#;
    let WebhookEvent::BookingRequested(d) = parse_signed(body) else { panic!("expected BookingRequested") };
    assert_eq!(d.created_at, Some(utc_ms(2024, 5, 2, 8, 15, 30, 0)));
    let p = &d.payload;
    assert_eq!(p.status, Some(WebhookBookingStatus::Pending));
    assert_eq!(p.start_time, utc(2024, 5, 7, 13, 0, 0));
    assert_eq!(p.end_time, utc(2024, 5, 7, 13, 45, 0));
    assert_eq!(p.organizer.utc_offset, Some(-240));
    assert_eq!(p.organizer.email, "ada@example.com");
    assert_eq!(p.attendees[0].language.locale, "en");
    assert_eq!(p.description, None);
    assert_eq!(p.additional_notes, None);
    assert_eq!(p.location, None);
    assert_eq!(p.event_type_id, None);
    assert_eq!(p.responses, None, "absent");
    let team = p.team.as_ref().expect("team");
    assert_eq!(team.name, "Team Engines");
    assert_eq!(team.id, Some(3));
    assert_eq!(team.members.as_ref().map(Vec::len), Some(1));
    let calendars = p.destination_calendar.as_ref().expect("destinationCalendar array");
    assert_eq!(calendars.len(), 1);
    assert_eq!(calendars[0]["integration"], json!("google_calendar"));
}

#[test]
fn booking_rescheduled() {
    let body = r#"{"triggerEvent":"BOOKING_RESCHEDULED","createdAt":"2024-05-03T12:00:00.500Z","payload":{"type":"30min","title":"30 min meeting between Ada Lovelace and Grace Hopper","startTime":"2024-05-08T10:00:00Z","endTime":"2024-05-08T10:30:00Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60},"attendees":[{"email":"grace@example.com","name":"Grace Hopper","timeZone":"America/New_York","language":{"locale":"es"},"utcOffset":-240}],"uid":"bk_new2","bookingId":103,"rescheduleUid":"bk_7Hd9aQ2","rescheduleId":101,"rescheduleStartTime":"2024-05-06T09:00:00Z","rescheduleEndTime":"2024-05-06T09:30:00Z","rescheduledBy":"grace@example.com","status":"ACCEPTED","destinationCalendar":[]}}"#;
    let WebhookEvent::BookingRescheduled(d) = parse_signed(body) else { panic!("expected BookingRescheduled") };
    assert_eq!(d.created_at, Some(utc_ms(2024, 5, 3, 12, 0, 0, 500)));
    let p = &d.payload;
    assert_eq!(p.reschedule_uid.as_deref(), Some("bk_7Hd9aQ2"));
    assert_eq!(p.rescheduled_by.as_deref(), Some("grace@example.com"));
    assert_eq!(p.uid.as_deref(), Some("bk_new2"));
    assert_eq!(p.start_time, utc(2024, 5, 8, 10, 0, 0));
    assert_eq!(p.status, Some(WebhookBookingStatus::Accepted));
    assert_eq!(p.attendees[0].language.locale, "es");
    assert_eq!(p.attendees[0].utc_offset, Some(-240));
    assert_eq!(p.destination_calendar.as_deref(), Some(&[][..]));
}

#[test]
fn booking_cancelled() {
    let body = r#"{"triggerEvent":"BOOKING_CANCELLED","createdAt":"2024-05-04T07:30:00.000Z","payload":{"type":"30min","title":"30 min meeting between Ada Lovelace and Grace Hopper","description":"","startTime":"2024-05-08T10:00:00Z","endTime":"2024-05-08T10:30:00Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","username":"ada","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60},"attendees":[{"email":"grace@example.com","name":"Grace Hopper","timeZone":"America/New_York","language":{"locale":"en"},"utcOffset":-240}],"uid":"bk_new2","bookingId":103,"location":"https://cal.video/room-x","destinationCalendar":null,"cancellationReason":"Something came up","cancelledBy":"ada@example.com","status":"CANCELLED","eventTypeId":12}}"#;
    let WebhookEvent::BookingCancelled(d) = parse_signed(body) else { panic!("expected BookingCancelled") };
    let p = &d.payload;
    assert_eq!(p.cancellation_reason.as_deref(), Some("Something came up"));
    assert_eq!(p.cancelled_by.as_deref(), Some("ada@example.com"));
    assert_eq!(p.status, Some(WebhookBookingStatus::Cancelled));
    assert_eq!(p.description.as_deref(), Some(""));
    assert_eq!(p.destination_calendar, None);
    assert_eq!(p.organizer.email, "ada@example.com");
    assert_eq!(d.created_at, Some(utc(2024, 5, 4, 7, 30, 0)));
}

#[test]
fn booking_rejected() {
    let body = r#"{"triggerEvent":"BOOKING_REJECTED","createdAt":"2024-05-04T09:00:00.000Z","payload":{"type":"intro-call","title":"Intro call","startTime":"2024-05-07T13:00:00.000Z","endTime":"2024-05-07T13:45:00.000Z","organizer":{"name":"Ada Lovelace","email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"de"}},"attendees":[{"email":"charles@example.com","name":"Charles Babbage","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}],"uid":"bk_req1","bookingId":102,"rejectionReason":"Fully booked that week","status":"REJECTED"}}"#;
    let WebhookEvent::BookingRejected(d) = parse_signed(body) else { panic!("expected BookingRejected") };
    let p = &d.payload;
    assert_eq!(p.rejection_reason.as_deref(), Some("Fully booked that week"));
    assert_eq!(p.status, Some(WebhookBookingStatus::Rejected));
    assert_eq!(p.organizer.language.locale, "de");
    assert_eq!(p.organizer.utc_offset, None, "absent");
    assert_eq!(p.organizer.id, None);
}

#[test]
fn booking_payment_initiated() {
    let body = r#"{"triggerEvent":"BOOKING_PAYMENT_INITIATED","createdAt":"2024-05-05T11:00:00.000Z","payload":{"type":"paid-consult","title":"Paid consultation","startTime":"2024-05-09T15:00:00Z","endTime":"2024-05-09T16:00:00Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60},"attendees":[{"email":"grace@example.com","name":"Grace Hopper","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}],"uid":"bk_pay1","bookingId":104,"paymentId":77,"price":5000,"currency":"eur","length":60,"status":"PENDING","paymentData":{"id":77,"amount":5000,"success":false}}}"#;
    let WebhookEvent::BookingPaymentInitiated(d) = parse_signed(body) else {
        panic!("expected BookingPaymentInitiated")
    };
    let p = &d.payload;
    assert_eq!(p.payment_id, Some(77));
    assert_eq!(p.price, Some(5000.0));
    assert_eq!(p.currency.as_deref(), Some("eur"));
    assert_eq!(p.length, Some(60));
    assert_eq!(p.status, Some(WebhookBookingStatus::Pending));
}

#[test]
fn booking_paid() {
    let body = r#"{"triggerEvent":"BOOKING_PAID","createdAt":"2024-05-05T11:05:00.000Z","payload":{"type":"paid-consult","title":"Paid consultation","startTime":"2024-05-09T15:00:00Z","endTime":"2024-05-09T16:00:00Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60},"attendees":[{"email":"grace@example.com","name":"Grace Hopper","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}],"uid":"bk_pay1","bookingId":104,"paymentId":77,"price":49.5,"currency":"eur","status":"ACCEPTED","paymentData":{"id":77,"amount":4950,"success":true}}}"#;
    let WebhookEvent::BookingPaid(d) = parse_signed(body) else { panic!("expected BookingPaid") };
    let p = &d.payload;
    assert_eq!(p.payment_id, Some(77));
    assert_eq!(p.price, Some(49.5));
    assert_eq!(p.status, Some(WebhookBookingStatus::Accepted));
    assert_eq!(d.created_at, Some(utc(2024, 5, 5, 11, 5, 0)));
}

#[test]
fn booking_no_show_updated() {
    let body = r#"{"triggerEvent":"BOOKING_NO_SHOW_UPDATED","createdAt":"2024-05-06T10:00:00.000Z","payload":{"message":"grace@example.com marked as no-show","bookingUid":"bk_7Hd9aQ2","bookingId":101,"attendees":[{"email":"grace@example.com","noShow":true},{"email":"charles@example.com","noShow":false}]}}"#;
    let WebhookEvent::BookingNoShowUpdated(d) = parse_signed(body) else { panic!("expected BookingNoShowUpdated") };
    let p = &d.payload;
    assert_eq!(p.message, "grace@example.com marked as no-show");
    assert_eq!(p.booking_uid, "bk_7Hd9aQ2");
    assert_eq!(p.booking_id, Some(101));
    assert_eq!(p.attendees.len(), 2);
    assert_eq!(p.attendees[0].email, "grace@example.com");
    assert!(p.attendees[0].no_show);
    assert!(!p.attendees[1].no_show);
    // bookingId is optional.
    let without_id = r#"{"triggerEvent":"BOOKING_NO_SHOW_UPDATED","createdAt":"2024-05-06T10:00:00.000Z","payload":{"message":"m","bookingUid":"u","attendees":[]}}"#;
    let WebhookEvent::BookingNoShowUpdated(d) = parse_signed(without_id) else {
        panic!("expected BookingNoShowUpdated")
    };
    assert_eq!(d.payload.booking_id, None);
}

#[test]
fn meeting_started_is_flat() {
    // The booking row, flat beside triggerEvent: no wrapper createdAt, no payload.
    let body = r#"{"triggerEvent":"MEETING_STARTED","id":101,"uid":"bk_7Hd9aQ2","idempotencyKey":null,"userId":5,"userPrimaryEmail":"ada@example.com","eventTypeId":12,"title":"30 min meeting between Ada Lovelace and Grace Hopper","description":null,"customInputs":{},"responses":{"name":{"label":"your_name","value":"Grace Hopper"},"email":{"label":"email_address","value":"grace@example.com"}},"startTime":"2024-05-06T09:00:00.000Z","endTime":"2024-05-06T09:30:00.000Z","location":"integrations:daily","updatedAt":null,"status":"ACCEPTED","paid":false,"destinationCalendarId":null,"cancellationReason":null,"rejectionReason":null,"fromReschedule":null,"rescheduled":null,"metadata":{"videoCallUrl":"https://cal.video/room-7Hd9aQ2"},"isRecorded":false,"attendees":[{"name":"Grace Hopper","email":"grace@example.com"}],"eventType":{"bookingFields":[]}}"#;
    let event = parse_signed(body);
    assert_eq!(event.trigger(), "MEETING_STARTED");
    let WebhookEvent::MeetingStarted(m) = event else { panic!("expected MeetingStarted") };
    assert_eq!(m.id, 101);
    assert_eq!(m.uid, "bk_7Hd9aQ2");
    assert_eq!(m.title, "30 min meeting between Ada Lovelace and Grace Hopper");
    assert_eq!(m.start_time, utc(2024, 5, 6, 9, 0, 0));
    assert_eq!(m.end_time, utc(2024, 5, 6, 9, 30, 0));
    assert_eq!(m.status, Some(WebhookBookingStatus::Accepted));
    assert_eq!(m.user_id, Some(5));
    assert_eq!(m.event_type_id, Some(12));
    assert_eq!(m.description, None);
    assert_eq!(m.location.as_deref(), Some("integrations:daily"));
    assert_eq!(m.responses.as_ref().expect("responses")["name"]["value"], json!("Grace Hopper"));
    assert_eq!(m.attendees.as_ref().map(Vec::len), Some(1));
    assert_eq!(m.metadata.as_ref().expect("metadata")["videoCallUrl"], json!("https://cal.video/room-7Hd9aQ2"));
}

#[test]
fn meeting_ended_is_flat() {
    // A smaller row: only the required fields, responses and metadata null.
    let body = r#"{"triggerEvent":"MEETING_ENDED","id":102,"uid":"bk_req1","title":"Intro call","startTime":"2024-05-07T13:00:00.000Z","endTime":"2024-05-07T13:45:00.000Z","responses":null,"metadata":null}"#;
    let event = parse_signed(body);
    assert_eq!(event.trigger(), "MEETING_ENDED");
    let WebhookEvent::MeetingEnded(m) = event else { panic!("expected MeetingEnded") };
    assert_eq!(m.id, 102);
    assert_eq!(m.uid, "bk_req1");
    assert_eq!(m.end_time, utc(2024, 5, 7, 13, 45, 0));
    assert_eq!(m.status, None);
    assert_eq!(m.responses, None);
    assert_eq!(m.metadata, None);
    assert_eq!(m.attendees, None);
}

#[test]
fn recording_ready() {
    let body = r#"{"triggerEvent":"RECORDING_READY","createdAt":"2024-05-06T09:45:00.000Z","payload":{"type":"30min","title":"30 min meeting between Ada Lovelace and Grace Hopper","startTime":"2024-05-06T09:00:00Z","endTime":"2024-05-06T09:30:00Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60},"attendees":[{"email":"grace@example.com","name":"Grace Hopper","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}],"uid":"bk_7Hd9aQ2","bookingId":101,"downloadLink":"https://download.example.com/recordings/rec-1.mp4?token=abc"}}"#;
    let WebhookEvent::RecordingReady(d) = parse_signed(body) else { panic!("expected RecordingReady") };
    assert_eq!(d.payload.download_link.as_deref(), Some("https://download.example.com/recordings/rec-1.mp4?token=abc"));
    assert_eq!(d.payload.download_links, None);
    assert_eq!(d.payload.uid.as_deref(), Some("bk_7Hd9aQ2"));
    assert_eq!(d.created_at, Some(utc(2024, 5, 6, 9, 45, 0)));
}

#[test]
fn recording_transcription_generated() {
    let body = r#"{"triggerEvent":"RECORDING_TRANSCRIPTION_GENERATED","createdAt":"2024-05-06T10:00:00.000Z","payload":{"type":"30min","title":"30 min meeting between Ada Lovelace and Grace Hopper","startTime":"2024-05-06T09:00:00Z","endTime":"2024-05-06T09:30:00Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60},"attendees":[{"email":"grace@example.com","name":"Grace Hopper","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}],"uid":"bk_7Hd9aQ2","downloadLinks":{"transcription":[{"format":"json","link":"https://download.example.com/t/1.json"},{"format":"vtt","link":"https://download.example.com/t/1.vtt"}],"recording":"https://download.example.com/recordings/rec-1.mp4"}}}"#;
    let WebhookEvent::RecordingTranscriptionGenerated(d) = parse_signed(body) else {
        panic!("expected RecordingTranscriptionGenerated")
    };
    let links = d.payload.download_links.as_ref().expect("downloadLinks");
    let transcription = links.transcription.as_ref().expect("transcription");
    assert_eq!(transcription.len(), 2);
    assert_eq!(transcription[1].format, "vtt");
    assert_eq!(transcription[1].link, "https://download.example.com/t/1.vtt");
    assert_eq!(links.recording.as_deref(), Some("https://download.example.com/recordings/rec-1.mp4"));
    assert_eq!(d.payload.download_link, None);
}

#[test]
fn instant_meeting() {
    let body = r#"{"triggerEvent":"INSTANT_MEETING","createdAt":"2024-05-06T14:00:00.000Z","payload":{"triggerEvent":"INSTANT_MEETING","uid":"bk_inst1","responses":{"name":"Grace Hopper","email":"grace@example.com"},"connectAndJoinUrl":"https://app.cal.com/connect-and-join?token=tok123","eventTypeId":44,"eventTypeTitle":"Instant help","customInputs":null}}"#;
    let WebhookEvent::InstantMeeting(d) = parse_signed(body) else { panic!("expected InstantMeeting") };
    let p = &d.payload;
    assert_eq!(p.uid, "bk_inst1");
    assert_eq!(p.connect_and_join_url, "https://app.cal.com/connect-and-join?token=tok123");
    assert_eq!(p.event_type_id, 44);
    assert_eq!(p.event_type_title.as_deref(), Some("Instant help"));
    assert_eq!(p.custom_inputs, None, "customInputs: null");
    assert_eq!(p.responses.as_ref().expect("responses")["email"], json!("grace@example.com"));
    assert_eq!(d.created_at, Some(utc(2024, 5, 6, 14, 0, 0)));
}

#[test]
fn ooo_created() {
    // start/end carry the user's offset; createdAt/updatedAt are UTC with milliseconds.
    let body = r#"{"triggerEvent":"OOO_CREATED","createdAt":"2024-05-06T15:00:00.000Z","payload":{"oooEntry":{"id":9,"start":"2024-06-01T00:00:00+02:00","end":"2024-06-07T23:59:59+02:00","createdAt":"2024-05-06T14:59:59.250Z","updatedAt":"2024-05-06T14:59:59.250Z","notes":"Summer holiday","reason":{"emoji":"🏝️","reason":"ooo_reasons_vacation"},"reasonId":1,"user":{"id":5,"name":null,"username":"ada","timeZone":"Europe/Berlin","email":"ada@example.com"},"toUser":null,"uuid":"0f8e2c1a-1111-4b2b-9c3d-222233334444"}}}"#;
    let WebhookEvent::OooCreated(d) = parse_signed(body) else { panic!("expected OooCreated") };
    let e = &d.payload.ooo_entry;
    assert_eq!(e.id, 9);
    assert_eq!(e.start, utc(2024, 5, 31, 22, 0, 0), "+02:00 midnight is 22:00 UTC the day before");
    assert_eq!(e.end, utc(2024, 6, 7, 21, 59, 59));
    assert_eq!(e.created_at, Some(utc_ms(2024, 5, 6, 14, 59, 59, 250)));
    assert_eq!(e.notes.as_deref(), Some("Summer holiday"));
    let reason = e.reason.as_ref().expect("reason");
    assert_eq!(reason.reason.as_deref(), Some("ooo_reasons_vacation"));
    assert_eq!(reason.emoji.as_deref(), Some("🏝️"));
    assert_eq!(e.reason_id, Some(1));
    assert_eq!(e.user.id, 5);
    assert_eq!(e.user.name, None, "name: null");
    assert_eq!(e.user.email, "ada@example.com");
    assert_eq!(e.user.time_zone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(e.to_user, None, "toUser: null");
    assert_eq!(e.uuid.as_deref(), Some("0f8e2c1a-1111-4b2b-9c3d-222233334444"));
}

#[test]
fn form_submitted_keeps_the_top_level_answer_copies_in_extra() {
    // Cal.com puts the answer copies first (rootData), then triggerEvent, createdAt, payload.
    let body = r#"{"name":"John Doe","Email":"john@example.com","Company size":250,"Interests":["Rust","Go"],"triggerEvent":"FORM_SUBMITTED","createdAt":"2024-05-06T16:00:00.000Z","payload":{"formId":"5c7f9e7e-aaaa-4d1b-8b8f-0123456789ab","formName":"Sales inquiry","teamId":null,"responses":{"name":{"value":"John Doe","response":"John Doe"},"Email":{"value":"john@example.com","response":"john@example.com"},"Company size":{"value":250,"response":250},"Interests":{"value":["Rust","Go"],"response":[{"label":"Rust","id":"opt-rust"},{"label":"Go","id":"opt-go"}]}}}}"#;
    let WebhookEvent::FormSubmitted(d) = parse_signed(body) else { panic!("expected FormSubmitted") };
    assert_eq!(d.extra["name"], json!("John Doe"));
    assert_eq!(d.extra["Email"], json!("john@example.com"));
    assert_eq!(d.extra["Company size"], json!(250));
    assert_eq!(d.extra["Interests"], json!(["Rust", "Go"]));
    assert_eq!(d.extra.len(), 4, "only the answer copies: {:?}", d.extra.keys().collect::<Vec<_>>());
    for wrapper in ["triggerEvent", "createdAt", "payload"] {
        assert!(!d.extra.contains_key(wrapper), "{wrapper} is not an extra field");
    }
    assert_eq!(d.created_at, Some(utc(2024, 5, 6, 16, 0, 0)));
    let p = &d.payload;
    assert_eq!(p.form_id, "5c7f9e7e-aaaa-4d1b-8b8f-0123456789ab");
    assert_eq!(p.form_name, "Sales inquiry");
    assert_eq!(p.team_id, None, "teamId: null");
    assert_eq!(p.responses.len(), 4);
    assert_eq!(p.responses["name"].value, json!("John Doe"));
    assert_eq!(p.responses["Company size"].value, json!(250));
    assert_eq!(p.responses["Interests"].value, json!(["Rust", "Go"]));
    assert_eq!(p.responses["Interests"].response.as_ref().expect("response")[0]["id"], json!("opt-rust"));
}

#[test]
fn form_submitted_no_event() {
    let body = r#"{"triggerEvent":"FORM_SUBMITTED_NO_EVENT","createdAt":"2024-05-06T16:30:00.000Z","payload":{"formId":"5c7f9e7e-aaaa-4d1b-8b8f-0123456789ab","formName":"Sales inquiry","teamId":7,"responses":{"name":{"value":"Jane Roe"}}}}"#;
    let event = parse_signed(body);
    assert_eq!(event.trigger(), "FORM_SUBMITTED_NO_EVENT");
    let WebhookEvent::FormSubmittedNoEvent(d) = event else { panic!("expected FormSubmittedNoEvent") };
    assert_eq!(d.payload.team_id, Some(7));
    assert_eq!(d.payload.responses["name"].value, json!("Jane Roe"));
    assert_eq!(d.payload.responses["name"].response, None);
    assert!(d.extra.is_empty());
}

#[test]
fn after_hosts_cal_video_no_show() {
    let body = r#"{"triggerEvent":"AFTER_HOSTS_CAL_VIDEO_NO_SHOW","createdAt":"2024-05-06T09:15:00.000Z","payload":{"title":"30 min meeting between Ada Lovelace and Grace Hopper","bookingId":101,"bookingUid":"bk_7Hd9aQ2","startTime":"2024-05-06T09:00:00.000Z","endTime":"2024-05-06T09:30:00.000Z","participants":[{"user_id":null,"participant_id":"p-guest-1","user_name":"Grace Hopper","join_time":1714986060,"duration":600}],"hostEmail":"ada@example.com","eventType":{"id":12,"teamId":null,"parentId":null},"webhook":{"id":"wh_1","subscriberUrl":"https://example.com/hook","appId":null,"time":15,"timeUnit":"MINUTE","eventTriggers":["AFTER_HOSTS_CAL_VIDEO_NO_SHOW"],"payloadTemplate":null},"message":"Host with email ada@example.com didn't join the call or didn't join before 2024-05-06 09:15:00 Z"}}"#;
    let WebhookEvent::AfterHostsCalVideoNoShow(d) = parse_signed(body) else {
        panic!("expected AfterHostsCalVideoNoShow")
    };
    let p = &d.payload;
    assert_eq!(p.booking_id, 101);
    assert_eq!(p.booking_uid, "bk_7Hd9aQ2");
    assert_eq!(p.start_time, utc(2024, 5, 6, 9, 0, 0));
    assert_eq!(p.host_email.as_deref(), Some("ada@example.com"));
    assert_eq!(p.event_type.id, 12);
    assert_eq!(p.event_type.team_id, None);
    assert_eq!(p.participants.len(), 1);
    assert_eq!(p.participants[0].user_id, None, "user_id: null");
    assert_eq!(p.participants[0].participant_id, "p-guest-1");
    assert_eq!(p.participants[0].join_time, 1_714_986_060);
    assert_eq!(p.participants[0].duration, 600);
    assert_eq!(p.participants[0].email, None);
    assert_eq!(p.attendees, None, "absent");
    assert_eq!(p.webhook.as_ref().expect("webhook")["time"], json!(15));
    assert!(p.message.starts_with("Host with email ada@example.com"));
}

#[test]
fn after_guests_cal_video_no_show() {
    let body = r#"{"triggerEvent":"AFTER_GUESTS_CAL_VIDEO_NO_SHOW","createdAt":"2024-05-06T09:15:00.000Z","payload":{"title":"30 min meeting between Ada Lovelace and Grace Hopper","bookingId":101,"bookingUid":"bk_7Hd9aQ2","startTime":"2024-05-06T09:00:00.000Z","attendees":[],"endTime":"2024-05-06T09:30:00.000Z","participants":[{"user_id":"5","participant_id":"p-host-1","user_name":"Ada Lovelace","join_time":1714986000,"duration":1800,"email":"ada@example.com"}],"eventType":{"id":12,"teamId":3,"parentId":11},"webhook":{"id":"wh_2"},"message":"Guest didn't join the call or didn't join before 2024-05-06 09:15:00 Z"}}"#;
    let WebhookEvent::AfterGuestsCalVideoNoShow(d) = parse_signed(body) else {
        panic!("expected AfterGuestsCalVideoNoShow")
    };
    let p = &d.payload;
    assert_eq!(p.end_time, utc(2024, 5, 6, 9, 30, 0));
    assert_eq!(p.participants[0].user_id.as_deref(), Some("5"));
    assert_eq!(p.participants[0].email.as_deref(), Some("ada@example.com"));
    assert_eq!(p.event_type.team_id, Some(3));
    assert_eq!(p.event_type.parent_id, Some(11));
    assert_eq!(p.host_email, None);
    assert_eq!(p.attendees.as_deref().map(<[_]>::len), Some(0));
    assert!(p.message.starts_with("Guest didn't join"));
}

#[test]
fn after_guests_no_show_with_attendee_rows_as_cal_com_sends_them() {
    // packages/features/tasker/tasks/triggerNoShow/common.ts: `attendees: booking.attendees`, the
    // Prisma rows selected by bookingMinimalSelect (`attendees: true`).
    let body = r#"{"triggerEvent":"AFTER_GUESTS_CAL_VIDEO_NO_SHOW","createdAt":"2024-05-06T09:15:00.000Z","payload":{"title":"30 min meeting","bookingId":101,"bookingUid":"bk_7Hd9aQ2","startTime":"2024-05-06T09:00:00.000Z","attendees":[{"id":301,"email":"grace@example.com","name":"Grace Hopper","timeZone":"America/New_York","phoneNumber":null,"locale":"en","bookingId":101,"noShow":false}],"endTime":"2024-05-06T09:30:00.000Z","participants":[],"eventType":{"id":12,"teamId":null,"parentId":null},"webhook":{"id":"wh_2"},"message":"Guest didn't join the call or didn't join before 2024-05-06 09:15:00 Z"}}"#;
    let signature = sign(body.as_bytes(), SECRET);
    let result = webhooks::verify_and_parse(body.as_bytes(), Some(&signature), SECRET);
    let Ok(WebhookEvent::AfterGuestsCalVideoNoShow(d)) = result else {
        panic!("expected AfterGuestsCalVideoNoShow, got {result:?}")
    };
    assert_eq!(d.payload.attendees.as_ref().map(Vec::len), Some(1));
}

#[test]
fn booking_created_with_organizer_time_format_as_cal_com_sends_it() {
    let body = BOOKING_CREATED.replace(r#""utcOffset": 60"#, r#""utcOffset": 60, "timeFormat": "h:mma""#);
    assert_ne!(body, BOOKING_CREATED, "the organizer now has a timeFormat");
    let signature = sign(body.as_bytes(), SECRET);
    let result = webhooks::verify_and_parse(body.as_bytes(), Some(&signature), SECRET);
    let Ok(WebhookEvent::BookingCreated(d)) = result else { panic!("expected BookingCreated, got {result:?}") };
    assert_eq!(d.payload.organizer.email, "ada@example.com");
    assert_eq!(d.payload.organizer.time_format, Some(calcom::WebhookTimeFormat::Pattern("h:mma".to_owned())));
}

#[test]
fn time_format_as_a_number_from_older_and_self_hosted_servers_is_accepted() {
    for (wire, expected) in [("12", 12), ("24", 24)] {
        let body = BOOKING_CREATED.replace(r#""utcOffset": 60"#, &format!(r#""utcOffset": 60, "timeFormat": {wire}"#));
        let WebhookEvent::BookingCreated(d) = parse_signed(&body) else { panic!("expected BookingCreated") };
        assert_eq!(d.payload.organizer.time_format, Some(calcom::WebhookTimeFormat::Hours(expected)));
    }
    // And null, as a user without the setting has it.
    let body = BOOKING_CREATED.replace(r#""utcOffset": 60"#, r#""utcOffset": 60, "timeFormat": null"#);
    let WebhookEvent::BookingCreated(d) = parse_signed(&body) else { panic!("expected BookingCreated") };
    assert_eq!(d.payload.organizer.time_format, None);
}

#[test]
fn booking_paid_with_an_organizer_without_a_name() {
    let body = r#"{"triggerEvent":"BOOKING_PAID","createdAt":"2024-05-05T11:05:00.000Z","payload":{"type":"paid","title":"Paid","startTime":"2024-05-09T15:00:00Z","endTime":"2024-05-09T16:00:00Z","organizer":{"id":5,"name":null,"email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"en"},"timeFormat":12},"attendees":[],"uid":"bk_pay2"}}"#;
    let WebhookEvent::BookingPaid(d) = parse_signed(body) else { panic!("expected BookingPaid") };
    assert_eq!(d.payload.organizer.name, None);
    assert_eq!(d.payload.organizer.time_format, Some(calcom::WebhookTimeFormat::Hours(12)));
}

#[test]
fn ping_from_the_test_button() {
    let body = r#"{"triggerEvent":"PING","createdAt":"2024-05-06T17:00:00.000Z","payload":{"type":"Test","title":"Test trigger event","startTime":"2024-05-06T17:00:00.000Z","endTime":"2024-05-06T17:00:00.000Z","attendees":[{"email":"jdoe@example.com","name":"John Doe","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}],"organizer":{"name":"Cal","email":"no-reply@cal.com","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}}}"#;
    let event = parse_signed(body);
    assert_eq!(event.trigger(), "PING");
    let WebhookEvent::Ping(d) = event else { panic!("expected Ping") };
    assert_eq!(d.payload.r#type, "Test");
    assert_eq!(d.payload.title, "Test trigger event");
    assert_eq!(d.payload.organizer.email, "no-reply@cal.com");
    assert_eq!(d.payload.attendees[0].name.as_deref(), Some("John Doe"));
    assert_eq!(d.payload.start_time, utc(2024, 5, 6, 17, 0, 0));
    assert_eq!(d.payload.uid, None);
    assert_eq!(d.payload.status, None);
    assert_eq!(d.created_at, Some(utc(2024, 5, 6, 17, 0, 0)));
}

#[test]
fn a_delivery_without_created_at_still_decodes() {
    let body =
        r#"{"triggerEvent":"BOOKING_NO_SHOW_UPDATED","payload":{"message":"m","bookingUid":"u","attendees":[]}}"#;
    let WebhookEvent::BookingNoShowUpdated(d) = parse_signed(body) else { panic!("expected BookingNoShowUpdated") };
    assert_eq!(d.created_at, None);
    assert!(d.extra.is_empty());
}

#[test]
fn an_unknown_status_is_kept_not_an_error() {
    let body = BOOKING_CREATED.replace(r#""status": "ACCEPTED""#, r#""status": "PARKED""#);
    assert_ne!(body, BOOKING_CREATED);
    let WebhookEvent::BookingCreated(d) = parse_signed(&body) else { panic!("expected BookingCreated") };
    let status = d.payload.status.expect("status");
    assert_eq!(status.as_str(), "PARKED");
    assert!(matches!(status, WebhookBookingStatus::Unknown(_)));
}

#[test]
fn an_unknown_trigger_keeps_the_trigger_and_the_raw_body() {
    let body = r#"{"triggerEvent":"BOOKING_TELEPORTED","createdAt":"2024-05-06T18:00:00.000Z","payload":{"from":"London","to":"Mars","startTime":42}}"#;
    let event = parse_signed(body);
    assert_eq!(event.trigger(), "BOOKING_TELEPORTED");
    let WebhookEvent::Unknown { trigger, body: value } = event else { panic!("expected Unknown") };
    assert_eq!(trigger, "BOOKING_TELEPORTED");
    let expected: serde_json::Value = serde_json::from_str(body).expect("test body is JSON");
    assert_eq!(value, expected, "the whole body, wrapper included");
    assert_eq!(value["payload"]["to"], json!("Mars"));
}

#[test]
fn a_wrong_typed_start_time_reports_its_json_path() {
    let body = BOOKING_CREATED.replace(r#""startTime": "2024-05-06T09:00:00Z""#, r#""startTime": 42"#);
    assert_ne!(body, BOOKING_CREATED);
    let event = parse_signed(&body);
    let WebhookEvent::Malformed(m) = &event else { panic!("expected Malformed, got {event:?}") };
    let display = m.error.to_string();
    assert_eq!(m.created_at, Some(utc_ms(2024, 5, 1, 10, 0, 0, 123)), "createdAt is kept");
    assert_eq!(m.payload().and_then(|p| p.get("startTime")), Some(&json!(42)), "the raw payload is kept");
    let (trigger, path, message) = malformed(event);
    assert_eq!(trigger, "BOOKING_CREATED");
    assert_eq!(path, "payload.startTime");
    assert!(!message.is_empty());
    assert!(display.contains("payload.startTime"), "Display names the path: {display}");
}

#[test]
fn a_wrong_typed_organizer_email_reports_its_json_path() {
    let body = BOOKING_CREATED.replace(r#""email": "ada@example.com""#, r#""email": 7"#);
    assert_ne!(body, BOOKING_CREATED);
    let (trigger, path, message) = malformed(parse_signed(&body));
    assert_eq!(trigger, "BOOKING_CREATED");
    assert_eq!(path, "payload.organizer.email");
    assert!(message.contains("invalid type"), "{message}");
}

#[test]
fn a_wrong_typed_field_in_a_list_reports_the_index() {
    let body = BOOKING_CREATED.replace(r#""locale": "fr""#, r#""locale": ["fr"]"#);
    assert_ne!(body, BOOKING_CREATED);
    let (_, path, _) = malformed(parse_signed(&body));
    assert_eq!(path, "payload.attendees[0].language.locale");
    // In a map, the key is part of the path.
    let body = BOOKING_CREATED.replace(r#""isHidden": true"#, r#""isHidden": "yes""#);
    assert_ne!(body, BOOKING_CREATED);
    let (_, path, _) = malformed(parse_signed(&body));
    assert_eq!(path, "payload.responses.guests.isHidden");
}

#[test]
fn a_wrong_typed_id_in_a_flat_meeting_reports_path_id() {
    let body = r#"{"triggerEvent":"MEETING_STARTED","id":"101","uid":"bk_7Hd9aQ2","title":"t","startTime":"2024-05-06T09:00:00.000Z","endTime":"2024-05-06T09:30:00.000Z"}"#;
    let (trigger, path, _) = malformed(parse_signed(body));
    assert_eq!(trigger, "MEETING_STARTED");
    assert_eq!(path, "id");
    // And a nested field of a flat body has no `payload.` prefix either.
    let body = r#"{"triggerEvent":"MEETING_ENDED","id":101,"uid":"bk_7Hd9aQ2","title":"t","startTime":"2024-05-06T09:00:00.000Z","endTime":"2024-05-06T09:30:00.000Z","attendees":{"not":"a list"}}"#;
    let (trigger, path, _) = malformed(parse_signed(body));
    assert_eq!(trigger, "MEETING_ENDED");
    assert_eq!(path, "attendees");
}

#[test]
fn a_delivery_without_payload_is_a_payload_error() {
    let body = r#"{"triggerEvent":"BOOKING_CREATED","createdAt":"2024-05-01T10:00:00.000Z"}"#;
    let (trigger, path, message) = malformed(parse_signed(body));
    assert_eq!(trigger, "BOOKING_CREATED");
    assert_eq!(path, "payload");
    assert!(message.contains("payload"), "{message}");
}

#[test]
fn json_without_a_trigger_is_missing_trigger() {
    for body in [
        r#"{"createdAt":"2024-05-01T10:00:00.000Z","payload":{"type":"Test"}}"#,
        r#"{"triggerEvent":42,"payload":{}}"#,
        r#"{"triggerEvent":null,"payload":{}}"#,
        r#"[{"triggerEvent":"PING"}]"#,
        r#""PING""#,
    ] {
        let e = parse_signed_err(body);
        assert!(matches!(e, WebhookError::MissingTrigger), "{body}: got {e:?}");
        assert!(!e.is_unauthenticated());
    }
}

#[test]
fn a_custom_template_body_in_plain_text_is_available_as_bytes() {
    // A custom payload template that does not render JSON is sent as form-urlencoded text.
    let body = b"event=BOOKING_CREATED&title=30%20min%20meeting&attendee=grace%40example.com";
    let signature = sign(body, SECRET);
    let verified = webhooks::verify(body, Some(&signature), SECRET).expect("signed like any other delivery");
    assert_eq!(verified.bytes(), body);
    assert!(std::ptr::eq(verified.bytes(), &body[..]), "the very bytes given, not a copy");
    assert!(matches!(verified.parse(), Err(WebhookError::NotJson(_))));
}
