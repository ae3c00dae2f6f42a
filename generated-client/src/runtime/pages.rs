//! The stream over every page of a paginated operation, and when it stops.

use std::pin::Pin;

use super::*;
use crate::decode::FromJson;
use crate::error::{Error, Result};
use crate::response::PageInfo;

/// The stream of items a paginated request's `stream()` returns: boxed, so it is `Unpin` and
/// can be read with `try_next().await` without pinning it first.
pub type PageStream<'a, T> = Pin<Box<dyn futures_core::Stream<Item = Result<T>> + Send + 'a>>;

/// Every item of every page of a paginated operation, fetched one page at a time as the stream
/// is read. `page` builds the request for a page from the builder, an offset and a page size.
///
/// The stream ends after a page whose `pagination.hasNextPage` is false, or (without that
/// object) a page shorter than the page size, or once the offset reaches `totalItems`. So that a
/// misbehaving server cannot make it run forever, it also ends on an empty page and on a page
/// that brings no item not seen on an earlier page (by the item's `id` or `uid`, else its whole
/// text: a page sent again, two pages in turn, the same items with other metadata), each with a
/// `tracing` event; and after the client's [`max_pages`](crate::ClientBuilder::max_pages) it
/// yields [`Error::PageLimit`]. An error is yielded once, and ends the stream.
///
/// Only decoding and buffering depend on `T`; requesting pages and deciding when to stop is
/// [`Pager`], compiled once for all paginated operations.
// Unused only in builds with no group that has a paginated operation.
#[allow(dead_code)]
pub(crate) fn paginate<'a, B, T>(
    builder: B,
    start: i64,
    size: i64,
    page: fn(&B, i64, i64) -> Call<'a>,
) -> PageStream<'a, T>
where
    B: Send + Sync + 'a,
    T: FromJson + Send + 'a,
{
    let first = page(&builder, start.max(0), size.max(1));
    let max_pages = first.client.inner.max_pages;
    let pager = Pager {
        page: Box::new(move |offset, size| page(&builder, offset, size)),
        offset: start.max(0),
        size: size.max(1),
        seen: std::collections::HashSet::new(),
        pages: 0,
        max_pages,
        done: false,
    };
    drop(first);
    let state = (pager, std::collections::VecDeque::<T>::new());
    Box::pin(futures_util::stream::unfold(state, |(mut pager, mut buffer)| async move {
        loop {
            if let Some(item) = buffer.pop_front() {
                return Some((Ok(item), (pager, buffer)));
            }
            let decoded = match pager.next_page().await? {
                Ok(raw) => raw.decode::<Vec<T>>(true),
                Err(e) => Err(e),
            };
            match decoded {
                Ok(page) => {
                    pager.advance(page.value.len(), page.page.as_ref());
                    buffer.extend(page.value);
                }
                Err(e) => {
                    pager.done = true;
                    return Some((Err(e), (pager, buffer)));
                }
            }
        }
    }))
}

/// Where a paginated stream is: the next offset, the page size, the items seen so far.
struct Pager<'a> {
    page: Box<dyn Fn(i64, i64) -> Call<'a> + Send + Sync + 'a>,
    offset: i64,
    size: i64,
    /// The identities of the items of every page so far (see `decode::item_identities`).
    seen: std::collections::HashSet<u64>,
    pages: u32,
    max_pages: u32,
    done: bool,
}

#[allow(dead_code)]
impl<'a> Pager<'a> {
    /// The next page's answer; `None` when the stream is over (also when the page brings
    /// nothing new); `Error::PageLimit` past the page limit.
    fn next_page(&mut self) -> BoxFuture<'_, Option<Result<RawResponse>>> {
        Box::pin(async move {
            if self.done {
                return None;
            }
            if self.pages >= self.max_pages {
                self.done = true;
                tracing::warn!(pages = self.pages, "calcom: pagination stopped at the page limit");
                return Some(Err(Error::PageLimit { pages: self.pages }));
            }
            match (self.page)(self.offset, self.size).execute().await {
                Err(e) => Some(Err(e)),
                Ok(raw) => {
                    self.pages += 1;
                    // A body whose items cannot be read is left to the decoder to report.
                    let ids = crate::decode::item_identities(&raw.body).unwrap_or_default();
                    let fresh = ids.iter().filter(|id| self.seen.insert(**id)).count();
                    if !ids.is_empty() && fresh == 0 {
                        self.done = true;
                        tracing::warn!(
                            page = self.pages,
                            offset = self.offset,
                            "calcom: pagination stopped: the page brought no item not seen before"
                        );
                        return None;
                    }
                    Some(Ok(raw))
                }
            }
        })
    }

    /// Moves past a page of `len` items and says whether another follows.
    fn advance(&mut self, len: usize, info: Option<&PageInfo>) {
        let len = i64::try_from(len).unwrap_or(i64::MAX);
        self.offset = self.offset.saturating_add(len);
        let total = info.and_then(|p| p.total_items).and_then(|t| i64::try_from(t).ok());
        let has_next = info.and_then(|p| p.has_next_page);
        self.done = if len == 0 {
            tracing::debug!(page = self.pages, "calcom: pagination ended on an empty page");
            true
        } else if total.is_some_and(|total| self.offset >= total) {
            tracing::debug!(page = self.pages, offset = self.offset, "calcom: pagination reached totalItems");
            true
        } else {
            match has_next {
                Some(next) => !next,
                None => len < self.size,
            }
        };
    }
}
