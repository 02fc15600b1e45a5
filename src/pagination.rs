//! Every upload across pages, as one stream.
//!
//! The list's totals are not trustworthy (the docs put `total` at the top, the TS SDK under
//! `pagination`, and neither is required), so the stream ends at the first of: an empty page, the
//! reported total reached, or (without a total) a page shorter than the server's page size, which
//! may be smaller than the size asked for (the API caps `limit`). And it ends with [`Error::Paging`], rather than
//! walking on, on a page identical to any page before it (a server that ignores `page`, or
//! alternates pages), on more pages than the first reported total allows with a margin (a
//! total that keeps growing), and after [`Uploads::max_pages`] pages whatever the server says.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::num::NonZeroU64;

use futures::{Stream, StreamExt, TryStreamExt};

use crate::error::{Error, Result};
use crate::{types, Client};

/// The page size when none is set.
pub const DEFAULT_PAGE_SIZE: u64 = 50;

/// The most pages a walk fetches when none is set: 10,000 (500,000 uploads at the default
/// page size).
pub const DEFAULT_MAX_PAGES: u64 = 10_000;

/// A listing of every upload; made by [`Client::uploads`].
#[must_use = "call `stream` to list"]
#[derive(Debug, Clone)]
pub struct Uploads<'a> {
    client: &'a Client,
    page_size: NonZeroU64,
    max_pages: NonZeroU64,
    parent_cid: Option<String>,
    cid: Option<String>,
    has_expiration: Option<bool>,
}

impl Client {
    /// Every upload of the user, fetched page by page (`GET /users/me/uploads`).
    ///
    /// ```no_run
    /// # async fn run(client: pinarkive::Client) -> pinarkive::Result<()> {
    /// use futures::TryStreamExt;
    /// let all: Vec<_> = client.uploads().page_size(100).stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn uploads(&self) -> Uploads<'_> {
        Uploads {
            client: self,
            page_size: NonZeroU64::new(DEFAULT_PAGE_SIZE).expect("non-zero"),
            max_pages: NonZeroU64::new(DEFAULT_MAX_PAGES).expect("non-zero"),
            parent_cid: None,
            cid: None,
            has_expiration: None,
        }
    }
}

struct Cursor {
    page: u64,
    /// Uploads received so far.
    received: u64,
    /// A fingerprint of every page received.
    pages: HashSet<u64>,
    /// The server's page size, as the first page shows it (see [`per_page`]).
    per_page: u64,
    /// The pages the first reported total allows, with a margin.
    budget: Option<u64>,
    done: bool,
}

impl Cursor {
    /// Why the walk must stop at this page (`uploads` just received), if it must.
    fn inconsistency(&mut self, uploads: &[types::Upload], max_pages: u64) -> Option<String> {
        let mut fingerprint = std::collections::hash_map::DefaultHasher::new();
        for upload in uploads {
            serde_json::to_vec(upload).unwrap_or_default().hash(&mut fingerprint);
        }
        if !self.pages.insert(fingerprint.finish()) {
            return Some(format!(
                "page {} repeats an earlier page (a server that ignores `page`, or serves pages in a loop); stopping",
                self.page
            ));
        }
        if let Some(budget) = self.budget.filter(|budget| self.page > *budget && !self.done) {
            return Some(format!(
                "page {} is full, but the first page's total allows only {budget} pages (with a margin); stopping",
                self.page
            ));
        }
        if self.page >= max_pages && !self.done {
            return Some(format!(
                "{max_pages} pages received and still no end ({} uploads), the most this walk takes; stopping",
                self.received
            ));
        }
        None
    }
}

/// The page size the server uses, which may be smaller than the `limit` asked for (the API caps
/// it): the `pagination.limit` it reports, else the first page's length when that page is short,
/// else the size asked for. A short page only ends a walk that has no total when it is shorter
/// than this, so a server that caps pages silently costs one more request, not lost uploads.
fn per_page(asked: u64, first: &types::UploadList) -> u64 {
    let reported = first.pagination.as_ref().and_then(|p| p.limit).filter(|limit| (1..asked).contains(limit));
    let shown = first.uploads.len() as u64;
    reported.unwrap_or(if (1..asked).contains(&shown) { shown } else { asked })
}

/// The pages `total` uploads take at `page_size` a page, and a margin for uploads added during
/// the walk.
fn page_budget(total: u64, page_size: u64) -> u64 {
    let pages = total.div_ceil(page_size);
    pages.saturating_add(pages / 10).saturating_add(2)
}

impl<'a> Uploads<'a> {
    /// Uploads per request (`limit`); 0 is treated as 1.
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = NonZeroU64::new(size).unwrap_or(NonZeroU64::MIN);
        self
    }

    /// Only the files inside this directory DAG (`parentCid`).
    pub fn parent_cid(mut self, cid: impl Into<String>) -> Self {
        self.parent_cid = Some(cid.into());
        self
    }

    /// Only the uploads of this CID (`cid`; see the spec on `users_me_uploads_list`: sent by the
    /// TS and JS SDKs, and whether the server honours it is unverified, so check each item).
    pub fn cid(mut self, cid: impl Into<String>) -> Self {
        self.cid = Some(cid.into());
        self
    }

    /// Only uploads with (`true`) or without (`false`) a timelock (`hasExpiration`).
    pub fn has_expiration(mut self, has: bool) -> Self {
        self.has_expiration = Some(has);
        self
    }

    /// The most pages to fetch, default [`DEFAULT_MAX_PAGES`]; 0 is treated as 1. A walk that
    /// reaches it without an end fails with [`Error::Paging`].
    pub fn max_pages(mut self, pages: u64) -> Self {
        self.max_pages = NonZeroU64::new(pages).unwrap_or(NonZeroU64::MIN);
        self
    }

    /// The uploads, one item at a time; a failed page ends the stream with its error.
    pub fn stream(self) -> impl Stream<Item = Result<types::Upload>> + 'a {
        let start =
            Cursor { page: 1, received: 0, per_page: 0, pages: HashSet::new(), budget: None, done: false };
        futures::stream::try_unfold((self, start), |(query, mut cursor)| async move {
            if cursor.done {
                return Ok(None);
            }
            let list = query.fetch(cursor.page).await?;
            let count = list.uploads.len() as u64;
            let total = list.total.or(list.pagination.as_ref().and_then(|p| p.total));
            if cursor.page == 1 {
                cursor.per_page = per_page(query.page_size.get(), &list);
                cursor.budget = total.map(|total| page_budget(total, cursor.per_page));
            }
            cursor.received = cursor.received.saturating_add(count);
            cursor.done = count == 0
                || match total {
                    Some(total) => cursor.received >= total,
                    None => count < cursor.per_page,
                };
            if count > 0 {
                if let Some(reason) = cursor.inconsistency(&list.uploads, query.max_pages.get()) {
                    return Err(Error::Paging { page: cursor.page, reason });
                }
            }
            cursor.page += 1;
            Ok(Some((list.uploads, (query, cursor))))
        })
        .map_ok(|page| futures::stream::iter(page.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }

    async fn fetch(&self, page: u64) -> Result<types::UploadList> {
        let mut request = self.client.users_me_uploads_list().page(page).limit(self.page_size);
        if let Some(cid) = &self.parent_cid {
            request = request.parent_cid(cid.clone());
        }
        if let Some(cid) = &self.cid {
            request = request.cid(cid.clone());
        }
        if let Some(has) = self.has_expiration {
            request = request.has_expiration(has);
        }
        Ok(request.send().await?.into_inner())
    }
}
