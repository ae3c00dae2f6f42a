//! Every upcoming booking, page by page as the stream is read.
//!
//! ```sh
//! CAL_API_KEY=cal_live_... cargo run -p calcom --example list_upcoming_bookings
//! CAL_API_KEY=cal_test_x cargo run -p calcom --example list_upcoming_bookings -- http://127.0.0.1:4010
//! ```
//!
//! The optional argument is a base URL (a local mock such as Prism); the default is Cal.com.

use calcom::{Booking, BookingStatusFilter};
use futures_util::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = std::env::var("CAL_API_KEY").map_err(|_| "set CAL_API_KEY to an API key")?;
    let mut builder = calcom::Client::builder().api_key(key);
    if let Some(base_url) = std::env::args().nth(1) {
        builder = builder.base_url(base_url);
    }
    let cal = builder.build()?;

    // 50 a page; the `cal-api-version` bookings need is sent by the client.
    let mut bookings = cal.bookings().list().status([BookingStatusFilter::Upcoming]).take(50).stream();
    let mut count = 0;
    while let Some(booking) = bookings.try_next().await? {
        count += 1;
        match booking {
            Booking::Regular(b) => println!("{}  {}  {}", b.start, b.uid, b.title),
            Booking::Recurring(b) => println!("{}  {}  {} (recurring)", b.start, b.uid, b.title),
            Booking::Seated(b) => println!("{}  {}  {} (seated)", b.start, b.uid, b.title),
            Booking::RecurringSeated(b) => println!("{}  {}  {} (recurring, seated)", b.start, b.uid, b.title),
            other => println!("a booking of a shape this client does not know: {other:?}"),
        }
    }
    println!("{count} upcoming bookings");
    Ok(())
}
