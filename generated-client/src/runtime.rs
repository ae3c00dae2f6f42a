//! What the generated code calls to send a request and read the answer. (Hand-written.)
//!
//! Generated request builders describe their operation with a constant [`Operation`] and fill a
//! [`Call`]; everything about HTTP (credentials, `cal-api-version`, the envelope, errors) is
//! decided here, once.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// The HTTP methods the API uses. (Copy and const-friendly, unlike `reqwest::Method`, so that
/// an operation's description can be a constant built with `const fn`s.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }

    /// Whether sending it twice does no more than sending it once (so it may be retried).
    fn is_idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Put | Method::Delete)
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.to_reqwest().as_str())
    }
}

use crate::client::Credentials;
use crate::decode::{FromJson, JsonError, Reader, Slot};
use crate::error::{ApiError, DecodeError, DecodeErrorInner, Error, Result};
use crate::response::{PageInfo, Response};
use crate::{ApiVersion, AuthMode, Client};

/// The future a request builder turns into with `.await`.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the spec says about one operation.
#[derive(Debug)]
pub(crate) struct Operation {
    /// `resource.path.method`, e.g. `orgs.teams.memberships.get`.
    pub(crate) name: &'static str,
    pub(crate) method: Method,
    /// The path template, e.g. `/v2/organizations/{orgId}`.
    pub(crate) path_template: &'static str,
    /// The credentials it accepts; empty when it takes none.
    pub(crate) auth: &'static [AuthMode],
    /// The `cal-api-version` it needs.
    pub(crate) api_version: Option<ApiVersion>,
    /// Whether the answer is `{"status": "success", "data": ...}`.
    pub(crate) envelope: bool,
    /// Whether a client without credentials may call it (then sending none).
    pub(crate) auth_optional: bool,
}

// A build with only some resource groups may leave some of these unused.
#[allow(dead_code)]
impl Operation {
    /// An operation with the usual settings, which the methods below change where it differs:
    /// the answer is enveloped, credentials are required, no `cal-api-version` is sent.
    const fn new(method: Method, path_template: &'static str) -> Self {
        Operation {
            name: "",
            method,
            path_template,
            auth: &[],
            api_version: None,
            envelope: true,
            auth_optional: false,
        }
    }

    /// Its name (`resource.path.method`), for logs and errors.
    pub(crate) const fn named(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }

    /// A `GET` operation.
    pub(crate) const fn get(path_template: &'static str) -> Self {
        Self::new(Method::Get, path_template)
    }

    /// A `POST` operation.
    pub(crate) const fn post(path_template: &'static str) -> Self {
        Self::new(Method::Post, path_template)
    }

    /// A `PUT` operation.
    pub(crate) const fn put(path_template: &'static str) -> Self {
        Self::new(Method::Put, path_template)
    }

    /// A `PATCH` operation.
    pub(crate) const fn patch(path_template: &'static str) -> Self {
        Self::new(Method::Patch, path_template)
    }

    /// A `DELETE` operation.
    pub(crate) const fn delete(path_template: &'static str) -> Self {
        Self::new(Method::Delete, path_template)
    }

    /// The credentials it accepts.
    pub(crate) const fn auth(mut self, auth: &'static [AuthMode]) -> Self {
        self.auth = auth;
        self
    }

    /// The `cal-api-version` it needs.
    pub(crate) const fn version(mut self, version: ApiVersion) -> Self {
        self.api_version = Some(version);
        self
    }

    /// A client without credentials may call it too.
    pub(crate) const fn auth_optional(mut self) -> Self {
        self.auth_optional = true;
        self
    }

    /// The answer is the value itself, not `{"status": "success", "data": ...}`.
    pub(crate) const fn no_envelope(mut self) -> Self {
        self.envelope = false;
        self
    }
}

/// A value that can be written into a path segment, a query string or a header.
pub(crate) trait ToParam {
    fn to_param(&self) -> String;
}

macro_rules! to_param_display {
    ($($t:ty),*) => { $( impl ToParam for $t { fn to_param(&self) -> String { self.to_string() } } )* };
}
to_param_display!(i64, i32, u64, u32, f64, bool, String, str, chrono::NaiveDate);

impl ToParam for chrono::DateTime<chrono::Utc> {
    fn to_param(&self) -> String {
        self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
}

/// Lists go comma-separated (`teamIds=1,2,3`), as Cal.com reads them.
impl<T: ToParam> ToParam for Vec<T> {
    fn to_param(&self) -> String {
        self.iter().map(ToParam::to_param).collect::<Vec<_>>().join(",")
    }
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> String {
        (**self).to_param()
    }
}

/// Characters kept as they are in a path segment: RFC 3986 unreserved. Everything else,
/// `/`, `.` sequences and `%` included, is percent-encoded, so a value stays inside its segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// A path parameter, percent-encoded for one segment. `.` is encoded too, so that `..` cannot
/// climb out of the segment.
pub(crate) fn encode_segment<T: ToParam + ?Sized>(value: &T) -> String {
    utf8_percent_encode(&value.to_param(), SEGMENT).to_string()
}

/// Deserializes a generated string enum: any string is accepted, unknown ones become `Unknown`.
pub(crate) fn deserialize_enum<'de, D, T>(deserializer: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: FromStr<Err = Infallible>,
{
    let value = <String as serde::Deserialize>::deserialize(deserializer)?;
    match value.parse() {
        Ok(v) => Ok(v),
        Err(never) => match never {},
    }
}

/// Decodes a generated string enum: any string is accepted, unknown ones become `Unknown`.
pub(crate) fn enum_from_json<T: FromStr<Err = Infallible>>(r: &mut Reader<'_>) -> std::result::Result<T, JsonError> {
    match r.str("a string")?.parse() {
        Ok(v) => Ok(v),
        Err(never) => match never {},
    }
}

/// What every resource handle and request builder carries: the client, and the per-request
/// settings a builder may change.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Base<'a> {
    pub(crate) client: &'a Client,
    pub(crate) options: RequestOptions,
}

impl Client {
    /// The starting point of every resource handle.
    pub(crate) fn base(&self) -> Base<'_> {
        Base { client: self, options: RequestOptions::default() }
    }
}

/// Per-request settings, set through the methods every request builder has.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RequestOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) retry_non_idempotent: Option<bool>,
    pub(crate) api_version: Option<ApiVersion>,
}

/// The future of a request: the shared, boxed sending, then the decoding of its answer (the
/// only step specific to `T`).
pub(crate) struct Sending<'a, T> {
    sending: BoxFuture<'a, Result<RawResponse>>,
    decode: fn(RawResponse) -> Result<Response<T>>,
}

impl<T> Future for Sending<'_, T> {
    type Output = Result<Response<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        let decode = self.decode;
        self.sending.as_mut().poll(cx).map(|raw| raw.and_then(decode))
    }
}

/// The future of a request sent with `.await` or `send()`: resolves to the decoded value.
///
/// Every request builder turns into one (`IntoFuture`); it is `Send` and can be stored or
/// spawned without boxing.
#[must_use = "futures do nothing unless polled"]
pub struct RequestFuture<'a, T>(Sending<'a, T>);

impl<'a, T> RequestFuture<'a, T> {
    pub(crate) fn new(sending: Sending<'a, T>) -> Self {
        RequestFuture(sending)
    }
}

impl<T> Future for RequestFuture<'_, T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map(|r| r.map(Response::into_value))
    }
}

impl<T> std::fmt::Debug for RequestFuture<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestFuture").finish_non_exhaustive()
    }
}

/// A part of a request path, as generated code writes it: literal text, or a placeholder with
/// the value that fills it.
pub(crate) enum PathPart<'v> {
    Lit(&'static str),
    Param(&'static str, &'v dyn ToParam),
}

/// One request being put together by a generated builder.
pub(crate) struct Call<'a> {
    client: &'a Client,
    op: &'static Operation,
    path: String,
    query: Vec<(&'static str, String)>,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    options: RequestOptions,
    /// The first problem met while building; reported by `send` before anything goes out.
    invalid: Option<String>,
}

/// A failed attempt: the error, and the wait the server asked for, if it did.
struct Failure {
    error: Error,
    server_wait: Option<Duration>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure { error, server_wait: None }
    }
}

/// The longest server-requested wait the client sleeps through before a retry; a longer one is
/// returned to the caller as the error.
const MAX_SERVER_WAIT: Duration = Duration::from_secs(60);
/// The first backoff; it doubles with each retry, up to [`MAX_BACKOFF`], with jitter.
const BASE_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(8);

impl<'a> Call<'a> {
    pub(crate) fn new(base: Base<'a>, op: &'static Operation) -> Self {
        let Base { client, options } = base;
        Call {
            client,
            op,
            path: String::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            options,
            invalid: None,
        }
    }

    /// Writes the path from its parts, each parameter percent-encoded into its own segment.
    /// `.` and `..` would be removed by URL normalisation whatever their encoding, and an empty
    /// value would merge two segments: such a request is refused before it is sent.
    pub(crate) fn path(&mut self, parts: &[PathPart<'_>]) {
        for part in parts {
            match part {
                PathPart::Lit(text) => self.path.push_str(text),
                PathPart::Param(name, value) => {
                    let raw = value.to_param();
                    if (raw.is_empty() || raw == "." || raw == "..") && self.invalid.is_none() {
                        self.invalid = Some(format!("path parameter `{name}` cannot be {raw:?}"));
                    }
                    self.path.push_str(&encode_segment(&raw));
                }
            }
        }
    }

    pub(crate) fn query<T: ToParam + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.query.push((name, value.to_param()));
    }

    pub(crate) fn query_opt<T: ToParam>(&mut self, name: &'static str, value: Option<&T>) {
        if let Some(v) = value {
            self.query(name, v);
        }
    }

    // Header parameters: no operation of the current spec has one, the generator emits calls
    // for those that do.
    #[allow(dead_code)]
    pub(crate) fn header<T: ToParam + ?Sized>(&mut self, name: &'static str, value: &T) {
        let value = value.to_param();
        if value.chars().any(|c| c == '\r' || c == '\n') && self.invalid.is_none() {
            self.invalid = Some(format!("the value of header `{name}` contains a line break"));
        }
        self.headers.push((name, value));
    }

    #[allow(dead_code)]
    pub(crate) fn header_opt<T: ToParam>(&mut self, name: &'static str, value: Option<&T>) {
        if let Some(v) = value {
            self.header(name, v);
        }
    }

    /// Sets the JSON body (type-erased, so the JSON writer is compiled once for all bodies).
    pub(crate) fn json(&mut self, body: &dyn erased_serde::Serialize) {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Some(bytes),
            Err(e) => {
                if self.invalid.is_none() {
                    self.invalid = Some(format!("the request body cannot be serialized: {e}"));
                }
            }
        }
    }

    /// Sends the request and decodes the answer (the envelope's `data`, or the whole body).
    ///
    /// The sending itself is one boxed, non-generic future shared by every operation; only the
    /// decoding step is specific to `T`. (An `async fn` here would compile a copy of the whole
    /// retry loop's state machine for each of the 230 response types.)
    pub(crate) fn send<T: FromJson>(self) -> Sending<'a, T> {
        let decode: fn(RawResponse) -> Result<Response<T>> =
            if self.op.envelope { |raw| raw.decode(true) } else { |raw| raw.decode(false) };
        Sending { sending: Box::pin(self.execute()), decode }
    }

    /// Sends the request; the answer carries no value.
    pub(crate) fn send_unit(self) -> Sending<'a, ()> {
        Sending {
            sending: Box::pin(self.execute()),
            decode: |raw| {
                raw.check_envelope_status()?;
                Ok(Response { status: raw.status, headers: raw.headers, value: (), page: None })
            },
        }
    }

    /// The credentials' headers for this operation, or why they cannot be sent.
    fn auth_headers(&self, creds: &Credentials) -> Result<Vec<(&'static str, String)>> {
        if self.op.auth.is_empty() {
            return Ok(Vec::new());
        }
        let Some(mode) = creds.mode() else {
            if self.op.auth_optional {
                return Ok(Vec::new());
            }
            return Err(Error::InvalidRequest(format!(
                "`{}` ({} {}) needs credentials ({}), and the client has none",
                self.op.name,
                self.op.method,
                self.op.path_template,
                modes(self.op.auth)
            )));
        };
        if !self.op.auth.contains(&mode) {
            return Err(Error::InvalidRequest(format!(
                "`{}` does not accept {} credentials; it accepts: {}",
                self.op.name,
                mode,
                modes(self.op.auth)
            )));
        }
        Ok(match creds {
            Credentials::None => Vec::new(),
            Credentials::ApiKey(s) | Credentials::AccessToken(s) => {
                vec![("authorization", format!("Bearer {}", s.expose()))]
            }
            Credentials::PlatformClient { client_id, secret_key } => {
                vec![("x-cal-client-id", client_id.clone()), ("x-cal-secret-key", secret_key.expose().to_owned())]
            }
        })
    }

    /// Sends the request, retrying what may be retried, and returns a successful answer.
    async fn execute(self) -> Result<RawResponse> {
        if let Some(problem) = &self.invalid {
            return Err(Error::InvalidRequest(problem.clone()));
        }
        let inner = &self.client.inner;
        let max_retries = self.options.max_retries.unwrap_or(inner.max_retries);
        let idempotent = self.op.method.is_idempotent();
        let may_retry = idempotent || self.options.retry_non_idempotent.unwrap_or(inner.retry_non_idempotent);
        let span = tracing::debug_span!(
            "calcom.request",
            operation = self.op.name,
            method = %self.op.method,
            path = self.op.path_template,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = std::time::Instant::now();
        // The whole call's budget: what the attempts took plus the waits between them (counted
        // as asked, so a replaced sleep function is measured the same way).
        let budget = self.options.deadline.or(inner.deadline);
        let mut spent = Duration::ZERO;
        let mut retries = 0;
        let mut refreshed = false;
        let mut attempt = 0u32;
        let result = loop {
            attempt += 1;
            span.record("attempt", attempt);
            let (creds, generation) = inner.credentials();
            let remaining = budget.map(|b| b.saturating_sub(spent));
            let attempt_started = std::time::Instant::now();
            let outcome = self.attempt(&creds, &span, remaining).await;
            spent += attempt_started.elapsed();
            let failure = match outcome {
                Ok(raw) => break Ok(raw),
                Err(f) => f,
            };
            // An expired access token: refresh once, then try again (not counted as a retry).
            if matches!(failure.error, Error::TokenExpired(_)) && inner.has_refresher() && !refreshed {
                refreshed = true;
                if let Err(e) = inner.refresh_token(generation).await {
                    break Err(e);
                }
                continue;
            }
            if !(may_retry && retries < max_retries && is_retryable(&failure.error)) {
                break Err(failure.error);
            }
            let wait = match failure.server_wait {
                Some(w) if w > MAX_SERVER_WAIT => break Err(failure.error),
                Some(w) => w,
                None => backoff(retries),
            };
            if let Some(budget) = budget
                && spent + wait >= budget
            {
                // Waiting would pass the call's deadline: fail now, saying how long the server
                // asked to wait.
                tracing::debug!(parent: &span, wait_ms = wait.as_millis() as u64, "calcom: the wait would pass the deadline");
                break Err(match failure.error {
                    Error::RateLimited { error, .. } => Error::RateLimited { retry_after: wait, error },
                    other => other,
                });
            }
            retries += 1;
            tracing::debug!(parent: &span, error = %failure.error, wait_ms = wait.as_millis() as u64, "calcom: retrying");
            inner.sleep(wait).await;
            spent += wait;
        };
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        result
    }

    /// One attempt: build, send, read the whole answer.
    /// `remaining` is what is left of the call's deadline, if it has one: the attempt's timeout
    /// never goes past it.
    async fn attempt(
        &self,
        creds: &Credentials,
        span: &tracing::Span,
        remaining: Option<Duration>,
    ) -> std::result::Result<RawResponse, Failure> {
        let auth = self.auth_headers(creds)?;
        let inner = &self.client.inner;
        let url = format!("{}{}", inner.base_url, self.path);
        let mut request = inner.http.request(self.op.method.to_reqwest(), &url);
        if !self.query.is_empty() {
            request = request.query(&self.query);
        }
        for (name, value) in auth.iter().chain(&self.headers) {
            request = request.header(*name, value);
        }
        if let Some(version) = self.options.api_version.or(self.op.api_version) {
            request = request.header("cal-api-version", version.as_str());
        }
        request = request.header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = &self.body {
            request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.clone());
        }
        let timeout = match (self.options.timeout, remaining) {
            (Some(t), Some(r)) => Some(t.min(r)),
            (t, r) => t.or(r),
        };
        if let Some(timeout) = timeout {
            request = request.timeout(timeout.max(Duration::from_millis(1)));
        }
        let mut response = request.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        span.record("status", status);
        let body = read_body(&mut response, inner.max_response_size).await?;
        let headers = std::mem::take(response.headers_mut());
        let raw = RawResponse { status, headers, body };
        // Redirects are never followed (they could carry credentials elsewhere); for an
        // operation whose answer is not JSON, the redirect is the answer.
        let redirect_is_answer = (300..400).contains(&status) && !self.op.envelope;
        if (200..300).contains(&status) || redirect_is_answer {
            Ok(raw)
        } else {
            // Cal.com sends its rate-limit headers on every answer; they say when to retry only
            // on a 429. A 503 may carry a Retry-After of its own.
            let server_wait = match status {
                429 => crate::headers::server_wait(&raw.headers),
                _ => crate::headers::retry_after(&raw.headers),
            };
            Err(Failure { error: raw.into_error(), server_wait })
        }
    }
}

/// Reads a whole body, refusing one over `limit` bytes before reading it (by its
/// `Content-Length`) or as soon as it passes the limit. A single chunk is kept as it came.
async fn read_body(response: &mut reqwest::Response, limit: u64) -> std::result::Result<bytes::Bytes, Failure> {
    let status = response.status().as_u16();
    let too_large = |size: Option<u64>| Failure::from(Error::ResponseTooLarge { status, limit, size });
    if let Some(size) = response.content_length().filter(|&size| size > limit) {
        return Err(too_large(Some(size)));
    }
    let mut chunks: Vec<bytes::Bytes> = Vec::new();
    let mut total: u64 = 0;
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        total = total.saturating_add(chunk.len() as u64);
        if total > limit {
            return Err(too_large(None));
        }
        chunks.push(chunk);
    }
    Ok(match chunks.len() {
        0 => bytes::Bytes::new(),
        1 => chunks.swap_remove(0),
        _ => chunks.concat().into(),
    })
}

fn is_retryable(error: &Error) -> bool {
    match error {
        Error::Timeout(_) | Error::RateLimited { .. } => true,
        // A connection cut while the answer was coming in is a transport failure like any other.
        Error::Transport(e) => e.is_connect() || e.is_request() || e.is_body() || e.is_decode(),
        // A 429 that is not the rate limiter's (see `is_rate_limiter`) is retried like a 503.
        Error::Api(e) => matches!(e.status(), 408 | 429 | 500 | 502 | 503 | 504),
        _ => false,
    }
}

/// Exponential backoff with jitter: about 0.5 s, 1 s, 2 s, ... up to 8 s, each scaled by a
/// random factor between 0.5 and 1 so that clients do not retry in step.
fn backoff(retry: u32) -> Duration {
    let exp = BASE_BACKOFF.saturating_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX)).min(MAX_BACKOFF);
    let jitter = 0.5 + 0.5 * random_fraction();
    exp.mul_f64(jitter)
}

/// A number in [0, 1) from the standard library's randomly seeded hasher (no RNG dependency).
fn random_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let bits = std::collections::hash_map::RandomState::new().build_hasher().finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

fn modes(list: &[AuthMode]) -> String {
    list.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
}

fn transport_error(e: reqwest::Error) -> Failure {
    Failure::from(if e.is_timeout() { Error::Timeout(e) } else { Error::Transport(e) })
}

/// A response as received.
pub(crate) struct RawResponse {
    status: u16,
    headers: reqwest::header::HeaderMap,
    /// The body as reqwest gave it (reference-counted: never copied).
    body: bytes::Bytes,
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
    fn into_error(self) -> Error {
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
    fn check_envelope_status(&self) -> Result<()> {
        if self.says_error() { Err(self.api_error()) } else { Ok(()) }
    }

    /// Decodes the body, or its envelope's `data`, in one pass over the bytes. The envelope's
    /// keys may come in any order (`GET /v2/slots` sends `data` before `status`). A failure
    /// names the JSON path of the value at fault; a body that says `"status": "error"` is an
    /// [`Error::Api`] whatever else it holds.
    fn decode<T: FromJson>(self, envelope: bool) -> Result<Response<T>> {
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

/// The stream of items a paginated request's `stream()` returns: boxed, so it is `Unpin` and
/// can be read with `try_next().await` without pinning it first.
pub type PageStream<'a, T> = Pin<Box<dyn futures_core::Stream<Item = Result<T>> + Send + 'a>>;

/// Every item of every page of a paginated operation, fetched one page at a time as the stream
/// is read. `page` builds the request for a page from the builder, an offset and a page size.
///
/// The stream ends after a page whose `pagination.hasNextPage` is false, or (without that
/// object) a page shorter than the page size, or once the offset reaches `totalItems`. So that a
/// misbehaving server cannot make it run forever, it also ends on an empty page and on a page
/// that brings no item not seen on an earlier page (by the item's `id` or `uid`, else its whole
/// text: a page sent again, two pages in turn, the same items with other metadata), each with a
/// `tracing` event; and after the client's [`max_pages`](crate::ClientBuilder::max_pages) it
/// yields [`Error::PageLimit`]. An error is yielded once, and ends the stream.
///
/// Only decoding and buffering depend on `T`; requesting pages and deciding when to stop is
/// [`Pager`], compiled once for all paginated operations.
// Unused only in builds with no group that has a paginated operation.
#[allow(dead_code)]
pub(crate) fn paginate<'a, B, T>(
    builder: B,
    start: i64,
    size: i64,
    page: fn(&B, i64, i64) -> Call<'a>,
) -> PageStream<'a, T>
where
    B: Send + Sync + 'a,
    T: FromJson + Send + 'a,
{
    let first = page(&builder, start.max(0), size.max(1));
    let max_pages = first.client.inner.max_pages;
    let pager = Pager {
        page: Box::new(move |offset, size| page(&builder, offset, size)),
        offset: start.max(0),
        size: size.max(1),
        seen: std::collections::HashSet::new(),
        pages: 0,
        max_pages,
        done: false,
    };
    drop(first);
    let state = (pager, std::collections::VecDeque::<T>::new());
    Box::pin(futures_util::stream::unfold(state, |(mut pager, mut buffer)| async move {
        loop {
            if let Some(item) = buffer.pop_front() {
                return Some((Ok(item), (pager, buffer)));
            }
            let decoded = match pager.next_page().await? {
                Ok(raw) => raw.decode::<Vec<T>>(true),
                Err(e) => Err(e),
            };
            match decoded {
                Ok(page) => {
                    pager.advance(page.value.len(), page.page.as_ref());
                    buffer.extend(page.value);
                }
                Err(e) => {
                    pager.done = true;
                    return Some((Err(e), (pager, buffer)));
                }
            }
        }
    }))
}

/// Where a paginated stream is: the next offset, the page size, the items seen so far.
struct Pager<'a> {
    page: Box<dyn Fn(i64, i64) -> Call<'a> + Send + Sync + 'a>,
    offset: i64,
    size: i64,
    /// The identities of the items of every page so far (see `decode::item_identities`).
    seen: std::collections::HashSet<u64>,
    pages: u32,
    max_pages: u32,
    done: bool,
}

#[allow(dead_code)]
impl<'a> Pager<'a> {
    /// The next page's answer; `None` when the stream is over (also when the page brings
    /// nothing new); `Error::PageLimit` past the page limit.
    fn next_page(&mut self) -> BoxFuture<'_, Option<Result<RawResponse>>> {
        Box::pin(async move {
            if self.done {
                return None;
            }
            if self.pages >= self.max_pages {
                self.done = true;
                tracing::warn!(pages = self.pages, "calcom: pagination stopped at the page limit");
                return Some(Err(Error::PageLimit { pages: self.pages }));
            }
            match (self.page)(self.offset, self.size).execute().await {
                Err(e) => Some(Err(e)),
                Ok(raw) => {
                    self.pages += 1;
                    // A body whose items cannot be read is left to the decoder to report.
                    let ids = crate::decode::item_identities(&raw.body).unwrap_or_default();
                    let fresh = ids.iter().filter(|id| self.seen.insert(**id)).count();
                    if !ids.is_empty() && fresh == 0 {
                        self.done = true;
                        tracing::warn!(
                            page = self.pages,
                            offset = self.offset,
                            "calcom: pagination stopped: the page brought no item not seen before"
                        );
                        return None;
                    }
                    Some(Ok(raw))
                }
            }
        })
    }

    /// Moves past a page of `len` items and says whether another follows.
    fn advance(&mut self, len: usize, info: Option<&PageInfo>) {
        let len = i64::try_from(len).unwrap_or(i64::MAX);
        self.offset = self.offset.saturating_add(len);
        let total = info.and_then(|p| p.total_items).and_then(|t| i64::try_from(t).ok());
        let has_next = info.and_then(|p| p.has_next_page);
        self.done = if len == 0 {
            tracing::debug!(page = self.pages, "calcom: pagination ended on an empty page");
            true
        } else if total.is_some_and(|total| self.offset >= total) {
            tracing::debug!(page = self.pages, offset = self.offset, "calcom: pagination reached totalItems");
            true
        } else {
            match has_next {
                Some(next) => !next,
                None => len < self.size,
            }
        };
    }
}

/// The methods every request builder has: `send`, `with_response`, `.await` (`IntoFuture`), and
/// the per-request settings. The generated code writes only what differs between operations:
/// its fields, its setters and `into_call`.
macro_rules! request_methods {
    ($builder:ident => ()) => {
        impl<'a> $builder<'a> {
            /// Sends the request.
            pub fn send(self) -> $crate::RequestFuture<'a, ()> {
                $crate::RequestFuture::new(self.into_call().send_unit())
            }

            /// Sends the request and returns the HTTP status and headers of the answer.
            pub fn with_response(self) -> impl ::std::future::Future<Output = $crate::Result<$crate::Response<()>>> + Send + 'a {
                self.into_call().send_unit()
            }
        }
        $crate::runtime::request_methods!(@common $builder => ());
    };
    ($builder:ident => pages of $item:ty, $size:ident, $offset:ident, $default:literal) => {
        $crate::runtime::request_methods!($builder => Vec<$item>, paginated($size, $offset, $default, $item));
    };
    ($builder:ident => $out:ty $(, paginated($size:ident, $offset:ident, $default:expr, $item:ty))?) => {
        impl<'a> $builder<'a> {
            /// Sends the request and returns the decoded response.
            pub fn send(self) -> $crate::RequestFuture<'a, $out> {
                $crate::RequestFuture::new(self.into_call().send())
            }

            /// Sends the request and returns the decoded response with the HTTP status and headers
            /// of the answer (request id, rate-limit headers, pagination).
            pub fn with_response(self) -> impl ::std::future::Future<Output = $crate::Result<$crate::Response<$out>>> + Send + 'a {
                self.into_call().send::<$out>()
            }

            $(
            /// Every item of every page, fetched lazily, one request per page, starting at the
            /// offset set on this request (if any) with its page size (or the server's default).
            ///
            /// The stream ends at the last page, and also on an empty page or a page that repeats
            /// the one before, so it never loops forever. After an error it ends.
            pub fn stream(self) -> $crate::PageStream<'a, $item> {
                let size = self.$size.unwrap_or($default);
                let start = self.$offset.unwrap_or(0);
                $crate::runtime::paginate(self, start, size, |builder: &Self, offset, size| {
                    let mut page = builder.clone();
                    page.$size = Some(size);
                    page.$offset = Some(offset);
                    page.into_call()
                })
            }
            )?
        }
        $crate::runtime::request_methods!(@common $builder => $out);
    };
    (@common $builder:ident => $out:ty) => {
        impl<'a> $builder<'a> {
            /// The longest one attempt of this request may take; the client's timeout unless set.
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.base.options.timeout = Some(timeout);
                self
            }

            /// The longest the whole call may take, retries and waits included; the client's
            /// [`deadline`](crate::ClientBuilder::deadline) unless set. A wait the server asks
            /// for that would pass it fails at once ([`Error::RateLimited`](crate::Error::RateLimited)
            /// with the wait).
            pub fn deadline(mut self, deadline: ::std::time::Duration) -> Self {
                self.base.options.deadline = Some(deadline);
                self
            }

            /// How many times to retry this request; the client's setting unless set, `0` for none.
            pub fn max_retries(mut self, retries: u32) -> Self {
                self.base.options.max_retries = Some(retries);
                self
            }

            /// Whether to retry this request even when its method is POST or PATCH (which the
            /// client does not retry unless told, since a retry may do the thing twice).
            pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
                self.base.options.retry_non_idempotent = Some(retry);
                self
            }

            /// Sends this `cal-api-version` instead of the one the operation is described with.
            /// Other versions may answer with other shapes, which then fail to decode.
            pub fn api_version(mut self, version: $crate::ApiVersion) -> Self {
                self.base.options.api_version = Some(version);
                self
            }
        }

        impl<'a> ::std::future::IntoFuture for $builder<'a> {
            type Output = $crate::Result<$out>;
            type IntoFuture = $crate::RequestFuture<'a, $out>;

            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    };
}
pub(crate) use request_methods;

/// The impls every generated string enum has: `as_str`, `Display`, `FromStr` (never failing:
/// unknown values become `Unknown`), serde as the wire string, and query/path encoding.
/// The generated code writes only the enum and its `Variant = "wire"` pairs.
macro_rules! string_enum {
    ($name:ident { $($variant:ident = $wire:literal,)* }) => {
        impl $name {
            /// The value as it is sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Unknown(value) => value,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(match value {
                    $( $wire => $name::$variant, )*
                    other => $name::Unknown(other.to_owned()),
                })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                $crate::runtime::deserialize_enum(deserializer)
            }
        }

        impl $crate::runtime::ToParam for $name {
            fn to_param(&self) -> String {
                self.as_str().to_owned()
            }
        }

        impl $crate::decode::FromJson for $name {
            fn from_json(r: &mut $crate::decode::Reader<'_>) -> ::std::result::Result<Self, $crate::decode::JsonError> {
                $crate::runtime::enum_from_json(r)
            }
        }
    };
}
pub(crate) use string_enum;
