//! Content identifiers: checked with the `cid` crate before they go into a URL.

use percent_encoding::percent_decode_str;

use crate::error::Error;

/// Parses `text` as a CID (v0 `Qm…` or v1 in any multibase), or says what is wrong with it.
///
/// ```
/// assert!(pinarkive::validate_cid("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy").is_ok());
/// let err = pinarkive::validate_cid("not-a-cid").unwrap_err();
/// assert!(err.to_string().contains("not-a-cid"));
/// ```
pub fn validate_cid(text: &str) -> Result<::cid::Cid, Error> {
    if text.is_empty() {
        return Err(Error::InvalidInput("CID is empty".into()));
    }
    ::cid::Cid::try_from(text).map_err(|e| Error::InvalidInput(format!("{text:?} is not a valid CID: {e}")))
}

/// Checks every `{cid}` / `{cidDag}` segment of a request URL against its path template.
///
/// `path` is the request's URL path, `base_path` the base URL's, `template` the spec's path.
pub(crate) fn check_path_cids(template: &str, base_path: &str, path: &str) -> Result<(), Error> {
    let Some(rest) = path.strip_prefix(base_path.trim_end_matches('/')) else { return Ok(()) };
    let actual = rest.trim_start_matches('/').split('/');
    let expected = template.trim_start_matches('/').split('/');
    for (name, value) in expected.zip(actual) {
        if let Some(param) = name.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
            if param == "cid" || param == "cidDag" {
                let value = percent_decode_str(value).decode_utf8_lossy();
                validate_cid(&value)
                    .map_err(|e| Error::InvalidInput(format!("{param}: {}", strip_prefix(&e))))?;
            }
        }
    }
    Ok(())
}

fn strip_prefix(error: &Error) -> String {
    match error {
        Error::InvalidInput(message) => message.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V0: &str = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";
    const V1: &str = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

    #[test]
    fn valid_cids_pass() {
        assert!(validate_cid(V0).is_ok());
        assert!(validate_cid(V1).is_ok());
        assert!(check_path_cids("/files/pin/{cid}", "/api/v3", &format!("/api/v3/files/pin/{V1}")).is_ok());
    }

    #[test]
    fn invalid_cids_are_named() {
        let err =
            check_path_cids("/files/remove/{cid}", "/api/v3/", "/api/v3/files/remove/bafy%2F..").unwrap_err();
        assert!(err.to_string().starts_with("invalid input: cid: \"bafy/..\" is not a valid CID"), "{err}");
        let err =
            check_path_cids("/users/me/uploads/dag/{cidDag}", "", "/users/me/uploads/dag/xyz").unwrap_err();
        assert!(err.to_string().contains("cidDag: \"xyz\""), "{err}");
        assert!(validate_cid("").is_err());
    }

    #[test]
    fn other_segments_are_not_cids() {
        assert!(check_path_cids("/tokens/revoke/{name}", "/api/v3", "/api/v3/tokens/revoke/my-token").is_ok());
    }
}
