//! `cargo xtask check-docs`: every difference between the spec and the vendor's documentation.
//!
//! Reads any tree of `.md` / `.mdx` pages (and route references in the style of API.md), finds
//! the claims each page makes about the API (endpoints, base URL, scopes, query, body and
//! response fields, statuses, error codes, headers, rate-limit fields, JSON examples), and
//! compares them with `openapi/pinarkive-v3.yaml`. Known, justified differences are waived in
//! `openapi/docs-waivers.yaml`. Exit code: 0 when every finding is waived (what the spec has and
//! no doc mentions is only information), 1 when drift remains or a waiver is stale, 2 for usage
//! errors (a missing docs path, an unreadable spec or waiver file).
//!
//! Finding kinds: `endpoint-not-in-spec`, `method-differs`, `base-url-differs`, `scope-differs`,
//! `scope-missing-in-spec`, `query-param-missing`, `body-field-missing` (JSON or multipart),
//! `media-type-differs`, `response-field-missing`, `response-field-type-differs`,
//! `success-status-differs`, `error-status-missing`, `error-code-missing`,
//! `error-code-status-differs`, `header-missing`, `rate-limit-field-missing`, `auth-differs`,
//! `example-invalid`. Operations and request fields that no page mentions are listed as
//! information.
//!
//! Module map: `pages` (walk, parse, warnings), `claims` (what a page says), `extract` (prose,
//! tables, snippets, API.md route tables), `spec_side` (what the spec says), `compare`,
//! `waivers`, `report`.
//!
//! Like `lint-spec`, it reads the spec as plain YAML (through `spec_model`) and does not depend
//! on the client crate, so it runs even when the spec breaks the client's build.
//!
//! No page can make it hang: folders are walked without following symbolic links, files that
//! are not regular (a FIFO) are skipped, a page above 16 MiB is skipped, each with a warning,
//! and every pass over a page is linear in its size (span positions are recorded, not searched
//! for; unclosed fences are found in one pass; snippets are read call by call).

mod claims;
mod compare;
mod extract;
mod pages;
mod report;
mod spec_side;
#[cfg(test)]
mod tests;
mod waivers;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use crate::codegen;

/// The waiver file used when `--waivers` is not given.
pub const DEFAULT_WAIVERS: &str = "openapi/docs-waivers.yaml";

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table grouped by page.
    Table,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// A directory of .md/.mdx pages or a single page; repeat for more. Relative paths are taken
    /// from the workspace root.
    #[arg(long = "docs", value_name = "DIR_OR_FILE", required = true)]
    docs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Known, justified differences (relative to the workspace root).
    #[arg(long, value_name = "FILE", default_value = DEFAULT_WAIVERS)]
    waivers: PathBuf,
    /// The spec to compare with (relative to the workspace root).
    #[arg(long, value_name = "PATH", default_value = codegen::SPEC_PATH)]
    spec: PathBuf,
    /// Print how long the check took in the summary.
    #[arg(long)]
    time: bool,
}

pub fn run(args: &Args) -> ExitCode {
    let docs: Vec<PathBuf> = args.docs.iter().map(|d| crate::from_root(d)).collect();
    match check(&docs, &crate::from_root(&args.spec), &crate::from_root(&args.waivers)) {
        Err(usage) => {
            eprintln!("check-docs: {usage}");
            ExitCode::from(2)
        }
        Ok(report) => {
            match args.format {
                Format::Table => print!("{}", report.table(args.time)),
                Format::Json => {
                    let json = report.json(args.time);
                    println!("{}", serde_json::to_string_pretty(&json).unwrap_or_else(|e| e.to_string()));
                }
            }
            ExitCode::from(report.exit_code())
        }
    }
}

/// Checks `docs` against the spec with the waivers; an error is a usage error naming the path.
pub fn check(docs: &[PathBuf], spec: &Path, waivers: &Path) -> Result<report::Report, String> {
    let started = Instant::now();
    let spec = spec_side::Spec::load(spec)?;
    let waivers = waivers::load(waivers)?;
    let (pages, mut load_warnings) = pages::load(docs)?;
    let (claims, mut warnings) = extract::claims(&pages);
    let mut comparison = compare::compare(&spec, &claims);
    let waiver_problems = waivers::apply(&waivers, &mut comparison.findings, &pages, &spec);
    let mut all_warnings: Vec<pages::Warning> = pages.iter().flat_map(|p| p.warnings.clone()).collect();
    all_warnings.append(&mut warnings);
    all_warnings.append(&mut load_warnings);
    all_warnings.sort_by(|a, b| (&a.page, a.line).cmp(&(&b.page, b.line)));
    let waiver_evidence = waivers.iter().map(|w| report::evidence_text(w, &spec)).collect();
    Ok(report::Report {
        pages: pages.iter().map(|p| p.name.clone()).collect(),
        findings: comparison.findings,
        spec_only: comparison.spec_only,
        counts: comparison.counts,
        warnings: all_warnings,
        waivers,
        waiver_problems,
        waiver_evidence,
        elapsed: started.elapsed(),
    })
}
