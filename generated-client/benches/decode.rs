//! How fast models decode and encode, all in the same run: the client's decoding (one pass
//! with `calcom::decode`, the `Booking` union dispatched by its rule) against the same shapes
//! decoded by serde's derive, and against parsing into `serde_json::Value`.
//!
//! Run: `cargo bench -p calcom --bench decode` (release). Compare the medians of one run only.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

fn main() {
    divan::main();
}

/// A page of `n` bookings as the bookings list sends them (every field present).
fn bookings_json(n: usize) -> Vec<u8> {
    let one = |i: usize| {
        format!(
            r#"{{"id":{i},"uid":"bk_{i:08}","title":"Intro call {i}","description":"Talk about the project","hosts":[{{"id":7,"name":"Ann Host","email":"ann@example.com","displayEmail":"ann@example.com","username":"ann","timeZone":"Europe/Riga"}}],"status":"accepted","cancellationReason":null,"cancelledByEmail":null,"reschedulingReason":null,"rescheduledByEmail":null,"rescheduledFromUid":null,"rescheduledToUid":null,"start":"2026-12-01T10:00:00.000Z","end":"2026-12-01T10:30:00.000Z","duration":30,"eventTypeId":12,"eventType":{{"id":12,"slug":"intro"}},"meetingUrl":"https://cal.com/video/bk_{i:08}","location":"https://cal.com/video/bk_{i:08}","absentHost":false,"createdAt":"2026-11-20T08:00:00.000Z","updatedAt":"2026-11-21T09:15:00.000Z","metadata":{{"source":"web"}},"rating":null,"icsUid":"bk_{i:08}@Cal.com","attendees":[{{"name":"Bob Guest","email":"bob@example.com","displayEmail":"bob@example.com","timeZone":"America/New_York","language":"en","absent":false,"phoneNumber":"+15550100"}},{{"name":"Cy Guest","email":"cy@example.com","timeZone":"Asia/Tokyo","language":"ja","absent":false}}],"guests":["dee@example.com"],"bookingFieldsResponses":{{"name":"Bob Guest","email":"bob@example.com","notes":"See you"}}}}"#
        )
    };
    let items: Vec<String> = (0..n).map(one).collect();
    format!("[{}]", items.join(",")).into_bytes()
}

const PAGE: usize = 100;

/// 100 `Booking` union items, as the client decodes a page (each item's shape is found from
/// its keys, then only that variant is decoded).
#[divan::bench]
fn booking_union(b: divan::Bencher) {
    let json = bookings_json(PAGE);
    b.bench(|| calcom::decode::from_slice::<Vec<calcom::Booking>>(divan::black_box(&json)).expect("decodes"));
}

/// The same items as `RegularBooking` (no union): what the shape scan costs is the difference.
#[divan::bench]
fn regular_booking(b: divan::Bencher) {
    let json = bookings_json(PAGE);
    b.bench(|| calcom::decode::from_slice::<Vec<calcom::RegularBooking>>(divan::black_box(&json)).expect("decodes"));
}

/// The baseline: the same shape with serde's derive, read by `serde_json::from_slice`.
#[divan::bench]
fn serde_derive(b: divan::Bencher) {
    let json = bookings_json(PAGE);
    b.bench(|| serde_json::from_slice::<Vec<derived::Booking>>(divan::black_box(&json)).expect("decodes"));
}

/// What a hand-written union would cost: serde's `untagged` over the same shapes (it buffers
/// each item and tries the variants in turn).
#[divan::bench]
fn serde_derive_untagged(b: divan::Bencher) {
    let json = bookings_json(PAGE);
    b.bench(|| serde_json::from_slice::<Vec<derived::AnyBooking>>(divan::black_box(&json)).expect("decodes"));
}

#[divan::bench]
fn json_value(b: divan::Bencher) {
    let json = bookings_json(PAGE);
    b.bench(|| serde_json::from_slice::<serde_json::Value>(divan::black_box(&json)).expect("decodes"));
}

#[divan::bench]
fn encode_generated_model(b: divan::Bencher) {
    let value: Vec<calcom::Booking> = calcom::decode::from_slice(&bookings_json(PAGE)).expect("decodes");
    b.bench(|| serde_json::to_vec(divan::black_box(&value)).expect("encodes"));
}

#[divan::bench]
fn encode_serde_derive(b: divan::Bencher) {
    let value: Vec<derived::Booking> = serde_json::from_slice(&bookings_json(PAGE)).expect("decodes");
    b.bench(|| serde_json::to_vec(divan::black_box(&value)).expect("encodes"));
}

/// The same shape as `calcom::RegularBooking`, with serde's derive (the baseline).
mod derived {
    use super::*;

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Booking {
        id: i64,
        uid: String,
        title: String,
        description: Option<String>,
        hosts: Vec<Host>,
        status: String,
        cancellation_reason: Option<String>,
        cancelled_by_email: Option<String>,
        rescheduling_reason: Option<String>,
        rescheduled_by_email: Option<String>,
        rescheduled_from_uid: Option<String>,
        rescheduled_to_uid: Option<String>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        duration: i64,
        event_type_id: Option<i64>,
        event_type: Option<EventType>,
        meeting_url: Option<String>,
        location: Option<String>,
        absent_host: bool,
        created_at: DateTime<Utc>,
        updated_at: Option<DateTime<Utc>>,
        metadata: Option<serde_json::Value>,
        rating: Option<i64>,
        ics_uid: Option<String>,
        attendees: Vec<Attendee>,
        guests: Option<Vec<String>>,
        booking_fields_responses: BTreeMap<String, serde_json::Value>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Host {
        id: i64,
        name: Option<String>,
        email: String,
        display_email: Option<String>,
        username: String,
        time_zone: String,
    }

    /// A union of the same shapes with serde's `untagged`.
    #[derive(Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    pub enum AnyBooking {
        Recurring(Recurring),
        Regular(Booking),
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    pub struct Recurring {
        recurring_booking_uid: String,
        #[serde(flatten)]
        booking: Booking,
    }

    #[derive(Serialize, Deserialize)]
    pub struct EventType {
        id: i64,
        slug: String,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Attendee {
        name: String,
        email: String,
        display_email: Option<String>,
        time_zone: String,
        language: Option<String>,
        absent: bool,
        phone_number: Option<String>,
    }
}
