//! The one error type of the client. (Hand-written.)

use std::fmt;
use std::time::Duration;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong with a call, easy to match on.
///
/// ```no_run
/// # async fn demo(cal: calcom::Client) {
/// match cal.orgs().teams().memberships().get(1, 2, 3).await {
///     Ok(m) => println!("{:?}", m.role),
///     Err(calcom::Error::Api(e)) if e.status() == 404 => println!("no such membership"),
///     Err(calcom::Error::RateLimited { retry_after, .. }) => println!("try again in {retry_after:?}"),
///     Err(other) => eprintln!("{other}"),
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status (or a `2xx` whose envelope says `"status": "error"`).
    Api(ApiError),
    /// HTTP 429: too many requests. `retry_after` is when the server says to try again
    /// (`Retry-After`, or Cal.com's `X-RateLimit-Reset-*`), or 60 s, Cal.com's rate-limit window,
    /// when it says nothing.
    RateLimited {
        /// How long to wait before the next request.
        retry_after: Duration,
        /// What the server said.
        error: ApiError,
    },
    /// HTTP 498: the managed user's access token has expired. Give the client a
    /// [`token_refresher`](crate::ClientBuilder::token_refresher) to have it refreshed and the
    /// request sent again; without one (or if the new token expired too) this is the error.
    TokenExpired(ApiError),
    /// The token refresher failed; holds its error.
    TokenRefresh(Box<dyn std::error::Error + Send + Sync>),
    /// The response arrived but could not be decoded into the expected type.
    Decode(DecodeError),
    /// The request timed out.
    Timeout(reqwest::Error),
    /// The request could not be sent or the response not read (DNS, TLS, connection reset, a
    /// connection cut before the whole answer arrived, ...).
    Transport(reqwest::Error),
    /// The answer is larger than the client accepts
    /// ([`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size)); it was
    /// not read (or not further than the limit).
    ResponseTooLarge {
        /// The HTTP status of the answer.
        status: u16,
        /// The limit, in bytes.
        limit: u64,
        /// The size the server announced (`Content-Length`), when it did.
        size: Option<u64>,
    },
    /// A paginated stream read as many pages as the client allows
    /// ([`ClientBuilder::max_pages`](crate::ClientBuilder::max_pages)) and stopped.
    PageLimit {
        /// How many pages it read.
        pages: u32,
    },
    /// The request was not sent because it is invalid: a header value with a line break, a body
    /// that does not serialize, or credentials of a kind the operation does not accept.
    InvalidRequest(String),
    /// The client could not be built: a malformed key or base URL.
    Config(String),
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) | Error::TokenExpired(e) | Error::RateLimited { error: e, .. } => Some(e.status()),
            Error::Decode(e) => Some(e.status()),
            Error::ResponseTooLarge { status, .. } => Some(*status),
            Error::Timeout(_)
            | Error::Transport(_)
            | Error::PageLimit { .. }
            | Error::InvalidRequest(_)
            | Error::Config(_)
            | Error::TokenRefresh(_) => None,
        }
    }

    /// The server's `X-Request-Id`, when the server answered and sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) | Error::TokenExpired(e) | Error::RateLimited { error: e, .. } => e.request_id(),
            Error::Decode(e) => e.request_id(),
            Error::ResponseTooLarge { .. }
            | Error::PageLimit { .. }
            | Error::Timeout(_)
            | Error::Transport(_)
            | Error::InvalidRequest(_)
            | Error::Config(_)
            | Error::TokenRefresh(_) => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => e.fmt(f),
            Error::RateLimited { retry_after, error } => {
                write!(f, "rate limited, retry after {} s: {error}", retry_after.as_secs_f64())
            }
            Error::TokenExpired(e) => write!(f, "access token expired: {e}"),
            Error::TokenRefresh(e) => write!(f, "the access token could not be refreshed: {e}"),
            Error::Decode(e) => e.fmt(f),
            Error::Timeout(e) => write!(f, "request timed out: {e}"),
            Error::Transport(e) if e.is_body() || e.is_decode() => {
                write!(f, "the connection was cut before the whole answer arrived: {e}")
            }
            Error::Transport(e) => write!(f, "request failed: {e}"),
            Error::ResponseTooLarge { limit, size: Some(size), status } => {
                write!(f, "the answer (HTTP {status}) is {size} bytes, over the client's limit of {limit}")
            }
            Error::ResponseTooLarge { limit, size: None, status } => {
                write!(f, "the answer (HTTP {status}) is over the client's limit of {limit} bytes")
            }
            Error::PageLimit { pages } => {
                write!(f, "pagination stopped after {pages} pages, the client's limit (ClientBuilder::max_pages)")
            }
            Error::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            Error::Config(m) => write!(f, "invalid client configuration: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Timeout(e) | Error::Transport(e) => Some(e),
            Error::TokenRefresh(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

/// An error answer from Cal.com.
///
/// Cal.com's errors look like `{"status": "error", "error": {"code": "NotFoundException",
/// "message": "...", "details": ...}}`; answers of another shape (a proxy's HTML page) keep their
/// body in [`body`](Self::body) and have no code or message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError(Box<ApiErrorInner>);

/// Boxed so that `Result<T, Error>` stays small.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiErrorInner {
    status: u16,
    code: Option<String>,
    message: Option<String>,
    details: Option<serde_json::Value>,
    request_id: Option<String>,
    body: String,
}

impl ApiError {
    /// The HTTP status (`404`).
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// Cal.com's error code: the exception name (`NotFoundException`, `ThrottlerException`) or a
    /// code such as `BAD_REQUEST`.
    pub fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// Cal.com's message for people.
    pub fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }

    /// Cal.com's `error.details`; validation failures list the fields in `details.errors`.
    pub fn details(&self) -> Option<&serde_json::Value> {
        self.0.details.as_ref()
    }

    /// The `X-Request-Id` response header: quote it when asking Cal.com about a failure.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// The response body as received (lossily decoded as UTF-8; its first 4 KiB when larger).
    pub fn body(&self) -> &str {
        &self.0.body
    }

    /// Reads an error response. Never fails: what cannot be read stays in `body`.
    pub(crate) fn from_response(status: u16, request_id: Option<String>, body: &[u8]) -> ApiError {
        let text = body_excerpt(body);
        let mut error = ApiErrorInner { status, code: None, message: None, details: None, request_id, body: text };
        if let Ok(serde_json::Value::Object(root)) = serde_json::from_slice::<serde_json::Value>(body) {
            let inner = root.get("error").and_then(|e| e.as_object());
            let pick =
                |key: &str| -> Option<&serde_json::Value> { inner.and_then(|e| e.get(key)).or_else(|| root.get(key)) };
            error.code = pick("code").and_then(value_to_string);
            error.message = pick("message").and_then(|m| match m {
                // NestJS sometimes sends a list of messages.
                serde_json::Value::Array(items) => {
                    let parts: Vec<String> = items.iter().filter_map(value_to_string).collect();
                    (!parts.is_empty()).then(|| parts.join("; "))
                }
                other => value_to_string(other),
            });
            error.details = inner.and_then(|e| e.get("details")).filter(|d| !d.is_null()).cloned();
        }
        ApiError(Box::new(error))
    }
}

/// How much of a body an error keeps for diagnostics.
pub(crate) const BODY_EXCERPT: usize = 4096;

/// The first [`BODY_EXCERPT`] bytes of `body` as text (cut at a character boundary), with a note
/// of how much was left out: errors stay small however large the answer (a retried request
/// keeps one per attempt).
pub(crate) fn body_excerpt(body: &[u8]) -> String {
    if body.len() <= BODY_EXCERPT {
        return String::from_utf8_lossy(body).into_owned();
    }
    let mut text = String::from_utf8_lossy(&body[..BODY_EXCERPT]).into_owned();
    // A multi-byte character cut in two reads as U+FFFD at the end: drop it.
    if text.ends_with('\u{FFFD}') {
        text.pop();
    }
    text.push_str(&format!(" [... {} more bytes]", body.len() - BODY_EXCERPT));
    text
}

fn value_to_string(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.0.status)?;
        if let Some(code) = &self.0.code {
            write!(f, " {code}")?;
        }
        match &self.0.message {
            Some(m) => write!(f, ": {m}")?,
            None => {
                let snippet: String = self.0.body.chars().take(200).collect();
                let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
                if !snippet.is_empty() {
                    write!(f, ": {snippet}")?;
                }
            }
        }
        if let Some(id) = &self.0.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A response that could not be decoded into the expected type.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError(Box<DecodeErrorInner>);

/// Boxed so that `Result<T, Error>` stays small.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DecodeErrorInner {
    pub(crate) status: u16,
    pub(crate) path: String,
    pub(crate) message: String,
    pub(crate) request_id: Option<String>,
    pub(crate) body: String,
}

impl DecodeError {
    pub(crate) fn new(inner: DecodeErrorInner) -> Self {
        DecodeError(Box::new(inner))
    }
}

impl DecodeError {
    /// The HTTP status of the response.
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// The JSON path of the value that failed, e.g. `data.user.role`; empty for the whole body.
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// What was wrong with it.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The `X-Request-Id` response header.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// The response body as received (lossily decoded as UTF-8; its first 4 KiB when larger).
    pub fn body(&self) -> &str {
        &self.0.body
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.0.path.is_empty() { "the body".to_owned() } else { format!("`{}`", self.0.path) };
        write!(f, "cannot decode the HTTP {} response at {at}: {}", self.0.status, self.0.message)?;
        if let Some(id) = &self.0.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}
