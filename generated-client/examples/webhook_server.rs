//! A server that accepts only genuine Cal.com webhooks and matches on typed events.
//!
//! ```sh
//! CAL_WEBHOOK_SECRET=... cargo run -p calcom --features axum --example webhook_server -- 127.0.0.1:3000
//! ```
//!
//! Point a Cal.com webhook (with the same secret) at `http://<host>:3000/cal/webhooks`.

use axum::Router;
use axum::routing::post;
use calcom::webhooks::WebhookEvent;
use calcom::webhooks::axum::{Webhook, WebhookSecret};

async fn receive(Webhook(event): Webhook) -> &'static str {
    match event {
        WebhookEvent::BookingCreated(d) => println!("booked: {} at {}", d.payload.title, d.payload.start_time),
        WebhookEvent::BookingCancelled(d) => println!("cancelled: {}", d.payload.title),
        WebhookEvent::Ping(_) => println!("ping from the Cal.com test button"),
        WebhookEvent::Unknown { trigger, .. } => println!("not handled yet: {trigger}"),
        other => println!("{}", other.trigger()),
    }
    "ok"
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("CAL_WEBHOOK_SECRET").map_err(|_| "set CAL_WEBHOOK_SECRET to the webhook's secret")?;
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let app = Router::new().route("/cal/webhooks", post(receive)).with_state(WebhookSecret::new(secret));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{addr}/cal/webhooks");
    axum::serve(listener, app).await?;
    Ok(())
}
