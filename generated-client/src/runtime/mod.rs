//! What the generated code calls to send a request and read the answer. (Hand-written.)
//!
//! Generated request builders describe their operation with a constant [`Operation`] and fill a
//! [`Call`]; everything about HTTP (credentials, `cal-api-version`, the envelope, errors) is
//! decided here, once:
//!
//! - this module: operations, parameters (`ToParam`, path parts), per-request options, the
//!   futures a request turns into;
//! - `call`: building one request, sending it with retries, backoff, deadline and limits;
//! - `answer`: a response as received, its envelope and decoding;
//! - `pages`: the stream over every page of a paginated operation;
//! - `macros`: `request_methods!` and `string_enum!`, which generated code invokes.

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

mod answer;
mod call;
mod macros;
mod pages;

pub(crate) use answer::RawResponse;
pub(crate) use call::Call;
pub(crate) use macros::{request_methods, string_enum};
pub use pages::PageStream;
// Unused in builds with no group that has a paginated operation.
#[allow(unused_imports)]
pub(crate) use pages::paginate;

use crate::decode::{JsonError, Reader};
use crate::error::Result;
use crate::response::Response;
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

/// Characters kept as they are in a path segment: RFC 3986 unreserved. Everything else, `/`
/// and `%` included, is percent-encoded, so a value stays inside its segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~').remove(b'.');

/// A path parameter, percent-encoded for one segment. A dot inside a value stays as it is
/// (`booking.read`, as Cal.com's permission paths have it); a value that is only `.` or `..`
/// is encoded whole, so that it cannot be read as a dot segment and climb out of its place.
pub(crate) fn encode_segment<T: ToParam + ?Sized>(value: &T) -> String {
    let raw = value.to_param();
    match raw.as_str() {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => utf8_percent_encode(&raw, SEGMENT).to_string(),
    }
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
