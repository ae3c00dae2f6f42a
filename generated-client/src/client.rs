//! The client, its builder and its credentials. (Hand-written.)

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};

/// How a request proves who sends it. Each operation accepts some of these (its docs list them);
/// the client sends the headers of the one it was built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthMode {
    /// An API key, `Authorization: Bearer cal_...`.
    ApiKey,
    /// A managed user's access token, `Authorization: Bearer <token>`.
    AccessToken,
    /// A platform OAuth client, `x-cal-client-id` and `x-cal-secret-key`.
    PlatformClient,
}

impl AuthMode {
    /// The mode's name as the spec writes it (`api_key`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::ApiKey => "api_key",
            AuthMode::AccessToken => "access_token",
            AuthMode::PlatformClient => "platform_client",
        }
    }
}

impl fmt::Display for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secret string: never shown by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"[redacted]\"")
    }
}

/// The credentials a client was built with.
#[derive(Clone, Debug)]
pub(crate) enum Credentials {
    None,
    ApiKey(Secret),
    AccessToken(Secret),
    PlatformClient { client_id: String, secret_key: Secret },
}

impl Credentials {
    pub(crate) fn mode(&self) -> Option<AuthMode> {
        match self {
            Credentials::None => None,
            Credentials::ApiKey(_) => Some(AuthMode::ApiKey),
            Credentials::AccessToken(_) => Some(AuthMode::AccessToken),
            Credentials::PlatformClient { .. } => Some(AuthMode::PlatformClient),
        }
    }
}

/// A Cal.com API v2 client. Cheap to clone: clones share one connection pool.
///
/// Build one with [`Client::builder`], then reach the resources from it:
/// `client.orgs().teams().memberships().get(org_id, team_id, membership_id).await?`.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) credentials: Credentials,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a client; set one kind of credentials, then [`build`](ClientBuilder::build).
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests go to (`https://api.cal.com` unless the builder said otherwise).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The kind of credentials the client sends, if any.
    pub fn auth_mode(&self) -> Option<AuthMode> {
        self.inner.credentials.mode()
    }
}

/// Builds a [`Client`]. Set at most one kind of credentials.
#[derive(Default)]
pub struct ClientBuilder {
    credentials: Vec<(AuthMode, Credentials)>,
    base_url: Option<String>,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .finish_non_exhaustive()
    }
}

/// The default overall timeout of a request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The default timeout for opening a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl ClientBuilder {
    /// Authenticate with an API key (`cal_live_...` or `cal_test_...`), sent as
    /// `Authorization: Bearer <key>`. Pass the key alone, without `Bearer `.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.credentials.push((AuthMode::ApiKey, Credentials::ApiKey(Secret(key.into()))));
        self
    }

    /// Authenticate as a managed user with an access token, sent as `Authorization: Bearer <token>`.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.credentials.push((AuthMode::AccessToken, Credentials::AccessToken(Secret(token.into()))));
        self
    }

    /// Authenticate as a platform OAuth client, sent as `x-cal-client-id` and `x-cal-secret-key`.
    pub fn platform_client(mut self, client_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        self.credentials.push((
            AuthMode::PlatformClient,
            Credentials::PlatformClient { client_id: client_id.into(), secret_key: Secret(secret_key.into()) },
        ));
        self
    }

    /// Send requests to another base URL, e.g. a mock server in tests (`http://127.0.0.1:8080`).
    /// Defaults to [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Use this `reqwest` client (its proxy, TLS and pool settings) instead of a new one.
    /// The builder's timeouts are then not applied: configure them on the given client.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The overall timeout of one request; [`DEFAULT_TIMEOUT`] unless set.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The timeout for opening a connection; [`DEFAULT_CONNECT_TIMEOUT`] unless set.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// Fails with [`Error::Config`] when two kinds of credentials are set, when a key, token or
    /// client id is empty, has surrounding spaces or a line break, or starts with `Bearer `, or
    /// when the base URL is not an `http(s)` URL.
    pub fn build(self) -> Result<Client> {
        if self.credentials.len() > 1 {
            let modes: Vec<&str> = self.credentials.iter().map(|(m, _)| m.as_str()).collect();
            return Err(Error::Config(format!(
                "more than one kind of credentials set ({}); a client sends one",
                modes.join(", ")
            )));
        }
        let credentials = self.credentials.into_iter().next().map(|(_, c)| c).unwrap_or(Credentials::None);
        match &credentials {
            Credentials::None => {}
            Credentials::ApiKey(s) => check_secret("API key", s.expose())?,
            Credentials::AccessToken(s) => check_secret("access token", s.expose())?,
            Credentials::PlatformClient { client_id, secret_key } => {
                check_secret("client id", client_id)?;
                check_secret("secret key", secret_key.expose())?;
            }
        }
        let base_url = self.base_url.unwrap_or_else(|| crate::DEFAULT_BASE_URL.to_owned());
        let base_url = base_url.trim_end_matches('/').to_owned();
        match reqwest::Url::parse(&base_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.query().is_none() => {}
            _ => return Err(Error::Config(format!("base URL `{base_url}` is not an http(s) URL"))),
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .user_agent(concat!("calcom-rust/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        Ok(Client { inner: Arc::new(Inner { http, base_url, credentials }) })
    }
}

/// Rejects what would make a broken or forged header, or the opaque 500 Cal.com gives for
/// `Authorization` values it cannot read.
fn check_secret(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::Config(format!("the {what} is empty")));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(Error::Config(format!("the {what} contains a line break or control character")));
    }
    if value.trim() != value {
        return Err(Error::Config(format!("the {what} has leading or trailing spaces")));
    }
    if value.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("bearer ")) {
        return Err(Error::Config(format!("pass the {what} without the `Bearer ` prefix; the client adds it")));
    }
    Ok(())
}
