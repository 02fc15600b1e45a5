//! Known, justified differences: `openapi/docs-waivers.yaml`.
//!
//! ```yaml
//! waivers:
//!   - kind: body-field-missing              # a finding kind
//!     subject: "POST /files/directory-dag files[]"   # the finding's subject; `*` matches anything
//!     page: "api-reference/*"               # optional: the page below --docs; `*` matches anything
//!     deviation: files_directory_dag_upload / multipart part name   # the spec's x-evidence entry
//!   - kind: endpoint-not-in-spec
//!     subject: ["* /admin/*", "* /superadmin/*"]     # several subjects, one reason
//!     evidence: "openapi/README.md, Out of scope"
//!     reason: Admin routes need an admin role.
//!   - kind: header-missing
//!     subject: X-Request-Source
//!     evidence: "docs: authentication.mdx; evidence.md §4.1 note 9"  # who says what, when no
//!     reason: Only classifies traffic in the backend logs.           # deviation records it
//! ```
//!
//! A waiver that points at a deviation shows that deviation's `spec_follows` and `reason`, so the
//! evidence is written once, in the spec. A waiver subject that covers no finding is stale and
//! fails the check, and so does a waiver whose deviation the spec does not record.

use std::path::Path;

use serde_json::Value;

use super::compare::{Finding, Kind};
use super::pages::Page;
use super::spec_side::Spec;

#[derive(Debug, Clone)]
pub struct Waiver {
    pub kind: Kind,
    pub subjects: Vec<String>,
    pub page: Option<String>,
    pub evidence: Evidence,
    /// 1-based position in the file, for messages.
    pub number: usize,
}

#[derive(Debug, Clone)]
pub enum Evidence {
    /// `operationId / topic` of an `x-evidence.deviations` entry.
    Deviation {
        operation: String,
        topic: String,
    },
    Stated {
        evidence: String,
        reason: String,
    },
}

/// Reads the waiver file; anything malformed is a usage error naming the file and the waiver.
pub fn load(path: &Path) -> Result<Vec<Waiver>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("--waivers {}: cannot read it: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("--waivers {}: {e}", path.display()))
}

pub fn parse(text: &str) -> Result<Vec<Waiver>, String> {
    let doc: Value = serde_yaml::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
    let items = match doc.get("waivers") {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Null) => Vec::new(),
        None if doc.is_null() => Vec::new(),
        _ => return Err("expected a top-level `waivers:` list".into()),
    };
    items.iter().enumerate().map(|(i, item)| waiver(i + 1, item)).collect()
}

fn waiver(number: usize, item: &Value) -> Result<Waiver, String> {
    let field = |name: &str| item.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let kind_name = field("kind").ok_or_else(|| format!("waiver {number}: `kind` is missing"))?;
    let kind = Kind::from_name(kind_name).ok_or_else(|| {
        let known: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        format!("waiver {number}: unknown kind `{kind_name}` (one of {})", known.join(", "))
    })?;
    let subjects: Vec<String> = match item.get("subject") {
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim().to_string()],
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|s| s.as_str().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                format!("waiver {number}: every `subject` in the list must be a non-empty string")
            })?,
        _ => return Err(format!("waiver {number}: `subject` is missing (a string or a list of strings)")),
    };
    let evidence = match (field("deviation"), field("evidence"), field("reason")) {
        (Some(deviation), _, _) => {
            let (operation, topic) = deviation.split_once('/').ok_or_else(|| {
                format!("waiver {number}: `deviation` must be `operationId / topic`, got `{deviation}`")
            })?;
            Evidence::Deviation { operation: operation.trim().into(), topic: topic.trim().into() }
        }
        (None, Some(evidence), Some(reason)) => {
            Evidence::Stated { evidence: evidence.into(), reason: reason.into() }
        }
        _ => {
            return Err(format!(
                "waiver {number}: give `deviation: operationId / topic`, or both `evidence` and `reason`"
            ))
        }
    };
    Ok(Waiver { kind, subjects, page: field("page").map(String::from), evidence, number })
}

/// What went wrong with the waivers themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverProblem {
    pub number: usize,
    pub message: String,
}

/// Marks each finding with the first waiver that covers it; returns the waivers that are stale
/// or point at a deviation the spec does not record.
pub fn apply(
    waivers: &[Waiver],
    findings: &mut [Finding],
    pages: &[Page],
    spec: &Spec,
) -> Vec<WaiverProblem> {
    let mut used: Vec<Vec<bool>> = waivers.iter().map(|w| vec![false; w.subjects.len()]).collect();
    for finding in findings.iter_mut() {
        let page = pages.get(finding.page).map_or("", |p| p.relative.as_str());
        'waivers: for (i, waiver) in waivers.iter().enumerate() {
            if waiver.kind != finding.kind || !waiver.page.as_deref().is_none_or(|p| glob(p, page)) {
                continue;
            }
            for (j, subject) in waiver.subjects.iter().enumerate() {
                if glob(subject, &finding.subject) {
                    finding.waiver = Some(i);
                    used[i][j] = true;
                    break 'waivers;
                }
            }
        }
    }
    let mut problems = Vec::new();
    for (waiver, used) in waivers.iter().zip(used) {
        if let Evidence::Deviation { operation, topic } = &waiver.evidence {
            if spec.deviation(operation, topic).is_none() {
                problems.push(WaiverProblem {
                    number: waiver.number,
                    message: format!(
                        "points at the deviation `{topic}` of `{operation}`, which the spec does not record"
                    ),
                });
            }
        }
        for (subject, used) in waiver.subjects.iter().zip(used) {
            if !used {
                problems.push(WaiverProblem {
                    number: waiver.number,
                    message: format!("matches no finding ({} `{subject}`): remove it", waiver.kind.name()),
                });
            }
        }
    }
    problems
}

/// `*` matches any run of characters (including none); everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first)
        || !text[first.len()..].ends_with(last)
        || text.len() < first.len() + last.len()
    {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("* /admin/*", "GET /admin/users"));
        assert!(glob("GET /docs*", "GET /docs"));
        assert!(!glob("* /admin/*", "GET /files"));
        assert!(glob("X-Request-Source", "X-Request-Source"));
        assert!(!glob("a*a", "a"));
    }

    #[test]
    fn a_waiver_without_evidence_is_refused_with_its_number() {
        let err = parse("waivers:\n  - kind: header-missing\n    subject: X\n").unwrap_err();
        assert!(err.contains("waiver 1") && err.contains("evidence"), "{err}");
        let err = parse("waivers:\n  - kind: nonsense\n    subject: X\n    deviation: a / b\n").unwrap_err();
        assert!(err.contains("unknown kind `nonsense`"), "{err}");
    }
}
