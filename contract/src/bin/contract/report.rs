//! The report: a table of operation × check, the reasons of every failure and skip, a summary
//! line, and JUnit XML for CI (written by hand: a few elements do not need a crate).
//!
//! Every reason passes through [`Report::redact`] with the run's secrets (the key, minted keys,
//! sessions, the password), so a server that echoes a credential cannot make the report show it.
//! Reasons are redacted when recorded and again when written out: a minted key or a session is
//! only learnt from an answer that has already been judged, and that judgement may quote it.

use std::collections::BTreeMap;
use std::fmt::Write;

use pinarkive::OperationId;

use super::checks::{self, Check, Outcome};
use super::observed::Observed;

/// The outcomes of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// Operations in the order they ran, each with its outcomes.
    rows: Vec<(OperationId, BTreeMap<Check, Outcome>)>,
    /// Things worth knowing that are not checks (cleanup), and whether any of them failed.
    notes: Vec<String>,
    note_failed: bool,
    secrets: Vec<String>,
    /// Requests sent, for the summary.
    pub requests: u32,
    /// What the answers held that the spec does not say.
    pub observed: Observed,
}

/// Counts of outcomes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub operations: usize,
    pub pass: usize,
    pub fail: usize,
    pub skip: usize,
    pub not_applicable: usize,
}

impl Report {
    /// Text equal to a secret is replaced wherever a reason or note quotes it.
    pub fn add_secret(&mut self, secret: &str) {
        // Short values would redact ordinary words; real credentials are long.
        if secret.len() >= 6 && !self.secrets.iter().any(|s| s == secret) {
            self.secrets.push(secret.to_string());
            self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for secret in &self.secrets {
            text = text.replace(secret.as_str(), "[redacted]");
            // A quoted body cut short (`checks::excerpt`) may end inside a secret: its start
            // stands before the "...", longest start first.
            for (cut, _) in secret.char_indices().skip(1).collect::<Vec<_>>().into_iter().rev() {
                text = text.replace(&format!("{}{}", &secret[..cut], checks::CUT), "[redacted]...");
            }
        }
        text
    }

    /// Records `outcome` for `operation` × `check` (the first answer for a cell stands).
    pub fn record(&mut self, operation: OperationId, check: Check, outcome: Outcome) {
        let outcome = match outcome {
            Outcome::Fail(why) => Outcome::Fail(self.redact(&why)),
            Outcome::Skip(why) => Outcome::Skip(self.redact(&why)),
            other => other,
        };
        let row = match self.rows.iter().position(|(op, _)| *op == operation) {
            Some(i) => &mut self.rows[i].1,
            None => {
                self.rows.push((operation, BTreeMap::new()));
                &mut self.rows.last_mut().expect("just pushed").1
            }
        };
        row.entry(check).or_insert(outcome);
    }

    /// A line printed after the table; `failed` makes the run fail.
    pub fn note(&mut self, text: &str, failed: bool) {
        let text = self.redact(text);
        self.notes.push(text);
        self.note_failed |= failed;
    }

    pub fn outcome(&self, operation: OperationId, check: Check) -> &Outcome {
        self.rows
            .iter()
            .find(|(op, _)| *op == operation)
            .and_then(|(_, row)| row.get(&check))
            .unwrap_or(&Outcome::NotApplicable)
    }

    /// Every cell, in table order; unrecorded cells are not applicable.
    pub fn cells(&self) -> impl Iterator<Item = (OperationId, Check, &Outcome)> {
        self.rows.iter().flat_map(|(op, row)| {
            Check::ALL
                .into_iter()
                .map(move |check| (*op, check, row.get(&check).unwrap_or(&Outcome::NotApplicable)))
        })
    }

    pub fn summary(&self) -> Summary {
        let mut summary = Summary { operations: self.rows.len(), ..Summary::default() };
        for (_, _, outcome) in self.cells() {
            match outcome {
                Outcome::Pass => summary.pass += 1,
                Outcome::Fail(_) => summary.fail += 1,
                Outcome::Skip(_) => summary.skip += 1,
                Outcome::NotApplicable => summary.not_applicable += 1,
            }
        }
        summary
    }

    /// Whether the run failed: a failed check or a failed note (cleanup).
    pub fn failed(&self) -> bool {
        self.note_failed || self.summary().fail > 0
    }

    /// The table, the reasons, the notes and the summary line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let width =
            self.rows.iter().map(|(op, _)| op.as_str().len()).max().unwrap_or(0).max("operation".len());
        let _ = write!(out, "{:width$}", "operation");
        for check in Check::ALL {
            let _ = write!(out, "  {:10}", check.name());
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('\n');
        for (op, row) in &self.rows {
            let _ = write!(out, "{:width$}", op.as_str());
            for check in Check::ALL {
                let cell = match row.get(&check).unwrap_or(&Outcome::NotApplicable) {
                    Outcome::Pass => "pass",
                    Outcome::Fail(_) => "FAIL",
                    Outcome::Skip(_) => "skipped",
                    Outcome::NotApplicable => "-",
                };
                let _ = write!(out, "  {cell:10}");
            }
            let trimmed = out.trim_end().len();
            out.truncate(trimmed);
            out.push('\n');
        }
        for (title, failures) in [("Failures:", true), ("Skipped:", false)] {
            let lines: Vec<String> = self
                .cells()
                .filter_map(|(op, check, outcome)| match (outcome, failures) {
                    (Outcome::Fail(why), true) | (Outcome::Skip(why), false) => {
                        Some(format!("  {op} {}: {}", check.name(), self.redact(why)))
                    }
                    _ => None,
                })
                .collect();
            if !lines.is_empty() {
                let _ = write!(out, "\n{title}\n{}\n", lines.join("\n"));
            }
        }
        if !self.notes.is_empty() {
            let _ = write!(out, "\nNotes:\n");
            for note in &self.notes {
                let _ = writeln!(out, "  {}", self.redact(note));
            }
        }
        let _ = write!(out, "\n{}", self.summary_line());
        out
    }

    pub fn summary_line(&self) -> String {
        let s = self.summary();
        format!(
            "contract: {} operations x {} checks: {} pass, {} fail, {} skipped, {} not applicable; {} requests{}",
            s.operations,
            Check::ALL.len(),
            s.pass,
            s.fail,
            s.skip,
            s.not_applicable,
            self.requests,
            if self.note_failed { "; failed: see Notes" } else { "" },
        )
    }

    /// JUnit XML: one test case per operation × applicable check, named `operation check`.
    pub fn junit(&self) -> String {
        let s = self.summary();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"pinarkive-contract\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
            s.pass + s.fail + s.skip,
            s.fail,
            s.skip
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"contract\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
            s.pass + s.fail + s.skip,
            s.fail,
            s.skip
        );
        for (op, check, outcome) in self.cells() {
            let open =
                format!("    <testcase classname=\"{}\" name=\"{}\"", xml(op.as_str()), xml(check.name()));
            match outcome {
                Outcome::NotApplicable => {}
                Outcome::Pass => {
                    let _ = writeln!(out, "{open}/>");
                }
                Outcome::Fail(why) => {
                    let why = self.redact(why);
                    let _ = writeln!(
                        out,
                        "{open}>\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        xml(&why),
                        xml(&why)
                    );
                }
                Outcome::Skip(why) => {
                    let why = self.redact(why);
                    let _ =
                        writeln!(out, "{open}>\n      <skipped message=\"{}\"/>\n    </testcase>", xml(&why));
                }
            }
        }
        if !self.notes.is_empty() {
            let notes: Vec<String> = self.notes.iter().map(|n| xml(&self.redact(n))).collect();
            let _ = writeln!(out, "    <system-out>{}</system-out>", notes.join("\n"));
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }
}

/// Escapes text for XML content and attribute values, and drops characters XML 1.0 forbids.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        let mut report = Report::default();
        report.add_secret("pk_live_secret");
        report.record(OperationId::FilesUpload, Check::Success, Outcome::Pass);
        report.record(OperationId::FilesUpload, Check::Scope, Outcome::Skip("read-only run".into()));
        report.record(
            OperationId::FilesPin,
            Check::ErrorBody,
            Outcome::Fail("expected 4xx, got 500 <html>\"x\" & 'y' \u{1} key pk_live_secret".into()),
        );
        report.requests = 3;
        report
    }

    #[test]
    fn the_table_lists_every_check_and_the_reasons() {
        let report = sample();
        let text = report.render();
        assert!(text.starts_with("operation     x-api-key"), "{text}");
        assert!(text.contains("\nfiles_upload  -           -           -         "), "{text}");
        assert!(text.contains("Failures:\n  files_pin error-body: expected 4xx"), "{text}");
        assert!(text.contains("Skipped:\n  files_upload scope: read-only run"), "{text}");
        assert!(text
            .ends_with("2 operations x 8 checks: 1 pass, 1 fail, 1 skipped, 13 not applicable; 3 requests"));
        assert!(report.failed());
    }

    #[test]
    fn secrets_never_reach_the_report() {
        let mut report = sample();
        report.note("revoked pk_live_secret", false);
        assert!(!report.render().contains("pk_live_secret"));
        assert!(!report.junit().contains("pk_live_secret"));
        assert!(report.render().contains("key [redacted]"));
    }

    #[test]
    fn a_secret_learnt_after_its_reason_was_recorded_is_still_redacted() {
        let mut report = Report::default();
        report.record(
            OperationId::TokensGenerate,
            Check::Success,
            Outcome::Fail("body {\"token\":\"pk_minted_1\"}".into()),
        );
        report.record(
            OperationId::TokensGenerate,
            Check::Bearer,
            Outcome::Skip("pk_minted_1 lacks a scope".into()),
        );
        report.note("minted pk_minted_1", false);
        report.add_secret("pk_minted_1");
        assert!(!report.render().contains("pk_minted_1"), "{}", report.render());
        assert!(!report.junit().contains("pk_minted_1"), "{}", report.junit());
    }

    #[test]
    fn a_secret_cut_short_by_an_excerpt_is_redacted() {
        let mut report = Report::default();
        report.add_secret("pk_live_0123456789");
        let body = format!("{{\"token\":\"{}pk_live_0123456789\"}}", " ".repeat(140));
        let reason = checks::excerpt(body.as_bytes());
        assert!(reason.contains("pk_live_01"), "the excerpt should cut inside the key: {reason}");
        report.record(OperationId::TokensGenerate, Check::Success, Outcome::Fail(reason));
        for out in [report.render(), report.junit()] {
            assert!(!out.contains("pk_live_01"), "{out}");
            assert!(out.contains("[redacted]..."), "{out}");
        }
    }

    #[test]
    fn junit_is_well_formed_xml() {
        let mut report = sample();
        report.note("cleanup: removed <cid>", true);
        let xml = report.junit();
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        let suite = doc.descendants().find(|n| n.has_tag_name("testsuite")).unwrap();
        assert_eq!(suite.attribute("tests"), Some("3"));
        assert_eq!(suite.attribute("failures"), Some("1"));
        let cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
        assert_eq!(cases.len(), 3);
        let failure = doc.descendants().find(|n| n.has_tag_name("failure")).unwrap();
        assert!(failure.attribute("message").unwrap().contains("<html>\"x\" & 'y'"));
        assert!(doc.descendants().any(|n| n.has_tag_name("skipped")));
        assert!(report.summary_line().ends_with("; failed: see Notes"));
    }

    #[test]
    fn the_first_outcome_of_a_cell_stands() {
        let mut report = Report::default();
        report.record(OperationId::HealthGet, Check::Bearer, Outcome::Fail("first".into()));
        report.record(OperationId::HealthGet, Check::Bearer, Outcome::Pass);
        assert_eq!(report.outcome(OperationId::HealthGet, Check::Bearer), &Outcome::Fail("first".into()));
        assert_eq!(report.outcome(OperationId::HealthGet, Check::Scope), &Outcome::NotApplicable);
    }
}
