//! Versions under Cargo's semver rules: which component a level of change bumps (0.x
//! included), and which bump a version change made.

use std::cmp::Ordering;
use std::fmt;

use semver::Version;

use super::change::Level;

/// A version bump, in the order of how much it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        })
    }
}

/// The bump `level` needs from `version`. Cargo treats the first non-zero component as the
/// major one: in `0.y.z` a breaking change bumps `y` and anything else bumps `z`; in `0.0.z`
/// every change is breaking and bumps `z`.
pub fn required(level: Level, version: &Version) -> Bump {
    match (level, version.major, version.minor) {
        (Level::None, _, _) => Bump::None,
        (Level::Breaking, 1.., _) => Bump::Major,
        (Level::Addition, 1.., _) => Bump::Minor,
        (Level::Breaking, 0, 1..) => Bump::Minor,
        (_, _, _) => Bump::Patch,
    }
}

/// The bump from `old` to `new` (build metadata, such as the spec date, is no bump). A
/// version that went down made none.
pub fn made(old: &Version, new: &Version) -> Bump {
    if new.cmp_precedence(old) != Ordering::Greater {
        return Bump::None;
    }
    if new.major != old.major {
        Bump::Major
    } else if new.minor != old.minor {
        Bump::Minor
    } else {
        Bump::Patch
    }
}

/// `version` bumped by `bump` (pre-release and build metadata dropped).
pub fn next(version: &Version, bump: Bump) -> Version {
    let mut next = Version::new(version.major, version.minor, version.patch);
    match bump {
        Bump::None => return version.clone(),
        Bump::Major => {
            next.major += 1;
            next.minor = 0;
            next.patch = 0;
        }
        Bump::Minor => {
            next.minor += 1;
            next.patch = 0;
        }
        Bump::Patch => next.patch += 1,
    }
    next
}

/// The version in a `Cargo.toml` (its `[package] version`).
pub fn of_manifest(manifest: &str) -> Result<Version, String> {
    let doc = toml_edit::Document::parse(manifest).map_err(|e| format!("Cargo.toml does not parse: {e}"))?;
    let version = doc
        .get("package")
        .and_then(|p| p.get("version"))
        .and_then(|v| v.as_str())
        .ok_or("Cargo.toml has no [package] version")?;
    Version::parse(version).map_err(|e| format!("Cargo.toml's version {version:?} is not semver: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn cargo_rules_for_every_level_and_version_range() {
        let table = [
            ("1.4.2", [Bump::None, Bump::Patch, Bump::Minor, Bump::Major]),
            ("0.3.1", [Bump::None, Bump::Patch, Bump::Patch, Bump::Minor]),
            ("0.0.7", [Bump::None, Bump::Patch, Bump::Patch, Bump::Patch]),
        ];
        let levels = [Level::None, Level::Patch, Level::Addition, Level::Breaking];
        for (version, bumps) in table {
            for (level, bump) in levels.iter().zip(bumps) {
                assert_eq!(required(*level, &v(version)), bump, "{level:?} from {version}");
            }
        }
        assert_eq!(next(&v("0.1.0+2026042200"), Bump::Minor), v("0.2.0"));
        assert_eq!(next(&v("1.2.3"), Bump::Major), v("2.0.0"));
        assert_eq!(next(&v("1.2.3"), Bump::Patch), v("1.2.4"));
    }

    #[test]
    fn the_bump_made_ignores_build_metadata() {
        assert_eq!(made(&v("0.1.0+2026042200"), &v("0.1.0+2026050100")), Bump::None);
        assert_eq!(made(&v("0.1.0+2026042200"), &v("0.1.1+2026050100")), Bump::Patch);
        assert_eq!(made(&v("0.1.3"), &v("0.2.0")), Bump::Minor);
        assert_eq!(made(&v("0.9.0"), &v("1.0.0")), Bump::Major);
        assert_eq!(made(&v("0.2.0"), &v("0.1.0")), Bump::None);
        assert_eq!(made(&v("0.2.0-rc.1"), &v("0.2.0")), Bump::Patch);
    }

    #[test]
    fn the_manifest_version_is_read_from_package() {
        let manifest =
            "[package]\nname = \"x\"\nversion = \"0.1.0+2026042200\"\n[dependencies]\nversion = \"9\"\n";
        assert_eq!(of_manifest(manifest).unwrap(), v("0.1.0+2026042200"));
        assert!(of_manifest("[package]\nname = \"x\"\n").unwrap_err().contains("no [package] version"));
        assert!(of_manifest("[package\n").unwrap_err().contains("does not parse"));
    }
}
