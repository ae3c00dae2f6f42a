//! Transport edge cases against a scripted server on 127.0.0.1: bodies cut short, answers over
//! the size limit, error bodies kept small.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use calcom::Error;
use common::*;

/// A server that answers the n-th connection with `answers[n]` (raw HTTP bytes; the last one
/// for every later connection), then closes it. Returns the base URL and the request count.
fn scripted(answers: Vec<Vec<u8>>) -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let base_url = format!("http://{}", listener.local_addr().expect("an address"));
    let count = Arc::new(Mutex::new(0));
    let seen = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if line == "\r\n" => break,
                    Ok(_) => {}
                }
            }
            let n = {
                let mut c = seen.lock().expect("count");
                *c += 1;
                *c - 1
            };
            let answer = &answers[n.min(answers.len() - 1)];
            let _ = stream.write_all(answer);
            let _ = stream.flush();
            // Dropping the stream closes the connection, whatever Content-Length said.
        }
    });
    (base_url, count)
}

fn http(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\nconnection: close\r\n{headers}\r\n")
        .into_bytes();
    out.extend_from_slice(body);
    out
}

fn membership_body() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({"status": "success", "data": membership_json(123, 7, 20, "MEMBER")}))
        .expect("serializes")
}

/// A 200 that promises `membership_body().len()` bytes and sends 20.
fn cut_short() -> Vec<u8> {
    let body = membership_body();
    http("200 OK", &format!("content-length: {}\r\n", body.len()), &body[..20])
}

fn complete() -> Vec<u8> {
    let body = membership_body();
    http("200 OK", &format!("content-length: {}\r\n", body.len()), &body)
}

#[tokio::test]
async fn a_body_cut_short_is_a_transport_failure_that_says_so() {
    let (url, _) = scripted(vec![cut_short()]);
    let e = api_key_client_at(&url).orgs().teams().memberships().get(10, 20, 123).await.expect_err("cut short");
    assert!(matches!(e, Error::Transport(_)), "a transport failure, not a decoding one: {e:?}");
    assert!(e.to_string().contains("connection was cut"), "{e}");
}

#[tokio::test]
async fn a_get_whose_body_is_cut_short_is_retried() {
    let (url, count) = scripted(vec![cut_short(), complete()]);
    let (builder, waits) = recording_builder(&url);
    let cal = builder.max_retries(2).build().expect("builds");
    let m = cal.orgs().teams().memberships().get(10, 20, 123).await.expect("the retry succeeds");
    assert_eq!(m.id, 123);
    assert_eq!(*count.lock().expect("count"), 2);
    assert_eq!(waits.all().len(), 1);
}

#[tokio::test]
async fn an_answer_over_the_limit_is_refused_by_its_content_length() {
    let body = vec![b' '; 10_000];
    let (url, _) = scripted(vec![http("200 OK", "content-length: 10000\r\n", &body)]);
    let (builder, _) = recording_builder(&url);
    let cal = builder.max_response_size(1_000).build().expect("builds");
    let e = cal.orgs().teams().memberships().get(10, 20, 123).await.expect_err("too large");
    assert!(matches!(e, Error::ResponseTooLarge { status: 200, limit: 1_000, size: Some(10_000) }), "{e:?}");
}

#[tokio::test]
async fn a_chunked_answer_over_the_limit_is_refused_without_reading_it_all() {
    // Chunked: no Content-Length, so the limit is found while reading.
    let mut body = Vec::new();
    for _ in 0..50 {
        body.extend_from_slice(b"100\r\n");
        body.extend_from_slice(&[b' '; 0x100]);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let (url, _) = scripted(vec![http("200 OK", "transfer-encoding: chunked\r\n", &body)]);
    let (builder, _) = recording_builder(&url);
    let cal = builder.max_response_size(1_000).build().expect("builds");
    let e = cal.orgs().teams().memberships().get(10, 20, 123).await.expect_err("too large");
    assert!(matches!(e, Error::ResponseTooLarge { size: None, limit: 1_000, .. }), "{e:?}");
    assert!(e.to_string().contains("over the client's limit"), "{e}");
}

#[tokio::test]
async fn error_bodies_are_kept_to_a_few_kilobytes() {
    let mut body = br#"{"status":"error","error":{"code":"BadRequestException","message":"no"},"pad":""#.to_vec();
    body.extend(std::iter::repeat_n(b'x', 100_000));
    body.extend_from_slice(b"\"}");
    let (url, _) = scripted(vec![http("400 Bad Request", &format!("content-length: {}\r\n", body.len()), &body)]);
    let e = api_key_client_at(&url).orgs().teams().memberships().get(10, 20, 123).await.expect_err("400");
    let Error::Api(api) = e else { panic!("expected Error::Api") };
    assert_eq!(api.code(), Some("BadRequestException"), "parsed from the whole body");
    assert!(api.body().len() < 5_000, "kept {} bytes", api.body().len());
    assert!(api.body().ends_with("more bytes]"), "says what was left out");
}

#[test]
fn the_default_limit_is_documented_and_large() {
    assert_eq!(calcom::DEFAULT_MAX_RESPONSE_SIZE, 32 * 1024 * 1024);
}

/// A 429 from the rate limiter, asking to come back in 3 s.
fn rate_limited() -> Vec<u8> {
    let body = br#"{"status":"error","error":{"code":"ThrottlerException","message":"Too Many Requests"}}"#;
    http(
        "429 Too Many Requests",
        &format!("retry-after: 3\r\nx-ratelimit-remaining-default: 0\r\ncontent-length: {}\r\n", body.len()),
        body,
    )
}

#[tokio::test]
async fn a_server_wait_that_would_pass_the_deadline_fails_at_once() {
    // Three 429s asking for 3 s each would make a 1 s-per-attempt call last 6 s or more.
    let (url, count) = scripted(vec![rate_limited(), rate_limited(), rate_limited(), complete()]);
    let (builder, waits) = recording_builder(&url);
    let cal = builder
        .max_retries(3)
        .timeout(std::time::Duration::from_secs(1))
        .deadline(std::time::Duration::from_secs(5))
        .build()
        .expect("builds");
    let e = cal.orgs().teams().memberships().get(10, 20, 123).await.expect_err("the deadline comes first");
    let Error::RateLimited { retry_after, error } = e else { panic!("expected RateLimited, got {e:?}") };
    assert_eq!(retry_after, std::time::Duration::from_secs(3));
    assert_eq!(error.code(), Some("ThrottlerException"));
    assert_eq!(waits.all(), vec![std::time::Duration::from_secs(3)], "one wait fits in 5 s, two do not");
    assert_eq!(*count.lock().expect("count"), 2);
}

#[tokio::test]
async fn a_request_can_set_its_own_deadline() {
    let (url, count) = scripted(vec![rate_limited(), complete()]);
    let (builder, waits) = recording_builder(&url);
    let cal = builder.max_retries(3).build().expect("builds");
    let e = cal.orgs().teams().memberships().get(10, 20, 123).deadline(std::time::Duration::from_secs(2)).await;
    assert!(matches!(e, Err(Error::RateLimited { .. })), "{e:?}");
    assert!(waits.all().is_empty());
    assert_eq!(*count.lock().expect("count"), 1);
    // Without it, the same call waits and succeeds.
    let ok = cal.orgs().teams().memberships().get(10, 20, 123).await;
    assert!(ok.is_ok(), "{ok:?}");
}
