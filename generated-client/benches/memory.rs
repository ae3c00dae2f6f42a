//! Peak memory of fetching and decoding a 50 MB list of bookings: the client against the same
//! call written by hand with reqwest and serde-derived structs, the same loopback server, one
//! run. Each measurement is a fresh child process reading its own peak resident set (Linux
//! `VmHWM`), so allocations of one do not hide in the other's.
//!
//! Run: `cargo bench -p calcom --bench memory` (release).

mod shared;

use std::process::Command;

use axum::Router;
use axum::routing::get;
use shared::{Envelope, bookings_page, derived};

/// About 50 MB of JSON (each booking is about 1.2 KB).
const ITEMS: usize = 42_000;
const RUNS: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], &args[i + 2], args[i + 3].parse().expect("an item count"));
        return;
    }
    // `cargo test` runs benchmarks once, without `--bench`, to see that they work: a small list.
    let (items, runs) = if args.iter().any(|a| a == "--bench") { (ITEMS, RUNS) } else { (200, 1) };
    if std::fs::read_to_string("/proc/self/status").is_err() {
        println!("memory: needs Linux (/proc/self/status); skipped");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("a runtime");
    let body = bytes::Bytes::from(bookings_page(items));
    println!("memory: a list of {items} bookings, {:.1} MB of JSON, {runs} runs each", body.len() as f64 / 1e6);
    let app = Router::new()
        .route("/v2/bookings", get(move || std::future::ready(([("content-type", "application/json")], body.clone()))));
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind 127.0.0.1:0");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    rt.spawn(async move { axum::serve(listener, app).await.expect("serves") });
    let exe = std::env::current_exe().expect("this binary");
    let mut medians = Vec::new();
    for mode in ["by_hand", "client"] {
        let mut peaks: Vec<(u64, u64)> = (0..runs)
            .map(|_| {
                let out = Command::new(&exe)
                    .args(["--child", mode, &url, &items.to_string()])
                    .output()
                    .expect("runs the child");
                assert!(out.status.success(), "{mode}: {}", String::from_utf8_lossy(&out.stderr));
                let text = String::from_utf8_lossy(&out.stdout);
                let mut numbers = text.split_whitespace().map(|n| n.parse::<u64>().expect("kB"));
                (numbers.next().expect("peak"), numbers.next().expect("before"))
            })
            .collect();
        peaks.sort();
        let (peak, before) = peaks[runs / 2];
        println!(
            "memory: {mode:<8} peak {:.1} MB (of which {:.1} MB before the request), median",
            mb(peak),
            mb(before)
        );
        medians.push(peak);
    }
    println!("memory: client / by hand = {:.2}x (peak resident set)", medians[1] as f64 / medians[0] as f64);
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// The peak resident set so far, in kB.
fn peak_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a number")
}

fn child(mode: &str, url: &str, items: usize) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    // A 50 MB answer is over the default response size limit (32 MiB): raise it, as a user who
    // expects such answers would.
    let cal = calcom::Client::builder()
        .api_key("cal_test_bench")
        .base_url(url)
        .max_response_size(256 * 1024 * 1024)
        .build()
        .expect("a client");
    let http = reqwest::Client::builder().no_proxy().build().expect("a reqwest client");
    let before = peak_kb();
    let count = rt.block_on(async {
        match mode {
            "client" => cal.bookings().list().await.expect("decodes").len(),
            _ => {
                let response = http.get(format!("{url}/v2/bookings")).send().await.expect("sends");
                let body = response.bytes().await.expect("reads");
                let envelope: Envelope<Vec<derived::Booking>> = serde_json::from_slice(&body).expect("decodes");
                envelope.data.len()
            }
        }
    });
    assert_eq!(count, items);
    println!("{} {before}", peak_kb());
}
