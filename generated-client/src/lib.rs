//! A typed async client for the [Cal.com](https://cal.com) API v2.
//!
//! The crate has two parts. `src/generated/` (the models, enums and unions at the crate root, the
//! [`resources`] module,
//! [`ApiVersion`]) is produced by `cargo xtask codegen` from the YAML spec in the repository's
//! `spec/` folder and is never edited by hand. The rest (the [`Client`], its [`Error`],
//! credentials and the HTTP runtime) is written by hand.
//!
//! # Common tasks
//!
//! Build a client with an API key (or [`access_token`](ClientBuilder::access_token), or
//! [`platform_client`](ClientBuilder::platform_client)); secrets never appear in `Debug` output:
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let cal = calcom::Client::builder()
//!     .api_key(std::env::var("CAL_API_KEY")?)
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! Get one thing: required parameters are arguments, the result is the response's typed `data`:
//!
//! ```no_run
//! # async fn demo(cal: calcom::Client) -> calcom::Result<()> {
//! let membership = cal.orgs().teams().memberships().get(1, 2, 3).await?;
//! if membership.role == calcom::MembershipRole::Admin {
//!     println!("{} administers team {}", membership.user.email, membership.team_id);
//! }
//! # Ok(()) }
//! ```
//!
//! List with optional parameters, set by name:
//!
//! ```no_run
//! # async fn demo(cal: calcom::Client) -> calcom::Result<()> {
//! let page = cal.orgs().teams().memberships().list(1, 2).take(50).skip(100).await?;
//! println!("{} memberships", page.len());
//! # Ok(()) }
//! ```
//!
//! Send a body: required fields in `new`, the others by name:
//!
//! ```no_run
//! # async fn demo(cal: calcom::Client) -> calcom::Result<()> {
//! use calcom::{CreateTeamMembership, MembershipRole};
//! let body = CreateTeamMembership::new(42).role(MembershipRole::Admin).accepted(true);
//! let created = cal.orgs().teams().memberships().create(1, 2, body).await?;
//! # Ok(()) }
//! ```
//!
//! Handle errors: each carries what Cal.com said.
//!
//! ```no_run
//! # async fn demo(cal: calcom::Client) {
//! match cal.teams().verified_resources().get_email(2, 7).await {
//!     Ok(email) => println!("{}", email.email),
//!     Err(calcom::Error::Api(e)) if e.status() == 404 => {
//!         println!("{:?}: {:?} (request {:?})", e.code(), e.message(), e.request_id())
//!     }
//!     Err(calcom::Error::RateLimited { retry_after, .. }) => println!("wait {retry_after:?}"),
//!     Err(other) => eprintln!("{other}"),
//! }
//! # }
//! ```
//!
//! Enums never fail to decode: a value the client does not know yet arrives as `Unknown`,
//! keeping the wire value ([`MembershipRole::Unknown`]).

// With only some resource groups enabled, parts of the runtime (methods, paging, query
// encoding) can go unused; every group together (the default) uses all of it.
#![cfg_attr(not(feature = "full"), allow(dead_code))]
// docs.rs builds with `--cfg docsrs` on nightly: show which feature each item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
pub mod decode;
mod error;
#[rustfmt::skip] // Formatted by the generator (prettyplease); rustfmt must not touch it.
mod generated;
mod headers;
mod json;
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod mock;
mod patch;
mod response;
mod runtime;
pub mod webhooks;

pub use client::{
    AuthMode, Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_PAGES, DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, DEFAULT_TOKEN_REFRESH_TIMEOUT, RefreshResult,
};
pub use error::{ApiError, DecodeError, Error, Result};
pub use generated::models::*;
pub use generated::{ApiVersion, DEFAULT_BASE_URL, resources};
// Each model, enum and union has one public path, at the crate root (`calcom::Booking`): short
// at call sites and in docs, and the names are unique. The `models` module that holds them is
// the generated code's own way to reach them.
pub(crate) use generated::models;
pub use patch::Patch;
pub use response::{PageInfo, Response};
pub use runtime::{PageStream, RequestFuture};

/// The repository README's examples, compiled as doc tests so that they stay true. (Only under
/// `cfg(doctest)`: the packaged crate has no repository README, and never reads it.)
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;

/// The crate README's example (the page crates.io shows), compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadmeExample;
