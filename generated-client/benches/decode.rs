//! How fast models decode and encode, all in the same run: the client's decoding (one pass
//! with `calcom::decode`, the `Booking` union dispatched by its rule) against the same shapes
//! decoded by serde's derive, and against parsing into `serde_json::Value`.
//!
//! Run: `cargo bench -p calcom --bench decode` (release). Compare the medians of one run only.

mod shared;

use shared::{bookings_json, derived};

fn main() {
    divan::main();
}

const PAGE: usize = 100;

/// 100 `Booking` union items, as the client decodes a page (each item is decoded as the shape
/// of the one before, the rule's keys checked on the way; a key scan only when it changes).
#[divan::bench]
fn booking_union(b: divan::Bencher) {
    let json = bookings_json(PAGE);
    b.bench(|| calcom::decode::from_slice::<Vec<calcom::Booking>>(divan::black_box(&json)).expect("decodes"));
}

/// The same items as `RegularBooking` (no union): what dispatching costs is the difference.
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
