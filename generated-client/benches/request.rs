//! A request as a user makes it, end to end on loopback: `cal.bookings().list()` (a page of
//! 100 bookings, about 120 KB) and `cal.bookings().get(uid)` (one booking) against the same
//! calls written by hand with reqwest and serde-derived structs, the same server, one run.
//!
//! Run: `cargo bench -p calcom --bench request` (release). Compare the medians of one run only.

#[path = "shared.rs"]
mod shared;

use std::net::SocketAddr;
use std::sync::OnceLock;

use axum::Router;
use axum::routing::get;
use shared::{Envelope, booking_body, bookings_page, derived};

fn main() {
    divan::main();
}

const PAGE: usize = 100;

/// The runtime, the loopback server and both clients, made once for every benchmark.
struct Setup {
    rt: tokio::runtime::Runtime,
    addr: SocketAddr,
    cal: calcom::Client,
    http: reqwest::Client,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("a runtime");
        let page = bytes::Bytes::from(bookings_page(PAGE));
        let one = bytes::Bytes::from(booking_body());
        let json = |body: bytes::Bytes| ([("content-type", "application/json")], body);
        let app = Router::new()
            .route("/v2/bookings", get(move || std::future::ready(json(page.clone()))))
            .route("/v2/bookings/{uid}", get(move || std::future::ready(json(one.clone()))));
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("an address");
        rt.spawn(async move { axum::serve(listener, app).await.expect("serves") });
        let cal = calcom::Client::builder()
            .api_key("cal_test_bench")
            .base_url(format!("http://{addr}"))
            .build()
            .expect("a client");
        let http = reqwest::Client::builder().no_proxy().build().expect("a reqwest client");
        Setup { rt, addr, cal, http }
    })
}

/// What a user would write by hand: GET with the same headers, read the body, serde derive.
async fn by_hand<T: serde::de::DeserializeOwned>(http: &reqwest::Client, url: String) -> T {
    let response = http
        .get(url)
        .bearer_auth("cal_test_bench")
        .header("cal-api-version", "2024-08-13")
        .send()
        .await
        .expect("sends");
    assert!(response.status().is_success());
    let body = response.bytes().await.expect("reads");
    let envelope: Envelope<T> = serde_json::from_slice(&body).expect("decodes");
    assert_eq!(envelope.status, "success");
    envelope.data
}

#[divan::bench]
fn list_100_client(b: divan::Bencher) {
    let s = setup();
    b.bench(|| s.rt.block_on(s.cal.bookings().list().send()).expect("lists"));
}

#[divan::bench]
fn list_100_by_hand(b: divan::Bencher) {
    let s = setup();
    let url = format!("http://{}/v2/bookings", s.addr);
    b.bench(|| s.rt.block_on(by_hand::<Vec<derived::Booking>>(&s.http, url.clone())));
}

#[divan::bench]
fn get_one_client(b: divan::Bencher) {
    let s = setup();
    b.bench(|| s.rt.block_on(s.cal.bookings().get("bk_00000000").send()).expect("gets"));
}

#[divan::bench]
fn get_one_by_hand(b: divan::Bencher) {
    let s = setup();
    let url = format!("http://{}/v2/bookings/bk_00000000", s.addr);
    b.bench(|| s.rt.block_on(by_hand::<derived::Booking>(&s.http, url.clone())));
}
