//! One request: built, sent with retries, backoff, a deadline and a size limit.

use std::time::Duration;

use super::*;
use crate::client::Credentials;
use crate::decode::FromJson;
use crate::error::{Error, Result};
use crate::response::Response;
use crate::{AuthMode, Client};

/// One request being put together by a generated builder.
pub(crate) struct Call<'a> {
    pub(super) client: &'a Client,
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
    pub(super) async fn execute(self) -> Result<RawResponse> {
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
