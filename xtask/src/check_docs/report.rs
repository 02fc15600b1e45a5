//! The report: a table grouped by page (default) or JSON, and the exit code.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{json, Value};

use super::compare::{Counts, Finding, SpecOnly};
use super::pages::Warning;
use super::spec_side::Spec;
use super::waivers::{Evidence, Waiver, WaiverProblem};

pub struct Report {
    /// Page names, by index.
    pub pages: Vec<String>,
    pub findings: Vec<Finding>,
    pub spec_only: Vec<SpecOnly>,
    pub counts: Counts,
    pub warnings: Vec<Warning>,
    pub waivers: Vec<Waiver>,
    pub waiver_problems: Vec<WaiverProblem>,
    /// Each waiver's evidence as shown (the deviation it points at, resolved).
    pub waiver_evidence: Vec<String>,
    pub elapsed: Duration,
}

impl Report {
    pub fn drift(&self) -> usize {
        self.findings.iter().filter(|f| f.waiver.is_none()).count()
    }

    /// 0 when every finding is waived or informational and every waiver is used; 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.drift() > 0 || !self.waiver_problems.is_empty())
    }

    pub fn summary(&self, with_time: bool) -> String {
        let c = &self.counts;
        let mut line = format!(
            "check-docs: {} pages, {} claims; cross-checked {} endpoints, {} scopes, {} fields, {} error codes; \
             {} drift, {} waived, {} spec-only (information), {} warnings; {} waivers, {} waiver problems",
            self.pages.len(),
            c.claims,
            c.endpoints,
            c.scopes,
            c.fields,
            c.error_codes,
            self.drift(),
            self.findings.len() - self.drift(),
            self.spec_only.len(),
            self.warnings.len(),
            self.waivers.len(),
            self.waiver_problems.len(),
        );
        if with_time {
            let _ = write!(line, "; {:.3} s", self.elapsed.as_secs_f64());
        }
        line
    }

    /// The readable report. `with_time` is off in snapshots, where time is noise.
    pub fn table(&self, with_time: bool) -> String {
        let mut out = String::new();
        // Grouped once, so a report of many pages is not read once per page.
        let mut findings_by_page: HashMap<usize, Vec<&Finding>> = HashMap::new();
        for f in &self.findings {
            findings_by_page.entry(f.page).or_default().push(f);
        }
        let mut warnings_by_page: HashMap<&str, Vec<&Warning>> = HashMap::new();
        for w in &self.warnings {
            warnings_by_page.entry(w.page.as_str()).or_default().push(w);
        }
        for (index, page) in self.pages.iter().enumerate() {
            let findings = findings_by_page.remove(&index).unwrap_or_default();
            let warnings = warnings_by_page.remove(page.as_str()).unwrap_or_default();
            if findings.is_empty() && warnings.is_empty() {
                continue;
            }
            let _ = writeln!(out, "== {page}");
            for w in warnings {
                let _ = writeln!(out, "  {:>4}  warning  {}", w.line, w.message);
            }
            let kind_width = findings.iter().map(|f| f.kind.name().len()).max().unwrap_or(0);
            for f in findings {
                let status = if f.waiver.is_some() { "waived" } else { "DRIFT " };
                let _ =
                    writeln!(out, "  {:>4}  {status}  {:<kind_width$}  {}", f.line, f.kind.name(), f.subject);
                let _ = writeln!(out, "        docs: {}", f.docs);
                let _ = writeln!(out, "        spec: {}", f.spec);
                if let Some(i) = f.waiver {
                    let _ = writeln!(out, "        waived by waiver {} (below)", self.waivers[i].number);
                }
            }
        }
        // Warnings about no page read (a link not followed, a file skipped), in order.
        let other_warnings = self.warnings.iter().filter(|w| warnings_by_page.contains_key(w.page.as_str()));
        for w in other_warnings {
            let _ = writeln!(out, "warning: {}:{}: {}", w.page, w.line, w.message);
        }
        if !self.spec_only.is_empty() {
            let _ = writeln!(out, "== in the spec, not in the docs (information)");
            for s in &self.spec_only {
                let _ = writeln!(out, "  {}  {}", s.subject, s.detail);
            }
        }
        if !self.waivers.is_empty() {
            let _ = writeln!(out, "== waivers");
            for (i, waiver) in self.waivers.iter().enumerate() {
                let covered = self.findings.iter().filter(|f| f.waiver == Some(i)).count();
                let subjects = waiver.subjects.join("`, `");
                let _ = writeln!(
                    out,
                    "  waiver {}: {} `{subjects}`: {covered} findings",
                    waiver.number,
                    waiver.kind.name()
                );
                let _ = writeln!(out, "        {}", self.waiver_evidence[i]);
            }
        }
        for p in &self.waiver_problems {
            let _ = writeln!(out, "waiver {}: {}", p.number, p.message);
        }
        let _ = writeln!(out, "{}", self.summary(with_time));
        out
    }

    pub fn json(&self, with_time: bool) -> Value {
        let c = &self.counts;
        let findings: Vec<Value> = self
            .findings
            .iter()
            .map(|f| {
                json!({
                    "kind": f.kind.name(),
                    "page": self.pages[f.page],
                    "line": f.line,
                    "subject": f.subject,
                    "docs": f.docs,
                    "spec": f.spec,
                    "waived": f.waiver.is_some(),
                    "waiver": f.waiver.map(|i| json!({
                        "number": self.waivers[i].number,
                        "evidence": self.waiver_evidence[i],
                    })),
                })
            })
            .collect();
        let mut report = json!({
            "summary": {
                "pages": self.pages.len(),
                "claims": c.claims,
                "cross_checked": {
                    "endpoints": c.endpoints,
                    "scopes": c.scopes,
                    "fields": c.fields,
                    "error_codes": c.error_codes,
                },
                "unattached_claims": c.unattached,
                "drift": self.drift(),
                "waived": self.findings.len() - self.drift(),
                "waivers": self.waivers.len(),
                "exit_code": self.exit_code(),
            },
            "findings": findings,
            "spec_only": self.spec_only.iter().map(|s| json!({"subject": s.subject, "detail": s.detail})).collect::<Vec<_>>(),
            "warnings": self.warnings.iter().map(|w| json!({"page": w.page, "line": w.line, "message": w.message})).collect::<Vec<_>>(),
            "waiver_problems": self.waiver_problems.iter().map(|p| json!({"waiver": p.number, "message": p.message})).collect::<Vec<_>>(),
        });
        if with_time {
            report["summary"]["seconds"] = json!(self.elapsed.as_secs_f64());
        }
        report
    }
}

/// How a waiver's evidence reads in the report: the deviation it points at, or what it states.
pub fn evidence_text(waiver: &Waiver, spec: &Spec) -> String {
    match &waiver.evidence {
        Evidence::Deviation { operation, topic } => match spec.deviation(operation, topic) {
            Some(d) => format!(
                "spec x-evidence {operation} / {topic}: follows {}; against {}; {}",
                d.spec_follows, d.against, d.reason
            ),
            None => format!("spec x-evidence {operation} / {topic} (not recorded in the spec)"),
        },
        Evidence::Stated { evidence, reason } => format!("{evidence}; {reason}"),
    }
}
