//! `requestid`s made from Pinarkive's own record of a pin, so that the bridge keeps no database
//! and an id outlives a restart: `<cid>.<tag>`, where the tag is the record's `_id` (when it is a
//! plain token of at most 64 characters), else `t` and its `createdAt` in Unix milliseconds;
//! a record with neither has the CID alone as its id, and so has a pin whose record could not be
//! read back when it was made. An id of the CID alone names the CID's record, whatever its tag.

use crate::types::Upload;

use super::failure::Failure;

/// The longest tag taken from a record's `_id`.
const MAX_TAG: usize = 64;

/// A parsed `requestid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestId {
    pub(crate) cid: String,
    parsed: ::cid::Cid,
    tag: Option<String>,
}

/// The `requestid` of a record.
pub(crate) fn of(upload: &Upload) -> String {
    match tag(upload) {
        Some(tag) => format!("{}.{tag}", upload.cid),
        None => upload.cid.clone(),
    }
}

fn tag(upload: &Upload) -> Option<String> {
    let id = upload.id.as_deref().filter(|id| is_token(id) && !id.starts_with('t'));
    match (id, upload.created_at) {
        (Some(id), _) => Some(id.to_owned()),
        (None, Some(created)) => Some(format!("t{}", created.timestamp_millis())),
        (None, None) => None,
    }
}

fn is_token(text: &str) -> bool {
    (1..=MAX_TAG).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether two CID strings name the same content (a CIDv0 and its CIDv1 dag-pb form do).
pub(crate) fn same_cid(a: &str, b: &str) -> bool {
    a == b || matches!((::cid::Cid::try_from(a), ::cid::Cid::try_from(b)), (Ok(a), Ok(b)) if same(&a, &b))
}

fn same(a: &::cid::Cid, b: &::cid::Cid) -> bool {
    a.codec() == b.codec() && a.hash() == b.hash()
}

impl RequestId {
    /// Parses an id this bridge made; anything else is a 400 naming what is wrong.
    pub(crate) fn parse(text: &str) -> Result<RequestId, Failure> {
        let (cid, tag) = match text.split_once('.') {
            Some((cid, tag)) => (cid, Some(tag)),
            None => (text, None),
        };
        let parsed = crate::validate_cid(cid).map_err(|_| {
            Failure::bad_request(format!(
                "requestid {:?} is not one of this service's ids (<cid>.<tag>): its CID does not parse",
                shorten(text)
            ))
        })?;
        if tag.is_some_and(|tag| !is_token(tag)) {
            return Err(Failure::bad_request(format!(
                "requestid {:?} is not one of this service's ids (<cid>.<tag>): the tag after the CID is not 1 to {MAX_TAG} letters, digits, '_' or '-'",
                shorten(text)
            )));
        }
        Ok(RequestId { cid: cid.to_owned(), parsed, tag: tag.map(str::to_owned) })
    }

    /// Whether `upload` is the record this id was made from.
    pub(crate) fn is_of(&self, upload: &Upload) -> bool {
        let cid_matches = match ::cid::Cid::try_from(upload.cid.as_str()) {
            Ok(cid) => same(&cid, &self.parsed),
            Err(_) => upload.cid == self.cid,
        };
        // An id without a tag names the CID's record, whatever it is (Pinarkive keeps one).
        cid_matches && (self.tag.is_none() || tag(upload) == self.tag)
    }
}

/// At most 100 characters of a client's text, for an error message.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(100) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CID: &str = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

    fn upload(id: Option<&str>, millis: Option<i64>) -> Upload {
        Upload::builder()
            .cid(CID)
            .id(id.map(str::to_owned))
            .created_at(millis.and_then(chrono::DateTime::from_timestamp_millis))
            .try_into()
            .unwrap()
    }

    #[test]
    fn ids_come_from_the_record_and_find_it_again() {
        for (record, expected) in [
            (upload(Some("65f0c0ffee"), Some(1)), format!("{CID}.65f0c0ffee")),
            (upload(Some("not/a token"), Some(1_700_000_000_123)), format!("{CID}.t1700000000123")),
            (upload(None, None), CID.to_owned()),
        ] {
            let id = of(&record);
            assert_eq!(id, expected);
            let parsed = RequestId::parse(&id).unwrap();
            assert!(parsed.is_of(&record));
            // An id of the CID alone names the CID's record, whatever it is.
            assert_eq!(parsed.is_of(&upload(Some("other"), Some(2))), id == CID);
        }
    }

    #[test]
    fn malformed_ids_are_refused_with_the_reason() {
        for (id, says) in
            [("nope", "CID does not parse"), (&format!("{CID}.a/b") as &str, "tag"), ("", "CID")]
        {
            let failure = RequestId::parse(id).unwrap_err();
            assert_eq!(failure.status, http::StatusCode::BAD_REQUEST);
            assert!(failure.details.contains(says), "{}", failure.details);
        }
    }

    #[test]
    fn a_cidv0_and_its_cidv1_are_the_same_content() {
        let v0 = "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n";
        let v1 = ::cid::Cid::try_from(v0).unwrap().into_v1().unwrap().to_string();
        assert!(same_cid(v0, &v1));
        assert!(!same_cid(v0, CID));
    }
}
