//! A mock Cal.com for testing code that uses this crate. (Cargo feature `test-util`;
//! hand-written machinery, with the per-operation stubs generated from the spec.)
//!
//! [`MockServer::start`] binds `127.0.0.1` on a free port and hands out [`Client`]s already
//! pointed at it, so the code under test runs through the real client: credentials, headers,
//! retries, pagination, errors. Each operation has a typed stub, reached by the same path as the
//! operation itself (`cal.orgs().teams().memberships().get(1, 2, 3)` is stubbed with
//! `mock.orgs().teams().memberships().get(1, 2, 3)`), that says what to answer and records what
//! was sent:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use calcom::mock::{Failure, MockServer, any};
//! use calcom::{CreateBookingRequest, MembershipRole};
//!
//! let mock = MockServer::start().await;
//! // An answer built from the spec's examples, changed where the test cares.
//! let mut membership = mock.orgs().teams().memberships().get(1, 2, 3).example();
//! membership.role = MembershipRole::Admin;
//! mock.orgs().teams().memberships().get(1, 2, 3).returns(membership);
//! // Cal.com's failures, one call each: two 503s, then the bookings in pages.
//! mock.bookings().list().fails(Failure::status(503)).times(2);
//! mock.bookings().list().returns_all(mock.bookings().list().examples(120));
//! // Only a body the predicate accepts gets this answer (typed: the operation's body model).
//! mock.bookings()
//!     .create()
//!     .when_body(|b: &CreateBookingRequest| matches!(b, CreateBookingRequest::Regular(_)))
//!     .returns_example();
//!
//! let cal = mock.client(); // an API key client; `client_as` for the other credentials
//! let m = cal.orgs().teams().memberships().get(1, 2, 3).await.unwrap();
//! assert_eq!(m.role, MembershipRole::Admin);
//! let all: Vec<_> = {
//!     use futures_util::TryStreamExt;
//!     cal.bookings().list().take(50).stream().try_collect().await.unwrap()
//! };
//! assert_eq!(all.len(), 120); // 2 failed attempts retried, then 3 pages
//! assert_eq!(mock.bookings().list().received().len(), 5);
//! mock.verify(); // every `times(n)` used up, no request without a stub
//! # }
//! ```
//!
//! What a stub can say:
//!
//! - the answer: [`returns`](Stub::returns) (a typed value), [`returns_example`](Stub::returns_example)
//!   (from the spec's examples), [`returns_all`](Stub::returns_all) (every item of a list, served
//!   in pages as Cal.com serves them, with its `pagination` object where Cal.com sends one),
//!   [`fails`](Stub::fails) (a [`Failure`]: an API error in Cal.com's error body, a 429 from the
//!   throttler, a 498 expired token, a 5xx, a dropped connection), after an optional
//!   [`delay`](Stub::delay);
//! - which requests it answers: path parameters (a value, or [`any()`]), query parameters (typed
//!   setters named as on the request builder, or [`query`](Stub::query)), headers, and predicates
//!   over the typed request ([`when_body`](Stub::when_body), [`when`](Stub::when));
//! - how often: [`times`](Registered::times) answers that many requests and then lets the next
//!   stub of the operation answer (so "fail twice, then succeed" is two stubs, in that order);
//!   [`expect`](Registered::expect) checks a count without limiting it.
//!
//! Stubs of one operation are tried in the order they were registered; the first that matches
//! and is not used up answers. A request that no stub answers gets a `501` (a `404` when no
//! operation has its method and path) whose Cal.com-shaped error body names the operation it
//! resolved to and what was stubbed for it, so a test never hangs on a missing stub, and
//! [`verify`](MockServer::verify) reports it. Every request is recorded: read them per operation,
//! typed, with [`Stub::received`], or all of them with [`MockServer::requests`].
//!
//! The clients the mock hands out do not sleep between retries: the waits they would take (the
//! `Retry-After` or rate-limit reset the mock sent, or the backoff) are recorded instead, and
//! [`MockServer::waits`] lists them. Build a client with [`MockServer::builder`] to change that
//! or anything else.
//!
//! [`webhooks`] signs deliveries as Cal.com does and builds typed events, to test a webhook
//! handler with genuine and forged deliveries.

mod server;
mod stub;
pub mod webhooks;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub use server::Request;
// Implemented by the generated code (unused in a build without any resource group).
#[allow(unused_imports)]
pub(crate) use stub::sealed::Sealed;
pub use stub::{
    Arg, Failure, Hits, OpInfo, Operation, Paged, Received, Registered, RequestBody, ResponseValue, Stub, any,
};

/// The stub handles of every resource, as generated from the spec (`mock.orgs()` returns
/// [`stubs::orgs::Orgs`]); one module per resource, as in [`resources`](crate::resources).
pub use crate::generated::mock as stubs;

use crate::{AuthMode, Client, ClientBuilder};

/// The API key of [`MockServer::client`].
pub const API_KEY: &str = "cal_test_mock_api_key";
/// The access token of the access-token client of [`MockServer::client_as`].
pub const ACCESS_TOKEN: &str = "mock-access-token";
/// The platform OAuth client id of the platform client of [`MockServer::client_as`].
pub const CLIENT_ID: &str = "mock-platform-client-id";
/// The platform secret key of the platform client of [`MockServer::client_as`].
pub const SECRET_KEY: &str = "mock-platform-secret-key";

/// A mock Cal.com on `127.0.0.1`. See the [module docs](self).
///
/// Dropping it stops the server. If it was not [`verify`](Self::verify)-ed, dropping it also
/// panics (unless the thread is already panicking) when a stub's expected count was not met, so
/// a forgotten `verify()` does not hide a request the code under test never sent.
pub struct MockServer {
    shared: Arc<Shared>,
    base_url: String,
    task: tokio::task::JoinHandle<()>,
}

/// What the server task and the test share.
pub(crate) struct Shared {
    pub(crate) state: Mutex<State>,
    /// The operations this build knows (the enabled resource groups), with their parsed paths.
    pub(crate) routes: Vec<server::Route>,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) stubs: Vec<stub::Entry>,
    pub(crate) requests: Vec<Request>,
    pub(crate) waits: Vec<Duration>,
    /// Problems found while answering (a predicate that panicked), reported by `verify`.
    pub(crate) problems: Vec<String>,
    pub(crate) verified: bool,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held (a user predicate is run outside it) leaves the state
        // consistent: every update is a single push or counter increment.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl MockServer {
    /// Starts a mock Cal.com on `127.0.0.1`, on a port the system picks. Needs a Tokio runtime
    /// (`#[tokio::test]`); the server runs on it until the mock is dropped.
    ///
    /// # Panics
    ///
    /// When no port of `127.0.0.1` can be bound, or outside a Tokio runtime.
    pub async fn start() -> MockServer {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("calcom mock: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("calcom mock: the bound address");
        let shared = Arc::new(Shared { state: Mutex::new(State::default()), routes: server::routes() });
        let task = tokio::spawn(server::serve(listener, Arc::clone(&shared)));
        MockServer { shared, base_url: format!("http://{addr}"), task }
    }

    /// The base URL of the mock (`http://127.0.0.1:PORT`), for a client built by hand.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A client builder pointed at the mock, without credentials, with a 10 s timeout, and
    /// whose waits between retries are recorded in [`waits`](Self::waits) instead of slept
    /// (replace them with `.sleep_fn(tokio::time::sleep)` to wait for real).
    pub fn builder(&self) -> ClientBuilder {
        let shared = Arc::clone(&self.shared);
        Client::builder().base_url(&self.base_url).timeout(Duration::from_secs(10)).sleep_fn(move |wait| {
            shared.lock().waits.push(wait);
            std::future::ready(())
        })
    }

    /// A client pointed at the mock, with the API key [`API_KEY`] and the client's default
    /// retries (waits recorded, not slept: see [`builder`](Self::builder)).
    pub fn client(&self) -> Client {
        self.client_as(AuthMode::ApiKey)
    }

    /// A client pointed at the mock with credentials of `mode`: [`API_KEY`], [`ACCESS_TOKEN`],
    /// or the platform client [`CLIENT_ID`] / [`SECRET_KEY`].
    pub fn client_as(&self, mode: AuthMode) -> Client {
        let builder = match mode {
            AuthMode::ApiKey => self.builder().api_key(API_KEY),
            AuthMode::AccessToken => self.builder().access_token(ACCESS_TOKEN),
            AuthMode::PlatformClient => self.builder().platform_client(CLIENT_ID, SECRET_KEY),
        };
        builder.build().expect("calcom mock: the mock's credentials are well-formed")
    }

    /// Every request received so far, in order, with the operation each resolved to.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.lock().requests.clone()
    }

    /// The waits between retries that the mock's clients asked for, in order (they were
    /// recorded instead of slept).
    pub fn waits(&self) -> Vec<Duration> {
        self.shared.lock().waits.clone()
    }

    /// Forgets every stub, request and recorded wait, as a fresh mock.
    pub fn reset(&self) {
        *self.shared.lock() = State::default();
    }

    /// What is wrong so far: each stub whose expected count (`times`, `expect`) was not met,
    /// each request that no stub answered, each predicate that panicked. Empty when all is well.
    pub fn problems(&self) -> Vec<String> {
        let state = self.shared.lock();
        let mut problems = expectation_problems(&state);
        problems.extend(state.requests.iter().filter(|r| r.answered_by.is_none()).map(|r| {
            let op = r.operation.map_or_else(|| "no operation of the spec".to_owned(), |op| format!("`{op}`"));
            format!("{} {} ({op}) was answered by no stub", r.method, r.target())
        }));
        problems.extend(state.problems.iter().cloned());
        problems
    }

    /// Panics, listing them, if there are [`problems`](Self::problems).
    #[track_caller]
    pub fn verify(&self) {
        let problems = self.problems();
        self.shared.lock().verified = true;
        if !problems.is_empty() {
            panic!("calcom mock: {} problem(s):\n  - {}", problems.len(), problems.join("\n  - "));
        }
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}

fn expectation_problems(state: &State) -> Vec<String> {
    state.stubs.iter().filter_map(stub::Entry::unmet).collect()
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url)
            .field("stubs", &state.stubs.len())
            .field("requests", &state.requests.len())
            .finish()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
        if std::thread::panicking() {
            return;
        }
        let state = self.shared.lock();
        if state.verified {
            return;
        }
        let problems = expectation_problems(&state);
        drop(state);
        if !problems.is_empty() {
            panic!(
                "calcom mock dropped with unmet expectations (call `verify()` to check them yourself):\n  - {}",
                problems.join("\n  - ")
            );
        }
    }
}
