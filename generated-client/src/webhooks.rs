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

use crate::decode::FromJson;
use sha2::Sha256;

pub use crate::generated::webhooks::WebhookEvent;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "x-cal-signature-256";

/// What Cal.com sends in the signature header when the webhook has no secret.
pub const NO_SECRET_PROVIDED: &str = "no-secret-provided";

/// Why a delivery was refused: the first five are about the signature (answer 401), the rest
/// about a verified body that is not a Cal.com delivery at all (answer 400). A delivery of a
/// known trigger whose payload does not decode is not an error: it is
/// [`WebhookEvent::Malformed`].
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
    NotJson(crate::decode::JsonError),
    /// The verified JSON body has no string `triggerEvent`.
    MissingTrigger,
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

    /// Decodes the event. A known trigger whose payload does not have the documented shape is
    /// [`WebhookEvent::Malformed`], not an error: Cal.com sent it, and the handler decides.
    pub fn parse(&self) -> Result<WebhookEvent, WebhookError> {
        let head = read_head(self.0)?;
        Ok(match WebhookEvent::decode(&head.trigger, self.0) {
            Ok(event) => event,
            Err(error) => WebhookEvent::Malformed(Box::new(MalformedEvent {
                trigger: head.trigger,
                created_at: head.created_at,
                // The body is a JSON object (`read_head` read it), so this cannot fail.
                body: crate::decode::from_slice(self.0).unwrap_or_default(),
                error,
            })),
        })
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
    keyed_mac(secret, body)?.verify_slice(&expected).map_err(|_| WebhookError::InvalidSignature)?;
    Ok(VerifiedBody(body))
}

/// The HMAC-SHA256 of `body` keyed with `secret`, as Cal.com computes a signature: what
/// [`verify`] checks, and what the test kit's signing writes out.
fn keyed_mac(secret: &[u8], body: &[u8]) -> Result<Hmac<Sha256>, WebhookError> {
    if secret.is_empty() {
        return Err(WebhookError::EmptySecret);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| WebhookError::EmptySecret)?;
    mac.update(body);
    Ok(mac)
}

/// The `X-Cal-Signature-256` value Cal.com sends with `body` for a webhook whose secret is
/// `secret`: the lowercase hex HMAC-SHA256 of the body's bytes. The exact inverse of
/// [`verify`], for tests (cargo feature `test-util`); an empty secret is
/// [`WebhookError::EmptySecret`], as in `verify` (Cal.com sends [`NO_SECRET_PROVIDED`] then).
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub fn sign(body: &[u8], secret: impl AsRef<[u8]>) -> Result<String, WebhookError> {
    let digest = keyed_mac(secret.as_ref(), body)?.finalize().into_bytes();
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
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

/// A delivery of a trigger the client knows, whose body does not have the documented shape
/// (a field of another type than Cal.com's documented one, a missing field). Nothing is lost:
/// the whole body is here, with where and why decoding failed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MalformedEvent {
    /// The `triggerEvent`.
    pub trigger: String,
    /// When Cal.com sent it (`createdAt`), if present and readable.
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The whole body, as sent.
    pub body: serde_json::Value,
    /// Why it did not decode; [`JsonError::path`](crate::decode::JsonError::path) names the
    /// value at fault (`payload.organizer.email`).
    pub error: crate::decode::JsonError,
}

impl MalformedEvent {
    /// The body's `payload`, as sent (absent for flat events).
    pub fn payload(&self) -> Option<&serde_json::Value> {
        self.body.get("payload")
    }
}

/// What every delivery has at its top level.
struct Head {
    trigger: String,
    created_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Reads `triggerEvent` and `createdAt` (skipping the rest).
fn read_head(body: &[u8]) -> Result<Head, WebhookError> {
    let mut trigger: Option<serde_json::Value> = None;
    let mut created_at: Option<serde_json::Value> = None;
    let mut r = crate::decode::Reader::new(body);
    let read = r
        .read_object("a JSON object", &["triggerEvent", "createdAt"], &mut [&mut trigger, &mut created_at])
        .and_then(|()| r.finish());
    if let Err(e) = read {
        // JSON that is not an object has no trigger; anything else is not JSON.
        return Err(match crate::decode::from_slice::<serde_json::Value>(body) {
            Ok(_) => WebhookError::MissingTrigger,
            Err(_) => WebhookError::NotJson(e),
        });
    }
    let trigger = match trigger {
        Some(serde_json::Value::String(t)) => t,
        _ => return Err(WebhookError::MissingTrigger),
    };
    let created_at = created_at.as_ref().and_then(|v| v.as_str()).and_then(|t| t.parse().ok());
    Ok(Head { trigger, created_at })
}

/// Decodes a wrapped body into a [`Delivery`].
pub(crate) fn decode_delivery<P: crate::decode::FromJson>(
    body: &[u8],
) -> Result<Delivery<P>, crate::decode::JsonError> {
    let mut payload: Option<P> = None;
    let mut created_at: Option<serde_json::Value> = None;
    let mut extra = BTreeMap::new();
    let mut r = crate::decode::Reader::new(body);
    r.entries("a webhook body", &mut |r, key| {
        match key {
            "payload" => payload = Some(P::from_json(r)?),
            "createdAt" => created_at = Some(serde_json::Value::from_json(r)?),
            "triggerEvent" => r.skip()?,
            other => {
                extra.insert(other.to_owned(), serde_json::Value::from_json(r)?);
            }
        }
        Ok(())
    })?;
    r.finish()?;
    let Some(payload) = payload else { return Err(crate::decode::missing("payload")) };
    let created_at = created_at.as_ref().and_then(|v| v.as_str()).and_then(|t| t.parse().ok());
    Ok(Delivery { created_at, payload, extra })
}

/// Decodes a flat body (the payload's fields beside `triggerEvent`).
pub(crate) fn decode_flat<P: crate::decode::FromJson>(body: &[u8]) -> Result<P, crate::decode::JsonError> {
    crate::decode::from_slice(body)
}

/// An [axum](https://docs.rs/axum) extractor that accepts only genuine Cal.com webhooks.
/// (Cargo feature `axum`.)
///
/// It reads the body, verifies `X-Cal-Signature-256` with the secret from the router's state
/// (any state `S` from which a [`WebhookSecret`](crate::webhooks::axum::WebhookSecret) can be taken), and decodes the event. A bad or
/// missing signature is answered `401 Unauthorized`; a verified body that is not a JSON object
/// with a `triggerEvent` `400 Bad Request`; a body over the limit `413 Payload Too Large`
/// (2 MiB by default, as axum's own; set it with
/// [`WebhookSecret::body_limit`](crate::webhooks::axum::WebhookSecret::body_limit): this
/// extractor reads the body itself, so axum's `DefaultBodyLimit` does not apply to it).
/// Every genuine delivery reaches the handler: one whose payload does not decode arrives as
/// [`WebhookEvent::Malformed`], so the handler can log it and
/// still answer 2xx (Cal.com does not retry failed deliveries, and may disable the webhook).
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

    use axum::extract::{FromRef, FromRequest, Request};
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};

    use super::{SIGNATURE_HEADER, WebhookError, WebhookEvent};

    /// The largest body the extractor reads unless told otherwise: 2 MiB, axum's default.
    pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

    /// The webhook's secret (and the largest body to accept), kept in the router state. Its
    /// `Debug` output hides the secret.
    #[derive(Clone)]
    pub struct WebhookSecret {
        secret: Arc<[u8]>,
        body_limit: usize,
    }

    impl WebhookSecret {
        /// The secret set on the webhook in Cal.com.
        pub fn new(secret: impl AsRef<[u8]>) -> Self {
            WebhookSecret { secret: Arc::from(secret.as_ref()), body_limit: DEFAULT_BODY_LIMIT }
        }

        /// The largest body to read, in bytes ([`DEFAULT_BODY_LIMIT`] unless set); a larger one
        /// is answered `413 Payload Too Large` without being read whole.
        pub fn body_limit(mut self, bytes: usize) -> Self {
            self.body_limit = bytes;
            self
        }
    }

    impl std::fmt::Debug for WebhookSecret {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("WebhookSecret")
                .field("secret", &"[redacted]")
                .field("body_limit", &self.body_limit)
                .finish()
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
            let body = axum::body::to_bytes(req.into_body(), secret.body_limit).await.map_err(|_| {
                let message = format!("the webhook body is larger than {} bytes", secret.body_limit);
                (StatusCode::PAYLOAD_TOO_LARGE, message).into_response()
            })?;
            super::verify_and_parse(&body, signature.as_deref(), &*secret.secret)
                .map(Webhook)
                .map_err(|e| WebhookRejection(e).into_response())
        }
    }
}
