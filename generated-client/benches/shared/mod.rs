//! What the benchmarks share: a realistic page of bookings, and the same shape written by hand
//! with serde's derive (what a user without this crate would write: the baseline).

#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A page of `n` bookings as the bookings list sends them (every field present).
pub fn bookings_json(n: usize) -> Vec<u8> {
    let one = |i: usize| {
        format!(
            r#"{{"id":{i},"uid":"bk_{i:08}","title":"Intro call {i}","description":"Talk about the project","hosts":[{{"id":7,"name":"Ann Host","email":"ann@example.com","displayEmail":"ann@example.com","username":"ann","timeZone":"Europe/Riga"}}],"status":"accepted","cancellationReason":null,"cancelledByEmail":null,"reschedulingReason":null,"rescheduledByEmail":null,"rescheduledFromUid":null,"rescheduledToUid":null,"start":"2026-12-01T10:00:00.000Z","end":"2026-12-01T10:30:00.000Z","duration":30,"eventTypeId":12,"eventType":{{"id":12,"slug":"intro"}},"meetingUrl":"https://cal.com/video/bk_{i:08}","location":"https://cal.com/video/bk_{i:08}","absentHost":false,"createdAt":"2026-11-20T08:00:00.000Z","updatedAt":"2026-11-21T09:15:00.000Z","metadata":{{"source":"web"}},"rating":null,"icsUid":"bk_{i:08}@Cal.com","attendees":[{{"name":"Bob Guest","email":"bob@example.com","displayEmail":"bob@example.com","timeZone":"America/New_York","language":"en","absent":false,"phoneNumber":"+15550100"}},{{"name":"Cy Guest","email":"cy@example.com","timeZone":"Asia/Tokyo","language":"ja","absent":false}}],"guests":["dee@example.com"],"bookingFieldsResponses":{{"name":"Bob Guest","email":"bob@example.com","notes":"See you"}}}}"#
        )
    };
    let items: Vec<String> = (0..n).map(one).collect();
    format!("[{}]", items.join(",")).into_bytes()
}

/// `bookings_json(n)` inside the envelope the server sends.
pub fn bookings_page(n: usize) -> Vec<u8> {
    let mut body = br#"{"status":"success","data":"#.to_vec();
    body.extend(bookings_json(n));
    body.push(b'}');
    body
}

/// One booking inside the envelope (`GET /v2/bookings/{uid}`).
pub fn booking_body() -> Vec<u8> {
    let list = bookings_json(1);
    let mut body = br#"{"status":"success","data":"#.to_vec();
    body.extend(&list[1..list.len() - 1]);
    body.push(b'}');
    body
}

/// The same shape as `calcom::RegularBooking`, with serde's derive (the baseline).
pub mod derived {
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

/// The envelope, by hand.
#[derive(Deserialize)]
pub struct Envelope<T> {
    pub status: String,
    pub data: T,
}
