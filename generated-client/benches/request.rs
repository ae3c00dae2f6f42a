//! A request as a user makes it, end to end on loopback: `cal.bookings().list()` (a page of
//! 100 bookings, about 120 KB) and `cal.bookings().get(uid)` (one booking) against the same
//! calls written by hand with reqwest and serde-derived structs, the same server, one run.
//!
//! Run: `cargo bench -p calcom --bench request` (release). It prints each side's median (and
//! 10th and 90th percentiles) and the ratio of the medians.
//!
//! Loopback round trips on a shared machine are noisy (other tenants' load comes and goes), so
//! this is not divan: the two sides alternate call by call, in both orders, and so meet the
//! same load. Compare the figures of one run only.

mod shared;

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

use axum::Router;
use axum::routing::get;
use shared::{Envelope, booking_body, bookings_page, derived};

fn main() {
    // `cargo test` runs benchmarks once, without `--bench`, to see that they work: a few calls.
    let full = std::env::args().any(|a| a == "--bench");
    let rounds = |n: usize| if full { n } else { 4 };
    let s = setup();
    let list_url = format!("http://{}/v2/bookings", s.addr);
    let one_url = format!("http://{}/v2/bookings/bk_00000000", s.addr);
    compare(
        "list_100",
        rounds(400),
        || {
            s.rt.block_on(s.cal.bookings().list().send()).expect("lists");
        },
        || {
            s.rt.block_on(by_hand::<Vec<derived::Booking>>(&s.http, list_url.clone()));
        },
    );
    compare(
        "get_one",
        rounds(3000),
        || {
            s.rt.block_on(s.cal.bookings().get("bk_00000000").send()).expect("gets");
        },
        || {
            s.rt.block_on(by_hand::<derived::Booking>(&s.http, one_url.clone()));
        },
    );
}

/// Runs `client` and `by_hand` `rounds` times each, alternating (and swapping which goes first
/// every round), and prints both distributions and the ratio of their medians.
fn compare(name: &str, rounds: usize, mut client: impl FnMut(), mut by_hand: impl FnMut()) {
    for _ in 0..rounds.div_ceil(10) {
        client();
        by_hand();
    }
    let (mut a, mut b) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    let time = |f: &mut dyn FnMut(), into: &mut Vec<f64>| {
        let started = Instant::now();
        f();
        into.push(started.elapsed().as_secs_f64() * 1e6);
    };
    for round in 0..rounds {
        if round % 2 == 0 {
            time(&mut client, &mut a);
            time(&mut by_hand, &mut b);
        } else {
            time(&mut by_hand, &mut b);
            time(&mut client, &mut a);
        }
    }
    let (client, by_hand) = (summary(&mut a), summary(&mut b));
    println!(
        "request: {name} client   median {:8.1} µs (p10 {:.1}, p90 {:.1}), {rounds} calls",
        client.0, client.1, client.2
    );
    println!(
        "request: {name} by hand  median {:8.1} µs (p10 {:.1}, p90 {:.1}), {rounds} calls",
        by_hand.0, by_hand.1, by_hand.2
    );
    println!("request: {name} client / by hand = {:.2}x (medians)", client.0 / by_hand.0);
}

/// Median, 10th and 90th percentile.
fn summary(samples: &mut [f64]) -> (f64, f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.1), at(0.9))
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
