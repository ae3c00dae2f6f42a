//! Webhook deliveries as Cal.com sends them, for testing a webhook handler: typed events
//! built from the spec's examples (one function per trigger, generated), the body Cal.com
//! POSTs, and its signature ([`crate::webhooks::sign`], the exact inverse of
//! [`verify`](crate::webhooks::verify)).
//!
//! ```
//! use calcom::mock::webhooks;
//! use calcom::webhooks::{WebhookEvent, verify_and_parse};
//!
//! let delivery = webhooks::booking_created().with(|b| b.title = "Intro call".to_owned());
//! let (body, signature) = (delivery.body(), delivery.signature("whsec"));
//! match verify_and_parse(&body, Some(&signature), "whsec").unwrap() {
//!     WebhookEvent::BookingCreated(d) => assert_eq!(d.payload.title, "Intro call"),
//!     other => panic!("{other:?}"),
//! }
//! // A forged delivery: signed with another secret.
//! assert!(verify_and_parse(&body, Some(&delivery.signature("guess")), "whsec").is_err());
//! ```
//!
//! With a server running (an axum app with [`Webhook`](crate::webhooks::axum::Webhook) bound
//! on `127.0.0.1`, say), [`WebhookDelivery::post`] sends the delivery to it as Cal.com would.

use serde::Serialize;

use crate::decode::FromJson;

pub use crate::generated::mock::webhook_events::*;

/// One delivery of a webhook event: its trigger, `createdAt`, payload and any extra top-level
/// fields; [`body`](Self::body) writes it as Cal.com sends it.
#[derive(Debug, Clone)]
pub struct WebhookDelivery<P> {
    trigger: String,
    created_at: chrono::DateTime<chrono::Utc>,
    payload: P,
    flat: bool,
    extra: Vec<(String, serde_json::Value)>,
}

impl<P: Serialize> WebhookDelivery<P> {
    /// A delivery of `trigger` with `payload`, in the usual body
    /// (`{"triggerEvent", "createdAt", "payload"}`), created now.
    pub fn new(trigger: impl Into<String>, payload: P) -> Self {
        WebhookDelivery {
            trigger: trigger.into(),
            created_at: chrono::Utc::now(),
            payload,
            flat: false,
            extra: Vec::new(),
        }
    }

    /// A delivery whose payload is the spec's example (generated code).
    pub(crate) fn example(trigger: &str, flat: bool, example: &str) -> Self
    where
        P: FromJson,
    {
        let payload = crate::decode::from_slice(example.as_bytes()).unwrap_or_else(|e| {
            panic!("calcom mock: the generated example payload of {trigger} does not decode: {e} (a generator bug)")
        });
        WebhookDelivery { flat, ..WebhookDelivery::new(trigger, payload) }
    }

    /// The payload.
    pub fn payload(&self) -> &P {
        &self.payload
    }

    /// The payload, to change it.
    pub fn payload_mut(&mut self) -> &mut P {
        &mut self.payload
    }

    /// Changes the payload: `booking_created().with(|b| b.title = "Intro".into())`.
    pub fn with(mut self, change: impl FnOnce(&mut P)) -> Self {
        change(&mut self.payload);
        self
    }

    /// Sets `createdAt` (now, unless set).
    pub fn created_at(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.created_at = at;
        self
    }

    /// Adds a top-level field beside `triggerEvent` (FORM_SUBMITTED copies each answer there).
    pub fn extra(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.extra.push((key.into(), value));
        self
    }

    /// The trigger (`BOOKING_CREATED`).
    pub fn trigger(&self) -> &str {
        &self.trigger
    }

    /// The body Cal.com POSTs: `{"triggerEvent", "createdAt", "payload", ...}`, or for flat
    /// events (`MEETING_STARTED`, `MEETING_ENDED`) the payload's fields beside `triggerEvent`.
    pub fn body(&self) -> Vec<u8> {
        let mut fields: Vec<(String, serde_json::Value)> =
            vec![("triggerEvent".to_owned(), serde_json::Value::String(self.trigger.clone()))];
        let payload = serde_json::to_value(&self.payload).unwrap_or_else(|e| {
            panic!("calcom mock: the payload of a {} delivery does not serialize: {e}", self.trigger)
        });
        match payload {
            serde_json::Value::Object(map) if self.flat => fields.extend(map),
            payload => {
                let at = self.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                fields.push(("createdAt".to_owned(), serde_json::Value::String(at)));
                fields.push(("payload".to_owned(), payload));
            }
        }
        fields.extend(self.extra.iter().cloned());
        // Written by hand to keep Cal.com's key order (`triggerEvent` first).
        let mut body = b"{".to_vec();
        for (i, (key, value)) in fields.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            body.extend_from_slice(serde_json::Value::String(key.clone()).to_string().as_bytes());
            body.push(b':');
            body.extend_from_slice(value.to_string().as_bytes());
        }
        body.push(b'}');
        body
    }

    /// The `X-Cal-Signature-256` value of [`body`](Self::body) for a webhook with `secret`.
    ///
    /// # Panics
    ///
    /// When `secret` is empty (Cal.com then sends `no-secret-provided` instead of a signature).
    pub fn signature(&self, secret: impl AsRef<[u8]>) -> String {
        crate::webhooks::sign(&self.body(), secret).expect("calcom mock: a webhook secret to sign with is not empty")
    }

    /// POSTs the delivery to `url` as Cal.com does: the body, `Content-Type: application/json`
    /// and `X-Cal-Signature-256` signed with `secret`. Returns the receiver's answer.
    pub async fn post(&self, url: &str, secret: impl AsRef<[u8]>) -> reqwest::Result<reqwest::Response> {
        let signature = self.signature(secret);
        self.post_with_signature(url, Some(&signature)).await
    }

    /// POSTs the delivery with this signature header (`None`: without one), to test forged,
    /// malformed or unsigned deliveries.
    pub async fn post_with_signature(&self, url: &str, signature: Option<&str>) -> reqwest::Result<reqwest::Response> {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
        let mut request = client.post(url).header(reqwest::header::CONTENT_TYPE, "application/json").body(self.body());
        if let Some(signature) = signature {
            request = request.header(crate::webhooks::SIGNATURE_HEADER, signature);
        }
        request.send().await
    }
}
