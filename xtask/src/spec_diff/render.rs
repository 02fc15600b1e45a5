//! The report as text (for people), JSON (for machines) and markdown (a changelog section).

use std::fmt::Write;

use serde_json::{json, Value};

use super::change::{Change, Level};
use super::release::Baseline;
use super::rust_api::RustChange;
use super::version::{self, Bump};
use super::{Report, RustSide};

pub fn render(report: &Report, format: super::Format, all: bool) -> String {
    match format {
        super::Format::Text => text(report, all),
        super::Format::Json => serde_json::to_string_pretty(&json(report, all)).unwrap_or_default() + "\n",
        super::Format::Markdown => markdown(report, all),
    }
}

/// The groups of a report, most serious first.
const GROUPS: [(Level, bool, &str, &str); 5] = [
    (Level::Breaking, false, "BREAKING", "Breaking"),
    (Level::Addition, false, "ADDED", "Added"),
    (Level::Patch, false, "CHANGED", "Changed"),
    (Level::None, false, "NOT ON THE WIRE", "Not on the wire"),
    (Level::None, true, "DOCUMENTATION", "Documentation"),
];

/// The changes of a group: by the change's own level, or by its Rust changes' when they are
/// more serious (a new response field is compatible on the wire and breaking in Rust).
fn group(report: &Report, level: Level, documentation: bool) -> Vec<&Change> {
    report
        .changes
        .iter()
        .filter(|c| c.kind.is_documentation() == documentation && effective(report, c) == level)
        .collect()
}

fn effective(report: &Report, change: &Change) -> Level {
    let rust = change.rust.iter().filter_map(|&i| report.rust_changes().get(i)).map(|r| r.level);
    rust.fold(change.level, Level::max)
}

/// A value for one line: strings without quotes, long values cut.
fn short(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let text: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    match text.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

fn what(change: &Change) -> String {
    let mut out = change.kind.name().to_string();
    if change.direction != super::Direction::Neither {
        out.push_str(&format!(" in the {}", change.direction.as_str()));
    }
    if let Some(member) = &change.member {
        out.push_str(&format!(" `{member}`"));
    }
    match (&change.before, &change.after) {
        (Some(b), Some(a)) => out.push_str(&format!(": {} -> {}", short(b), short(a))),
        (Some(b), None) => out.push_str(&format!(": was {}", short(b))),
        (None, Some(a)) => out.push_str(&format!(": {}", short(a))),
        (None, None) => {}
    }
    out
}

fn place(change: &Change) -> String {
    match change.at.first() {
        Some(first) => first.to_string(),
        None => "(document)".into(),
    }
}

/// The other operations a change is in, the first few by name (JSON lists them all).
fn also_in(change: &Change, name: impl Fn(&super::change::Location) -> String) -> String {
    const SHOWN: usize = 5;
    let others = &change.at[1..];
    let mut text: Vec<String> = others.iter().take(SHOWN).map(name).collect();
    if others.len() > SHOWN {
        text.push(format!("and {} more", others.len() - SHOWN));
    }
    text.join(", ")
}

/// For a change in operations the crate implements by hand (the generated API does not show
/// what happens to them), a note naming those operations.
fn handwritten(report: &Report, change: &Change) -> Option<String> {
    let RustSide::Compared { handwritten, .. } = &report.rust else { return None };
    let mut ids: Vec<&str> = change
        .at
        .iter()
        .filter_map(|l| l.operation_id.as_deref())
        .filter(|id| handwritten.iter().any(|h| h == id))
        .collect();
    ids.dedup();
    match ids.as_slice() {
        [] => None,
        [one] => Some(format!("`{one}` is implemented by hand (src/upload.rs): check it there")),
        many => {
            Some(format!("`{}` are implemented by hand (src/upload.rs): check them there", many.join("`, `")))
        }
    }
}

fn rust_lines<'r>(report: &'r Report, change: &Change) -> Vec<&'r RustChange> {
    change.rust.iter().filter_map(|&i| report.rust_changes().get(i)).collect()
}

fn next_version(report: &Report) -> String {
    version::next(&report.version, report.bump).to_string()
}

fn bump_sentence(report: &Report) -> String {
    match report.bump {
        Bump::None => format!("no version bump ({})", report.version),
        bump => format!("a {bump} version bump: {} -> {}", report.version, next_version(report)),
    }
}

/// What happened to the Rust API; `timed` adds how long generating both clients took.
fn rust_summary(report: &Report, timed: bool) -> String {
    match &report.rust {
        RustSide::Compared { changes, elapsed, .. } => {
            let breaking = changes.iter().filter(|c| c.level == Level::Breaking).count();
            let mut text = match changes.len() {
                0 => "the generated Rust API does not change".to_string(),
                n => format!("{n} Rust API changes ({breaking} breaking)"),
            };
            if timed {
                text.push_str(&format!(
                    " (both clients generated and compared in {:.1} s)",
                    elapsed.as_secs_f64()
                ));
            }
            text
        }
        RustSide::HeadFails(why) => format!("Rust API: the crate would not build: {why}"),
        RustSide::NotCompared(why) => format!("Rust API not compared: {why}"),
    }
}

fn text(report: &Report, all: bool) -> String {
    let mut out = format!("spec-diff: {} -> {}\n", report.base, report.head);
    for (level, documentation, title, _) in GROUPS {
        if documentation && !all {
            continue;
        }
        let changes = group(report, level, documentation);
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({})", changes.len());
        for change in changes {
            let _ = writeln!(out, "  {}", place(change));
            let _ = writeln!(out, "    {}", what(change));
            let _ = writeln!(out, "      at {}", change.pointer);
            let wire = if change.wire_breaking { "breaking" } else { "compatible" };
            let _ = writeln!(out, "      wire: {wire}: {}", change.why);
            for rust in rust_lines(report, change) {
                let _ = writeln!(out, "      rust: {rust} ({}: {})", rust.level.as_str(), rust.why);
            }
            if let Some(note) = handwritten(report, change).filter(|_| !change.kind.is_documentation()) {
                let _ = writeln!(out, "      rust: {note}");
            }
            if change.at.len() > 1 {
                let _ = writeln!(out, "      also in: {}", also_in(change, |l| l.to_string()));
            }
        }
    }
    if let RustSide::Compared { changes, unattributed, .. } = &report.rust {
        if !unattributed.is_empty() {
            let _ = writeln!(out, "\nRUST API CHANGES NO SPEC CHANGE ACCOUNTS FOR ({})", unattributed.len());
            for &i in unattributed {
                let _ = writeln!(out, "  {} ({}: {})", changes[i], changes[i].level.as_str(), changes[i].why);
            }
        }
    }
    let shown = report.changes.iter().filter(|c| all || !c.kind.is_documentation()).count();
    let hidden = report.changes.len() - shown;
    let wire = report.changes.iter().filter(|c| c.wire_breaking).count();
    let _ = write!(out, "\nspec-diff: {shown} changes ({wire} break clients on the wire)");
    if hidden > 0 {
        let _ = write!(out, ", {hidden} documentation changes not shown (--all)");
    }
    let _ = writeln!(
        out,
        "; {}; needs {} (in {:.1} s)",
        rust_summary(report, true),
        bump_sentence(report),
        report.elapsed.as_secs_f64()
    );
    out
}

fn markdown(report: &Report, all: bool) -> String {
    let mut out = format!("### Spec changes: `{}` → `{}`\n\n", report.base, report.head);
    let needs = match report.bump {
        Bump::None => format!("needs no version bump ({})", report.version),
        bump => format!("needs a **{bump}** version bump ({} → {})", report.version, next_version(report)),
    };
    let rust = rust_summary(report, false);
    let _ = writeln!(out, "The crate {needs}; {rust}.");
    for (level, documentation, _, title) in GROUPS {
        if documentation && !all {
            continue;
        }
        let changes = group(report, level, documentation);
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n#### {title}\n");
        for change in changes {
            let place = match change.at.first() {
                Some(at) => format!(
                    "`{} {}`{}",
                    at.method,
                    at.path,
                    at.operation_id.as_ref().map_or(String::new(), |id| format!(" (`{id}`)"))
                ),
                None => "The document".into(),
            };
            let _ = write!(out, "- {place}: {} (`{}`): {}.", what(change), change.pointer, change.why);
            let rust = rust_lines(report, change);
            if !rust.is_empty() {
                let items: Vec<String> = rust.iter().map(|r| r.to_string()).collect();
                let _ = write!(out, " Rust: {}.", items.join("; "));
            }
            if let Some(note) = handwritten(report, change).filter(|_| !change.kind.is_documentation()) {
                let _ = write!(out, " Rust: {note}.");
            }
            if change.at.len() > 1 {
                let _ = write!(out, " Also in {}.", also_in(change, |l| format!("`{l}`")));
            }
            out.push('\n');
        }
    }
    if let RustSide::Compared { changes, unattributed, .. } = &report.rust {
        if !unattributed.is_empty() {
            let _ = writeln!(out, "\n#### Rust API changes no spec change accounts for\n");
            for &i in unattributed {
                let _ = writeln!(out, "- {} ({}).", changes[i], changes[i].level.as_str());
            }
        }
    }
    out
}

fn json(report: &Report, all: bool) -> Value {
    let rust_item = |r: &RustChange| {
        json!({
            "item": r.path,
            "itemKind": r.kind.as_str(),
            "change": r.delta.as_str(),
            "before": r.before,
            "after": r.after,
            "level": r.level.as_str(),
            "why": r.why,
        })
    };
    let changes: Vec<Value> = report
        .changes
        .iter()
        .filter(|c| all || !c.kind.is_documentation())
        .map(|c| {
            let first = c.at.first();
            json!({
                "method": first.map(|l| &l.method),
                "path": first.map(|l| &l.path),
                "operationId": first.and_then(|l| l.operation_id.as_ref()),
                "operations": c.at.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "pointer": c.pointer,
                "kind": c.kind.name(),
                "direction": c.direction.as_str(),
                "member": c.member,
                "before": c.before,
                "after": c.after,
                "wireBreaking": c.wire_breaking,
                "level": c.level.as_str(),
                "why": c.why,
                "rust": rust_lines(report, c).into_iter().map(rust_item).collect::<Vec<_>>(),
            })
        })
        .collect();
    let rust = match &report.rust {
        RustSide::Compared { changes, unattributed, handwritten, elapsed } => json!({
            "compared": true,
            "changes": changes.iter().map(rust_item).collect::<Vec<_>>(),
            "unattributed": unattributed.iter().map(|&i| rust_item(&changes[i])).collect::<Vec<_>>(),
            "handwritten": handwritten,
            "seconds": elapsed.as_secs_f64(),
        }),
        RustSide::HeadFails(why) => json!({"compared": false, "headFails": true, "reason": why}),
        RustSide::NotCompared(why) => json!({"compared": false, "reason": why}),
    };
    json!({
        "base": report.base,
        "head": report.head,
        "changes": changes,
        "rust": rust,
        "version": report.version.to_string(),
        "level": report.level.as_str(),
        "bump": report.bump.to_string(),
        "nextVersion": next_version(report),
        "wireBreaking": report.wire_breaking(),
        "rustBreaking": report.rust_breaking(),
    })
}

/// The release check's last line, naming the changes that need more than the bump made.
pub fn verdict(report: &Report, baseline: &Baseline, made: Bump) -> String {
    let short = &baseline.commit[..baseline.commit.len().min(10)];
    let mut out = format!(
        "spec-diff: since release {} ({short}) the spec needs {}; Cargo.toml has {} ({})",
        baseline.released,
        bump_sentence(report),
        baseline.current,
        match made {
            Bump::None => "no bump".to_string(),
            bump => format!("a {bump} bump"),
        }
    );
    if report.bump <= made {
        out.push_str(": OK");
        return out;
    }
    let _ = write!(
        out,
        ": FAIL: set the version to at least {} (and add the changes to CHANGELOG.md). These need more:",
        next_version(report)
    );
    let needs = |level: Level| version::required(level, &report.version) > made;
    for change in report.changes.iter().filter(|c| needs(effective(report, c))) {
        let _ = write!(out, "\n  {}: {}", place(change), what(change));
    }
    if let RustSide::Compared { changes, unattributed, .. } = &report.rust {
        for &i in unattributed.iter().filter(|&&i| needs(changes[i].level)) {
            let _ = write!(out, "\n  rust: {}", changes[i]);
        }
    }
    if let RustSide::HeadFails(why) = &report.rust {
        let _ = write!(out, "\n  {why}");
    }
    out
}
