//! The response corpus (`tests/corpus/`, bodies written from Cal.com's server code; see its
//! README): each body decodes through the client, on 127.0.0.1, into the right variant with its
//! fields; a mutated copy (a wrong type, a missing required field) fails with the right path.

use crate::common;

use calcom::{Booking, BookingHostId, BookingOrSeries, BookingStatus, Error};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use common::{api_key_client, server};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The text of a corpus file.
fn corpus(name: &str) -> String {
    let path = format!("{}/tests/corpus/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A corpus file as a JSON value (to mutate it).
fn corpus_json(name: &str) -> Value {
    serde_json::from_str(&corpus(name)).expect("corpus files are JSON")
}

/// A mock server that answers every request with `status` and `body`.
async fn answering(status: u16, body: impl Into<String>) -> MockServer {
    let server = server().await;
    let template = ResponseTemplate::new(status)
        .insert_header("content-type", "application/json")
        .insert_header("x-request-id", "req-corpus-1")
        .set_body_string(body.into());
    Mock::given(any()).respond_with(template).mount(&server).await;
    server
}

/// `value` with the value at JSON pointer `at` replaced (or, with `None`, removed).
fn mutate(mut value: Value, at: &str, new: Option<Value>) -> String {
    let (parent, key) = at.rsplit_once('/').expect("a pointer with a parent");
    let target = value.pointer_mut(parent).unwrap_or_else(|| panic!("no {parent} in the body"));
    match (target, new) {
        (Value::Object(map), Some(v)) => {
            assert!(map.insert(key.to_owned(), v).is_some(), "{at} exists");
        }
        (Value::Object(map), None) => {
            assert!(map.remove(key).is_some(), "{at} exists");
        }
        (Value::Array(items), Some(v)) => items[key.parse::<usize>().expect("an index")] = v,
        (other, _) => panic!("cannot mutate {other}"),
    }
    serde_json::to_string(&value).expect("serializes")
}

/// The decode error of `result`, as (path, message).
fn decode_error<T: std::fmt::Debug>(result: calcom::Result<T>) -> (String, String) {
    match result {
        Err(Error::Decode(e)) => {
            assert_eq!(e.status(), 200);
            assert_eq!(e.request_id(), Some("req-corpus-1"), "the request id travels with the error");
            (e.path().to_owned(), e.message().to_owned())
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("a valid instant")
}

fn variant(b: &Booking) -> &'static str {
    match b {
        Booking::Regular(_) => "Regular",
        Booking::Recurring(_) => "Recurring",
        Booking::Seated(_) => "Seated",
        Booking::RecurringSeated(_) => "RecurringSeated",
        Booking::Other(_) => "Other",
        _ => "new variant",
    }
}

async fn get_booking(body: impl Into<String>) -> calcom::Result<BookingOrSeries> {
    let server = answering(200, body).await;
    api_key_client(&server).bookings().get("uid").await
}

async fn single(name: &str) -> Booking {
    match get_booking(corpus(name)).await.unwrap_or_else(|e| panic!("{name}: {e}")) {
        BookingOrSeries::Single(b) => b,
        other => panic!("{name}: expected one booking, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Bookings
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_regular_booking() {
    let Booking::Regular(b) = single("booking_regular.json").await else { panic!("expected Regular") };
    assert_eq!(b.status, BookingStatus::Accepted);
    assert!(matches!(b.hosts[0].id, BookingHostId::User(_)));
    assert!(!b.attendees.is_empty());
    assert!(!b.booking_fields_responses.is_empty());
    assert!(b.rescheduled_by_email.is_none());
    assert!(b.location.is_some());
}

#[tokio::test]
async fn a_recurring_occurrence() {
    let Booking::Recurring(b) = single("booking_recurring.json").await else { panic!("expected Recurring") };
    assert!(!b.recurring_booking_uid.is_empty());
    assert_eq!(b.description, None);
}

#[tokio::test]
async fn a_seated_booking_with_and_without_visible_attendees() {
    let Booking::Seated(b) = single("booking_seated.json").await else { panic!("expected Seated") };
    assert_eq!(b.attendees.len(), 3);
    assert!(b.attendees.iter().all(|a| a.seat_uid.is_some()));
    assert!(b.attendees.iter().all(|a| !a.booking_fields_responses.contains_key("email")), "no email in seat answers");
    assert!(b.attendees.iter().any(|a| a.absent));
    let Booking::Seated(hidden) = single("booking_seated_hidden_attendees.json").await else {
        panic!("a seated booking whose attendees are hidden is still Seated")
    };
    assert!(hidden.attendees.is_empty());
    assert_eq!(hidden.uid, b.uid);
}

#[tokio::test]
async fn a_recurring_seated_occurrence() {
    let Booking::RecurringSeated(b) = single("booking_recurring_seated.json").await else {
        panic!("expected RecurringSeated")
    };
    assert_eq!(b.attendees.len(), 2);
    assert!(!b.recurring_booking_uid.is_empty());
}

#[tokio::test]
async fn cancelled_and_rescheduled_bookings() {
    let Booking::Regular(c) = single("booking_cancelled.json").await else { panic!("expected Regular") };
    assert_eq!(c.status, BookingStatus::Cancelled);
    assert!(c.cancellation_reason.as_deref().is_some_and(|r| !r.is_empty()));
    assert!(c.cancelled_by_email.as_deref().is_some_and(|e| e.contains('@')));
    let Booking::Regular(r) = single("booking_rescheduled.json").await else { panic!("expected Regular") };
    assert_eq!(r.status, BookingStatus::Cancelled);
    assert!(r.rescheduled_to_uid.is_some());
    assert!(r.rescheduled_by_email.is_some());
}

#[tokio::test]
async fn a_booking_without_a_user_has_the_unknown_host() {
    let Booking::Regular(b) = single("booking_no_user.json").await else { panic!("expected Regular") };
    assert_eq!(b.hosts[0].id, BookingHostId::NoUser("unknown".to_owned()));
    assert_eq!(b.hosts[0].time_zone, None);
    assert_eq!(b.updated_at, None);
}

#[tokio::test]
async fn a_series_is_every_occurrence() {
    let BookingOrSeries::Series(all) = get_booking(corpus("booking_series.json")).await.expect("decodes") else {
        panic!("expected a series")
    };
    assert_eq!(all.iter().map(variant).collect::<Vec<_>>(), ["Recurring"; 3]);
    let starts: Vec<_> =
        all.iter().map(|b| if let Booking::Recurring(r) = b { r.start } else { unreachable!() }).collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]), "in start order");
}

#[tokio::test]
async fn a_page_of_every_shape_status_and_location() {
    let server = answering(200, corpus("bookings_list.json")).await;
    let page = api_key_client(&server).bookings().list().with_response().await.expect("decodes");
    let shapes: Vec<_> = page.value().iter().map(variant).collect();
    assert_eq!(
        shapes,
        [
            "Regular",
            "Regular",
            "Recurring",
            "Seated",
            "Regular",
            "RecurringSeated",
            "Regular",
            "Regular",
            "Regular",
            "Regular",
            "Regular"
        ]
    );
    let info = page.page_info().expect("pagination is kept");
    assert_eq!((info.total_items.is_some(), info.has_next_page.is_some()), (true, true));
    let statuses: std::collections::BTreeSet<_> = page
        .value()
        .iter()
        .map(|b| match b {
            Booking::Regular(b) => b.status.as_str().to_owned(),
            Booking::Recurring(b) => b.status.as_str().to_owned(),
            Booking::Seated(b) => b.status.as_str().to_owned(),
            Booking::RecurringSeated(b) => b.status.as_str().to_owned(),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(statuses.into_iter().collect::<Vec<_>>(), ["accepted", "cancelled", "pending", "rejected"]);
    let Booking::Regular(deleted_type) = &page.value()[9] else { panic!("item 10 is Regular") };
    assert_eq!((deleted_type.event_type_id, &deleted_type.event_type, &deleted_type.location), (None, &None, &None));
}

#[tokio::test]
async fn a_wrong_type_deep_in_a_page_names_its_path() {
    let body = mutate(corpus_json("bookings_list.json"), "/data/3/attendees/0/name", Some(json!(42)));
    let server = answering(200, body).await;
    let (path, message) = decode_error(api_key_client(&server).bookings().list().await);
    assert_eq!(path, "data[3].attendees[0].name");
    assert_eq!(message, "invalid type: a number, expected a string");
}

#[tokio::test]
async fn a_missing_required_field_names_its_path() {
    let body = mutate(corpus_json("bookings_list.json"), "/data/0/attendees/0/email", None);
    let server = answering(200, body).await;
    let (path, message) = decode_error(api_key_client(&server).bookings().list().await);
    assert_eq!(path, "data[0].attendees[0].email");
    assert_eq!(message, "missing field `email`");
}

#[tokio::test]
async fn a_bad_date_in_a_recurring_booking_is_an_error_not_another_shape() {
    let body = mutate(corpus_json("booking_recurring.json"), "/data/start", Some(json!("tomorrow")));
    let (path, message) = decode_error(get_booking(body).await);
    assert_eq!(path, "data.start");
    assert!(message.starts_with("invalid date-time `tomorrow`"), "{message}");
}

#[tokio::test]
async fn a_regular_booking_without_attendees_is_not_taken_for_a_seated_one() {
    let body = mutate(corpus_json("booking_regular.json"), "/data/attendees", None);
    let (path, message) = decode_error(get_booking(body).await);
    assert_eq!((path.as_str(), message.as_str()), ("data.attendees", "missing field `attendees`"));
}

#[tokio::test]
async fn null_data_is_an_error() {
    let (path, message) = decode_error(get_booking(r#"{"status":"success","data":null}"#).await);
    assert_eq!(path, "data");
    assert!(message.starts_with("invalid type: null"), "{message}");
}

#[tokio::test]
async fn a_seated_attendee_of_the_wrong_type_names_its_path() {
    let body = mutate(corpus_json("booking_seated.json"), "/data/attendees/1/absent", Some(json!("no")));
    let (path, _) = decode_error(get_booking(body).await);
    assert_eq!(path, "data.attendees[1].absent");
}

#[tokio::test]
async fn serde_deserialize_follows_the_same_rules() {
    let data = corpus_json("booking_seated.json")["data"].clone();
    let booking: Booking = serde_json::from_value(data.clone()).expect("deserializes through serde too");
    assert_eq!(variant(&booking), "Seated");
    let mut broken = data;
    broken["attendees"][0]["seatUid"] = json!(7);
    let e = serde_json::from_value::<Booking>(broken).expect_err("a wrong type");
    assert!(e.to_string().starts_with("attendees[0].seatUid: invalid type"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Event types
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_event_type_with_every_booking_field_kind() {
    use calcom::BookingField as F;
    let server = answering(200, corpus("event_type.json")).await;
    let calcom::PersonalOrTeamEventType::Personal(et) =
        api_key_client(&server).event_types().get(1).await.expect("decodes")
    else {
        panic!("a personal event type (it has `users`)")
    };
    let kinds: Vec<&str> = et
        .booking_fields
        .iter()
        .map(|f| match f {
            F::Name(_) => "name",
            F::Email(_) => "email",
            F::Location(_) => "location",
            F::Phone(_) => "phone",
            F::Address(_) => "address",
            F::Text(_) => "text",
            F::Number(_) => "number",
            F::TextArea(_) => "textarea",
            F::Select(_) => "select",
            F::MultiSelect(_) => "multiselect",
            F::MultiEmail(_) => "multiemail",
            F::Checkbox(_) => "checkbox",
            F::Radio(_) => "radio",
            F::Boolean(_) => "boolean",
            F::Url(_) => "url",
            F::SplitName(_) => "splitName",
            F::Date(_) => "date",
            F::Unrecognized(_) => "unknown",
            F::Other(_) => "OTHER",
            _ => "new",
        })
        .collect();
    for kind in [
        "name",
        "email",
        "location",
        "phone",
        "address",
        "text",
        "number",
        "textarea",
        "select",
        "multiselect",
        "multiemail",
        "checkbox",
        "radio",
        "boolean",
        "url",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert!(!kinds.contains(&"OTHER"), "every field kind is known: {kinds:?}");
    assert!(!et.locations.is_empty());
}

#[tokio::test]
async fn event_types_lists_and_team_event_types_decode() {
    let server = answering(200, corpus("event_types_list.json")).await;
    let list = api_key_client(&server).event_types().list().await.expect("decodes");
    assert_eq!(list.len(), 3);
    let server = answering(200, corpus("event_type_split_name.json")).await;
    let et = api_key_client(&server).event_types().get(1).await.expect("decodes");
    let calcom::PersonalOrTeamEventType::Personal(et) = et else { panic!("personal: {et:?}") };
    assert!(et.booking_fields.iter().any(|f| matches!(f, calcom::BookingField::SplitName(_))));
    let server = answering(200, corpus("team_event_type.json")).await;
    let team = api_key_client(&server).teams().event_types().get(1, 2).await.expect("decodes");
    assert_eq!(team.owner_id, None);
    // The same team event type, found by id alone (the caller administers its team).
    let server = answering(200, corpus("team_event_type.json")).await;
    let found = api_key_client(&server).event_types().get(2).await.expect("decodes");
    let calcom::PersonalOrTeamEventType::Team(found) = found else { panic!("team: {found:?}") };
    assert_eq!(found.id, team.id);
    assert!(!found.hosts.is_empty());
}

#[tokio::test]
async fn a_booking_field_of_the_wrong_type_names_its_index() {
    let body = mutate(corpus_json("event_type.json"), "/data/bookingFields/1/required", Some(json!("yes")));
    let server = answering(200, body).await;
    let (path, _) = decode_error(api_key_client(&server).event_types().get(1).await);
    assert_eq!(path, "data.bookingFields[1].required");
}

// ---------------------------------------------------------------------------------------------
// Slots
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn slots_keep_the_offset_of_the_requested_time_zone() {
    let server = answering(200, corpus("slots_time_zone.json")).await;
    let slots = api_key_client(&server).slots().available("2026-03-28", "2026-03-29").await.expect("decodes");
    assert!(!slots.is_empty());
    for (day, list) in &slots {
        let day: NaiveDate = day.parse().expect("keys are dates");
        for slot in list {
            // The key is the local date of each time: true only while the offset is kept.
            assert_eq!(slot.start.date_naive(), day, "{} under {day}", slot.start);
        }
    }
    let offsets: std::collections::BTreeSet<i32> =
        slots.values().flatten().map(|s| s.start.offset().local_minus_utc()).collect();
    assert_eq!(offsets.into_iter().collect::<Vec<_>>(), [3600, 7200], "both sides of the clock change");
}

#[tokio::test]
async fn range_utc_and_seated_slots() {
    let server = answering(200, corpus("slots_range.json")).await;
    let slots = api_key_client(&server).slots().available("a", "b").await.expect("decodes");
    let ny = FixedOffset::west_opt(4 * 3600).expect("an offset");
    for slot in slots.values().flatten() {
        assert_eq!(slot.start.offset(), &ny);
        assert!(slot.end.is_some_and(|end| end > slot.start));
    }
    let server = answering(200, corpus("slots_utc.json")).await;
    let slots = api_key_client(&server).slots().available("a", "b").await.expect("decodes");
    assert!(slots.values().flatten().all(|s| s.start.offset().local_minus_utc() == 0 && s.end.is_none()));
    let server = answering(200, corpus("slots_seated.json")).await;
    let slots = api_key_client(&server).slots().available("a", "b").await.expect("decodes");
    assert!(slots.values().flatten().all(|s| s.seats_total.is_some() && s.seats_remaining.is_some()));
    assert!(slots.values().flatten().any(|s| s.booking_uid.is_some()));
}

// ---------------------------------------------------------------------------------------------
// Schedules and memberships
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn schedules_decode() {
    let server = answering(200, corpus("schedule.json")).await;
    let schedule = api_key_client(&server).schedules().get(1).await.expect("decodes");
    assert!(!schedule.availability.is_empty());
    let server = answering(200, corpus("schedules_list.json")).await;
    assert_eq!(api_key_client(&server).schedules().list().await.expect("decodes").len(), 3);
}

#[tokio::test]
async fn memberships_decode() {
    let server = answering(200, corpus("org_team_membership.json")).await;
    let m = api_key_client(&server).orgs().teams().memberships().get(1, 2, 3).await.expect("decodes");
    assert!(m.user.metadata.is_some());
    let server = answering(200, corpus("team_memberships_list.json")).await;
    let list = api_key_client(&server).teams().memberships().list(2).await.expect("decodes");
    assert_eq!(list.len(), 3);
    assert!(list.iter().any(|m| m.user.avatar_url.is_none() && m.user.metadata.is_none()));
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

async fn api_error(name: &str, status: u16) -> calcom::Error {
    let server = answering(status, corpus(name)).await;
    api_key_client(&server).bookings().get("uid").await.expect_err("an error status")
}

#[tokio::test]
async fn every_error_shape_keeps_what_cal_com_said() {
    let cases = [
        ("error_http_exception.json", 404, "NotFoundException"),
        ("error_validation.json", 400, "BadRequestException"),
        ("error_zod.json", 400, "BAD_REQUEST"),
        ("error_trpc.json", 400, "TRPCError"),
        ("error_internal.json", 500, "INTERNAL_SERVER_ERROR"),
    ];
    for (name, status, code) in cases {
        let Error::Api(e) = api_error(name, status).await else { panic!("{name}: expected Error::Api") };
        assert_eq!((e.status(), e.code()), (status, Some(code)), "{name}");
        assert!(e.message().is_some_and(|m| !m.is_empty()), "{name}: a message");
        assert_eq!(e.request_id(), Some("req-corpus-1"), "{name}");
    }
    let Error::Api(e) = api_error("error_validation.json", 400).await else { unreachable!() };
    let errors = e.details().and_then(|d| d.get("errors")).and_then(Value::as_array).expect("details.errors");
    assert!(!errors.is_empty());
    let Error::Api(e) = api_error("error_http_exception.json", 404).await else { unreachable!() };
    assert!(e.details().is_some_and(Value::is_object));
}

#[tokio::test]
async fn the_throttler_429_is_rate_limited_with_its_code() {
    // The throttler sets its per-window headers (and no Retry-After).
    let server = server().await;
    let template = ResponseTemplate::new(429)
        .insert_header("content-type", "application/json")
        .insert_header("X-RateLimit-Limit-Default", "120")
        .insert_header("X-RateLimit-Remaining-Default", "0")
        .insert_header("X-RateLimit-Reset-Default", "42")
        .set_body_string(corpus("error_throttler.json"));
    Mock::given(any()).respond_with(template).mount(&server).await;
    let e = api_key_client(&server).bookings().get("uid").await.expect_err("429");
    let Error::RateLimited { error, retry_after } = e else { panic!("expected RateLimited, got {e:?}") };
    assert_eq!(retry_after, std::time::Duration::from_secs(42));
    assert_eq!(error.code(), Some("ThrottlerException"));
    assert!(error.details().is_some_and(Value::is_string), "details may be a string");
}

#[tokio::test]
async fn a_2xx_that_says_error_is_an_api_error_whatever_the_key_order() {
    for body in [
        r#"{"status":"error","error":{"code":"X","message":"m"}}"#,
        r#"{"data":{"uid":1},"status":"error","error":{"code":"X","message":"m"}}"#,
    ] {
        let Err(Error::Api(e)) = get_booking(body).await else { panic!("{body}: expected Error::Api") };
        assert_eq!(e.code(), Some("X"));
    }
}

#[tokio::test]
async fn a_unit_answer_that_says_error_is_an_error() {
    let server = answering(200, r#"{"status":"error","error":{"code":"Y","message":"no"}}"#).await;
    let result = api_key_client(&server).slots().delete_reservation("r").await;
    assert!(matches!(result, Err(Error::Api(ref e)) if e.code() == Some("Y")), "{result:?}");
}

#[test]
fn dates_in_the_corpus_are_utc_where_the_server_sends_z() {
    let v = corpus_json("booking_regular.json");
    let start: DateTime<Utc> = v["data"]["start"].as_str().expect("a string").parse().expect("a date-time");
    assert!(start > utc(2000, 1, 1, 0, 0));
}
