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
use serde::de::DeserializeOwned;

pub(crate) use reqwest::Method;

use crate::client::Credentials;
use crate::error::{ApiError, DecodeError, DecodeErrorInner, Error, Result};
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

/// One request being put together by a generated builder.
pub(crate) struct Call<'a> {
    client: &'a Client,
    op: &'static Operation,
    path: String,
    query: Vec<(&'static str, String)>,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    /// The first problem met while building; reported by `send` before anything goes out.
    invalid: Option<String>,
}

impl<'a> Call<'a> {
    pub(crate) fn new(client: &'a Client, op: &'static Operation, path: String) -> Self {
        Call { client, op, path, query: Vec::new(), headers: Vec::new(), body: None, invalid: None }
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

    pub(crate) fn json<B: serde::Serialize>(&mut self, body: &B) {
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
    pub(crate) async fn send<T: DeserializeOwned>(self) -> Result<T> {
        let envelope = self.op.envelope;
        let response = self.execute().await?;
        response.decode(envelope)
    }

    /// Sends the request; the answer carries no value.
    pub(crate) async fn send_unit(self) -> Result<()> {
        let response = self.execute().await?;
        response.check_envelope_status()
    }

    /// The credentials' headers for this operation, or why they cannot be sent.
    fn auth_headers(&self) -> Result<Vec<(&'static str, String)>> {
        let creds = &self.client.inner.credentials;
        if self.op.auth.is_empty() {
            return Ok(Vec::new());
        }
        let Some(mode) = creds.mode() else {
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
            Credentials::PlatformClient { client_id, secret_key } => vec![
                ("x-cal-client-id", client_id.clone()),
                ("x-cal-secret-key", secret_key.expose().to_owned()),
            ],
        })
    }

    async fn execute(self) -> Result<RawResponse> {
        if let Some(problem) = self.invalid {
            return Err(Error::InvalidRequest(problem));
        }
        let auth = self.auth_headers()?;
        let inner = &self.client.inner;
        let url = format!("{}{}", inner.base_url, self.path);
        let mut request = inner.http.request(self.op.method.clone(), &url);
        if !self.query.is_empty() {
            request = request.query(&self.query);
        }
        for (name, value) in auth.iter().chain(&self.headers) {
            request = request.header(*name, value);
        }
        if let Some(version) = self.op.api_version {
            request = request.header("cal-api-version", version.as_str());
        }
        request = request.header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = self.body {
            request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
        }
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport_error)?;
        let raw = RawResponse { status, headers, body: body.to_vec() };
        if (200..300).contains(&status) { Ok(raw) } else { Err(raw.into_error()) }
    }
}

fn modes(list: &[AuthMode]) -> String {
    list.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
}

fn transport_error(e: reqwest::Error) -> Error {
    if e.is_timeout() { Error::Timeout(e) } else { Error::Transport(e) }
}

/// A response as received.
struct RawResponse {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl RawResponse {
    fn request_id(&self) -> Option<String> {
        self.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    fn decode_error(&self, path: String, message: String) -> Error {
        Error::Decode(DecodeError::new(DecodeErrorInner {
            status: self.status,
            path,
            message,
            request_id: self.request_id(),
            body: String::from_utf8_lossy(&self.body).into_owned(),
        }))
    }

    /// An error status, as the matching [`Error`].
    fn into_error(self) -> Error {
        let request_id = self.request_id();
        let error = ApiError::from_response(self.status, request_id, &self.body);
        match self.status {
            429 => Error::RateLimited { retry_after: retry_after(&self.headers), error },
            498 => Error::TokenExpired(error),
            _ => Error::Api(error),
        }
    }

    /// A `2xx` whose envelope says `"status": "error"` is an error all the same.
    fn check_envelope_status(&self) -> Result<()> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        if let Ok(serde_json::Value::Object(root)) = serde_json::from_slice::<serde_json::Value>(&self.body)
            && root.get("status").and_then(|s| s.as_str()) == Some("error")
        {
            return Err(Error::Api(ApiError::from_response(self.status, self.request_id(), &self.body)));
        }
        Ok(())
    }

    fn decode<T: DeserializeOwned>(&self, envelope: bool) -> Result<T> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(self.decode_error(String::new(), "the body is empty".to_owned()));
        }
        self.check_envelope_status()?;
        if envelope {
            self.decode_json::<Envelope<T>>().map(|e| e.data)
        } else {
            self.decode_json::<T>()
        }
    }

    /// Decodes the whole body as `T`; a failure names the JSON path of the value at fault.
    fn decode_json<T: DeserializeOwned>(&self) -> Result<T> {
        let mut de = serde_json::Deserializer::from_slice(&self.body);
        let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            self.decode_error(path, e.into_inner().to_string())
        })?;
        de.end().map_err(|e| self.decode_error(String::new(), e.to_string()))?;
        Ok(value)
    }
}

/// `{"status": "success", "data": ...}`; other keys (`pagination`) are read elsewhere.
#[derive(serde::Deserialize)]
struct Envelope<T> {
    data: T,
}

/// Longest wait taken from a server's rate-limit headers.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);
/// Cal.com's rate-limit window, the wait when the server says nothing.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(60);

/// When to try again after a 429: `Retry-After` (seconds or an HTTP date), else the smallest
/// `X-RateLimit-Reset-*` (seconds), else a minute; never more than five minutes.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Duration {
    let from_retry_after = headers.get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| {
        let v = v.trim();
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
        let secs = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_milliseconds().max(0);
        Some(Duration::from_millis(secs.unsigned_abs()))
    });
    let from_reset = headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-ratelimit-reset"))
        .filter_map(|(_, v)| v.to_str().ok()?.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(MAX_RETRY_AFTER.as_secs_f64())))
        .min();
    from_retry_after.or(from_reset).unwrap_or(DEFAULT_RETRY_AFTER).min(MAX_RETRY_AFTER)
}
