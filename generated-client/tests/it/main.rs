//! The integration tests of `calcom`, as one test binary: one link of calcom, wiremock, tokio
//! and axum instead of one per file (each file below is a module, as it was a binary before).
//! Every test talks to servers on 127.0.0.1 only.

mod common;

mod attribute_options;
mod client;
mod conferencing;
mod corpus;
mod errors;
mod fuzz_decode;
mod memberships;
#[cfg(feature = "full")]
mod operations;
mod pagination;
#[cfg(feature = "full")]
mod prism;
mod rate_limits;
mod request_options;
mod retries;
mod token_refresh;
mod tracing_spans;
mod transport;
mod verified_resources;
mod webhooks;
#[cfg(feature = "axum")]
mod webhooks_axum;
mod webhooks_events;
mod with_response;
