//! Each request is a `tracing` span with the operation, method, path template, attempt, status
//! and duration, and nothing a secret could leak through: recorded here by a minimal subscriber.
//!
//! `tracing` decides once per call site, for the whole process, whether anyone listens. In one
//! test binary where other tests run at the same time without a subscriber, a scoped subscriber
//! (`set_default`) can then miss the client's span. So the subscriber here is global, set once,
//! and records only on threads where a test has started capturing.

use crate::common;

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

/// Every span name and every field of every span and event, as `name=value` text, recorded
/// for the threads in `active` (the tests that capture; the client runs on the test's thread).
#[derive(Clone, Default)]
struct Capture {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<AtomicU64>,
}

thread_local! {
    /// The capture of the test running on this thread, if it captures.
    static ACTIVE: std::cell::RefCell<Option<Capture>> = const { std::cell::RefCell::new(None) };
}

/// Routes to the capture of the current thread's test (the one global subscriber).
struct Router;

impl Router {
    fn with<R>(f: impl FnOnce(&Capture) -> R) -> Option<R> {
        ACTIVE.with(|a| a.borrow().as_ref().map(f))
    }
}

impl Subscriber for Router {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        Router::with(|c| c.new_span(span)).unwrap_or_else(|| Id::from_u64(1))
    }

    fn record(&self, id: &Id, values: &Record<'_>) {
        Router::with(|c| c.record(id, values));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        Router::with(|c| c.event(event));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Starts capturing on this thread (until the returned guard is dropped).
fn capture() -> (Capture, impl Drop) {
    static GLOBAL: std::sync::Once = std::sync::Once::new();
    GLOBAL.call_once(|| tracing::subscriber::set_global_default(Router).expect("no other global subscriber"));
    let capture = Capture::default();
    ACTIVE.with(|a| *a.borrow_mut() = Some(capture.clone()));
    struct Stop;
    impl Drop for Stop {
        fn drop(&mut self) {
            ACTIVE.with(|a| *a.borrow_mut() = None);
        }
    }
    (capture, Stop)
}

struct Fields<'a>(&'a mut Vec<String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push(format!("{}={value:?}", field.name()));
    }
}

impl Capture {
    fn text(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut lines = self.lines.lock().unwrap();
        lines.push(format!("span {}", span.metadata().name()));
        span.record(&mut Fields(&mut lines));
        Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(&mut self.lines.lock().unwrap()));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        event.record(&mut Fields(&mut self.lines.lock().unwrap()));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn a_request_is_a_span_with_its_operation_attempts_and_status_and_no_secret() {
    let (capture, _guard) = capture();
    let server = server().await;
    let get = "/v2/organizations/1/teams/2/memberships/3";
    Mock::given(method("GET"))
        .and(path(get))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(get))
        .respond_with(success(membership_json(3, 4, 2, "MEMBER")))
        .mount(&server)
        .await;
    let (cal, waits) = retrying_client(&server);

    cal.orgs().teams().memberships().get(1, 2, 3).await.expect("succeeds on the second attempt");

    let text = capture.text();
    assert_eq!(waits.all().len(), 1, "one retry");
    for expected in [
        "span calcom.request",
        "operation=\"orgs.teams.memberships.get\"",
        "method=GET",
        "path=\"/v2/organizations/{orgId}/teams/{teamId}/memberships/{membershipId}\"",
        "attempt=2",
        "status=503",
        "status=200",
        "duration_ms=",
        "calcom: retrying",
    ] {
        assert!(text.contains(expected), "`{expected}` not recorded in:\n{text}");
    }
    assert!(!text.contains(API_KEY) && !text.to_lowercase().contains("bearer"), "a secret was recorded:\n{text}");
}

#[tokio::test]
async fn platform_secrets_are_not_recorded_either() {
    let (capture, _guard) = capture();
    let server = server().await;
    Mock::given(method("GET")).respond_with(success(membership_json(3, 4, 2, "MEMBER"))).mount(&server).await;

    platform_client(&server).orgs().teams().memberships().get(1, 2, 3).await.expect("decodes");

    let text = capture.text();
    assert!(text.contains("status=200"), "{text}");
    assert!(!text.contains(SECRET_KEY) && !text.contains(CLIENT_ID), "a credential was recorded:\n{text}");
}
