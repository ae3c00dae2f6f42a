//! A response as received, its envelope, and decoding it in one pass.

use crate::decode::{FromJson, JsonError, Reader, Slot};
use crate::error::{ApiError, DecodeError, DecodeErrorInner, Error, Result};
use crate::response::{PageInfo, Response};

/// A response as received.
pub(crate) struct RawResponse {
    pub(super) status: u16,
    pub(super) headers: reqwest::header::HeaderMap,
    /// The body as reqwest gave it (reference-counted: never copied).
    pub(super) body: bytes::Bytes,
}

impl RawResponse {
    fn request_id(&self) -> Option<String> {
        crate::headers::request_id(&self.headers).map(str::to_owned)
    }

    fn decode_error(&self, path: String, message: String) -> Error {
        Error::Decode(DecodeError::new(DecodeErrorInner {
            status: self.status,
            path,
            message,
            request_id: self.request_id(),
            body: crate::error::body_excerpt(&self.body),
        }))
    }

    fn json_error(&self, e: &JsonError) -> Error {
        self.decode_error(e.path(), e.message().to_owned())
    }

    /// An error status, as the matching [`Error`].
    pub(super) fn into_error(self) -> Error {
        let request_id = self.request_id();
        let error = ApiError::from_response(self.status, request_id, &self.body);
        match self.status {
            429 if crate::headers::is_rate_limiter(&self.headers) => Error::RateLimited {
                retry_after: crate::headers::server_wait(&self.headers).unwrap_or(crate::headers::DEFAULT_RETRY_AFTER),
                error,
            },
            498 => Error::TokenExpired(error),
            _ => Error::Api(error),
        }
    }

    /// A `2xx` whose envelope says `"status": "error"`, as the error it is.
    fn api_error(&self) -> Error {
        Error::Api(ApiError::from_response(self.status, self.request_id(), &self.body))
    }

    /// Whether the body is a JSON object whose `status` is `"error"` (looked at only when a
    /// body did not decode, or carries no value: a successful decode reads `status` itself).
    fn says_error(&self) -> bool {
        let mut status: Option<serde_json::Value> = None;
        let read = Reader::new(&self.body).read_object("an object", &["status"], &mut [&mut status]);
        read.is_ok() && status.as_ref().and_then(|s| s.as_str()) == Some("error")
    }

    /// A `2xx` whose envelope says `"status": "error"` is an error all the same.
    pub(super) fn check_envelope_status(&self) -> Result<()> {
        if self.says_error() { Err(self.api_error()) } else { Ok(()) }
    }

    /// Decodes the body, or its envelope's `data`, in one pass over the bytes. The envelope's
    /// keys may come in any order (`GET /v2/slots` sends `data` before `status`). A failure
    /// names the JSON path of the value at fault; a body that says `"status": "error"` is an
    /// [`Error::Api`] whatever else it holds.
    pub(super) fn decode<T: FromJson>(self, envelope: bool) -> Result<Response<T>> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(self.decode_error(String::new(), "the body is empty".to_owned()));
        }
        let mut value: Option<T> = None;
        let read = if envelope {
            read_envelope(&self.body, &mut value)
        } else {
            decode_whole(&self.body, &mut value).map(|()| Envelope::default())
        };
        let envelope = match read {
            Ok(envelope) => envelope,
            Err(e) if self.says_error() => {
                let _ = e;
                return Err(self.api_error());
            }
            Err(e) => return Err(self.json_error(&e)),
        };
        if envelope.error {
            return Err(self.api_error());
        }
        let value = match value {
            Some(value) => value,
            // As a missing field reads: `None` for an optional `data`, an error otherwise.
            None => match crate::decode::from_slice::<T>(b"null") {
                Ok(none) => none,
                Err(_) => return Err(self.json_error(&crate::decode::missing("data"))),
            },
        };
        Ok(Response { status: self.status, headers: self.headers, value, page: envelope.page })
    }
}

/// What an envelope says besides its `data`.
#[derive(Default)]
struct Envelope {
    /// `"status": "error"`.
    error: bool,
    page: Option<PageInfo>,
}

/// `{"status": "success", "data": ..., "pagination": ...}`, keys in any order: `data` goes to
/// `data` (one type-erased slot, so this is compiled once), `pagination` is kept.
fn read_envelope(body: &[u8], data: &mut dyn Slot) -> std::result::Result<Envelope, JsonError> {
    let mut r = Reader::new(body);
    let mut status: Option<serde_json::Value> = None;
    let mut page: Option<Option<PageInfo>> = None;
    r.read_object("a response envelope", &["status", "data", "pagination"], &mut [&mut status, data, &mut page])?;
    r.finish()?;
    Ok(Envelope { error: status.as_ref().and_then(|s| s.as_str()) == Some("error"), page: page.flatten() })
}

/// A body that is the value itself.
fn decode_whole(body: &[u8], value: &mut dyn Slot) -> std::result::Result<(), JsonError> {
    let mut r = Reader::new(body);
    value.fill(&mut r)?;
    r.finish()
}
