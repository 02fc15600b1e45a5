//! Every upload across pages, as one stream.
//!
//! The list's totals are not trustworthy (the docs put `total` at the top, the TS SDK under
//! `pagination`, and neither is required), so the stream stops at the first of: an empty or
//! short page, the reported total reached, or a page identical to the one before it (a server
//! that ignores `page`), which is reported as an error rather than looped over.

use std::num::NonZeroU64;

use futures::{Stream, StreamExt, TryStreamExt};

use crate::error::{Error, Result};
use crate::{types, Client};

/// The page size when none is set.
pub const DEFAULT_PAGE_SIZE: u64 = 50;

/// A listing of every upload; made by [`Client::uploads`].
#[must_use = "call `stream` to list"]
#[derive(Debug, Clone)]
pub struct Uploads<'a> {
    client: &'a Client,
    page_size: NonZeroU64,
    parent_cid: Option<String>,
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
            parent_cid: None,
            has_expiration: None,
        }
    }
}

struct Cursor {
    page: u64,
    seen: u64,
    previous: Option<Vec<String>>,
    done: bool,
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

    /// Only uploads with (`true`) or without (`false`) a timelock (`hasExpiration`).
    pub fn has_expiration(mut self, has: bool) -> Self {
        self.has_expiration = Some(has);
        self
    }

    /// The uploads, one item at a time; a failed page ends the stream with its error.
    pub fn stream(self) -> impl Stream<Item = Result<types::Upload>> + 'a {
        let start = Cursor { page: 1, seen: 0, previous: None, done: false };
        futures::stream::try_unfold((self, start), |(query, mut cursor)| async move {
            if cursor.done {
                return Ok(None);
            }
            let list = query.fetch(cursor.page).await?;
            let cids: Vec<String> = list.uploads.iter().map(|u| u.cid.clone()).collect();
            if !cids.is_empty() && cursor.previous.as_ref() == Some(&cids) {
                return Err(Error::Decode {
                    status: None,
                    body: Default::default(),
                    reason: format!(
                        "page {} repeats page {}: the server seems to ignore `page`; stopping",
                        cursor.page,
                        cursor.page - 1
                    ),
                });
            }
            cursor.seen += cids.len() as u64;
            let total = list.total.or(list.pagination.as_ref().and_then(|p| p.total));
            cursor.done =
                (cids.len() as u64) < query.page_size.get() || total.is_some_and(|t| cursor.seen >= t);
            cursor.page += 1;
            cursor.previous = Some(cids);
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
        if let Some(has) = self.has_expiration {
            request = request.has_expiration(has);
        }
        Ok(request.send().await?.into_inner())
    }
}
