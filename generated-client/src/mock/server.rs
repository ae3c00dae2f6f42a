//! The HTTP side of the mock: accepting connections, resolving each request to its operation,
//! picking the stub that answers it, recording it, and answering as Cal.com does. Nothing a
//! client sends makes it panic: every request gets an answer (or, when a stub says so, a
//! dropped connection).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use serde_json::{Value, json};

use super::Shared;
use super::stub::{Answer, FailureKind, OpInfo, Paging, Predicate};

/// The largest request body the mock reads (Cal.com's limit is far lower).
const MAX_BODY: usize = 32 * 1024 * 1024;

/// A request the mock received, as it arrived, with the operation it resolved to.
#[derive(Debug, Clone)]
pub struct Request {
    pub(crate) operation: Option<&'static str>,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) raw_query: Option<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) params: Vec<(&'static str, String)>,
    pub(crate) body: Bytes,
    /// The index of the stub that answered it.
    pub(crate) answered_by: Option<usize>,
}

impl Request {
    /// The operation it resolved to by method and path (`bookings.get`), if any.
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    /// The HTTP method (`GET`).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path as sent, still percent-encoded (`/v2/bookings/abc`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path and query as sent (`/v2/bookings?take=10`).
    pub fn target(&self) -> String {
        match &self.raw_query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }

    /// The decoded query pairs, in order.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// The decoded values of query parameter `name`, in order.
    pub fn query_values(&self, name: &str) -> Vec<&str> {
        self.query.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// The headers, names in lower case, in order.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The decoded value of path parameter `name` (as the template names it: `bookingUid`).
    pub fn path_param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    /// The body's bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Whether a stub answered it.
    pub fn was_answered(&self) -> bool {
        self.answered_by.is_some()
    }
}

/// One operation's path template, split into segments.
pub(crate) struct Route {
    op: &'static OpInfo,
    segments: Vec<Seg>,
}

enum Seg {
    Lit(&'static str),
    Param(&'static str),
}

/// The routes of every operation this build knows.
pub(crate) fn routes() -> Vec<Route> {
    crate::generated::mock::operations()
        .into_iter()
        .map(|op| Route {
            op,
            segments: op
                .path
                .split('/')
                .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Seg::Param(name),
                    None => Seg::Lit(s),
                })
                .collect(),
        })
        .collect()
}

/// Path parameters: the template's name, the decoded value.
type Params = Vec<(&'static str, String)>;

/// The operation `method` and `path` resolve to, with the path parameters; a literal segment
/// wins over a parameter at the first place two templates differ.
fn resolve<'r>(routes: &'r [Route], method: &str, path: &str) -> Option<(&'r Route, Params)> {
    let parts: Vec<&str> = path.split('/').collect();
    let mut best: Option<(&Route, Params, Vec<bool>)> = None;
    for route in routes.iter().filter(|r| r.op.method == method && r.segments.len() == parts.len()) {
        let mut params = Vec::new();
        let mut literal = Vec::new();
        let fits = route.segments.iter().zip(&parts).all(|(seg, part)| match seg {
            Seg::Lit(text) => {
                literal.push(true);
                text == part
            }
            Seg::Param(name) => {
                literal.push(false);
                params.push((*name, percent_encoding::percent_decode_str(part).decode_utf8_lossy().into_owned()));
                !part.is_empty()
            }
        });
        if fits && best.as_ref().is_none_or(|(_, _, l)| literal > *l) {
            best = Some((route, params, literal));
        }
    }
    best.map(|(route, params, _)| (route, params))
}

/// `a=1&b=x%20y` as decoded pairs (`+` is a space, as in forms).
fn decode_query(query: &str) -> Vec<(String, String)> {
    let decode = |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(pair), String::new()),
        })
        .collect()
}

/// Accepts connections until the task is aborted (the mock dropped), which also ends the
/// connections (they live in the `JoinSet`).
pub(crate) async fn serve(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors and the like: try again shortly rather than spin.
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let shared = Arc::clone(&shared);
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(Arc::clone(&shared), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The error that makes hyper close the connection without an answer (`Failure::disconnect`).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the stub")
    }
}

impl std::error::Error for Dropped {}

type Answered = Result<hyper::Response<Full<Bytes>>, Dropped>;

async fn handle(shared: Arc<Shared>, req: hyper::Request<Incoming>) -> Answered {
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().map(str::to_owned);
    let target = match &raw_query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let failure = error_body(&target, "PayloadTooLargeException", "the request body could not be read", None);
            return Ok(respond(413, &[], failure, 0));
        }
    };
    let resolved = resolve(&shared.routes, &method, &path);
    let (op, params) = match resolved {
        Some((route, params)) => (Some(route.op), params),
        None => (None, Vec::new()),
    };
    let request = Request {
        operation: op.map(|op| op.name),
        method,
        path,
        raw_query: raw_query.clone(),
        query: raw_query.as_deref().map(decode_query).unwrap_or_default(),
        headers,
        params,
        body,
        answered_by: None,
    };
    let index = {
        let mut state = shared.lock();
        state.requests.push(request.clone());
        state.requests.len() - 1
    };
    let Some(op) = op else {
        let message = format!(
            "calcom mock: no operation of the spec (in the enabled resource groups) is {} {}",
            request.method, request.path
        );
        return Ok(respond(404, &[], error_body(&target, "NotFoundException", &message, None), index));
    };
    // Pick the first stub that matches and is not used up. Predicates are user code: they
    // run outside the lock (so one may read the mock) and a panic in one is caught.
    for _ in 0..16 {
        let candidates: Vec<(usize, Vec<Predicate>)> = {
            let state = shared.lock();
            state
                .stubs
                .iter()
                .enumerate()
                .filter(|(_, e)| e.op.name == op.name && !e.used_up() && e.matchers.matches_plain(&request))
                .map(|(i, e)| (i, e.matchers.predicates.clone()))
                .collect()
        };
        let mut chosen = None;
        for (i, predicates) in candidates {
            let passed = catch_unwind(AssertUnwindSafe(|| predicates.iter().all(|p| p(&request))));
            match passed {
                Ok(true) => {
                    chosen = Some(i);
                    break;
                }
                Ok(false) => {}
                Err(panic) => {
                    let why = panic_message(&panic);
                    let description = shared.lock().stubs.get(i).map(|e| e.description.clone()).unwrap_or_default();
                    shared
                        .lock()
                        .problems
                        .push(format!("a predicate of {description} panicked on {} {target}: {why}", request.method));
                }
            }
        }
        let Some(i) = chosen else { break };
        let taken = {
            let mut state = shared.lock();
            match state.stubs.get_mut(i) {
                // Another request may have used it up meanwhile: choose again.
                Some(entry) if !entry.used_up() => {
                    entry.hits += 1;
                    let answer = (entry.answer.clone(), entry.delay);
                    if let Some(r) = state.requests.get_mut(index) {
                        r.answered_by = Some(i);
                    }
                    Some(answer)
                }
                _ => None,
            }
        };
        let Some((answer, delay)) = taken else { continue };
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        return answer_with(op, &answer, &request, &target, index);
    }
    Ok(not_stubbed(&shared, op, &request, &target, index))
}

/// The answer to a request no stub answers: `501`, naming the operation and its stubs.
fn not_stubbed(
    shared: &Shared,
    op: &OpInfo,
    request: &Request,
    target: &str,
    index: usize,
) -> hyper::Response<Full<Bytes>> {
    let stubs: Vec<String> = {
        let state = shared.lock();
        state
            .stubs
            .iter()
            .filter(|e| e.op.name == op.name)
            .map(|e| if e.used_up() { format!("{} (used up)", e.description) } else { e.description.clone() })
            .collect()
    };
    let stubbed = if stubs.is_empty() { "nothing".to_owned() } else { stubs.join("; ") };
    let message = format!(
        "calcom mock: no stub answers {} {target}, which is operation `{}` ({} {}); stubbed for it: {stubbed}",
        request.method, op.name, op.method, op.path
    );
    let details = json!({ "operation": op.name, "pathTemplate": op.path, "stubs": stubs });
    respond(501, &[], error_body(target, "MockNotStubbed", &message, Some(details)), index)
}

fn answer_with(op: &OpInfo, answer: &Answer, request: &Request, target: &str, index: usize) -> Answered {
    let success = if op.method == "POST" { 201 } else { 200 };
    Ok(match answer {
        Answer::Fail(failure) => match &failure.kind {
            FailureKind::Disconnect => return Err(Dropped),
            FailureKind::Http { status, code, message, details, headers } => {
                respond(*status, headers, error_body(target, code, message, details.clone()), index)
            }
        },
        Answer::Value(value) => respond(success, &[], success_body(op, value.as_deref(), None), index),
        Answer::Pages(items) => {
            let Some(paging) = op.paging else {
                return Ok(respond(success, &[], success_body(op, Some(b"[]"), None), index));
            };
            match page(paging, items, request) {
                Ok((data, info)) => respond(success, &[], success_body(op, Some(&data), info), index),
                Err(message) => {
                    let details = json!({ "message": message, "error": "Bad Request", "statusCode": 400 });
                    respond(400, &[], error_body(target, "BadRequestException", &message, Some(details)), index)
                }
            }
        }
    })
}

/// The page of `items` the request asks for, and Cal.com's `pagination` object for it when the
/// operation sends one (computed as Cal.com's `getPagination` does).
fn page(paging: Paging, items: &[Vec<u8>], request: &Request) -> Result<(Vec<u8>, Option<Value>), String> {
    let number = |name: &str, default: u64, min: u64| match request.query_values(name).first() {
        None => Ok(default),
        Some(text) => match text.parse::<u64>() {
            Ok(n) if n >= min => Ok(n),
            _ => Err(format!("{name} must be an integer not less than {min}")),
        },
    };
    let take = number(paging.size, paging.default_size, 1)?;
    let skip = number(paging.offset, 0, 0)?;
    let total = items.len() as u64;
    let start = usize::try_from(skip.min(total)).unwrap_or(items.len());
    let end = usize::try_from(skip.saturating_add(take).min(total)).unwrap_or(items.len());
    let mut data = b"[".to_vec();
    for (i, item) in items[start..end].iter().enumerate() {
        if i > 0 {
            data.push(b',');
        }
        data.extend_from_slice(item);
    }
    data.push(b']');
    let info = paging.page_info.then(|| {
        let safe_skip = skip.min(total);
        let total_pages = total.div_ceil(take);
        let current_page = if total_pages == 0 { 0 } else { (safe_skip / take + 1).clamp(1, total_pages) };
        json!({
            "totalItems": total,
            "remainingItems": total.saturating_sub(safe_skip + take),
            "returnedItems": total.saturating_sub(safe_skip).min(take),
            "itemsPerPage": take,
            "currentPage": current_page,
            "totalPages": total_pages,
            "hasNextPage": safe_skip + take < total,
            "hasPreviousPage": safe_skip > 0,
        })
    });
    Ok((data, info))
}

/// A success body: the enveloped value (or status alone), or the bare value.
fn success_body(op: &OpInfo, value: Option<&[u8]>, page_info: Option<Value>) -> Vec<u8> {
    if !op.envelope {
        return value.unwrap_or_default().to_vec();
    }
    let mut body = br#"{"status":"success""#.to_vec();
    if let Some(value) = value {
        body.extend_from_slice(br#","data":"#);
        body.extend_from_slice(value);
    }
    if let Some(info) = page_info {
        body.extend_from_slice(br#","pagination":"#);
        body.extend_from_slice(info.to_string().as_bytes());
    }
    body.push(b'}');
    body
}

/// Cal.com's error body.
fn error_body(target: &str, code: &str, message: &str, details: Option<Value>) -> Vec<u8> {
    let mut error = json!({ "code": code, "message": message });
    if let Some(details) = details {
        error["details"] = details;
    }
    let timestamp = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    json!({ "status": "error", "timestamp": timestamp, "path": target, "error": error }).to_string().into_bytes()
}

fn respond(status: u16, headers: &[(String, String)], body: Vec<u8>, index: usize) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("x-request-id", format!("mock-{}", index + 1));
    for (name, value) in headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder.body(Full::new(Bytes::from(body))).unwrap_or_else(|e| {
        // A header a test gave that HTTP does not allow, or a status out of range.
        let message = format!("calcom mock: the stub's answer is not valid HTTP: {e}");
        let mut response =
            hyper::Response::new(Full::new(Bytes::from(error_body("", "MockInvalidAnswer", &message, None))));
        *response.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        response
    })
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}
