//! Stubs: which requests they answer, with what, how often; typed views of the requests.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::MockServer;
use super::server::Request;
use crate::decode::{FromJson, JsonError};
use crate::runtime::ToParam;

/// What the generated code says about one operation, for the mock: its name, method, path
/// template, how its answer is wrapped and paged, and the JSON of its example answer.
#[derive(Debug)]
pub struct OpInfo {
    pub(crate) name: &'static str,
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) envelope: bool,
    /// Whether the operation answers with a value (`false`: a status-only envelope).
    pub(crate) has_value: bool,
    pub(crate) paging: Option<Paging>,
    /// The example answer's value (the envelope's `data`), as JSON.
    pub(crate) example: &'static str,
}

/// How a paginated operation pages: its size and offset parameters, the server's default page
/// size, and whether the answer carries Cal.com's `pagination` object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    pub(crate) size: &'static str,
    pub(crate) offset: &'static str,
    pub(crate) default_size: u64,
    pub(crate) page_info: bool,
}

impl OpInfo {
    /// An enveloped operation with a value and no paging (generated code changes the rest).
    pub(crate) const fn new(
        name: &'static str,
        method: &'static str,
        path: &'static str,
        example: &'static str,
    ) -> Self {
        OpInfo { name, method, path, envelope: true, has_value: true, paging: None, example }
    }

    /// The answer is the value itself, not `{"status": "success", "data": ...}`.
    pub(crate) const fn no_envelope(mut self) -> Self {
        self.envelope = false;
        self
    }

    /// The answer carries no value.
    pub(crate) const fn no_value(mut self) -> Self {
        self.has_value = false;
        self
    }

    /// Pages with `size` / `offset` query parameters.
    pub(crate) const fn paged(
        mut self,
        size: &'static str,
        offset: &'static str,
        default_size: u64,
        page_info: bool,
    ) -> Self {
        self.paging = Some(Paging { size, offset, default_size, page_info });
        self
    }

    /// The operation's name, `resource.path.method` (`orgs.teams.memberships.get`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its HTTP method (`GET`).
    pub fn method(&self) -> &'static str {
        self.method
    }

    /// Its path template (`/v2/organizations/{orgId}/teams/{teamId}/memberships/{membershipId}`).
    pub fn path_template(&self) -> &'static str {
        self.path
    }
}

pub(crate) mod sealed {
    /// Only the generated operations are [`Operation`](super::Operation)s.
    pub trait Sealed {}
}

/// An operation of the API, as the mock knows it: implemented by each generated request
/// builder type (`resources::bookings::ListRequest<'static>` stands for `bookings.list`).
pub trait Operation: sealed::Sealed + 'static {
    /// The request body's type (the operation's body model), or `()` when it has none.
    type Body: RequestBody;
    /// The type the operation returns.
    type Response: ResponseValue;
    /// What the mock needs to know about it.
    const INFO: &'static OpInfo;
}

/// A paginated operation: [`Stub::returns_all`] serves its items in pages.
pub trait Paged: Operation {
    /// One item of the list.
    type Item: serde::Serialize + FromJson;
}

/// The body of a request, decoded from what was sent: every body model, and `()` for
/// operations without a body.
pub trait RequestBody: Sized + Send + Sync + 'static {
    #[doc(hidden)]
    fn decode(bytes: &[u8]) -> Result<Self, JsonError>;
}

impl<T: FromJson + Send + Sync + 'static> RequestBody for T {
    fn decode(bytes: &[u8]) -> Result<Self, JsonError> {
        crate::decode::from_slice(bytes)
    }
}

impl RequestBody for () {
    fn decode(_: &[u8]) -> Result<Self, JsonError> {
        Ok(())
    }
}

/// A value an operation returns: serialized into the answer, decoded from the example.
pub trait ResponseValue: serde::Serialize + Sized {
    #[doc(hidden)]
    fn decode(bytes: &[u8]) -> Result<Self, JsonError>;
}

impl<T: FromJson + serde::Serialize> ResponseValue for T {
    fn decode(bytes: &[u8]) -> Result<Self, JsonError> {
        crate::decode::from_slice(bytes)
    }
}

impl ResponseValue for () {
    fn decode(_: &[u8]) -> Result<Self, JsonError> {
        Ok(())
    }
}

/// A matcher for a path (or required query) parameter: a value, or [`any()`].
#[derive(Debug, Clone, PartialEq)]
pub struct Arg<T>(Option<T>);

/// Matches any value of a parameter: `mock.bookings().get(any())`.
pub fn any<T>() -> Arg<T> {
    Arg(None)
}

impl<T> From<T> for Arg<T> {
    fn from(value: T) -> Self {
        Arg(Some(value))
    }
}

impl From<&str> for Arg<String> {
    fn from(value: &str) -> Self {
        Arg(Some(value.to_owned()))
    }
}

/// The text a parameter must have on the wire, `None` for any.
fn arg_text<T: ToParam>(arg: &Arg<T>) -> Option<String> {
    arg.0.as_ref().map(ToParam::to_param)
}

/// How Cal.com fails, for [`Stub::fails`]: an error status with Cal.com's error body
/// (`{"status": "error", "timestamp", "path", "error": {"code", "message", "details"}}` and an
/// `X-Request-Id`), or a connection dropped without an answer.
#[derive(Debug, Clone)]
pub struct Failure {
    pub(crate) kind: FailureKind,
}

#[derive(Debug, Clone)]
pub(crate) enum FailureKind {
    Http { status: u16, code: String, message: String, details: Option<Value>, headers: Vec<(String, String)> },
    Disconnect,
}

impl Failure {
    /// An error answer with HTTP `status` and Cal.com's error body carrying `code` (the
    /// exception's name, e.g. `NotFoundException`, `BadRequestException`, `CONFLICT`) and
    /// `message`.
    pub fn api(status: u16, code: impl Into<String>, message: impl Into<String>) -> Failure {
        Failure {
            kind: FailureKind::Http {
                status,
                code: code.into(),
                message: message.into(),
                details: None,
                headers: Vec::new(),
            },
        }
    }

    /// HTTP `status` with the code and message Cal.com uses for it (`INTERNAL_SERVER_ERROR`
    /// for 5xx, the NestJS exception name for the usual 4xx).
    pub fn status(status: u16) -> Failure {
        let (code, message) = match status {
            400 => ("BadRequestException", "Bad Request"),
            401 => ("UnauthorizedException", "Unauthorized"),
            403 => ("ForbiddenException", "Forbidden resource"),
            404 => ("NotFoundException", "Not Found"),
            409 => ("CONFLICT", "Conflict"),
            422 => ("UnprocessableEntityException", "Unprocessable Entity"),
            429 => ("TRPCError", "Too many requests"),
            498 => return Failure::token_expired(),
            s if s >= 500 => ("INTERNAL_SERVER_ERROR", "Internal server error."),
            _ => ("HttpException", "Error"),
        };
        Failure::api(status, code, message)
    }

    /// `404 NotFoundException` with `message`, and the `details` NestJS adds.
    pub fn not_found(message: impl Into<String>) -> Failure {
        let message = message.into();
        let details = json!({ "message": message, "error": "Not Found", "statusCode": 404 });
        Failure::api(404, "NotFoundException", message).details(details)
    }

    /// `400 BadRequestException` with `message`, and the `details` NestJS adds.
    pub fn bad_request(message: impl Into<String>) -> Failure {
        let message = message.into();
        let details = json!({ "message": message, "error": "Bad Request", "statusCode": 400 });
        Failure::api(400, "BadRequestException", message).details(details)
    }

    /// `500` as Cal.com answers an unexpected error (`INTERNAL_SERVER_ERROR`).
    pub fn server_error() -> Failure {
        Failure::status(500)
    }

    /// `429` from Cal.com's throttler: code `ThrottlerException` and, as Cal.com sends them, the
    /// headers of the exhausted window `Default` (`X-RateLimit-Limit-Default: 120`,
    /// `X-RateLimit-Remaining-Default: 0`, `X-RateLimit-Reset-Default`: `wait` in seconds,
    /// rounded up). Cal.com sends no `Retry-After`; add one with [`header`](Self::header) to
    /// test a proxy that does.
    pub fn rate_limited(wait: Duration) -> Failure {
        let message = "Too many requests. Please try again later.";
        let reset = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Failure::api(429, "ThrottlerException", message)
            .details(Value::String(message.to_owned()))
            .header("X-RateLimit-Limit-Default", "120")
            .header("X-RateLimit-Remaining-Default", "0")
            .header("X-RateLimit-Reset-Default", reset.to_string())
    }

    /// `498`: the managed user's access token has expired (message `ACCESS_TOKEN_IS_EXPIRED`);
    /// a client with a token refresher refreshes and sends the request again.
    pub fn token_expired() -> Failure {
        Failure::api(498, "UnauthorizedException", "ACCESS_TOKEN_IS_EXPIRED")
    }

    /// The connection is closed without an answer (the client sees a transport error, and
    /// retries an idempotent request).
    pub fn disconnect() -> Failure {
        Failure { kind: FailureKind::Disconnect }
    }

    /// Sets the error body's `details` (validation errors under `details.errors`, ...).
    pub fn details(mut self, details: Value) -> Failure {
        if let FailureKind::Http { details: d, .. } = &mut self.kind {
            *d = Some(details);
        }
        self
    }

    /// Adds a response header (`Retry-After`, ...).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Failure {
        if let FailureKind::Http { headers, .. } = &mut self.kind {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

/// A predicate over a request, type-erased (the typed ones decode the body first).
pub(crate) type Predicate = Arc<dyn Fn(&Request) -> bool + Send + Sync>;

/// What a stub answers with.
#[derive(Clone)]
pub(crate) enum Answer {
    /// A success with this JSON value (`None`: no value).
    Value(Option<Vec<u8>>),
    /// Every item of a list, served in pages; each item's JSON.
    Pages(Arc<Vec<Vec<u8>>>),
    Fail(Failure),
}

/// A registered stub.
pub(crate) struct Entry {
    pub(crate) op: &'static OpInfo,
    pub(crate) matchers: Matchers,
    pub(crate) answer: Answer,
    pub(crate) delay: Option<Duration>,
    /// Answers at most this many requests (`times`).
    pub(crate) limit: Option<usize>,
    /// The expected number of hits (inclusive bounds).
    pub(crate) expect: Option<(usize, Option<usize>)>,
    pub(crate) hits: usize,
    /// How it was described, for messages: `bookings.get(bookingUid = "abc") -> 404`.
    pub(crate) description: String,
}

impl Entry {
    pub(crate) fn used_up(&self) -> bool {
        self.limit.is_some_and(|limit| self.hits >= limit)
    }

    /// The problem with this stub's count, if any.
    pub(crate) fn unmet(&self) -> Option<String> {
        let (min, max) = self.expect?;
        let ok = self.hits >= min && max.is_none_or(|max| self.hits <= max);
        let wanted = match max {
            Some(max) if max == min => format!("{min}"),
            Some(max) => format!("{min} to {max}"),
            None => format!("at least {min}"),
        };
        (!ok).then(|| format!("{} was expected {wanted} time(s), and was hit {} time(s)", self.description, self.hits))
    }
}

/// What a stub matches in a request besides its operation.
#[derive(Clone, Default)]
pub(crate) struct Matchers {
    pub(crate) params: Vec<(&'static str, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) predicates: Vec<Predicate>,
}

impl Matchers {
    /// Whether `request` (already resolved to the stub's operation) matches, the predicates
    /// aside (they run outside the state's lock: see the server).
    pub(crate) fn matches_plain(&self, request: &Request) -> bool {
        self.params.iter().all(|(name, value)| request.path_param(name) == Some(value.as_str()))
            && self.query.iter().all(|(name, value)| request.query_values(name).contains(&value.as_str()))
            && self.headers.iter().all(|(name, value)| request.header(name) == Some(value.as_str()))
    }

    fn describe(&self) -> String {
        let mut parts: Vec<String> = self.params.iter().map(|(n, v)| format!("{n} = {v:?}")).collect();
        parts.extend(self.query.iter().map(|(n, v)| format!("?{n}={v:?}")));
        parts.extend(self.headers.iter().map(|(n, v)| format!("{n}: {v:?}")));
        if !self.predicates.is_empty() {
            parts.push(format!("{} predicate(s)", self.predicates.len()));
        }
        parts.join(", ")
    }
}

/// A stub of operation `O` being described; ends with what it answers
/// ([`returns`](Self::returns), [`returns_example`](Self::returns_example),
/// [`returns_all`](Self::returns_all), [`fails`](Self::fails)), which registers it.
///
/// Get one from the mock's resource tree: `mock.bookings().get("uid")`.
#[must_use = "a stub does nothing until it says what it answers (`returns`, `fails`, ...)"]
pub struct Stub<'m, O: Operation> {
    mock: &'m MockServer,
    matchers: Matchers,
    delay: Option<Duration>,
    _op: PhantomData<fn() -> O>,
}

impl<O: Operation> fmt::Debug for Stub<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stub").field("operation", &O::INFO.name).field("matches", &self.matchers.describe()).finish()
    }
}

impl<'m, O: Operation> Stub<'m, O> {
    pub(crate) fn new(mock: &'m MockServer) -> Self {
        Stub { mock, matchers: Matchers::default(), delay: None, _op: PhantomData }
    }

    /// Matches path parameter `name` (generated code: the stub method's arguments).
    pub(crate) fn path_arg<T: ToParam>(mut self, name: &'static str, arg: Arg<T>) -> Self {
        if let Some(text) = arg_text(&arg) {
            self.matchers.params.push((name, text));
        }
        self
    }

    /// Matches query parameter `name` when `arg` is a value (generated code).
    pub(crate) fn query_arg<T: ToParam>(mut self, name: &'static str, arg: Arg<T>) -> Self {
        if let Some(text) = arg_text(&arg) {
            self.matchers.query.push((name.to_owned(), text));
        }
        self
    }

    /// Matches header parameter `name` when `arg` is a value (generated code; no operation of
    /// the current spec has a header parameter).
    #[allow(dead_code)]
    pub(crate) fn header_arg<T: ToParam>(mut self, name: &'static str, arg: Arg<T>) -> Self {
        if let Some(text) = arg_text(&arg) {
            self.matchers.headers.push((name.to_ascii_lowercase(), text));
        }
        self
    }

    /// Matches requests with header `name` set to `value` as the client sends it (generated
    /// setters of optional header parameters).
    #[allow(dead_code)]
    pub(crate) fn header_value<T: ToParam + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        self.matchers.headers.push((name.to_ascii_lowercase(), value.to_param()));
        self
    }

    /// Matches requests whose query has `name` with the `value` the client sends for it
    /// (generated setters, named as on the request builder, go through here).
    pub(crate) fn query_value<T: ToParam + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        self.matchers.query.push((name.to_owned(), value.to_param()));
        self
    }

    /// Matches only requests whose query has parameter `name` (its wire name) with this value,
    /// as sent (lists comma-separated). Prefer the typed setters, named as on the request
    /// builder (`.status([...])`).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.matchers.query.push((name.into(), value.into()));
        self
    }

    /// Matches only requests with header `name` equal to `value`.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.matchers.headers.push((name.into().to_ascii_lowercase(), value.into()));
        self
    }

    /// Matches only requests whose body decodes into the operation's body model and satisfies
    /// `predicate`.
    pub fn when_body(mut self, predicate: impl Fn(&O::Body) -> bool + Send + Sync + 'static) -> Self {
        self.matchers
            .predicates
            .push(Arc::new(move |request: &Request| O::Body::decode(&request.body).is_ok_and(|body| predicate(&body))));
        self
    }

    /// Matches only requests `predicate` accepts, given the typed request (body, path and
    /// query parameters, headers).
    pub fn when(mut self, predicate: impl Fn(&Received<O>) -> bool + Send + Sync + 'static) -> Self {
        self.matchers.predicates.push(Arc::new(move |request: &Request| predicate(&Received::new(request.clone()))));
        self
    }

    /// Answers after waiting `delay` (longer than the client's timeout, it times out).
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Registers the stub: it answers with `value` (in the envelope the operation's answers
    /// come in).
    pub fn returns(self, value: O::Response) -> Registered<'m, O> {
        let answer = if O::INFO.has_value {
            match serde_json::to_vec(&value) {
                Ok(json) => Answer::Value(Some(json)),
                Err(e) => panic!("calcom mock: the answer of `{}` does not serialize: {e}", O::INFO.name),
            }
        } else {
            Answer::Value(None)
        };
        self.register(answer, "a value".to_owned())
    }

    /// Registers the stub: it answers with the operation's example answer, made from the
    /// spec (its field examples, else a minimal valid value); [`example`](Self::example)
    /// gives the same value decoded.
    pub fn returns_example(self) -> Registered<'m, O> {
        let answer = Answer::Value(O::INFO.has_value.then(|| O::INFO.example.as_bytes().to_vec()));
        self.register(answer, "its example".to_owned())
    }

    /// Registers the stub: it answers with `failure`.
    pub fn fails(self, failure: Failure) -> Registered<'m, O> {
        let shown = match &failure.kind {
            FailureKind::Http { status, code, .. } => format!("{status} {code}"),
            FailureKind::Disconnect => "a dropped connection".to_owned(),
        };
        self.register(Answer::Fail(failure), shown)
    }

    /// The operation's example answer (the one [`returns_example`](Self::returns_example)
    /// sends), decoded: a starting point for a typed answer, since the response models have
    /// no constructors. Change its fields and pass it to [`returns`](Self::returns).
    pub fn example(&self) -> O::Response {
        O::Response::decode(O::INFO.example.as_bytes()).unwrap_or_else(|e| {
            panic!("calcom mock: the generated example of `{}` does not decode: {e} (a generator bug)", O::INFO.name)
        })
    }

    /// The requests received so far that resolved to this operation and match this stub's
    /// matchers (path, query, headers, predicates), in order, typed.
    pub fn received(&self) -> Vec<Received<O>> {
        let requests: Vec<Request> = self
            .mock
            .shared()
            .lock()
            .requests
            .iter()
            .filter(|r| r.operation == Some(O::INFO.name) && self.matchers.matches_plain(r))
            .cloned()
            .collect();
        requests.into_iter().filter(|r| self.matchers.predicates.iter().all(|p| p(r))).map(Received::new).collect()
    }

    fn register(self, answer: Answer, shown: String) -> Registered<'m, O> {
        let matches = self.matchers.describe();
        let description = if matches.is_empty() {
            format!("stub `{}` -> {shown}", O::INFO.name)
        } else {
            format!("stub `{}`({matches}) -> {shown}", O::INFO.name)
        };
        let entry = Entry {
            op: O::INFO,
            matchers: self.matchers,
            answer,
            delay: self.delay,
            limit: None,
            expect: None,
            hits: 0,
            description,
        };
        let mut state = self.mock.shared().lock();
        state.stubs.push(entry);
        let index = state.stubs.len() - 1;
        Registered { mock: self.mock, index, _op: PhantomData }
    }
}

impl<'m, O: Paged> Stub<'m, O> {
    /// Registers the stub: it answers with `items`, in pages, as Cal.com does: the request's
    /// offset and page size (`skip` / `take`, or `offset` / `limit`; the server's default size
    /// when absent) pick the page, and operations whose answers carry Cal.com's `pagination`
    /// object get one computed as Cal.com computes it (`totalItems`, `hasNextPage`, ...).
    pub fn returns_all(self, items: impl IntoIterator<Item = O::Item>) -> Registered<'m, O> {
        let items: Vec<Vec<u8>> = items
            .into_iter()
            .map(|item| {
                serde_json::to_vec(&item)
                    .unwrap_or_else(|e| panic!("calcom mock: an item of `{}` does not serialize: {e}", O::INFO.name))
            })
            .collect();
        let shown = format!("{} item(s) in pages", items.len());
        self.register(Answer::Pages(Arc::new(items)), shown)
    }

    /// `n` items made from the example answer's first item, each with its own `id` (1, 2, ...)
    /// and `uid` (the example's, with `-1`, `-2`, ... appended) where the item has them, so a
    /// paginated stream, which stops at a page with nothing new, reads them all.
    pub fn examples(&self, n: usize) -> Vec<O::Item> {
        let list: Vec<Value> = serde_json::from_str(O::INFO.example).unwrap_or_default();
        let Some(first) = list.into_iter().next() else {
            panic!("calcom mock: the example answer of `{}` has no item (a generator bug)", O::INFO.name)
        };
        (1..=n)
            .map(|i| {
                let mut item = first.clone();
                if let Value::Object(fields) = &mut item {
                    if let Some(id) = fields.get_mut("id").filter(|id| id.is_number()) {
                        *id = json!(i);
                    }
                    if let Some(Value::String(uid)) = fields.get_mut("uid") {
                        uid.push_str(&format!("-{i}"));
                    }
                }
                let bytes = serde_json::to_vec(&item).unwrap_or_default();
                crate::decode::from_slice(&bytes).unwrap_or_else(|e| {
                    panic!("calcom mock: an example item of `{}` does not decode: {e} (a generator bug)", O::INFO.name)
                })
            })
            .collect()
    }
}

/// A registered stub: how often it answers, how often it must be hit, how often it was.
#[derive(Clone, Copy)]
pub struct Registered<'m, O: Operation> {
    mock: &'m MockServer,
    index: usize,
    _op: PhantomData<fn() -> O>,
}

impl<O: Operation> fmt::Debug for Registered<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registered").field("operation", &O::INFO.name).field("hits", &self.hits()).finish()
    }
}

impl<O: Operation> Registered<'_, O> {
    fn with<R>(&self, f: impl FnOnce(&mut Entry) -> R) -> Option<R> {
        self.mock.shared().lock().stubs.get_mut(self.index).map(f)
    }

    /// Answers the next `n` matching requests only, then lets the stubs registered after it
    /// answer; [`verify`](MockServer::verify) checks that all `n` were used.
    pub fn times(self, n: usize) -> Self {
        self.with(|e| {
            e.limit = Some(n);
            e.expect = Some((n, Some(n)));
        });
        self
    }

    /// Expects this many hits (`2`, `1..=3`, `1..`), checked by [`verify`](MockServer::verify),
    /// without limiting how many requests the stub answers.
    pub fn expect(self, hits: impl Into<Hits>) -> Self {
        let Hits(min, max) = hits.into();
        self.with(|e| e.expect = Some((min, max)));
        self
    }

    /// How many requests it answered so far.
    pub fn hits(&self) -> usize {
        self.with(|e| e.hits).unwrap_or(0)
    }
}

/// An expected number of hits: `2`, `1..=3`, `1..`.
#[derive(Debug, Clone, Copy)]
pub struct Hits(usize, Option<usize>);

impl From<usize> for Hits {
    fn from(n: usize) -> Self {
        Hits(n, Some(n))
    }
}

impl From<std::ops::RangeInclusive<usize>> for Hits {
    fn from(r: std::ops::RangeInclusive<usize>) -> Self {
        Hits(*r.start(), Some(*r.end()))
    }
}

impl From<std::ops::RangeFrom<usize>> for Hits {
    fn from(r: std::ops::RangeFrom<usize>) -> Self {
        Hits(r.start, None)
    }
}

/// A request the code under test sent for operation `O`, with its body decoded into the
/// operation's body model.
pub struct Received<O: Operation> {
    request: Request,
    body: Result<O::Body, JsonError>,
}

impl<O: Operation> Received<O> {
    pub(crate) fn new(request: Request) -> Self {
        let body = O::Body::decode(&request.body);
        Received { request, body }
    }

    /// The decoded body.
    ///
    /// # Panics
    ///
    /// When the body does not decode into the operation's body model (the message says where
    /// and why); [`try_body`](Self::try_body) returns the error instead.
    #[track_caller]
    pub fn body(&self) -> &O::Body {
        match &self.body {
            Ok(body) => body,
            Err(e) => panic!("the body sent to `{}` does not decode: {e}", O::INFO.name),
        }
    }

    /// The decoded body, or why it does not decode.
    pub fn try_body(&self) -> Result<&O::Body, &JsonError> {
        self.body.as_ref()
    }

    /// The request as received (method, path, query, headers, raw body).
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The value of path parameter `name` (its wire name, as in the path template), decoded.
    pub fn path_param(&self, name: &str) -> Option<&str> {
        self.request.path_param(name)
    }

    /// The first value of query parameter `name`, decoded.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.request.query_values(name).first().copied()
    }

    /// The value of header `name` (any case), if sent once or more (the first).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.request.header(name)
    }
}

impl<O: Operation> fmt::Debug for Received<O>
where
    O::Body: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Received").field("request", &self.request).field("body", &self.body).finish()
    }
}
