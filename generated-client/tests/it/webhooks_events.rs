//! Decoding one realistic body per Cal.com webhook trigger into the typed `WebhookEvent`, and
//! deliveries that do not decode (`Malformed`, with the path). Signed with the signer of
//! `webhooks.rs`.

use calcom::WebhookBookingStatus;
use calcom::webhooks::{self, WebhookError, WebhookEvent};
use chrono::TimeDelta;
use serde_json::json;

use super::webhooks::*;

// =============================================================================================
// 2. Parsing: one body per trigger
// =============================================================================================

/// A BOOKING_CREATED as Cal.com sends it: organizer and attendee with `language` and
/// `utcOffset` (null for one), responses with labels, `destinationCalendar` and
/// `cancellationReason` null.
const BOOKING_CREATED: &str = r#"{
  "triggerEvent": "BOOKING_CREATED",
  "createdAt": "2024-05-01T10:00:00.123Z",
  "payload": {
    "type": "30min",
    "title": "30 min meeting between Ada Lovelace and Grace Hopper",
    "description": "Let us talk about engines",
    "additionalNotes": "Let us talk about engines",
    "customInputs": {},
    "startTime": "2024-05-06T09:00:00Z",
    "endTime": "2024-05-06T09:30:00Z",
    "organizer": {
      "id": 5,
      "name": "Ada Lovelace",
      "email": "ada@example.com",
      "username": "ada",
      "timeZone": "Europe/London",
      "language": { "locale": "en" },
      "utcOffset": 60
    },
    "responses": {
      "name": { "label": "your_name", "value": "Grace Hopper", "isHidden": false },
      "email": { "label": "email_address", "value": "grace@example.com", "isHidden": false },
      "location": { "label": "location", "value": { "value": "integrations:daily", "optionValue": "" }, "isHidden": false },
      "guests": { "label": "additional_guests", "value": [], "isHidden": true }
    },
    "userFieldsResponses": {},
    "attendees": [
      {
        "email": "grace@example.com",
        "name": "Grace Hopper",
        "firstName": "Grace",
        "lastName": "Hopper",
        "timeZone": "Etc/Unknown",
        "phoneNumber": null,
        "language": { "locale": "fr" },
        "utcOffset": null
      }
    ],
    "location": "integrations:daily",
    "destinationCalendar": null,
    "hideCalendarNotes": false,
    "requiresConfirmation": false,
    "eventTypeId": 12,
    "seatsShowAttendees": true,
    "seatsPerTimeSlot": null,
    "uid": "bk_7Hd9aQ2",
    "cancellationReason": null,
    "videoCallData": { "type": "daily_video", "id": "room-7Hd9aQ2", "password": "", "url": "https://cal.video/room-7Hd9aQ2" },
    "appsStatus": [],
    "eventTitle": "30 min",
    "eventDescription": null,
    "price": 0,
    "currency": "usd",
    "length": 30,
    "bookingId": 101,
    "metadata": { "videoCallUrl": "https://cal.video/room-7Hd9aQ2" },
    "status": "ACCEPTED"
  }
}"#;

#[test]
fn booking_created() {
    let event = parse_signed(BOOKING_CREATED);
    assert_eq!(event.trigger(), "BOOKING_CREATED");
    let WebhookEvent::BookingCreated(d) = event else { panic!("expected BookingCreated, got {event:?}") };
    assert_eq!(d.created_at, Some(utc_ms(2024, 5, 1, 10, 0, 0, 123)));
    assert!(d.extra.is_empty(), "no top-level fields besides the wrapper: {:?}", d.extra);
    let p = &d.payload;
    assert_eq!(p.r#type, "30min");
    assert_eq!(p.title, "30 min meeting between Ada Lovelace and Grace Hopper");
    assert_eq!(p.start_time, utc(2024, 5, 6, 9, 0, 0));
    assert_eq!(p.end_time, utc(2024, 5, 6, 9, 30, 0));
    assert_eq!(p.end_time - p.start_time, TimeDelta::minutes(30));
    assert_eq!(p.organizer.email, "ada@example.com");
    assert_eq!(p.organizer.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(p.organizer.id, Some(5));
    assert_eq!(p.organizer.username.as_deref(), Some("ada"));
    assert_eq!(p.organizer.time_zone, "Europe/London");
    assert_eq!(p.organizer.language.locale, "en");
    assert_eq!(p.organizer.utc_offset, Some(60));
    assert_eq!(p.attendees.len(), 1);
    let grace = &p.attendees[0];
    assert_eq!(grace.email, "grace@example.com");
    assert_eq!(grace.language.locale, "fr");
    assert_eq!(grace.utc_offset, None, "utcOffset: null");
    assert_eq!(grace.phone_number, None);
    assert_eq!(grace.first_name.as_deref(), Some("Grace"));
    assert_eq!(grace.last_name.as_deref(), Some("Hopper"));
    assert_eq!(grace.id, None);
    assert_eq!(p.status, Some(WebhookBookingStatus::Accepted));
    assert_eq!(p.uid.as_deref(), Some("bk_7Hd9aQ2"));
    assert_eq!(p.booking_id, Some(101));
    assert_eq!(p.event_type_id, Some(12));
    assert_eq!(p.location.as_deref(), Some("integrations:daily"));
    assert_eq!(p.destination_calendar, None, "destinationCalendar: null");
    assert_eq!(p.cancellation_reason, None, "cancellationReason: null");
    assert_eq!(p.length, Some(30));
    assert_eq!(p.price, Some(0.0));
    assert_eq!(p.currency.as_deref(), Some("usd"));
    let responses = p.responses.as_ref().expect("responses");
    assert_eq!(responses["name"].value, Some(json!("Grace Hopper")));
    assert_eq!(responses["name"].label.as_deref(), Some("your_name"));
    assert_eq!(responses["location"].value, Some(json!({"value": "integrations:daily", "optionValue": ""})));
    assert_eq!(responses["guests"].is_hidden, Some(true));
    assert_eq!(p.user_fields_responses.as_ref().map(|m| m.len()), Some(0));
    assert_eq!(p.custom_inputs.as_ref().map(|m| m.len()), Some(0));
    assert_eq!(p.metadata.as_ref().expect("metadata")["videoCallUrl"], json!("https://cal.video/room-7Hd9aQ2"));
    assert_eq!(p.video_call_data.as_ref().expect("videoCallData")["type"], json!("daily_video"));
    assert_eq!(p.download_link, None);
    assert_eq!(p.team, None);
}

#[test]
fn booking_requested() {
    // A team event waiting for confirmation: team present, destinationCalendar an array,
    // responses absent, description, additionalNotes, location and eventTypeId null.
    let body = r#"{"triggerEvent":"BOOKING_REQUESTED","createdAt":"2024-05-02T08:15:30.000Z","payload":{"type":"intro-call","title":"Intro call between Team Engines and Charles Babbage","description":null,"additionalNotes":null,"startTime":"2024-05-07T13:00:00.000Z","endTime":"2024-05-07T13:45:00.000Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","username":"ada","timeZone":"America/New_York","language":{"locale":"en"},"utcOffset":-240},"attendees":[{"email":"charles@example.com","name":"Charles Babbage","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}],"location":null,"eventTypeId":null,"team":{"id":3,"name":"Team Engines","members":[{"id":6,"name":"Mary Somerville","email":"mary@example.com","timeZone":"Europe/London","language":{"locale":"en"}}]},"destinationCalendar":[{"id":1,"integration":"google_calendar","externalId":"ada@example.com","primaryEmail":"ada@example.com","userId":5,"eventTypeId":null,"credentialId":2}],"uid":"bk_req1","bookingId":102,"status":"PENDING","requiresConfirmation":true}}"#;
    let WebhookEvent::BookingRequested(d) = parse_signed(body) else { panic!("expected BookingRequested") };
    assert_eq!(d.created_at, Some(utc_ms(2024, 5, 2, 8, 15, 30, 0)));
    let p = &d.payload;
    assert_eq!(p.status, Some(WebhookBookingStatus::Pending));
    assert_eq!(p.start_time, utc(2024, 5, 7, 13, 0, 0));
    assert_eq!(p.end_time, utc(2024, 5, 7, 13, 45, 0));
    assert_eq!(p.organizer.utc_offset, Some(-240));
    assert_eq!(p.organizer.email, "ada@example.com");
    assert_eq!(p.attendees[0].language.locale, "en");
    assert_eq!(p.description, None);
    assert_eq!(p.additional_notes, None);
    assert_eq!(p.location, None);
    assert_eq!(p.event_type_id, None);
    assert_eq!(p.responses, None, "absent");
    let team = p.team.as_ref().expect("team");
    assert_eq!(team.name, "Team Engines");
    assert_eq!(team.id, Some(3));
    assert_eq!(team.members.as_ref().map(Vec::len), Some(1));
    let calendars = p.destination_calendar.as_ref().expect("destinationCalendar array");
    assert_eq!(calendars.len(), 1);
    assert_eq!(calendars[0]["integration"], json!("google_calendar"));
}

#[test]
fn booking_rescheduled() {
    let body = r#"{"triggerEvent":"BOOKING_RESCHEDULED","createdAt":"2024-05-03T12:00:00.500Z","payload":{"type":"30min","title":"30 min meeting between Ada Lovelace and Grace Hopper","startTime":"2024-05-08T10:00:00Z","endTime":"2024-05-08T10:30:00Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60},"attendees":[{"email":"grace@example.com","name":"Grace Hopper","timeZone":"America/New_York","language":{"locale":"es"},"utcOffset":-240}],"uid":"bk_new2","bookingId":103,"rescheduleUid":"bk_7Hd9aQ2","rescheduleId":101,"rescheduleStartTime":"2024-05-06T09:00:00Z","rescheduleEndTime":"2024-05-06T09:30:00Z","rescheduledBy":"grace@example.com","status":"ACCEPTED","destinationCalendar":[]}}"#;
    let WebhookEvent::BookingRescheduled(d) = parse_signed(body) else { panic!("expected BookingRescheduled") };
    assert_eq!(d.created_at, Some(utc_ms(2024, 5, 3, 12, 0, 0, 500)));
    let p = &d.payload;
    assert_eq!(p.reschedule_uid.as_deref(), Some("bk_7Hd9aQ2"));
    assert_eq!(p.rescheduled_by.as_deref(), Some("grace@example.com"));
    assert_eq!(p.uid.as_deref(), Some("bk_new2"));
    assert_eq!(p.start_time, utc(2024, 5, 8, 10, 0, 0));
    assert_eq!(p.status, Some(WebhookBookingStatus::Accepted));
    assert_eq!(p.attendees[0].language.locale, "es");
    assert_eq!(p.attendees[0].utc_offset, Some(-240));
    assert_eq!(p.destination_calendar.as_deref(), Some(&[][..]));
}

#[test]
fn booking_cancelled() {
    let body = r#"{"triggerEvent":"BOOKING_CANCELLED","createdAt":"2024-05-04T07:30:00.000Z","payload":{"type":"30min","title":"30 min meeting between Ada Lovelace and Grace Hopper","description":"","startTime":"2024-05-08T10:00:00Z","endTime":"2024-05-08T10:30:00Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","username":"ada","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60},"attendees":[{"email":"grace@example.com","name":"Grace Hopper","timeZone":"America/New_York","language":{"locale":"en"},"utcOffset":-240}],"uid":"bk_new2","bookingId":103,"location":"https://cal.video/room-x","destinationCalendar":null,"cancellationReason":"Something came up","cancelledBy":"ada@example.com","status":"CANCELLED","eventTypeId":12}}"#;
    let WebhookEvent::BookingCancelled(d) = parse_signed(body) else { panic!("expected BookingCancelled") };
    let p = &d.payload;
    assert_eq!(p.cancellation_reason.as_deref(), Some("Something came up"));
    assert_eq!(p.cancelled_by.as_deref(), Some("ada@example.com"));
    assert_eq!(p.status, Some(WebhookBookingStatus::Cancelled));
    assert_eq!(p.description.as_deref(), Some(""));
    assert_eq!(p.destination_calendar, None);
    assert_eq!(p.organizer.email, "ada@example.com");
    assert_eq!(d.created_at, Some(utc(2024, 5, 4, 7, 30, 0)));
}

#[test]
fn booking_rejected() {
    let body = r#"{"triggerEvent":"BOOKING_REJECTED","createdAt":"2024-05-04T09:00:00.000Z","payload":{"type":"intro-call","title":"Intro call","startTime":"2024-05-07T13:00:00.000Z","endTime":"2024-05-07T13:45:00.000Z","organizer":{"name":"Ada Lovelace","email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"de"}},"attendees":[{"email":"charles@example.com","name":"Charles Babbage","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}],"uid":"bk_req1","bookingId":102,"rejectionReason":"Fully booked that week","status":"REJECTED"}}"#;
    let WebhookEvent::BookingRejected(d) = parse_signed(body) else { panic!("expected BookingRejected") };
    let p = &d.payload;
    assert_eq!(p.rejection_reason.as_deref(), Some("Fully booked that week"));
    assert_eq!(p.status, Some(WebhookBookingStatus::Rejected));
    assert_eq!(p.organizer.language.locale, "de");
    assert_eq!(p.organizer.utc_offset, None, "absent");
    assert_eq!(p.organizer.id, None);
}

#[test]
fn booking_payment_initiated() {
    let body = r#"{"triggerEvent":"BOOKING_PAYMENT_INITIATED","createdAt":"2024-05-05T11:00:00.000Z","payload":{"type":"paid-consult","title":"Paid consultation","startTime":"2024-05-09T15:00:00Z","endTime":"2024-05-09T16:00:00Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60},"attendees":[{"email":"grace@example.com","name":"Grace Hopper","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}],"uid":"bk_pay1","bookingId":104,"paymentId":77,"price":5000,"currency":"eur","length":60,"status":"PENDING","paymentData":{"id":77,"amount":5000,"success":false}}}"#;
    let WebhookEvent::BookingPaymentInitiated(d) = parse_signed(body) else {
        panic!("expected BookingPaymentInitiated")
    };
    let p = &d.payload;
    assert_eq!(p.payment_id, Some(77));
    assert_eq!(p.price, Some(5000.0));
    assert_eq!(p.currency.as_deref(), Some("eur"));
    assert_eq!(p.length, Some(60));
    assert_eq!(p.status, Some(WebhookBookingStatus::Pending));
}

#[test]
fn booking_paid() {
    let body = r#"{"triggerEvent":"BOOKING_PAID","createdAt":"2024-05-05T11:05:00.000Z","payload":{"type":"paid-consult","title":"Paid consultation","startTime":"2024-05-09T15:00:00Z","endTime":"2024-05-09T16:00:00Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60},"attendees":[{"email":"grace@example.com","name":"Grace Hopper","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}],"uid":"bk_pay1","bookingId":104,"paymentId":77,"price":49.5,"currency":"eur","status":"ACCEPTED","paymentData":{"id":77,"amount":4950,"success":true}}}"#;
    let WebhookEvent::BookingPaid(d) = parse_signed(body) else { panic!("expected BookingPaid") };
    let p = &d.payload;
    assert_eq!(p.payment_id, Some(77));
    assert_eq!(p.price, Some(49.5));
    assert_eq!(p.status, Some(WebhookBookingStatus::Accepted));
    assert_eq!(d.created_at, Some(utc(2024, 5, 5, 11, 5, 0)));
}

#[test]
fn booking_no_show_updated() {
    let body = r#"{"triggerEvent":"BOOKING_NO_SHOW_UPDATED","createdAt":"2024-05-06T10:00:00.000Z","payload":{"message":"grace@example.com marked as no-show","bookingUid":"bk_7Hd9aQ2","bookingId":101,"attendees":[{"email":"grace@example.com","noShow":true},{"email":"charles@example.com","noShow":false}]}}"#;
    let WebhookEvent::BookingNoShowUpdated(d) = parse_signed(body) else { panic!("expected BookingNoShowUpdated") };
    let p = &d.payload;
    assert_eq!(p.message, "grace@example.com marked as no-show");
    assert_eq!(p.booking_uid, "bk_7Hd9aQ2");
    assert_eq!(p.booking_id, Some(101));
    assert_eq!(p.attendees.len(), 2);
    assert_eq!(p.attendees[0].email, "grace@example.com");
    assert!(p.attendees[0].no_show);
    assert!(!p.attendees[1].no_show);
    // bookingId is optional.
    let without_id = r#"{"triggerEvent":"BOOKING_NO_SHOW_UPDATED","createdAt":"2024-05-06T10:00:00.000Z","payload":{"message":"m","bookingUid":"u","attendees":[]}}"#;
    let WebhookEvent::BookingNoShowUpdated(d) = parse_signed(without_id) else {
        panic!("expected BookingNoShowUpdated")
    };
    assert_eq!(d.payload.booking_id, None);
}

#[test]
fn meeting_started_is_flat() {
    // The booking row, flat beside triggerEvent: no wrapper createdAt, no payload.
    let body = r#"{"triggerEvent":"MEETING_STARTED","id":101,"uid":"bk_7Hd9aQ2","idempotencyKey":null,"userId":5,"userPrimaryEmail":"ada@example.com","eventTypeId":12,"title":"30 min meeting between Ada Lovelace and Grace Hopper","description":null,"customInputs":{},"responses":{"name":{"label":"your_name","value":"Grace Hopper"},"email":{"label":"email_address","value":"grace@example.com"}},"startTime":"2024-05-06T09:00:00.000Z","endTime":"2024-05-06T09:30:00.000Z","location":"integrations:daily","updatedAt":null,"status":"ACCEPTED","paid":false,"destinationCalendarId":null,"cancellationReason":null,"rejectionReason":null,"fromReschedule":null,"rescheduled":null,"metadata":{"videoCallUrl":"https://cal.video/room-7Hd9aQ2"},"isRecorded":false,"attendees":[{"name":"Grace Hopper","email":"grace@example.com"}],"eventType":{"bookingFields":[]}}"#;
    let event = parse_signed(body);
    assert_eq!(event.trigger(), "MEETING_STARTED");
    let WebhookEvent::MeetingStarted(m) = event else { panic!("expected MeetingStarted") };
    assert_eq!(m.id, 101);
    assert_eq!(m.uid, "bk_7Hd9aQ2");
    assert_eq!(m.title, "30 min meeting between Ada Lovelace and Grace Hopper");
    assert_eq!(m.start_time, utc(2024, 5, 6, 9, 0, 0));
    assert_eq!(m.end_time, utc(2024, 5, 6, 9, 30, 0));
    assert_eq!(m.status, Some(WebhookBookingStatus::Accepted));
    assert_eq!(m.user_id, Some(5));
    assert_eq!(m.event_type_id, Some(12));
    assert_eq!(m.description, None);
    assert_eq!(m.location.as_deref(), Some("integrations:daily"));
    assert_eq!(m.responses.as_ref().expect("responses")["name"]["value"], json!("Grace Hopper"));
    assert_eq!(m.attendees.as_ref().map(Vec::len), Some(1));
    assert_eq!(m.metadata.as_ref().expect("metadata")["videoCallUrl"], json!("https://cal.video/room-7Hd9aQ2"));
}

#[test]
fn meeting_ended_is_flat() {
    // A smaller row: only the required fields, responses and metadata null.
    let body = r#"{"triggerEvent":"MEETING_ENDED","id":102,"uid":"bk_req1","title":"Intro call","startTime":"2024-05-07T13:00:00.000Z","endTime":"2024-05-07T13:45:00.000Z","responses":null,"metadata":null}"#;
    let event = parse_signed(body);
    assert_eq!(event.trigger(), "MEETING_ENDED");
    let WebhookEvent::MeetingEnded(m) = event else { panic!("expected MeetingEnded") };
    assert_eq!(m.id, 102);
    assert_eq!(m.uid, "bk_req1");
    assert_eq!(m.end_time, utc(2024, 5, 7, 13, 45, 0));
    assert_eq!(m.status, None);
    assert_eq!(m.responses, None);
    assert_eq!(m.metadata, None);
    assert_eq!(m.attendees, None);
}

#[test]
fn recording_ready() {
    let body = r#"{"triggerEvent":"RECORDING_READY","createdAt":"2024-05-06T09:45:00.000Z","payload":{"type":"30min","title":"30 min meeting between Ada Lovelace and Grace Hopper","startTime":"2024-05-06T09:00:00Z","endTime":"2024-05-06T09:30:00Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60},"attendees":[{"email":"grace@example.com","name":"Grace Hopper","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}],"uid":"bk_7Hd9aQ2","bookingId":101,"downloadLink":"https://download.example.com/recordings/rec-1.mp4?token=abc"}}"#;
    let WebhookEvent::RecordingReady(d) = parse_signed(body) else { panic!("expected RecordingReady") };
    assert_eq!(d.payload.download_link.as_deref(), Some("https://download.example.com/recordings/rec-1.mp4?token=abc"));
    assert_eq!(d.payload.download_links, None);
    assert_eq!(d.payload.uid.as_deref(), Some("bk_7Hd9aQ2"));
    assert_eq!(d.created_at, Some(utc(2024, 5, 6, 9, 45, 0)));
}

#[test]
fn recording_transcription_generated() {
    let body = r#"{"triggerEvent":"RECORDING_TRANSCRIPTION_GENERATED","createdAt":"2024-05-06T10:00:00.000Z","payload":{"type":"30min","title":"30 min meeting between Ada Lovelace and Grace Hopper","startTime":"2024-05-06T09:00:00Z","endTime":"2024-05-06T09:30:00Z","organizer":{"id":5,"name":"Ada Lovelace","email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60},"attendees":[{"email":"grace@example.com","name":"Grace Hopper","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}],"uid":"bk_7Hd9aQ2","downloadLinks":{"transcription":[{"format":"json","link":"https://download.example.com/t/1.json"},{"format":"vtt","link":"https://download.example.com/t/1.vtt"}],"recording":"https://download.example.com/recordings/rec-1.mp4"}}}"#;
    let WebhookEvent::RecordingTranscriptionGenerated(d) = parse_signed(body) else {
        panic!("expected RecordingTranscriptionGenerated")
    };
    let links = d.payload.download_links.as_ref().expect("downloadLinks");
    let transcription = links.transcription.as_ref().expect("transcription");
    assert_eq!(transcription.len(), 2);
    assert_eq!(transcription[1].format, "vtt");
    assert_eq!(transcription[1].link, "https://download.example.com/t/1.vtt");
    assert_eq!(links.recording.as_deref(), Some("https://download.example.com/recordings/rec-1.mp4"));
    assert_eq!(d.payload.download_link, None);
}

#[test]
fn instant_meeting() {
    let body = r#"{"triggerEvent":"INSTANT_MEETING","createdAt":"2024-05-06T14:00:00.000Z","payload":{"triggerEvent":"INSTANT_MEETING","uid":"bk_inst1","responses":{"name":"Grace Hopper","email":"grace@example.com"},"connectAndJoinUrl":"https://app.cal.com/connect-and-join?token=tok123","eventTypeId":44,"eventTypeTitle":"Instant help","customInputs":null}}"#;
    let WebhookEvent::InstantMeeting(d) = parse_signed(body) else { panic!("expected InstantMeeting") };
    let p = &d.payload;
    assert_eq!(p.uid, "bk_inst1");
    assert_eq!(p.connect_and_join_url, "https://app.cal.com/connect-and-join?token=tok123");
    assert_eq!(p.event_type_id, 44);
    assert_eq!(p.event_type_title.as_deref(), Some("Instant help"));
    assert_eq!(p.custom_inputs, None, "customInputs: null");
    assert_eq!(p.responses.as_ref().expect("responses")["email"], json!("grace@example.com"));
    assert_eq!(d.created_at, Some(utc(2024, 5, 6, 14, 0, 0)));
}

#[test]
fn ooo_created() {
    // start/end carry the user's offset; createdAt/updatedAt are UTC with milliseconds.
    let body = r#"{"triggerEvent":"OOO_CREATED","createdAt":"2024-05-06T15:00:00.000Z","payload":{"oooEntry":{"id":9,"start":"2024-06-01T00:00:00+02:00","end":"2024-06-07T23:59:59+02:00","createdAt":"2024-05-06T14:59:59.250Z","updatedAt":"2024-05-06T14:59:59.250Z","notes":"Summer holiday","reason":{"emoji":"🏝️","reason":"ooo_reasons_vacation"},"reasonId":1,"user":{"id":5,"name":null,"username":"ada","timeZone":"Europe/Berlin","email":"ada@example.com"},"toUser":null,"uuid":"0f8e2c1a-1111-4b2b-9c3d-222233334444"}}}"#;
    let WebhookEvent::OooCreated(d) = parse_signed(body) else { panic!("expected OooCreated") };
    let e = &d.payload.ooo_entry;
    assert_eq!(e.id, 9);
    assert_eq!(e.start, utc(2024, 5, 31, 22, 0, 0), "+02:00 midnight is 22:00 UTC the day before");
    assert_eq!(e.end, utc(2024, 6, 7, 21, 59, 59));
    assert_eq!(e.created_at, Some(utc_ms(2024, 5, 6, 14, 59, 59, 250)));
    assert_eq!(e.notes.as_deref(), Some("Summer holiday"));
    let reason = e.reason.as_ref().expect("reason");
    assert_eq!(reason.reason.as_deref(), Some("ooo_reasons_vacation"));
    assert_eq!(reason.emoji.as_deref(), Some("🏝️"));
    assert_eq!(e.reason_id, Some(1));
    assert_eq!(e.user.id, 5);
    assert_eq!(e.user.name, None, "name: null");
    assert_eq!(e.user.email, "ada@example.com");
    assert_eq!(e.user.time_zone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(e.to_user, None, "toUser: null");
    assert_eq!(e.uuid.as_deref(), Some("0f8e2c1a-1111-4b2b-9c3d-222233334444"));
}

#[test]
fn form_submitted_keeps_the_top_level_answer_copies_in_extra() {
    // Cal.com puts the answer copies first (rootData), then triggerEvent, createdAt, payload.
    let body = r#"{"name":"John Doe","Email":"john@example.com","Company size":250,"Interests":["Rust","Go"],"triggerEvent":"FORM_SUBMITTED","createdAt":"2024-05-06T16:00:00.000Z","payload":{"formId":"5c7f9e7e-aaaa-4d1b-8b8f-0123456789ab","formName":"Sales inquiry","teamId":null,"responses":{"name":{"value":"John Doe","response":"John Doe"},"Email":{"value":"john@example.com","response":"john@example.com"},"Company size":{"value":250,"response":250},"Interests":{"value":["Rust","Go"],"response":[{"label":"Rust","id":"opt-rust"},{"label":"Go","id":"opt-go"}]}}}}"#;
    let WebhookEvent::FormSubmitted(d) = parse_signed(body) else { panic!("expected FormSubmitted") };
    assert_eq!(d.extra["name"], json!("John Doe"));
    assert_eq!(d.extra["Email"], json!("john@example.com"));
    assert_eq!(d.extra["Company size"], json!(250));
    assert_eq!(d.extra["Interests"], json!(["Rust", "Go"]));
    assert_eq!(d.extra.len(), 4, "only the answer copies: {:?}", d.extra.keys().collect::<Vec<_>>());
    for wrapper in ["triggerEvent", "createdAt", "payload"] {
        assert!(!d.extra.contains_key(wrapper), "{wrapper} is not an extra field");
    }
    assert_eq!(d.created_at, Some(utc(2024, 5, 6, 16, 0, 0)));
    let p = &d.payload;
    assert_eq!(p.form_id, "5c7f9e7e-aaaa-4d1b-8b8f-0123456789ab");
    assert_eq!(p.form_name, "Sales inquiry");
    assert_eq!(p.team_id, None, "teamId: null");
    assert_eq!(p.responses.len(), 4);
    assert_eq!(p.responses["name"].value, json!("John Doe"));
    assert_eq!(p.responses["Company size"].value, json!(250));
    assert_eq!(p.responses["Interests"].value, json!(["Rust", "Go"]));
    assert_eq!(p.responses["Interests"].response.as_ref().expect("response")[0]["id"], json!("opt-rust"));
}

#[test]
fn form_submitted_no_event() {
    let body = r#"{"triggerEvent":"FORM_SUBMITTED_NO_EVENT","createdAt":"2024-05-06T16:30:00.000Z","payload":{"formId":"5c7f9e7e-aaaa-4d1b-8b8f-0123456789ab","formName":"Sales inquiry","teamId":7,"responses":{"name":{"value":"Jane Roe"}}}}"#;
    let event = parse_signed(body);
    assert_eq!(event.trigger(), "FORM_SUBMITTED_NO_EVENT");
    let WebhookEvent::FormSubmittedNoEvent(d) = event else { panic!("expected FormSubmittedNoEvent") };
    assert_eq!(d.payload.team_id, Some(7));
    assert_eq!(d.payload.responses["name"].value, json!("Jane Roe"));
    assert_eq!(d.payload.responses["name"].response, None);
    assert!(d.extra.is_empty());
}

#[test]
fn after_hosts_cal_video_no_show() {
    let body = r#"{"triggerEvent":"AFTER_HOSTS_CAL_VIDEO_NO_SHOW","createdAt":"2024-05-06T09:15:00.000Z","payload":{"title":"30 min meeting between Ada Lovelace and Grace Hopper","bookingId":101,"bookingUid":"bk_7Hd9aQ2","startTime":"2024-05-06T09:00:00.000Z","endTime":"2024-05-06T09:30:00.000Z","participants":[{"user_id":null,"participant_id":"p-guest-1","user_name":"Grace Hopper","join_time":1714986060,"duration":600}],"hostEmail":"ada@example.com","eventType":{"id":12,"teamId":null,"parentId":null},"webhook":{"id":"wh_1","subscriberUrl":"https://example.com/hook","appId":null,"time":15,"timeUnit":"MINUTE","eventTriggers":["AFTER_HOSTS_CAL_VIDEO_NO_SHOW"],"payloadTemplate":null},"message":"Host with email ada@example.com didn't join the call or didn't join before 2024-05-06 09:15:00 Z"}}"#;
    let WebhookEvent::AfterHostsCalVideoNoShow(d) = parse_signed(body) else {
        panic!("expected AfterHostsCalVideoNoShow")
    };
    let p = &d.payload;
    assert_eq!(p.booking_id, 101);
    assert_eq!(p.booking_uid, "bk_7Hd9aQ2");
    assert_eq!(p.start_time, utc(2024, 5, 6, 9, 0, 0));
    assert_eq!(p.host_email.as_deref(), Some("ada@example.com"));
    assert_eq!(p.event_type.id, 12);
    assert_eq!(p.event_type.team_id, None);
    assert_eq!(p.participants.len(), 1);
    assert_eq!(p.participants[0].user_id, None, "user_id: null");
    assert_eq!(p.participants[0].participant_id, "p-guest-1");
    assert_eq!(p.participants[0].join_time, 1_714_986_060);
    assert_eq!(p.participants[0].duration, 600);
    assert_eq!(p.participants[0].email, None);
    assert_eq!(p.attendees, None, "absent");
    assert_eq!(p.webhook.as_ref().expect("webhook")["time"], json!(15));
    assert!(p.message.starts_with("Host with email ada@example.com"));
}

#[test]
fn after_guests_cal_video_no_show() {
    let body = r#"{"triggerEvent":"AFTER_GUESTS_CAL_VIDEO_NO_SHOW","createdAt":"2024-05-06T09:15:00.000Z","payload":{"title":"30 min meeting between Ada Lovelace and Grace Hopper","bookingId":101,"bookingUid":"bk_7Hd9aQ2","startTime":"2024-05-06T09:00:00.000Z","attendees":[],"endTime":"2024-05-06T09:30:00.000Z","participants":[{"user_id":"5","participant_id":"p-host-1","user_name":"Ada Lovelace","join_time":1714986000,"duration":1800,"email":"ada@example.com"}],"eventType":{"id":12,"teamId":3,"parentId":11},"webhook":{"id":"wh_2"},"message":"Guest didn't join the call or didn't join before 2024-05-06 09:15:00 Z"}}"#;
    let WebhookEvent::AfterGuestsCalVideoNoShow(d) = parse_signed(body) else {
        panic!("expected AfterGuestsCalVideoNoShow")
    };
    let p = &d.payload;
    assert_eq!(p.end_time, utc(2024, 5, 6, 9, 30, 0));
    assert_eq!(p.participants[0].user_id.as_deref(), Some("5"));
    assert_eq!(p.participants[0].email.as_deref(), Some("ada@example.com"));
    assert_eq!(p.event_type.team_id, Some(3));
    assert_eq!(p.event_type.parent_id, Some(11));
    assert_eq!(p.host_email, None);
    assert_eq!(p.attendees.as_deref().map(<[_]>::len), Some(0));
    assert!(p.message.starts_with("Guest didn't join"));
}

#[test]
fn after_guests_no_show_with_attendee_rows_as_cal_com_sends_them() {
    // packages/features/tasker/tasks/triggerNoShow/common.ts: `attendees: booking.attendees`, the
    // Prisma rows selected by bookingMinimalSelect (`attendees: true`).
    let body = r#"{"triggerEvent":"AFTER_GUESTS_CAL_VIDEO_NO_SHOW","createdAt":"2024-05-06T09:15:00.000Z","payload":{"title":"30 min meeting","bookingId":101,"bookingUid":"bk_7Hd9aQ2","startTime":"2024-05-06T09:00:00.000Z","attendees":[{"id":301,"email":"grace@example.com","name":"Grace Hopper","timeZone":"America/New_York","phoneNumber":null,"locale":"en","bookingId":101,"noShow":false}],"endTime":"2024-05-06T09:30:00.000Z","participants":[],"eventType":{"id":12,"teamId":null,"parentId":null},"webhook":{"id":"wh_2"},"message":"Guest didn't join the call or didn't join before 2024-05-06 09:15:00 Z"}}"#;
    let signature = sign(body.as_bytes(), SECRET);
    let result = webhooks::verify_and_parse(body.as_bytes(), Some(&signature), SECRET);
    let Ok(WebhookEvent::AfterGuestsCalVideoNoShow(d)) = result else {
        panic!("expected AfterGuestsCalVideoNoShow, got {result:?}")
    };
    assert_eq!(d.payload.attendees.as_ref().map(Vec::len), Some(1));
}

#[test]
fn booking_created_with_organizer_time_format_as_cal_com_sends_it() {
    let body = BOOKING_CREATED.replace(r#""utcOffset": 60"#, r#""utcOffset": 60, "timeFormat": "h:mma""#);
    assert_ne!(body, BOOKING_CREATED, "the organizer now has a timeFormat");
    let signature = sign(body.as_bytes(), SECRET);
    let result = webhooks::verify_and_parse(body.as_bytes(), Some(&signature), SECRET);
    let Ok(WebhookEvent::BookingCreated(d)) = result else { panic!("expected BookingCreated, got {result:?}") };
    assert_eq!(d.payload.organizer.email, "ada@example.com");
    assert_eq!(d.payload.organizer.time_format, Some(calcom::WebhookTimeFormat::Pattern("h:mma".to_owned())));
}

#[test]
fn time_format_as_a_number_from_older_and_self_hosted_servers_is_accepted() {
    for (wire, expected) in [("12", 12), ("24", 24)] {
        let body = BOOKING_CREATED.replace(r#""utcOffset": 60"#, &format!(r#""utcOffset": 60, "timeFormat": {wire}"#));
        let WebhookEvent::BookingCreated(d) = parse_signed(&body) else { panic!("expected BookingCreated") };
        assert_eq!(d.payload.organizer.time_format, Some(calcom::WebhookTimeFormat::Hours(expected)));
    }
    // And null, as a user without the setting has it.
    let body = BOOKING_CREATED.replace(r#""utcOffset": 60"#, r#""utcOffset": 60, "timeFormat": null"#);
    let WebhookEvent::BookingCreated(d) = parse_signed(&body) else { panic!("expected BookingCreated") };
    assert_eq!(d.payload.organizer.time_format, None);
}

#[test]
fn booking_paid_with_an_organizer_without_a_name() {
    let body = r#"{"triggerEvent":"BOOKING_PAID","createdAt":"2024-05-05T11:05:00.000Z","payload":{"type":"paid","title":"Paid","startTime":"2024-05-09T15:00:00Z","endTime":"2024-05-09T16:00:00Z","organizer":{"id":5,"name":null,"email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"en"},"timeFormat":12},"attendees":[],"uid":"bk_pay2"}}"#;
    let WebhookEvent::BookingPaid(d) = parse_signed(body) else { panic!("expected BookingPaid") };
    assert_eq!(d.payload.organizer.name, None);
    assert_eq!(d.payload.organizer.time_format, Some(calcom::WebhookTimeFormat::Hours(12)));
}

#[test]
fn ping_from_the_test_button() {
    let body = r#"{"triggerEvent":"PING","createdAt":"2024-05-06T17:00:00.000Z","payload":{"type":"Test","title":"Test trigger event","startTime":"2024-05-06T17:00:00.000Z","endTime":"2024-05-06T17:00:00.000Z","attendees":[{"email":"jdoe@example.com","name":"John Doe","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}],"organizer":{"name":"Cal","email":"no-reply@cal.com","timeZone":"Europe/London","language":{"locale":"en"},"utcOffset":60}}}"#;
    let event = parse_signed(body);
    assert_eq!(event.trigger(), "PING");
    let WebhookEvent::Ping(d) = event else { panic!("expected Ping") };
    assert_eq!(d.payload.r#type, "Test");
    assert_eq!(d.payload.title, "Test trigger event");
    assert_eq!(d.payload.organizer.email, "no-reply@cal.com");
    assert_eq!(d.payload.attendees[0].name.as_deref(), Some("John Doe"));
    assert_eq!(d.payload.start_time, utc(2024, 5, 6, 17, 0, 0));
    assert_eq!(d.payload.uid, None);
    assert_eq!(d.payload.status, None);
    assert_eq!(d.created_at, Some(utc(2024, 5, 6, 17, 0, 0)));
}

#[test]
fn a_delivery_without_created_at_still_decodes() {
    let body =
        r#"{"triggerEvent":"BOOKING_NO_SHOW_UPDATED","payload":{"message":"m","bookingUid":"u","attendees":[]}}"#;
    let WebhookEvent::BookingNoShowUpdated(d) = parse_signed(body) else { panic!("expected BookingNoShowUpdated") };
    assert_eq!(d.created_at, None);
    assert!(d.extra.is_empty());
}

#[test]
fn an_unknown_status_is_kept_not_an_error() {
    let body = BOOKING_CREATED.replace(r#""status": "ACCEPTED""#, r#""status": "PARKED""#);
    assert_ne!(body, BOOKING_CREATED);
    let WebhookEvent::BookingCreated(d) = parse_signed(&body) else { panic!("expected BookingCreated") };
    let status = d.payload.status.expect("status");
    assert_eq!(status.as_str(), "PARKED");
    assert!(matches!(status, WebhookBookingStatus::Unknown(_)));
}

#[test]
fn an_unknown_trigger_keeps_the_trigger_and_the_raw_body() {
    let body = r#"{"triggerEvent":"BOOKING_TELEPORTED","createdAt":"2024-05-06T18:00:00.000Z","payload":{"from":"London","to":"Mars","startTime":42}}"#;
    let event = parse_signed(body);
    assert_eq!(event.trigger(), "BOOKING_TELEPORTED");
    let WebhookEvent::Unknown { trigger, body: value } = event else { panic!("expected Unknown") };
    assert_eq!(trigger, "BOOKING_TELEPORTED");
    let expected: serde_json::Value = serde_json::from_str(body).expect("test body is JSON");
    assert_eq!(value, expected, "the whole body, wrapper included");
    assert_eq!(value["payload"]["to"], json!("Mars"));
}

#[test]
fn a_wrong_typed_start_time_reports_its_json_path() {
    let body = BOOKING_CREATED.replace(r#""startTime": "2024-05-06T09:00:00Z""#, r#""startTime": 42"#);
    assert_ne!(body, BOOKING_CREATED);
    let event = parse_signed(&body);
    let WebhookEvent::Malformed(m) = &event else { panic!("expected Malformed, got {event:?}") };
    let display = m.error.to_string();
    assert_eq!(m.created_at, Some(utc_ms(2024, 5, 1, 10, 0, 0, 123)), "createdAt is kept");
    assert_eq!(m.payload().and_then(|p| p.get("startTime")), Some(&json!(42)), "the raw payload is kept");
    let (trigger, path, message) = malformed(event);
    assert_eq!(trigger, "BOOKING_CREATED");
    assert_eq!(path, "payload.startTime");
    assert!(!message.is_empty());
    assert!(display.contains("payload.startTime"), "Display names the path: {display}");
}

#[test]
fn a_wrong_typed_organizer_email_reports_its_json_path() {
    let body = BOOKING_CREATED.replace(r#""email": "ada@example.com""#, r#""email": 7"#);
    assert_ne!(body, BOOKING_CREATED);
    let (trigger, path, message) = malformed(parse_signed(&body));
    assert_eq!(trigger, "BOOKING_CREATED");
    assert_eq!(path, "payload.organizer.email");
    assert!(message.contains("invalid type"), "{message}");
}

#[test]
fn a_wrong_typed_field_in_a_list_reports_the_index() {
    let body = BOOKING_CREATED.replace(r#""locale": "fr""#, r#""locale": ["fr"]"#);
    assert_ne!(body, BOOKING_CREATED);
    let (_, path, _) = malformed(parse_signed(&body));
    assert_eq!(path, "payload.attendees[0].language.locale");
    // In a map, the key is part of the path.
    let body = BOOKING_CREATED.replace(r#""isHidden": true"#, r#""isHidden": "yes""#);
    assert_ne!(body, BOOKING_CREATED);
    let (_, path, _) = malformed(parse_signed(&body));
    assert_eq!(path, "payload.responses.guests.isHidden");
}

#[test]
fn a_wrong_typed_id_in_a_flat_meeting_reports_path_id() {
    let body = r#"{"triggerEvent":"MEETING_STARTED","id":"101","uid":"bk_7Hd9aQ2","title":"t","startTime":"2024-05-06T09:00:00.000Z","endTime":"2024-05-06T09:30:00.000Z"}"#;
    let (trigger, path, _) = malformed(parse_signed(body));
    assert_eq!(trigger, "MEETING_STARTED");
    assert_eq!(path, "id");
    // And a nested field of a flat body has no `payload.` prefix either.
    let body = r#"{"triggerEvent":"MEETING_ENDED","id":101,"uid":"bk_7Hd9aQ2","title":"t","startTime":"2024-05-06T09:00:00.000Z","endTime":"2024-05-06T09:30:00.000Z","attendees":{"not":"a list"}}"#;
    let (trigger, path, _) = malformed(parse_signed(body));
    assert_eq!(trigger, "MEETING_ENDED");
    assert_eq!(path, "attendees");
}

#[test]
fn a_delivery_without_payload_is_a_payload_error() {
    let body = r#"{"triggerEvent":"BOOKING_CREATED","createdAt":"2024-05-01T10:00:00.000Z"}"#;
    let (trigger, path, message) = malformed(parse_signed(body));
    assert_eq!(trigger, "BOOKING_CREATED");
    assert_eq!(path, "payload");
    assert!(message.contains("payload"), "{message}");
}

#[test]
fn json_without_a_trigger_is_missing_trigger() {
    for body in [
        r#"{"createdAt":"2024-05-01T10:00:00.000Z","payload":{"type":"Test"}}"#,
        r#"{"triggerEvent":42,"payload":{}}"#,
        r#"{"triggerEvent":null,"payload":{}}"#,
        r#"[{"triggerEvent":"PING"}]"#,
        r#""PING""#,
    ] {
        let e = parse_signed_err(body);
        assert!(matches!(e, WebhookError::MissingTrigger), "{body}: got {e:?}");
        assert!(!e.is_unauthenticated());
    }
}

#[test]
fn a_custom_template_body_in_plain_text_is_available_as_bytes() {
    // A custom payload template that does not render JSON is sent as form-urlencoded text.
    let body = b"event=BOOKING_CREATED&title=30%20min%20meeting&attendee=grace%40example.com";
    let signature = sign(body, SECRET);
    let verified = webhooks::verify(body, Some(&signature), SECRET).expect("signed like any other delivery");
    assert_eq!(verified.bytes(), body);
    assert!(std::ptr::eq(verified.bytes(), &body[..]), "the very bytes given, not a copy");
    assert!(matches!(verified.parse(), Err(WebhookError::NotJson(_))));
}
