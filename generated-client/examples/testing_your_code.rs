//! Testing your own code that uses calcom, with the test kit (`calcom::mock`, feature
//! `test-util`): a mock Cal.com on 127.0.0.1 that the real client talks to.
//!
//! ```sh
//! cargo test -p calcom --features test-util --example testing_your_code   # as a test
//! cargo run -p calcom --features test-util --example testing_your_code    # the same, as a program
//! ```
//!
//! In your crate: `calcom = { version = "...", features = ["test-util"] }` under
//! `[dev-dependencies]` (beside the normal dependency), and tests like the one below.

use calcom::{Booking, Client, CreateBooking, NewBookingAttendee};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;

/// The code under test: reads every booking (page by page) and books a follow-up call.
pub async fn book_follow_up(cal: &Client, email: &str, at: DateTime<Utc>) -> calcom::Result<usize> {
    let bookings: Vec<Booking> = cal.bookings().list().take(100).stream().try_collect().await?;
    let attendee = NewBookingAttendee::new("Ada Lovelace", "Europe/London").email(email);
    cal.bookings().create(CreateBooking::new(at, attendee).event_type_id(42)).await?;
    Ok(bookings.len())
}

/// The test: 250 bookings in pages after a 429, and the booking it makes, checked typed.
async fn books_a_follow_up_after_reading_every_page() {
    use calcom::CreateBookingRequest::Regular;
    use calcom::mock::{Failure, MockServer};
    use std::time::Duration;

    let mock = MockServer::start().await;
    mock.bookings().list().fails(Failure::rate_limited(Duration::from_secs(30))).times(1);
    mock.bookings().list().returns_all(mock.bookings().list().examples(250));
    mock.bookings().create().returns_example().expect(1);

    let at: DateTime<Utc> = "2030-05-01T09:00:00Z".parse().unwrap();
    assert_eq!(book_follow_up(&mock.client(), "ada@example.com", at).await.unwrap(), 250);

    let sent = mock.bookings().create().received();
    let Regular(body) = sent[0].body() else { panic!("not a regular booking: {:?}", sent[0].body()) };
    assert_eq!(
        (body.start, body.event_type_id, body.attendee.email.as_deref()),
        (at, Some(42), Some("ada@example.com"))
    );
    assert_eq!(mock.waits(), [Duration::from_secs(30)]); // the throttler's wait, recorded instead of slept
    assert_eq!(mock.bookings().list().received().len(), 4); // the 429, then pages of 100, 100, 50
    mock.verify();
}

#[tokio::test]
async fn test_books_a_follow_up_after_reading_every_page() {
    books_a_follow_up_after_reading_every_page().await;
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    books_a_follow_up_after_reading_every_page().await;
    println!("book_follow_up: read 250 bookings in 3 pages after a 429, and booked the follow-up as expected");
}
