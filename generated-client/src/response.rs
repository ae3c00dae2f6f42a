//! A decoded value together with the HTTP answer it came in. (Hand-written.)

use std::time::Duration;

/// A decoded value with the status and headers of the response that carried it.
///
/// Get one with `.with_response()` on any request:
///
/// ```no_run
/// # async fn demo(cal: calcom::Client) -> calcom::Result<()> {
/// let resp = cal.orgs().teams().memberships().get(1, 2, 3).with_response().await?;
/// println!("{} {:?} {:?}", resp.status(), resp.request_id(), resp.rate_limit_remaining());
/// let membership = resp.into_value();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Response<T> {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) value: T,
    pub(crate) page: Option<PageInfo>,
}

impl<T> Response<T> {
    /// The HTTP status (`200`).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Every response header.
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        &self.headers
    }

    /// The `X-Request-Id` header: quote it when asking Cal.com about a request.
    pub fn request_id(&self) -> Option<&str> {
        crate::headers::request_id(&self.headers)
    }

    /// The smallest `X-RateLimit-Remaining-*` header: requests left in the tightest window.
    pub fn rate_limit_remaining(&self) -> Option<u64> {
        crate::headers::rate_limit_remaining(&self.headers)
    }

    /// The largest `X-RateLimit-Reset-*` header: when every rate-limit window has started again
    /// (a value that can only be a Unix time is read as one).
    pub fn rate_limit_reset(&self) -> Option<Duration> {
        crate::headers::rate_limit_reset(&self.headers)
    }

    /// The `pagination` object some list responses carry beside `data`.
    pub fn page_info(&self) -> Option<&PageInfo> {
        self.page.as_ref()
    }

    /// The decoded value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The decoded value, dropping the rest.
    pub fn into_value(self) -> T {
        self.value
    }
}

/// The `pagination` object some list responses carry beside `data`.
/// Every field is optional: Cal.com does not always send all of them.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PageInfo {
    /// Items across all pages.
    pub total_items: Option<u64>,
    /// Items after this page.
    pub remaining_items: Option<u64>,
    /// Items in this page (`returnedItems`; one server revision spells it `itemsReturned`).
    #[serde(alias = "itemsReturned")]
    pub returned_items: Option<u64>,
    /// Page size.
    pub items_per_page: Option<u64>,
    /// This page's number, from 1.
    pub current_page: Option<u64>,
    /// Number of pages.
    pub total_pages: Option<u64>,
    /// Whether a page follows this one.
    pub has_next_page: Option<bool>,
    /// Whether a page comes before this one.
    pub has_previous_page: Option<bool>,
}

impl crate::decode::FromJson for PageInfo {
    fn from_json(r: &mut crate::decode::Reader<'_>) -> Result<Self, crate::decode::JsonError> {
        const FIELDS: &[&str] = &[
            "totalItems",
            "remainingItems",
            "returnedItems",
            "itemsPerPage",
            "currentPage",
            "totalPages",
            "hasNextPage",
            "hasPreviousPage",
            "itemsReturned",
        ];
        // Every value may also be null; a null reads as absent.
        let mut counts: [Option<Option<u64>>; 6] = Default::default();
        let (mut next, mut previous, mut returned_alias) =
            (None::<Option<bool>>, None::<Option<bool>>, None::<Option<u64>>);
        {
            let [a, b, c, d, e, f] = &mut counts;
            r.read_object("PageInfo", FIELDS, &mut [a, b, c, d, e, f, &mut next, &mut previous, &mut returned_alias])?;
        }
        let [total_items, remaining_items, returned_items, items_per_page, current_page, total_pages] =
            counts.map(Option::flatten);
        Ok(PageInfo {
            total_items,
            remaining_items,
            returned_items: returned_items.or(returned_alias.flatten()),
            items_per_page,
            current_page,
            total_pages,
            has_next_page: next.flatten(),
            has_previous_page: previous.flatten(),
        })
    }
}
