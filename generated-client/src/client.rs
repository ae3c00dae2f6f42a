//! The client, its builder and its credentials. (Hand-written.)

use std::fmt;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::runtime::BoxFuture;

/// What a token refresher returns: the new access token, or why there is none.
pub type RefreshResult = std::result::Result<String, Box<dyn std::error::Error + Send + Sync>>;

type Refresher = Arc<dyn Fn() -> BoxFuture<'static, RefreshResult> + Send + Sync>;
type Sleeper = Arc<dyn Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync>;

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
    /// The credentials, and how many times the refresher has replaced the access token
    /// (read together, so a request knows which token it sent).
    credentials: RwLock<(Credentials, u64)>,
    refresher: Option<Refresher>,
    /// Held while refreshing, so that concurrent 498s refresh once.
    refresh_lock: tokio::sync::Mutex<()>,
    pub(crate) max_retries: u32,
    pub(crate) retry_non_idempotent: bool,
    pub(crate) max_response_size: u64,
    pub(crate) deadline: Option<Duration>,
    pub(crate) max_pages: u32,
    refresh_timeout: Duration,
    sleep: Sleeper,
}

impl Inner {
    /// The current credentials and the token generation they belong to.
    pub(crate) fn credentials(&self) -> (Credentials, u64) {
        self.credentials.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn has_refresher(&self) -> bool {
        self.refresher.is_some()
    }

    /// Replaces an expired access token, once for all requests that saw it expire: a request
    /// sent with generation `seen` refreshes only if nobody has since.
    pub(crate) async fn refresh_token(&self, seen: u64) -> Result<()> {
        let Some(refresher) = &self.refresher else { return Ok(()) };
        let _guard = self.refresh_lock.lock().await;
        if self.credentials().1 != seen {
            return Ok(());
        }
        tracing::debug!("calcom: access token expired, calling the refresher");
        // Bounded: a refresher that never returns would stall this call and every request
        // waiting for the refresh behind it.
        let token = match tokio::time::timeout(self.refresh_timeout, refresher()).await {
            Ok(token) => token.map_err(Error::TokenRefresh)?,
            Err(_) => {
                return Err(Error::TokenRefresh(
                    format!("the token refresher did not return within {:?}", self.refresh_timeout).into(),
                ));
            }
        };
        check_secret("refreshed access token", &token).map_err(|e| Error::TokenRefresh(e.to_string().into()))?;
        let mut creds = self.credentials.write().unwrap_or_else(|e| e.into_inner());
        *creds = (Credentials::AccessToken(Secret(token)), seen + 1);
        Ok(())
    }

    pub(crate) fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        (self.sleep)(d)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("credentials", &self.inner.credentials().0)
            .field("max_retries", &self.inner.max_retries)
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
        self.inner.credentials().0.mode()
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
    max_retries: Option<u32>,
    retry_non_idempotent: bool,
    refresher: Option<Refresher>,
    sleep: Option<Sleeper>,
    max_response_size: Option<u64>,
    deadline: Option<Duration>,
    refresh_timeout: Option<Duration>,
    max_pages: Option<u32>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("base_url", &self.base_url.as_deref().map(redact_url))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_retries", &self.max_retries)
            .field("retry_non_idempotent", &self.retry_non_idempotent)
            .field("token_refresher", &self.refresher.is_some())
            .finish_non_exhaustive()
    }
}

/// The default overall timeout of a request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The default timeout for opening a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How many times a failed request is retried by default (so up to three attempts).
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The largest answer the client reads by default: 32 MiB. Cal.com's largest answers (a page of
/// 250 bookings, a month of slots) are well under 1 MiB.
pub const DEFAULT_MAX_RESPONSE_SIZE: u64 = 32 * 1024 * 1024;
/// How many pages a paginated stream reads at most by default (250 000 items at Cal.com's
/// usual page size of 250).
pub const DEFAULT_MAX_PAGES: u32 = 1_000;
/// How long the token refresher may take by default.
pub const DEFAULT_TOKEN_REFRESH_TIMEOUT: Duration = Duration::from_secs(30);

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
    /// The builder's timeouts are then not applied: configure them on the given client, and turn
    /// its redirects off (`reqwest::redirect::Policy::none()`) so that credentials stay with Cal.com.
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

    /// How many times a request is retried after a connection error, a timeout, or an answer of
    /// 408, 429, 500, 502, 503 or 504; [`DEFAULT_MAX_RETRIES`] unless set, `0` turns retries off.
    /// Waits grow exponentially with jitter, and follow `Retry-After` or Cal.com's
    /// `X-RateLimit-Reset-*` when the server sends them (up to a minute; a longer wait is returned
    /// as [`Error::RateLimited`] instead). Each request can override it.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// Also retry POST and PATCH requests. Off by default: they are not idempotent, and a retry
    /// after a lost answer can, for example, book the same slot twice.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }

    /// With [`access_token`](Self::access_token): the function to call when the server says the
    /// token has expired (HTTP 498). The client calls it once, uses the token it returns from
    /// then on, and sends the request again. Concurrent requests share one refresh.
    ///
    /// ```no_run
    /// # async fn fetch_new_token() -> Result<String, std::io::Error> { Ok(String::new()) }
    /// let cal = calcom::Client::builder()
    ///     .access_token("eyJ...")
    ///     .token_refresher(|| async { fetch_new_token().await })
    ///     .build()?;
    /// # Ok::<(), calcom::Error>(())
    /// ```
    pub fn token_refresher<F, Fut, E>(mut self, refresh: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<String, E>> + Send + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let refresh = Arc::new(refresh);
        self.refresher = Some(Arc::new(move || {
            let refresh = Arc::clone(&refresh);
            Box::pin(async move { refresh().await.map_err(Into::into) })
        }));
        self
    }

    /// The longest one call may take, its retries and the waits between them included (each
    /// attempt is also bounded by [`timeout`](Self::timeout)); none unless set. A wait the server
    /// asks for that would pass it fails at once, as [`Error::RateLimited`] with the wait. Each
    /// request can set its own.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// How many pages a paginated `stream()` reads at most before it yields
    /// [`Error::PageLimit`]; [`DEFAULT_MAX_PAGES`] unless set.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages);
        self
    }

    /// How long the [`token_refresher`](Self::token_refresher) may take before the call fails
    /// with [`Error::TokenRefresh`]; [`DEFAULT_TOKEN_REFRESH_TIMEOUT`] unless set.
    pub fn token_refresh_timeout(mut self, timeout: Duration) -> Self {
        self.refresh_timeout = Some(timeout);
        self
    }

    /// The largest answer to read, in bytes; [`DEFAULT_MAX_RESPONSE_SIZE`] unless set. A larger
    /// one is [`Error::ResponseTooLarge`], refused by its `Content-Length` before it is read, or
    /// as soon as it passes the limit, so a broken or hostile server cannot exhaust memory.
    pub fn max_response_size(mut self, bytes: u64) -> Self {
        self.max_response_size = Some(bytes);
        self
    }

    /// Replace how the client waits between retries (by default `tokio::time::sleep`): for tests
    /// that check the waits without taking them, or for other timers.
    pub fn sleep_fn<F, Fut>(mut self, sleep: F) -> Self
    where
        F: Fn(Duration) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.sleep = Some(Arc::new(move |d| Box::pin(sleep(d))));
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
        check_base_url(&base_url)?;
        if self.refresher.is_some() && !matches!(credentials, Credentials::AccessToken(_)) {
            return Err(Error::Config("a token refresher needs access-token credentials".to_owned()));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .user_agent(concat!("calcom-rust/", env!("CARGO_PKG_VERSION")))
                // Never follow redirects: a redirect to another host would carry the platform
                // secret there (reqwest strips only `Authorization`). The few operations whose
                // answer is a redirect take the 3xx as their result.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let sleep = self.sleep.unwrap_or_else(|| Arc::new(|d| Box::pin(tokio::time::sleep(d))));
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                credentials: RwLock::new((credentials, 0)),
                refresher: self.refresher,
                refresh_lock: tokio::sync::Mutex::new(()),
                max_retries: self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
                retry_non_idempotent: self.retry_non_idempotent,
                max_response_size: self.max_response_size.unwrap_or(DEFAULT_MAX_RESPONSE_SIZE),
                deadline: self.deadline,
                max_pages: self.max_pages.unwrap_or(DEFAULT_MAX_PAGES),
                refresh_timeout: self.refresh_timeout.unwrap_or(DEFAULT_TOKEN_REFRESH_TIMEOUT),
                sleep,
            }),
        })
    }
}

/// Accepts an `http(s)` URL with a host and nothing a request path cannot follow: no user name
/// or password (reqwest would send them as a second `Authorization` header), no query, no
/// fragment (every request would then go to the URL's path, the rest dropped). The error never
/// repeats the URL, which may hold a password.
fn check_base_url(base_url: &str) -> Result<()> {
    let refuse = |why: &str| Err(Error::Config(format!("the base URL {why}")));
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return refuse("is not a URL (expected `https://host[:port][/prefix]`)");
    };
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return refuse("is not an http(s) URL with a host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("holds a user name or password: credentials go through the builder's auth methods");
    }
    if url.query().is_some() || base_url.contains('?') {
        return refuse("has a query string");
    }
    if url.fragment().is_some() || base_url.contains('#') {
        return refuse("has a `#fragment`");
    }
    Ok(())
}

/// The base URL as `Debug` shows it: with any user name and password hidden.
pub(crate) fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("[redacted]");
            let _ = u.set_password(None);
            u.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) if url.contains('@') => "[redacted: not a URL]".to_owned(),
        Err(_) => url.to_owned(),
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
    // Header values are bytes: anything else than visible ASCII would go out as raw bytes that
    // servers read differently (and Cal.com's credentials never hold any).
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::Config(format!(
            "the {what} holds characters that are not visible ASCII (a space or non-ASCII)"
        )));
    }
    Ok(())
}
