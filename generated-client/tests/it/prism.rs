//! Every operation, through its generated example call, against Prism serving Cal.com's own
//! OpenAPI document on 127.0.0.1. Prism answers 422 with the list of violations when a request
//! breaks the upstream description (a missing required header, a parameter of the wrong type,
//! an invalid body), and otherwise an example response, which the client must decode.
//!
//! Where Cal.com's document is itself wrong, the operation's `upstream_defect` in the spec says
//! how and why, and the operation must fail exactly that way.
//!
//! Needs Prism (installed by `cargo xtask test` with `npm ci` in `tools/prism`) and the upstream
//! document (`$CALCOM_OPENAPI`, default `../shared/calcom/openapi-v2-fea00aa.json`). Where either is
//! missing the test is skipped with a notice; with `CI=true` that is a failure.
#![cfg(feature = "full")]

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::examples::{EXAMPLES, Example};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// `Some(path)` if it exists; otherwise a notice (or, with `CI=true`, a failure).
fn required_file(what: &str, path: PathBuf, hint: &str) -> Option<PathBuf> {
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and {what} is missing at {}: {hint}", path.display());
    }
    // Written to stderr directly, not through the test harness's capture, so it shows.
    let _ = std::io::Write::write_fmt(
        &mut std::io::stderr(),
        format_args!("NOTICE: Prism test skipped: {what} not found at {} ({hint})\n", path.display()),
    );
    None
}

/// A Prism process, killed when dropped.
struct Prism {
    child: Child,
    base_url: String,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_prism(prism: &Path, document: &Path) -> Prism {
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).and_then(|l| l.local_addr()).expect("free port").port();
    let log = std::fs::File::create(Path::new(env!("CARGO_TARGET_TMPDIR")).join("prism.log")).expect("log file");
    let child = Command::new(prism)
        .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string()])
        .arg(document)
        .stdout(Stdio::from(log.try_clone().expect("log file")))
        .stderr(Stdio::from(log))
        .spawn()
        .expect("start Prism");
    let mut prism = Prism { child, base_url: format!("http://127.0.0.1:{port}") };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + Duration::from_secs(180);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if let Ok(Some(status)) = prism.child.try_wait() {
            panic!("Prism exited ({status}); see target/tmp/prism.log");
        }
        assert!(Instant::now() < deadline, "Prism did not start listening within 3 minutes");
        std::thread::sleep(Duration::from_millis(250));
    }
    prism
}

fn client_for(example: &Example, base_url: &str) -> calcom::Client {
    let builder = calcom::Client::builder().base_url(base_url).max_retries(0);
    let builder = if example.auth.contains(&"api_key") {
        builder.api_key("cal_test_prism")
    } else if example.auth.contains(&"platform_client") {
        builder.platform_client("prism-client", "prism-secret")
    } else if example.auth.contains(&"access_token") {
        builder.access_token("prism-token")
    } else {
        builder
    };
    builder.build().expect("client builds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_is_accepted_by_prism_and_its_answer_decodes() {
    let document = std::env::var_os("CALCOM_OPENAPI")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/calcom/openapi-v2-fea00aa.json"));
    let Some(document) = required_file("the upstream OpenAPI document", document, "set CALCOM_OPENAPI") else { return };
    let prism = std::env::var_os("CALCOM_PRISM")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("tools/prism/node_modules/.bin/prism"));
    let Some(prism) = required_file("Prism", prism, "run `cargo xtask test`, which runs `npm ci` in tools/prism")
    else {
        return;
    };
    let server = start_prism(&prism, &document);

    let mut failures = Vec::new();
    let mut passed = 0;
    let mut known = 0;
    for example in EXAMPLES {
        let client = client_for(example, &server.base_url);
        let result = (example.call)(&client).await;
        let describe = |e: &calcom::Error| match e {
            calcom::Error::Api(api) => api.body().chars().take(600).collect::<String>(),
            other => other.to_string(),
        };
        // Where Cal.com's document is itself wrong, the spec says so (`upstream_defect`), and the
        // operation must fail exactly that way: a refused request, or an undecodable answer.
        let defect = match (example.upstream_request_defect, example.upstream_response_defect) {
            (Some(why), _) => Some((true, why)),
            (None, Some(why)) => Some((false, why)),
            (None, None) => None,
        };
        match (&result, defect) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => {
                failures.push(format!("{}: passes now; remove its `upstream_defect` from the spec", example.name))
            }
            // 422: the document's rules refuse the request; 415: it declares no body where the
            // server reads one.
            (Err(calcom::Error::Api(e)), Some((true, _))) if matches!(e.status(), 415 | 422) => known += 1,
            (Err(calcom::Error::Decode(_)), Some((false, _))) => known += 1,
            (Err(e), Some((_, why))) => failures.push(format!(
                "{} ({} {}): fails otherwise than its known upstream defect ({why}): {e}\n    {}",
                example.name,
                example.method,
                example.path,
                describe(e)
            )),
            (Err(e), None) => failures.push(format!(
                "{} ({} {}): {e}\n    {}",
                example.name,
                example.method,
                example.path,
                describe(e)
            )),
        }
    }
    eprintln!(
        "Prism: {passed} of {} operations accepted and decoded; {known} fail only through a known upstream defect",
        EXAMPLES.len()
    );
    assert!(failures.is_empty(), "{} operations failed against Prism:\n{}", failures.len(), failures.join("\n"));
}
