//! `cargo xtask lint-spec`: checks the OpenAPI spec against the editing rules in
//! `openapi/README.md` and against what progenitor 0.15.1 can generate, naming the operation at
//! fault. Exit code: 0 clean, 1 problems found, 2 the spec cannot be read or parsed.

mod enums;
pub(crate) mod examples;
pub(crate) mod json;
mod operations;
mod refs;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use openapiv3::OpenAPI;
use serde_json::Value;

use crate::codegen::{self, HandwrittenOperation, Problem};

#[derive(clap::Args)]
pub struct Args {
    /// The spec to lint; a relative path is taken from the workspace root.
    #[arg(long, value_name = "PATH", default_value = codegen::SPEC_PATH)]
    spec: PathBuf,
}

/// What linting found.
#[derive(Debug)]
pub struct Report {
    pub operations: usize,
    /// Sorted by where, then what.
    pub problems: Vec<Problem>,
    /// Operations the build leaves to hand-written code: information, not problems.
    pub handwritten: Vec<HandwrittenOperation>,
}

pub fn run(args: &Args) -> ExitCode {
    let outcome = lint_file(&crate::from_root(&args.spec));
    match &outcome {
        Err(e) => eprintln!("lint-spec: {e}"),
        Ok(report) => print(report),
    }
    ExitCode::from(exit_code(&outcome))
}

fn print(report: &Report) {
    for op in &report.handwritten {
        println!("info: {} ({} {}) is hand-written: {}", op.operation_id, op.method, op.path, op.reason);
    }
    for problem in &report.problems {
        println!("{problem}");
    }
    println!("lint-spec: {} operations, {} problems", report.operations, report.problems.len());
}

/// Lints the file at `path`; the error names the file.
fn lint_file(path: &Path) -> Result<Report, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    lint(&text).map_err(|e| format!("cannot parse {}: {e}", path.display()))
}

fn exit_code(outcome: &Result<Report, String>) -> u8 {
    match outcome {
        Err(_) => 2,
        Ok(report) if report.problems.is_empty() => 0,
        Ok(_) => 1,
    }
}

/// Lints a spec given as YAML text; the error says why it does not parse as OpenAPI.
pub fn lint(spec_text: &str) -> Result<Report, String> {
    // Typed for the structure; untyped for the walks that must see every node.
    let doc: Value = spec_model::Document::parse(spec_text)?.into_root();
    let spec: OpenAPI = serde_yaml::from_str(spec_text).map_err(|e| e.to_string())?;
    let mut problems = operations::document(&spec);
    problems.extend(operations::each(&spec));
    problems.extend(refs::dangling(&doc));
    problems.extend(enums::in_responses(&doc));
    problems.extend(examples::invalid(&doc));
    match spec_model::beyond_generation_limits(&doc) {
        Some(why) => problems.push(problem("openapi", format!("not generated: {why}"))),
        None => problems.extend(generation(&spec)),
    }
    problems.sort_by(|a, b| (&a.at, &a.reason).cmp(&(&b.at, &b.reason)));
    problems.dedup();
    Ok(Report {
        operations: codegen::operations(&spec).len(),
        problems,
        handwritten: codegen::handwritten_operations(&spec),
    })
}

/// What progenitor would refuse, found by the very code build.rs runs.
fn generation(spec: &OpenAPI) -> Vec<Problem> {
    // progenitor refuses another version outright, which `operations::document` already says.
    if !spec.openapi.starts_with("3.0.") {
        return Vec::new();
    }
    // codegen reports these too; the lint's own wording names both places.
    const ALREADY_REPORTED: [&str; 2] = ["has no operationId", "operationId is used twice"];
    match codegen::generate(spec) {
        Ok(_) => Vec::new(),
        Err(problems) => {
            problems.into_iter().filter(|p| !ALREADY_REPORTED.contains(&p.reason.as_str())).collect()
        }
    }
}

fn problem(at: impl Into<String>, reason: impl Into<String>) -> Problem {
    Problem { at: at.into(), reason: reason.into() }
}

/// How problems name an operation: its operationId, else `METHOD path`.
fn label(operation_id: Option<&str>, method: &str, path: &str) -> String {
    operation_id.map_or_else(|| format!("{method} {path}"), str::to_string)
}
