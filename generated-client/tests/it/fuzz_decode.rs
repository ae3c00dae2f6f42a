//! Fuzzing the response and webhook decoders through their public entry points
//! (`calcom::decode::from_slice` for the types the client decodes answers into, serde's
//! `Deserialize`, and `webhooks::verify_and_parse` with a valid signature): bodies of the
//! response corpus (`tests/corpus/`) and webhook bodies, mutated byte by byte and structurally,
//! plus deep nesting, huge numbers and bad UTF-8.
//!
//! What must hold: no panic, no abort, no stack overflow on a thread with a 2 MiB stack; every
//! failure is a typed error.
//!
//! Runs for `CALCOM_FUZZ_SECONDS` seconds (default 3, the short run of the test suite; run it
//! for 600 or more to fuzz for real), from `CALCOM_FUZZ_SEED` (default: the clock; printed).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use calcom::decode::from_slice;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// What a seed is decoded as.
#[derive(Clone, Copy, Debug)]
enum As {
    BookingOrSeries,
    Bookings,
    EventType,
    EventTypes,
    Slots,
    Schedules,
    Memberships,
    Webhook,
}

/// The `data` of each corpus answer (what the client decodes), and webhook bodies.
fn seeds() -> Vec<(As, Vec<u8>)> {
    let dir = format!("{}/tests/corpus", env!("CARGO_MANIFEST_DIR"));
    let data = |name: &str| -> Vec<u8> {
        let text = std::fs::read_to_string(format!("{dir}/{name}")).expect("a corpus file");
        let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        serde_json::to_vec(&value["data"]).expect("serializes")
    };
    let mut seeds = vec![
        (As::BookingOrSeries, data("booking_regular.json")),
        (As::BookingOrSeries, data("booking_seated.json")),
        (As::BookingOrSeries, data("booking_series.json")),
        (As::BookingOrSeries, data("booking_no_user.json")),
        (As::Bookings, data("bookings_list.json")),
        (As::EventType, data("event_type.json")),
        (As::EventTypes, data("event_types_list.json")),
        (As::Slots, data("slots_time_zone.json")),
        (As::Slots, data("slots_seated.json")),
        (As::Schedules, data("schedules_list.json")),
        (As::Memberships, data("team_memberships_list.json")),
    ];
    for body in [
        r#"{"triggerEvent":"BOOKING_CREATED","createdAt":"2024-05-01T10:00:00.123Z","payload":{"type":"30min","title":"Intro","startTime":"2024-05-06T09:00:00Z","endTime":"2024-05-06T09:30:00Z","organizer":{"id":5,"name":"Ada","email":"ada@example.com","timeZone":"Europe/London","language":{"locale":"en"},"timeFormat":"h:mma","utcOffset":60},"attendees":[{"name":"Grace","email":"grace@example.com","timeZone":"Europe/Paris","language":{"locale":"fr"}}],"uid":"bk_1","bookingId":101,"responses":{"name":{"label":"Name","value":"Grace"},"guests":{"label":"Guests","value":[],"isHidden":true}},"status":"ACCEPTED"}}"#,
        r#"{"triggerEvent":"MEETING_ENDED","id":101,"uid":"bk_1","title":"t","startTime":"2024-05-06T09:00:00.000Z","endTime":"2024-05-06T09:30:00.000Z","attendees":[]}"#,
        r#"{"triggerEvent":"FORM_SUBMITTED","createdAt":"2024-05-01T10:00:00.000Z","name":"Ada","payload":{"formId":"f1","formName":"Contact","teamId":null,"responses":{"name":{"value":"Ada","response":"Ada"}}}}"#,
        r#"{"triggerEvent":"BOOKING_NO_SHOW_UPDATED","createdAt":"2024-05-01T10:00:00.000Z","payload":{"message":"x","attendees":[{"email":"a@b.c","noShow":true}],"bookingUid":"bk_1","bookingId":1}}"#,
    ] {
        seeds.push((As::Webhook, body.as_bytes().to_vec()));
    }
    seeds
}

const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"",
    b"null",
    b"true",
    b"-",
    b"0",
    b"1e999999",
    b"-1e-999999",
    b"123456789012345678901234567890",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"1.5",
    b"\\u0000",
    b"\\ud800",
    b"\\",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xf0\x9f\xa6\x80",
    b" ",
    b"\n",
    b"NaN",
    b"Infinity",
    b"\"unknown\"",
    b"\"id\"",
    b"\"type\"",
    b"\"recurringBookingUid\"",
    b"\"bookingFieldsResponses\"",
    b"\"seatUid\"",
];

fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = bytes.len().max(1);
        let i = rng.below(len).min(bytes.len());
        match rng.below(9) {
            0 => {
                if i < bytes.len() {
                    bytes[i] ^= 1 << rng.below(8);
                }
            }
            1 => {
                let end = (i + 1 + rng.below(64)).min(bytes.len());
                bytes.drain(i..end);
            }
            2 => {
                let end = (i + 1 + rng.below(256)).min(bytes.len());
                let copy = bytes[i..end].to_vec();
                let at = rng.below(bytes.len() + 1);
                bytes.splice(at..at, copy);
            }
            3 | 4 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                bytes.splice(i..i, token.iter().copied());
            }
            5 => bytes.truncate(i),
            6 => {
                // Wrap a value in deep nesting.
                let depth = 1 + rng.below(100_000);
                let (open, close) = if rng.below(2) == 0 { (b'[', b']') } else { (b'{', b'}') };
                let mut wrapped = Vec::with_capacity(bytes.len() + 2 * depth);
                for _ in 0..depth {
                    wrapped.push(open);
                    if open == b'{' {
                        wrapped.extend_from_slice(b"\"a\":");
                    }
                }
                wrapped.extend_from_slice(&bytes);
                wrapped.extend(std::iter::repeat_n(close, depth));
                bytes = wrapped;
            }
            7 => {
                // Replace a value after a colon with a token.
                if let Some(colon) = bytes[i..].iter().position(|b| *b == b':') {
                    let at = i + colon + 1;
                    let end = bytes[at..].iter().position(|b| matches!(b, b',' | b'}')).map_or(bytes.len(), |e| at + e);
                    let token = TOKENS[rng.below(TOKENS.len())];
                    bytes.splice(at..end, token.iter().copied());
                }
            }
            _ => {
                let at = rng.below(bytes.len() + 1);
                let len = 1 + rng.below(8);
                let noise: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                bytes.splice(at..at, noise);
            }
        }
    }
    bytes
}

fn sign(body: &[u8], secret: &str) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes `bytes` as `what` through every public entry point; each returns a typed result.
fn decode(what: As, bytes: &[u8]) {
    fn both<T: calcom::decode::FromJson + serde::de::DeserializeOwned>(bytes: &[u8]) {
        let _: Result<T, calcom::decode::JsonError> = from_slice(bytes);
        let _: Result<T, serde_json::Error> = serde_json::from_slice(bytes);
    }
    match what {
        As::BookingOrSeries => both::<calcom::BookingOrSeries>(bytes),
        As::Bookings => both::<Vec<calcom::Booking>>(bytes),
        As::EventType => both::<calcom::EventType>(bytes),
        As::EventTypes => both::<Vec<calcom::EventType>>(bytes),
        As::Slots => both::<std::collections::BTreeMap<String, Vec<calcom::AvailableSlot>>>(bytes),
        As::Schedules => both::<Vec<calcom::Schedule>>(bytes),
        As::Memberships => both::<Vec<calcom::TeamMembership>>(bytes),
        As::Webhook => {
            let secret = "whsec_fuzz";
            let event = calcom::webhooks::verify_and_parse(bytes, Some(&sign(bytes, secret)), secret);
            if let Ok(calcom::webhooks::WebhookEvent::Malformed(m)) = &event {
                // A delivery that did not decode still says where.
                let _ = m.error.path();
            }
            let _ = from_slice::<serde_json::Value>(bytes);
        }
    }
}

#[test]
fn mutated_bodies_never_panic_or_overflow_the_stack() {
    let seconds = std::env::var("CALCOM_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let seed: u64 = std::env::var("CALCOM_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1
    });
    eprintln!("fuzz_decode: seed {seed}, {seconds} s (CALCOM_FUZZ_SEED, CALCOM_FUZZ_SECONDS)");
    // A 2 MiB stack, as a server's worker thread may have: deep input must not overflow it.
    let worker = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let seeds = seeds();
            // Every seed decodes as it is (the fuzzer starts from real shapes).
            for (what, bytes) in &seeds {
                decode(*what, bytes);
            }
            let mut rng = Rng(seed);
            let started = Instant::now();
            let mut runs = 0u64;
            let mut finding = None;
            while started.elapsed() < Duration::from_secs(seconds) {
                runs += 1;
                let (what, seed_bytes) = &seeds[rng.below(seeds.len())];
                let bytes = mutate(seed_bytes, &mut rng);
                if let Err(panic) = catch_unwind(AssertUnwindSafe(|| decode(*what, &bytes))) {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_default();
                    finding = Some((runs, *what, bytes, message));
                    break;
                }
            }
            eprintln!("fuzz_decode: {runs} mutated bodies in {:.1} s", started.elapsed().as_secs_f64());
            finding
        })
        .expect("a thread");
    if let Some((runs, what, bytes, message)) = worker.join().expect("the fuzzing thread did not die") {
        let dir = format!("{}/../target/fuzz-findings", env!("CARGO_MANIFEST_DIR"));
        let _ = std::fs::create_dir_all(&dir);
        let file = format!("{dir}/decode-{seed}-{runs}.json");
        let _ = std::fs::write(&file, &bytes);
        panic!("body {runs} of seed {seed}, as {what:?}, panicked: {message}\nthe body is in {file}");
    }
}
