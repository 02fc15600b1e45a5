//! The filters of `GET /pins`: `cid`, `name` and `match`, `status`, `before`, `after`, `limit`
//! and `meta`, read as the document defines them; a value out of its range is a 400 naming the
//! parameter.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::failure::Failure;
use super::psa::{PinStatus, Status};
use super::request_id::{same_cid, shorten};

/// The document's `limit`: default 10, 1 to 1000.
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 1000;
/// The most CIDs one `cid` filter names (the document's `maxItems`).
const MAX_CIDS: usize = 10;
/// The longest `name` (the document's `maxLength`, in characters).
pub(crate) const MAX_NAME_CHARS: usize = 255;

/// How `name` is compared (`TextMatchingStrategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Match {
    #[default]
    Exact,
    Iexact,
    Partial,
    Ipartial,
}

/// The filters of one listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListQuery {
    /// CIDs, without repeats; empty for any.
    pub(crate) cids: Vec<String>,
    name: Option<String>,
    matching: Match,
    /// Empty for any.
    statuses: Vec<Status>,
    before: Option<DateTime<Utc>>,
    after: Option<DateTime<Utc>>,
    pub(crate) limit: usize,
    meta: BTreeMap<String, String>,
}

impl ListQuery {
    /// Reads the query string; parameters the document does not define are ignored, as the
    /// document allows other vendors' extensions.
    pub(crate) fn parse(query: Option<&str>) -> Result<ListQuery, Failure> {
        let mut parsed = ListQuery {
            cids: Vec::new(),
            name: None,
            matching: Match::Exact,
            statuses: Vec::new(),
            before: None,
            after: None,
            limit: DEFAULT_LIMIT,
            meta: BTreeMap::new(),
        };
        for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match key.as_ref() {
                // `style: form, explode: false` (`?cid=a,b`), and repeated keys as well.
                "cid" => {
                    for cid in value.split(',').map(str::trim) {
                        crate::validate_cid(cid).map_err(|_| {
                            Failure::bad_request(format!("cid: {:?} is not a CID", shorten(cid)))
                        })?;
                        if !parsed.cids.iter().any(|known| same_cid(known, cid)) {
                            parsed.cids.push(cid.to_owned());
                        }
                    }
                    if parsed.cids.len() > MAX_CIDS {
                        return Err(Failure::bad_request(format!("cid: at most {MAX_CIDS} CIDs")));
                    }
                }
                "name" => {
                    if value.chars().count() > MAX_NAME_CHARS {
                        return Err(Failure::bad_request(format!(
                            "name: longer than {MAX_NAME_CHARS} characters"
                        )));
                    }
                    parsed.name = Some(value.into_owned());
                }
                "match" => {
                    parsed.matching = match value.as_ref() {
                        "exact" => Match::Exact,
                        "iexact" => Match::Iexact,
                        "partial" => Match::Partial,
                        "ipartial" => Match::Ipartial,
                        other => {
                            return Err(Failure::bad_request(format!(
                                "match: {:?} is not one of exact, iexact, partial, ipartial",
                                shorten(other)
                            )))
                        }
                    }
                }
                "status" => {
                    for status in value.split(',').map(str::trim) {
                        let status = Status::parse(status).ok_or_else(|| {
                            Failure::bad_request(format!(
                                "status: {:?} is not one of queued, pinning, pinned, failed",
                                shorten(status)
                            ))
                        })?;
                        if !parsed.statuses.contains(&status) {
                            parsed.statuses.push(status);
                        }
                    }
                }
                "before" => parsed.before = Some(timestamp("before", &value)?),
                "after" => parsed.after = Some(timestamp("after", &value)?),
                "limit" => {
                    parsed.limit = value
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                        .ok_or_else(|| {
                            Failure::bad_request(format!(
                                "limit: {:?} is not a number from 1 to {MAX_LIMIT}",
                                shorten(&value)
                            ))
                        })?;
                }
                "meta" => {
                    parsed.meta = serde_json::from_str(&value).map_err(|_| {
                        Failure::bad_request("meta: not a JSON object of strings (?meta={\"key\":\"value\"})")
                    })?;
                }
                _ => {}
            }
        }
        Ok(parsed)
    }

    /// Whether a pin passes every filter. Without `status`, every status is listed (the
    /// document says "only successful pins" for a query with no filter at all; a record is
    /// `pinned`, so the two agree for what the bridge lists).
    pub(crate) fn matches(&self, pin: &PinStatus) -> bool {
        let cid = self.cids.is_empty() || self.cids.iter().any(|cid| same_cid(cid, &pin.pin.cid));
        let name = match (&self.name, &pin.pin.name) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(wanted), Some(name)) => match self.matching {
                Match::Exact => name == wanted,
                Match::Iexact => name.to_lowercase() == wanted.to_lowercase(),
                Match::Partial => name.contains(wanted.as_str()),
                Match::Ipartial => name.to_lowercase().contains(&wanted.to_lowercase()),
            },
        };
        let status = self.statuses.is_empty() || self.statuses.contains(&pin.status);
        let before = self.before.is_none_or(|before| pin.created < before);
        let after = self.after.is_none_or(|after| pin.created > after);
        // Pinarkive keeps no metadata, so a pin has none: only an empty filter matches.
        let meta = self.meta.iter().all(|(key, value)| pin.pin.meta.get(key) == Some(value));
        cid && name && status && before && after && meta
    }
}

fn timestamp(parameter: &str, value: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::parse_from_rfc3339(value.trim()).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        Failure::bad_request(format!("{parameter}: {:?} is not an RFC 3339 date-time", shorten(value)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(name: Option<&str>, millis: i64) -> PinStatus {
        PinStatus {
            requestid: "r".into(),
            status: Status::Pinned,
            created: DateTime::from_timestamp_millis(millis).unwrap(),
            pin: super::super::psa::Pin {
                cid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy".into(),
                name: name.map(str::to_owned),
                origins: Vec::new(),
                meta: BTreeMap::new(),
            },
            delegates: Vec::new(),
            info: BTreeMap::new(),
        }
    }

    fn query(text: &str) -> ListQuery {
        ListQuery::parse(Some(text)).unwrap()
    }

    #[test]
    fn names_match_in_each_mode() {
        let named = pin(Some("PreciousData.pdf"), 0);
        for (q, expected) in [
            ("name=PreciousData.pdf", true),
            ("name=preciousdata.pdf", false),
            ("name=preciousdata.pdf&match=iexact", true),
            ("name=Data&match=partial", true),
            ("name=data&match=partial", false),
            ("name=DATA&match=ipartial", true),
            ("name=Precious&match=exact", false),
        ] {
            assert_eq!(query(q).matches(&named), expected, "{q}");
        }
        assert!(!query("name=x&match=ipartial").matches(&pin(None, 0)));
    }

    #[test]
    fn times_statuses_meta_and_cids_filter() {
        let p = pin(None, 1_600_000_000_000);
        assert!(query("before=2020-09-13T12:26:41Z").matches(&p));
        assert!(!query("before=2020-09-13T12:26:40Z").matches(&p));
        assert!(query("after=2020-09-13T12:26:39Z").matches(&p));
        assert!(!query("after=2020-09-13T12:26:40Z").matches(&p));
        assert!(query("status=queued,pinned").matches(&p));
        assert!(!query("status=queued&status=failed").matches(&p));
        assert!(query("meta=%7B%7D").matches(&p));
        assert!(!query("meta=%7B%22app%22%3A%22x%22%7D").matches(&p));
        assert!(!query("cid=QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n").matches(&p));
        assert_eq!(query("").limit, 10);
        assert_eq!(query("limit=1000").limit, 1000);
    }

    #[test]
    fn bad_values_name_their_parameter() {
        let eleven: Vec<String> = (0..11)
            .map(|i| {
                cid::Cid::new_v1(0x55, cid::multihash::Multihash::wrap(0x12, &[i; 32]).unwrap()).to_string()
            })
            .collect();
        for (q, says) in [
            ("limit=0", "limit"),
            ("limit=1001", "limit"),
            ("limit=ten", "limit"),
            ("match=fuzzy", "match"),
            ("status=done", "status"),
            ("before=yesterday", "before"),
            ("after=2020-13-01T00:00:00Z", "after"),
            ("meta=%5B%5D", "meta"),
            ("meta=%7B%22a%22%3A1%7D", "meta"),
            ("cid=nope", "cid"),
            (&format!("cid={}", eleven.join(",")) as &str, "at most 10"),
            (&format!("name={}", "x".repeat(256)) as &str, "name"),
        ] {
            let failure = ListQuery::parse(Some(q)).unwrap_err();
            assert_eq!(failure.status, http::StatusCode::BAD_REQUEST, "{q}");
            assert!(
                failure.details.starts_with(says) || failure.details.contains(says),
                "{q}: {}",
                failure.details
            );
        }
    }
}
