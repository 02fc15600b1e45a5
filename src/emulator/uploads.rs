//! One account's uploads, indexed so that every operation costs what its request asks for, not
//! what the account holds: an upload finds its record by content in O(log n), a page of the list
//! is read from a set kept in order, and expiry pops only what expired.
//!
//! Every index is a B-tree: a hash map would now and then rehash everything it holds on one
//! insert, a pause that grows with the account, under the state lock.
//!
//! CIDs are kept and looked up in one spelling ([`canonical_cid`]), so the same CIDv1 written in
//! another multibase names the same upload.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

/// The spelling a CID is kept and looked up in: as the `cid` crate writes it (CIDv1 in base32,
/// CIDv0 in base58btc), as IPFS Cluster answers it. Text that is no CID is kept as sent; it
/// names nothing an upload could have.
pub(crate) fn canonical_cid(text: &str) -> String {
    cid::Cid::try_from(text).map_or_else(|_| text.to_owned(), |cid| cid.to_string())
}

/// Kinds of upload records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UploadKind {
    File,
    Directory,
    Pin,
}

impl UploadKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            UploadKind::File => "file",
            UploadKind::Directory => "directory",
            UploadKind::Pin => "pin",
        }
    }
}

/// One upload (or pin) of an account; content bytes are never kept.
#[derive(Debug, Clone)]
pub(crate) struct UploadRecord {
    pub(crate) id: String,
    pub(crate) cid: Arc<str>,
    pub(crate) name: String,
    pub(crate) original_name: Option<String>,
    pub(crate) custom_name: Option<String>,
    pub(crate) size: u64,
    pub(crate) kind: UploadKind,
    pub(crate) cluster: &'static str,
    pub(crate) expires_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
    /// The directory this file was uploaded in, for `parentCid`.
    pub(crate) parent: Option<Arc<str>>,
    /// The file's path inside its directory.
    pub(crate) path: Option<Arc<str>>,
}

/// What makes two records the same upload: uploading the same bytes again refreshes the record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Identity {
    cid: Arc<str>,
    parent: Option<Arc<str>>,
    path: Option<Arc<str>>,
}

impl Identity {
    fn of(record: &UploadRecord) -> Identity {
        Identity { cid: record.cid.clone(), parent: record.parent.clone(), path: record.path.clone() }
    }
}

/// One list the uploads list can ask for: its `parentCid`, `cid` and `hasExpiration` filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listing {
    pub(crate) parent: Option<Arc<str>>,
    pub(crate) cid: Option<Arc<str>>,
    pub(crate) has_expiration: Option<bool>,
}

/// A list kept in order: the records of a parent, all of them or by whether they expire.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Level {
    parent: Option<Arc<str>>,
    has_expiration: Option<bool>,
}

impl Level {
    /// The two lists a record belongs to.
    fn of(record: &UploadRecord) -> [Level; 2] {
        let parent = || record.parent.clone();
        [
            Level { parent: parent(), has_expiration: None },
            Level { parent: parent(), has_expiration: Some(record.expires_at.is_some()) },
        ]
    }
}

/// Records by insertion number, and the indexes over them.
#[derive(Default)]
pub(crate) struct Uploads {
    records: BTreeMap<u64, UploadRecord>,
    next: u64,
    by_identity: BTreeMap<Identity, u64>,
    by_id: BTreeMap<String, u64>,
    /// Each level's records, oldest first (insertion numbers only grow).
    levels: BTreeMap<Level, BTreeSet<u64>>,
    /// (parent, CID, number) of every record, for the `cid` filter.
    by_cid: BTreeSet<(Option<Arc<str>>, Arc<str>, u64)>,
    expiring: BTreeSet<(DateTime<Utc>, u64)>,
}

impl Uploads {
    /// Adds an upload, or refreshes the record of the same content at the same place (it keeps
    /// its id, creation time and place in the list); returns the record's id.
    pub(crate) fn upsert(&mut self, record: UploadRecord) -> String {
        let identity = Identity::of(&record);
        if let Some(&number) = self.by_identity.get(&identity) {
            let old = self.unindex(number);
            let id = old.id.clone();
            self.index(number, UploadRecord { id: id.clone(), created_at: old.created_at, ..record });
            return id;
        }
        let number = self.next;
        self.next += 1;
        let id = record.id.clone();
        self.by_identity.insert(identity, number);
        self.by_id.insert(id.clone(), number);
        self.index(number, record);
        id
    }

    /// Puts a record in its lists and the expiry queue (not `by_identity` or `by_id`).
    fn index(&mut self, number: u64, record: UploadRecord) {
        for level in Level::of(&record) {
            self.levels.entry(level).or_default().insert(number);
        }
        self.by_cid.insert((record.parent.clone(), record.cid.clone(), number));
        if let Some(at) = record.expires_at {
            self.expiring.insert((at, number));
        }
        self.records.insert(number, record);
    }

    /// Takes a record out of its lists and the expiry queue and returns it.
    fn unindex(&mut self, number: u64) -> UploadRecord {
        let record = self.records.remove(&number).expect("an indexed record exists");
        for level in Level::of(&record) {
            if let Some(list) = self.levels.get_mut(&level) {
                list.remove(&number);
                if list.is_empty() {
                    self.levels.remove(&level);
                }
            }
        }
        self.by_cid.remove(&(record.parent.clone(), record.cid.clone(), number));
        if let Some(at) = record.expires_at {
            self.expiring.remove(&(at, number));
        }
        record
    }

    fn remove(&mut self, number: u64) {
        let record = self.unindex(number);
        self.by_identity.remove(&Identity::of(&record));
        self.by_id.remove(&record.id);
    }

    /// Drops uploads whose timelock has passed, as the backend's cleanup job does.
    pub(crate) fn purge_expired(&mut self, now: DateTime<Utc>) {
        while let Some(&(at, number)) = self.expiring.first() {
            if at > now {
                break;
            }
            self.remove(number);
        }
    }

    /// The top-level upload of `cid` (an upload, a pin or a directory's root).
    pub(crate) fn top_level(&self, cid: &str) -> Option<&UploadRecord> {
        let identity = Identity { cid: cid.into(), parent: None, path: None };
        self.by_identity.get(&identity).and_then(|number| self.records.get(number))
    }

    /// Removes the top-level upload of `cid` and every file inside it; false if there is none.
    pub(crate) fn remove_top_level(&mut self, cid: &str) -> bool {
        let identity = Identity { cid: cid.into(), parent: None, path: None };
        let Some(&number) = self.by_identity.get(&identity) else { return false };
        self.remove(number);
        let inside = Level { parent: Some(cid.into()), has_expiration: None };
        for number in self.levels.get(&inside).cloned().unwrap_or_default() {
            self.remove(number);
        }
        true
    }

    /// The upload with this id, to rename it.
    pub(crate) fn by_id_mut(&mut self, id: &str) -> Option<&mut UploadRecord> {
        let number = self.by_id.get(id)?;
        self.records.get_mut(number)
    }

    /// The files of a directory, in the order they were added.
    pub(crate) fn inside(&self, parent: &str) -> impl Iterator<Item = &UploadRecord> {
        let level = Level { parent: Some(parent.into()), has_expiration: None };
        self.levels.get(&level).into_iter().flatten().filter_map(|number| self.records.get(number))
    }

    /// One page of a list, newest first: how many the list holds, and the `limit` records after
    /// the first `skip`. Without `cid` that costs the page's length plus a walk to it from the
    /// nearer end of the list (a B-tree cannot jump to the n-th entry); a page past the end costs
    /// nothing. With `cid`, the number of records of that CID at that level (one at the top
    /// level, one per path in a directory).
    pub(crate) fn page(&self, listing: &Listing, skip: usize, limit: usize) -> (usize, Vec<&UploadRecord>) {
        let Some(cid) = &listing.cid else {
            let level = Level { parent: listing.parent.clone(), has_expiration: listing.has_expiration };
            let Some(list) = self.levels.get(&level) else { return (0, Vec::new()) };
            let total = list.len();
            if skip >= total {
                return (total, Vec::new());
            }
            let numbers: Vec<u64> = if skip <= total / 2 {
                list.iter().rev().skip(skip).take(limit).copied().collect()
            } else {
                // Oldest first, the page is entries [total - skip - limit, total - skip).
                let end = total - skip;
                let start = end.saturating_sub(limit);
                let mut numbers: Vec<u64> = list.iter().skip(start).take(end - start).copied().collect();
                numbers.reverse();
                numbers
            };
            return (total, numbers.iter().filter_map(|number| self.records.get(number)).collect());
        };
        let from = (listing.parent.clone(), cid.clone(), 0);
        let to = (listing.parent.clone(), cid.clone(), u64::MAX);
        let matching: Vec<&UploadRecord> = self
            .by_cid
            .range(from..=to)
            .rev()
            .filter_map(|(_, _, number)| self.records.get(number))
            .filter(|r| listing.has_expiration.is_none_or(|has| r.expires_at.is_some() == has))
            .collect();
        let total = matching.len();
        (total, matching.into_iter().skip(skip).take(limit).collect())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn record(id: &str, cid: &str, parent: Option<&str>, path: Option<&str>) -> UploadRecord {
        UploadRecord {
            id: id.to_owned(),
            cid: cid.into(),
            name: id.to_owned(),
            original_name: None,
            custom_name: None,
            size: 1,
            kind: UploadKind::File,
            cluster: "cl0-global",
            expires_at: None,
            created_at: Utc::now(),
            parent: parent.map(Into::into),
            path: path.map(Into::into),
        }
    }

    fn all(parent: Option<&str>) -> Listing {
        Listing { parent: parent.map(Into::into), cid: None, has_expiration: None }
    }

    fn ids(page: (usize, Vec<&UploadRecord>)) -> (usize, Vec<String>) {
        (page.0, page.1.into_iter().map(|r| r.id.clone()).collect())
    }

    #[test]
    fn the_same_content_at_the_same_place_is_one_record_that_keeps_its_id_and_place() {
        let mut uploads = Uploads::default();
        assert_eq!(uploads.upsert(record("1", "a", None, None)), "1");
        assert_eq!(uploads.upsert(record("2", "b", None, None)), "2");
        assert_eq!(uploads.upsert(record("3", "a", None, None)), "1");
        assert_eq!(uploads.upsert(record("4", "a", Some("d"), Some("x/a"))), "4");
        assert_eq!(uploads.upsert(record("5", "a", Some("d"), Some("y/a"))), "5");
        assert_eq!(ids(uploads.page(&all(None), 0, 10)), (2, vec!["2".into(), "1".into()]));
        assert_eq!(ids(uploads.page(&all(Some("d")), 0, 10)), (2, vec!["5".into(), "4".into()]));
        assert_eq!(ids(uploads.page(&all(None), 1, 10)), (2, vec!["1".into()]));
        let by_cid = Listing { parent: None, cid: Some("a".into()), has_expiration: None };
        assert_eq!(ids(uploads.page(&by_cid, 0, 10)), (1, vec!["1".into()]));
    }

    #[test]
    fn pages_read_from_either_end_are_the_same_pages() {
        let mut uploads = Uploads::default();
        for i in 0..25 {
            uploads.upsert(record(&i.to_string(), &format!("c{i}"), None, None));
        }
        let newest_first: Vec<String> = (0..25).rev().map(|i: i32| i.to_string()).collect();
        for limit in [1, 4, 7, 25, 30] {
            for skip in 0..30 {
                let expected: Vec<String> = newest_first.iter().skip(skip).take(limit).cloned().collect();
                assert_eq!(
                    ids(uploads.page(&all(None), skip, limit)),
                    (25, expected),
                    "skip {skip}, limit {limit}"
                );
            }
        }
    }

    #[test]
    fn a_cid_in_another_multibase_is_the_same_cid() {
        let base32 = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
        let cid = cid::Cid::try_from(base32).unwrap();
        let base58 = cid.to_string_of_base(cid::multibase::Base::Base58Btc).unwrap();
        assert_ne!(base58, base32);
        assert_eq!(canonical_cid(&base58), base32);
        assert_eq!(canonical_cid(base32), base32);
        let v0 = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";
        assert_eq!(canonical_cid(v0), v0);
        assert_eq!(canonical_cid("not a cid"), "not a cid");
    }

    #[test]
    fn a_refreshed_timelock_moves_the_record_between_the_expiry_lists() {
        let mut uploads = Uploads::default();
        uploads.upsert(record("1", "a", None, None));
        let expiring = Listing { parent: None, cid: None, has_expiration: Some(true) };
        assert_eq!(uploads.page(&expiring, 0, 10).0, 0);
        let mut locked = record("2", "a", None, None);
        locked.expires_at = Some(Utc::now() + TimeDelta::days(1));
        uploads.upsert(locked);
        assert_eq!(ids(uploads.page(&expiring, 0, 10)), (1, vec!["1".into()]));
        let permanent = Listing { parent: None, cid: None, has_expiration: Some(false) };
        assert_eq!(uploads.page(&permanent, 0, 10).0, 0);
        uploads.purge_expired(Utc::now() + TimeDelta::days(2));
        assert_eq!(uploads.page(&all(None), 0, 10).0, 0);
        assert!(uploads.records.is_empty() && uploads.levels.is_empty() && uploads.by_id.is_empty());
        assert!(uploads.by_cid.is_empty() && uploads.expiring.is_empty());
    }

    #[test]
    fn removing_a_directory_removes_its_files_and_leaves_no_index_behind() {
        let mut uploads = Uploads::default();
        uploads.upsert(record("1", "d", None, None));
        uploads.upsert(record("2", "a", Some("d"), Some("a")));
        uploads.upsert(record("3", "b", Some("d"), Some("b")));
        uploads.upsert(record("4", "a", None, None));
        assert_eq!(uploads.inside("d").count(), 2);
        assert!(uploads.remove_top_level("d"));
        assert!(!uploads.remove_top_level("d"));
        assert_eq!(ids(uploads.page(&all(None), 0, 10)), (1, vec!["4".into()]));
        assert_eq!(uploads.inside("d").count(), 0);
        assert_eq!((uploads.records.len(), uploads.by_identity.len(), uploads.by_id.len()), (1, 1, 1));
        assert_eq!((uploads.levels.len(), uploads.by_cid.len()), (2, 1));
        assert!(uploads.by_id_mut("2").is_none() && uploads.by_id_mut("4").is_some());
    }
}
