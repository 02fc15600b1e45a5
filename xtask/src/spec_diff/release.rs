//! The last release, for CI: the commit where the crate version last changed in `Cargo.toml`,
//! following the first parents from HEAD (the working copy counts as the newest point).
//!
//! When that change is the one being checked (the working copy or HEAD itself changed the
//! version), the release being made is compared with the one before it, and the bump made is
//! the version change. Otherwise no bump was made since the last release, so the spec may not
//! have changed in any way that needs one.

use std::path::Path;

use semver::Version;

use super::source::{self, git, Source};
use super::version;
use crate::codegen::SPEC_PATH;

/// What the working copy is compared with.
#[derive(Debug)]
pub struct Baseline {
    /// The commit where the version `released` was set.
    pub commit: String,
    pub released: Version,
    /// The spec at that commit (an empty document if it had none).
    pub spec: Source,
    /// The version in the working copy.
    pub current: Version,
}

/// Finds the release to compare the working copy with; None when the current version is the
/// first one (nothing was released before it).
pub fn baseline(root: &Path) -> Result<Option<Baseline>, String> {
    let current = version::of_manifest(&source::read_file(&root.join("Cargo.toml"))?)?;
    let shallow = git(root, &["rev-parse", "--is-shallow-repository"])?;
    if String::from_utf8_lossy(&shallow).trim() == "true" {
        return Err("the clone is shallow, so the last release cannot be found: fetch the history \
                    (git fetch --unshallow)"
            .into());
    }
    let head = source::commit(root, "HEAD")?;
    let log = git(root, &["log", "--first-parent", "--format=%H", "HEAD", "--", "Cargo.toml"])?;
    // (point, version): None is the working copy; commits newest first.
    let mut points: Vec<(Option<String>, Option<Version>)> = vec![(None, Some(current.clone()))];
    for commit in String::from_utf8_lossy(&log).lines() {
        let manifest = source::at_revision(root, commit, "Cargo.toml").ok();
        points.push((Some(commit.to_string()), manifest.and_then(|m| version::of_manifest(&m).ok())));
    }
    // Where the version was set: it differs from the next older point (or nothing is older).
    let set_at = |i: usize| -> bool {
        points[i].1.is_some() && points.get(i + 1).is_none_or(|older| older.1 != points[i].1)
    };
    let Some(newest) = (0..points.len()).find(|&i| set_at(i)) else {
        return Err("no commit sets the crate version in Cargo.toml".into());
    };
    let being_made = newest == 0 || points[newest].0.as_deref() == Some(head.as_str());
    let release = if being_made {
        match (newest + 1..points.len()).find(|&i| set_at(i)) {
            Some(i) => i,
            None => return Ok(None),
        }
    } else {
        newest
    };
    let (Some(commit), Some(released)) = points[release].clone() else {
        return Err("the release commit has no version".into());
    };
    let text = source::at_revision(root, &commit, SPEC_PATH)
        .unwrap_or_else(|_| "openapi: 3.0.3\ninfo: {title: none, version: '0'}\npaths: {}\n".to_string());
    let short = &commit[..commit.len().min(10)];
    let spec = Source { label: format!("{SPEC_PATH} at {short} (release {released})"), text };
    Ok(Some(Baseline { commit, released, spec, current }))
}
