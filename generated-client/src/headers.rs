//! Reading Cal.com's response headers: the request id and the rate-limit headers. (Hand-written;
//! the one place that knows their names and formats, for the retry loop, errors and
//! [`Response`](crate::Response).)

use std::time::Duration;

use reqwest::header::HeaderMap;

/// The `X-Request-Id` header.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-request-id").and_then(|v| v.to_str().ok())
}

/// The smallest `X-RateLimit-Remaining*`: requests left in the tightest window.
pub(crate) fn rate_limit_remaining(headers: &HeaderMap) -> Option<u64> {
    headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-ratelimit-remaining"))
        .filter_map(|(_, v)| v.to_str().ok()?.trim().parse().ok())
        .min()
}

/// The largest `X-RateLimit-Reset*` (read as [`reset_value`] does): when every window has
/// started again.
pub(crate) fn rate_limit_reset(headers: &HeaderMap) -> Option<Duration> {
    headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-ratelimit-reset"))
        .filter_map(|(_, v)| reset_value(v.to_str().ok()?.trim()))
        .max()
}

/// Longest wait taken from a server's rate-limit headers.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);
/// Cal.com's rate-limit window, the wait when the server says nothing.
pub(crate) const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The wait the server asks for: `Retry-After` (seconds or an HTTP date), else the reset of the
/// exhausted rate-limit window (see [`rate_limit_wait`]), never more than five minutes; `None`
/// when it says nothing.
pub(crate) fn server_wait(headers: &HeaderMap) -> Option<Duration> {
    retry_after(headers).or_else(|| rate_limit_wait(headers)).map(|d| d.min(MAX_RETRY_AFTER))
}

/// Whether a 429 comes from a rate limiter: it says when to come back (`Retry-After`) or carries
/// the limiter's `X-RateLimit-*` headers. Cal.com also maps other "too many requests" failures to
/// 429 (code `TRPCError`), without them: those are not a window to wait out.
pub(crate) fn is_rate_limiter(headers: &HeaderMap) -> bool {
    headers.contains_key(reqwest::header::RETRY_AFTER)
        || headers.keys().any(|name| name.as_str().starts_with("x-ratelimit-"))
}

/// The wait from Cal.com's per-window headers: `X-RateLimit-Reset-{Name}` of the windows whose
/// `X-RateLimit-Remaining-{Name}` is 0 (a request is refused only when they are exhausted, and
/// passes again when the first of them resets), else of every window. A reset is seconds from
/// now; a value that can only be a Unix time (some proxies send one; seconds or milliseconds)
/// is read as the time it names.
fn rate_limit_wait(headers: &HeaderMap) -> Option<Duration> {
    let window =
        |name: &str, prefix: &str| name.strip_prefix(prefix).map(|rest| rest.trim_start_matches('-').to_owned());
    let mut resets: Vec<(String, Duration)> = Vec::new();
    let mut exhausted: Vec<String> = Vec::new();
    for (name, value) in headers {
        let Ok(value) = value.to_str() else { continue };
        let value = value.trim();
        if let Some(w) = window(name.as_str(), "x-ratelimit-reset") {
            if let Some(wait) = reset_value(value) {
                resets.push((w, wait));
            }
        } else if let Some(w) = window(name.as_str(), "x-ratelimit-remaining")
            && value.parse::<f64>().is_ok_and(|n| n <= 0.0)
        {
            exhausted.push(w);
        }
    }
    let of_exhausted = resets.iter().filter(|(w, _)| exhausted.contains(w)).map(|(_, d)| *d).min();
    of_exhausted.or_else(|| resets.iter().map(|(_, d)| *d).min())
}

/// One `X-RateLimit-Reset*` value: seconds from now, or a Unix time in seconds (over 10^9: a
/// wait of 30 years is no wait) or milliseconds (over 10^12).
pub(crate) fn reset_value(value: &str) -> Option<Duration> {
    let n = value.parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 0.0)?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs_f64();
    let secs = if n >= 1e12 {
        n / 1000.0 - now
    } else if n >= 1e9 {
        n - now
    } else {
        n
    };
    Some(Duration::from_secs_f64(secs.clamp(0.0, MAX_RETRY_AFTER.as_secs_f64())))
}

/// The `Retry-After` header (seconds or an HTTP date), never more than five minutes.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    let wait = match v.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
            let millis = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_milliseconds().max(0);
            Duration::from_millis(millis.unsigned_abs())
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}
