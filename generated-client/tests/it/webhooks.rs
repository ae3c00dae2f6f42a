//! Receiving Cal.com webhooks without a server: the `X-Cal-Signature-256` check (against a
//! digest computed independently with openssl) and the order "verify, then decode". The
//! decoding of one realistic body per trigger event is in `webhooks_events.rs`, which shares
//! the signer and the helpers below.
//!
//! The bodies are written from the documented shapes (the "Webhooks" facts about Cal.com and
//! `spec/webhook_events.yaml`) and signed with a signer of this file's own, built on the `hmac`
//! and `sha2` crates directly and checked once against the openssl figure.

use calcom::webhooks::{self, NO_SECRET_PROVIDED, SIGNATURE_HEADER, WebhookError, WebhookEvent};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use hmac::{Hmac, KeyInit, Mac};
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
pub(crate) const KNOWN_BODY: &str = r#"{"triggerEvent":"PING","createdAt":"2024-05-01T10:00:00.000Z","payload":{"type":"Test","title":"Test trigger event"}}"#;
/// The webhook secret of every test here.
pub(crate) const SECRET: &str = "calcom-test-secret";
/// `printf '%s' "$BODY" | openssl dgst -sha256 -hmac 'calcom-test-secret'`
pub(crate) const KNOWN_DIGEST: &str = "d3b416815058d7f09153bf611303c432d7e2ad6fa279ec86419bf7a545cf705b";
/// Another secret, and the digest of the same body under it.
pub(crate) const OTHER_SECRET: &str = "another-secret";
/// `printf '%s' "$BODY" | openssl dgst -sha256 -hmac 'another-secret'`
pub(crate) const OTHER_SECRET_DIGEST: &str = "d56c079b5efe8aeb477275b4ea6cadceae6fbac7e0499e2a8dc5b9730a0c2a8a";

/// Cal.com's signer: lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the secret.
/// Written here on `hmac`/`sha2` directly, not through the code under test.
pub(crate) fn sign(body: &[u8], secret: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Signs `body` with [`SECRET`] and decodes it, panicking with the error if that fails.
pub(crate) fn parse_signed(body: &str) -> WebhookEvent {
    let signature = sign(body.as_bytes(), SECRET);
    match webhooks::verify_and_parse(body.as_bytes(), Some(&signature), SECRET) {
        Ok(event) => event,
        Err(e) => panic!("a correctly signed body should decode, got {e:?} ({e})"),
    }
}

/// Signs `body` with [`SECRET`] and returns the decoding error, panicking if it decodes.
pub(crate) fn parse_signed_err(body: &str) -> WebhookError {
    let signature = sign(body.as_bytes(), SECRET);
    match webhooks::verify_and_parse(body.as_bytes(), Some(&signature), SECRET) {
        Ok(event) => panic!("expected an error, got {event:?}"),
        Err(e) => e,
    }
}

/// The error of `verify(body, signature, secret)`, panicking if it verifies.
pub(crate) fn verify_err(body: &[u8], signature: Option<&str>, secret: &str) -> WebhookError {
    match webhooks::verify(body, signature, secret) {
        Ok(_) => panic!("expected verification to fail for signature {signature:?}"),
        Err(e) => e,
    }
}

/// A UTC instant, built field by field (not parsed with the code under test's parser).
pub(crate) fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single().expect("a valid instant")
}

/// [`utc`] plus milliseconds.
pub(crate) fn utc_ms(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: i64) -> DateTime<Utc> {
    utc(y, mo, d, h, mi, s) + TimeDelta::milliseconds(ms)
}

/// The `trigger`, error path and message of a delivery that did not decode, panicking on
/// anything else (such a delivery is an event, `Malformed`, never an error).
pub(crate) fn malformed(event: WebhookEvent) -> (String, String, String) {
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
