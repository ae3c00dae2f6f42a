//! Receiving Cal.com webhooks: verify the signature, then decode the event. (Hand-written;
//! the event enum and payload models are generated from the spec.)
//!
//! Cal.com signs each delivery with HMAC-SHA256 of the exact body bytes, keyed with the
//! webhook's secret, and sends the lowercase hex digest in `X-Cal-Signature-256`. Nothing is
//! decoded before the signature checks out.
//!
//! ```no_run
//! use calcom::webhooks::{self, WebhookEvent};
//!
//! fn handle(body: &[u8], signature: Option<&str>, secret: &str) -> Result<(), webhooks::WebhookError> {
//!     match webhooks::verify_and_parse(body, signature, secret)? {
//!         WebhookEvent::BookingCreated(delivery) => println!("booked: {}", delivery.payload.title),
//!         WebhookEvent::Unknown { trigger, .. } => println!("not handled: {trigger}"),
//!         other => println!("{}", other.trigger()),
//!     }
//!     Ok(())
//! }
//! ```
//!
//! Cal.com does not put a timestamp or delivery id in its signature, so a captured delivery can
//! be replayed: make handlers idempotent (for example keyed on the booking `uid` and trigger).

use std::collections::BTreeMap;
use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde::de::DeserializeOwned;
use sha2::Sha256;

pub use crate::generated::webhooks::WebhookEvent;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "x-cal-signature-256";

/// What Cal.com sends in the signature header when the webhook has no secret.
pub const NO_SECRET_PROVIDED: &str = "no-secret-provided";

/// Why a delivery was refused: the first five are about the signature (answer 401), the rest
/// about a verified body that cannot be decoded (answer 400).
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookError {
    /// The secret given to the verifier is empty.
    EmptySecret,
    /// The request has no `X-Cal-Signature-256` header.
    MissingSignature,
    /// The header says `no-secret-provided`: the webhook has no secret in Cal.com, so nothing
    /// proves the request comes from Cal.com. Set a secret on the webhook.
    NoSecretProvided,
    /// The header is not a hex SHA-256 digest (64 hex digits); an empty header is malformed too.
    MalformedSignature(&'static str),
    /// The signature does not match the body and the secret.
    InvalidSignature,
    /// The verified body is not a JSON object (a custom payload template can make it anything:
    /// use [`VerifiedBody::bytes`] for those).
    NotJson(serde_json::Error),
    /// The verified JSON body has no string `triggerEvent`.
    MissingTrigger,
    /// The body of a known trigger does not have the documented shape.
    Payload {
        /// The `triggerEvent`.
        trigger: String,
        /// JSON path of the value at fault, e.g. `payload.organizer.email`.
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

impl WebhookError {
    /// Whether the request failed verification (answer 401) rather than decoding (answer 400).
    pub fn is_unauthenticated(&self) -> bool {
        matches!(
            self,
            WebhookError::EmptySecret
                | WebhookError::MissingSignature
                | WebhookError::NoSecretProvided
                | WebhookError::MalformedSignature(_)
                | WebhookError::InvalidSignature
        )
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::EmptySecret => f.write_str("the webhook secret to verify with is empty"),
            WebhookError::MissingSignature => write!(f, "the request has no {SIGNATURE_HEADER} header"),
            WebhookError::NoSecretProvided => f.write_str(
                "the webhook has no secret in Cal.com (`no-secret-provided`): set one so deliveries can be verified",
            ),
            WebhookError::MalformedSignature(why) => write!(f, "malformed {SIGNATURE_HEADER} header: {why}"),
            WebhookError::InvalidSignature => f.write_str("the webhook signature does not match the body"),
            WebhookError::NotJson(e) => write!(f, "the webhook body is not a JSON object: {e}"),
            WebhookError::MissingTrigger => f.write_str("the webhook body has no `triggerEvent`"),
            WebhookError::Payload { trigger, path, message } if path.is_empty() => {
                write!(f, "the {trigger} webhook body does not match at its top level: {message}")
            }
            WebhookError::Payload { trigger, path, message } => {
                write!(f, "the {trigger} webhook body does not match at `{path}`: {message}")
            }
        }
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebhookError::NotJson(e) => Some(e),
            _ => None,
        }
    }
}

/// A body whose signature checked out. Only a `VerifiedBody` can be decoded.
#[derive(Debug, Clone, Copy)]
pub struct VerifiedBody<'a>(&'a [u8]);

impl<'a> VerifiedBody<'a> {
    /// The body as received: for webhooks with a custom payload template, whose format is yours.
    pub fn bytes(&self) -> &'a [u8] {
        self.0
    }

    /// Decodes the event.
    pub fn parse(&self) -> Result<WebhookEvent, WebhookError> {
        let value: serde_json::Value = serde_json::from_slice(self.0).map_err(WebhookError::NotJson)?;
        let trigger =
            value.get("triggerEvent").and_then(|t| t.as_str()).ok_or(WebhookError::MissingTrigger)?.to_owned();
        WebhookEvent::decode(&trigger, value)
    }
}

/// Checks `signature` (the `X-Cal-Signature-256` header value, if the request had one) against
/// the HMAC-SHA256 of `body` keyed with `secret`, in constant time.
///
/// Hex digits are accepted in either case: Cal.com sends lowercase, and the digest's bytes, not
/// its spelling, are what is compared, so accepting uppercase costs no security and keeps a
/// proxy that changes case from breaking deliveries.
pub fn verify<'a>(
    body: &'a [u8],
    signature: Option<&str>,
    secret: impl AsRef<[u8]>,
) -> Result<VerifiedBody<'a>, WebhookError> {
    let secret = secret.as_ref();
    if secret.is_empty() {
        return Err(WebhookError::EmptySecret);
    }
    let signature = signature.map(str::trim).ok_or(WebhookError::MissingSignature)?;
    if signature == NO_SECRET_PROVIDED {
        return Err(WebhookError::NoSecretProvided);
    }
    let expected = decode_hex(signature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| WebhookError::EmptySecret)?;
    mac.update(body);
    mac.verify_slice(&expected).map_err(|_| WebhookError::InvalidSignature)?;
    Ok(VerifiedBody(body))
}

/// [`verify`], then [`VerifiedBody::parse`].
pub fn verify_and_parse(
    body: &[u8],
    signature: Option<&str>,
    secret: impl AsRef<[u8]>,
) -> Result<WebhookEvent, WebhookError> {
    verify(body, signature, secret)?.parse()
}

fn decode_hex(text: &str) -> Result<[u8; 32], WebhookError> {
    if text.len() != 64 {
        return Err(WebhookError::MalformedSignature("expected 64 hex digits"));
    }
    let mut out = [0u8; 32];
    for (i, pair) in text.as_bytes().chunks_exact(2).enumerate() {
        let hi = hex_digit(pair[0]).ok_or(WebhookError::MalformedSignature("not hexadecimal"))?;
        let lo = hex_digit(pair[1]).ok_or(WebhookError::MalformedSignature("not hexadecimal"))?;
        out[i] = (hi << 4) | lo;
    }
    Ok(out)
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The usual webhook body: `{"triggerEvent", "createdAt", "payload"}`, decoded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Delivery<P> {
    /// When Cal.com sent it (`createdAt`), if present and readable.
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The event's payload.
    pub payload: P,
    /// Every other top-level field. FORM_SUBMITTED copies each form answer here
    /// (`"name": "Ada"` beside `triggerEvent`).
    pub extra: BTreeMap<String, serde_json::Value>,
}

fn payload_error(trigger: &str, path: String, message: String) -> WebhookError {
    WebhookError::Payload { trigger: trigger.to_owned(), path, message }
}

fn decode_at<T: DeserializeOwned>(trigger: &str, prefix: &str, value: serde_json::Value) -> Result<T, WebhookError> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let inner = e.path().to_string();
        let path = match (prefix, inner.as_str()) {
            (p, ".") => p.to_owned(),
            ("", i) => i.to_owned(),
            (p, i) if i.starts_with('[') => format!("{p}{i}"),
            (p, i) => format!("{p}.{i}"),
        };
        payload_error(trigger, path, e.into_inner().to_string())
    })
}

/// Decodes a wrapped body into a [`Delivery`].
pub(crate) fn decode_delivery<P: DeserializeOwned>(body: serde_json::Value) -> Result<Delivery<P>, WebhookError> {
    let serde_json::Value::Object(mut map) = body else {
        return Err(WebhookError::MissingTrigger);
    };
    let trigger = map.remove("triggerEvent").and_then(|t| t.as_str().map(str::to_owned)).unwrap_or_default();
    let payload = map
        .remove("payload")
        .ok_or_else(|| payload_error(&trigger, "payload".to_owned(), "missing field `payload`".to_owned()))?;
    let payload = decode_at(&trigger, "payload", payload)?;
    let created_at = map.remove("createdAt").and_then(|v| serde_json::from_value(v).ok());
    Ok(Delivery { created_at, payload, extra: map.into_iter().collect() })
}

/// Decodes a flat body (the payload's fields beside `triggerEvent`).
pub(crate) fn decode_flat<P: DeserializeOwned>(body: serde_json::Value) -> Result<P, WebhookError> {
    let trigger = body.get("triggerEvent").and_then(|t| t.as_str()).unwrap_or_default().to_owned();
    decode_at(&trigger, "", body)
}

/// An [axum](https://docs.rs/axum) extractor that accepts only genuine Cal.com webhooks.
/// (Cargo feature `axum`.)
///
/// It reads the body, verifies `X-Cal-Signature-256` with the secret from the router's state
/// (any state `S` from which a [`WebhookSecret`](crate::webhooks::axum::WebhookSecret) can be taken), and decodes the event. A bad or
/// missing signature is answered `401 Unauthorized`, a verified body that does not decode
/// `400 Bad Request`; the handler runs only for good deliveries.
///
/// ```no_run
/// use axum::{Router, routing::post};
/// use calcom::webhooks::{WebhookEvent, axum::{Webhook, WebhookSecret}};
///
/// async fn receive(Webhook(event): Webhook) {
///     if let WebhookEvent::BookingCreated(d) = event {
///         println!("new booking: {}", d.payload.title);
///     }
/// }
///
/// let app: Router = Router::new()
///     .route("/cal/webhooks", post(receive))
///     .with_state(WebhookSecret::new("whsec-from-cal"));
/// ```
#[cfg(feature = "axum")]
pub mod axum {
    use std::sync::Arc;

    use axum::body::Bytes;
    use axum::extract::{FromRef, FromRequest, Request};
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};

    use super::{SIGNATURE_HEADER, WebhookError, WebhookEvent};

    /// The webhook's secret, kept in the router state. Its `Debug` output hides it.
    #[derive(Clone)]
    pub struct WebhookSecret(Arc<[u8]>);

    impl WebhookSecret {
        /// The secret set on the webhook in Cal.com.
        pub fn new(secret: impl AsRef<[u8]>) -> Self {
            WebhookSecret(Arc::from(secret.as_ref()))
        }
    }

    impl std::fmt::Debug for WebhookSecret {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("WebhookSecret([redacted])")
        }
    }

    /// A verified, decoded Cal.com webhook event.
    #[derive(Debug, Clone)]
    pub struct Webhook(pub WebhookEvent);

    /// Why the extractor refused a request: 401 for the signature, 400 for the body.
    #[derive(Debug)]
    pub struct WebhookRejection(pub WebhookError);

    impl IntoResponse for WebhookRejection {
        fn into_response(self) -> Response {
            let status = if self.0.is_unauthenticated() { StatusCode::UNAUTHORIZED } else { StatusCode::BAD_REQUEST };
            (status, self.0.to_string()).into_response()
        }
    }

    impl<S> FromRequest<S> for Webhook
    where
        S: Send + Sync,
        WebhookSecret: FromRef<S>,
    {
        type Rejection = Response;

        async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
            let secret = WebhookSecret::from_ref(state);
            let signature = req.headers().get(SIGNATURE_HEADER).map(|v| v.to_str().map(str::to_owned));
            let signature = match signature {
                Some(Ok(s)) => Some(s),
                Some(Err(_)) => {
                    return Err(WebhookRejection(WebhookError::MalformedSignature("not ASCII")).into_response());
                }
                None => None,
            };
            let body = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
            super::verify_and_parse(&body, signature.as_deref(), &*secret.0)
                .map(Webhook)
                .map_err(|e| WebhookRejection(e).into_response())
        }
    }
}
