//! `cargo xtask spec-diff BASE [HEAD]`: what a spec edit changes for the crate's users, on the
//! wire and in the generated Rust API, and which version bump it needs.
//!
//! ```text
//! cargo xtask spec-diff HEAD~3                      # the spec 3 commits ago -> the working copy
//! cargo xtask spec-diff v0.1.0 HEAD --format json   # two revisions
//! cargo xtask spec-diff https://api.pinarkive.com/api/v3/docs/openapi.json --fail-on wire
//! cargo xtask spec-diff --last-release              # CI: against the last release, checks the bump
//! ```
//!
//! BASE and HEAD are each a file (YAML or JSON), a git revision (`openapi/pinarkive-v3.yaml`
//! at that revision, or `REV:PATH`), or an `http(s)` URL (the API key from
//! `PINARKIVE_API_KEY`, if set, goes to https URLs and loopback only). HEAD defaults to the
//! working copy.
//!
//! Both documents are normalised (see `spec_model` and `spec_diff/schema.rs`) and operations
//! are matched by method and route, so a document with other operation ids or spellings lines
//! up. Every change says where it is, what changed, in which direction, whether it breaks
//! clients on the wire, and what it does to the generated Rust API: the client is generated
//! from both specs with `codegen.rs` and their public items compared (`spec_diff/rust_api.rs`).
//! The report ends with the version bump the crate needs under Cargo's rules.
//!
//! Exit code: 0 when nothing breaks (`--fail-on wire|rust|any`, default any), 1 when something
//! does, 2 for a usage or input error. With `--last-release` the exit code is 1 when the bump
//! the changes need is larger than the one made in `Cargo.toml` since the last release.
//!
//! Modules: `source` (reading BASE and HEAD), `wire` and `schema` (the comparison),
//! `change` (kinds and their classification), `rust_api`, `version` (Cargo's rules),
//! `release` (the last release, for CI), `render` (text, JSON, markdown).

mod change;
mod release;
mod render;
mod rust_api;
mod schema;
mod source;
#[cfg(test)]
mod tests;
mod version;
mod wire;

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use semver::Version;

pub use change::{Change, Direction, Kind, Level};
use rust_api::RustChange;
pub use source::Source;
use version::Bump;

use spec_model::Document;

#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// A changelog section.
    Markdown,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum FailOn {
    /// Changes that break clients on the wire.
    Wire,
    /// Breaking changes of the generated Rust API.
    Rust,
    /// Either.
    Any,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The spec before: a file, a git revision or an http(s) URL. Not with --last-release.
    #[arg(value_name = "BASE", required_unless_present = "last_release")]
    base: Option<String>,
    /// The spec after (default: the working copy of openapi/pinarkive-v3.yaml).
    #[arg(value_name = "HEAD")]
    head: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Also list changes to descriptions, examples, x-evidence and other x- extensions.
    #[arg(long)]
    all: bool,
    /// What makes the exit code 1.
    #[arg(long, value_enum, default_value = "any")]
    fail_on: FailOn,
    /// Compare the wire only (the Rust side needs both specs to be generatable).
    #[arg(long)]
    no_rust: bool,
    /// Compare the working copy with the spec of the last release (the commit where the crate
    /// version last changed) and fail when the bump the changes need is larger than the bump
    /// made in Cargo.toml.
    #[arg(long, conflicts_with = "base")]
    last_release: bool,
}

/// The Rust side of a diff.
#[derive(Debug)]
pub enum RustSide {
    Compared {
        changes: Vec<RustChange>,
        /// Changes no spec change accounts for (by index).
        unattributed: Vec<usize>,
        /// operationIds the crate implements by hand, in HEAD.
        handwritten: Vec<String>,
        elapsed: Duration,
    },
    /// BASE generates and HEAD does not: the crate would not build.
    HeadFails(String),
    NotCompared(String),
}

/// A whole diff.
#[derive(Debug)]
pub struct Report {
    pub base: String,
    pub head: String,
    pub changes: Vec<Change>,
    pub rust: RustSide,
    /// The version the bump is counted from.
    pub version: Version,
    pub level: Level,
    pub bump: Bump,
    pub elapsed: Duration,
}

impl Report {
    pub fn wire_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.wire_breaking)
    }

    pub fn rust_breaking(&self) -> bool {
        match &self.rust {
            RustSide::Compared { changes, .. } => changes.iter().any(|c| c.level == Level::Breaking),
            RustSide::HeadFails(_) => true,
            RustSide::NotCompared(_) => false,
        }
    }

    /// The Rust changes, when they were compared.
    pub fn rust_changes(&self) -> &[RustChange] {
        match &self.rust {
            RustSide::Compared { changes, .. } => changes,
            _ => &[],
        }
    }
}

pub fn run(args: &Args) -> ExitCode {
    let root = crate::workspace_root();
    let outcome = if args.last_release { check_release(args, root) } else { compare_args(args, root) };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("spec-diff: {e}");
            ExitCode::from(2)
        }
    }
}

fn compare_args(args: &Args, root: &Path) -> Result<u8, String> {
    let base =
        source::load(args.base.as_deref().unwrap_or_default(), root).map_err(|e| format!("BASE: {e}"))?;
    let head = match &args.head {
        Some(head) => source::load(head, root).map_err(|e| format!("HEAD: {e}"))?,
        None => source::working_copy(root)?,
    };
    let version = version::of_manifest(&source::read_file(&root.join("Cargo.toml"))?)?;
    let report = diff(&base, &head, &version, !args.no_rust)?;
    print!("{}", render::render(&report, args.format, args.all));
    let fails = match args.fail_on {
        FailOn::Wire => report.wire_breaking(),
        FailOn::Rust => report.rust_breaking(),
        FailOn::Any => report.wire_breaking() || report.rust_breaking(),
    };
    Ok(u8::from(fails))
}

fn check_release(args: &Args, root: &Path) -> Result<u8, String> {
    let Some(check) = release_check(root, !args.no_rust)? else {
        eprintln!(
            "spec-diff: the crate version was never changed before: no earlier release to compare with"
        );
        return Ok(0);
    };
    print!("{}", render::render(&check.report, args.format, args.all));
    eprintln!("{}", check.verdict);
    Ok(u8::from(!check.ok))
}

/// The release check's outcome.
#[derive(Debug)]
pub struct ReleaseCheck {
    pub report: Report,
    /// One line, and the changes that need more than the bump made when it fails.
    pub verdict: String,
    /// Whether the bump made covers what the changes need.
    pub ok: bool,
}

/// Compares the working copy's spec with the last release's (see `release.rs`); None when
/// there is no earlier release.
pub fn release_check(root: &Path, rust: bool) -> Result<Option<ReleaseCheck>, String> {
    let Some(baseline) = release::baseline(root)? else { return Ok(None) };
    let head = source::working_copy(root)?;
    let report = diff(&baseline.spec, &head, &baseline.released, rust)?;
    let made = version::made(&baseline.released, &baseline.current);
    let verdict = render::verdict(&report, &baseline, made);
    Ok(Some(ReleaseCheck { ok: report.bump <= made, verdict, report }))
}

/// The stack of the thread a diff runs on: generating a client recurses as deeply as the
/// schemas nest, which the caller's thread (2 MiB for tests) may not allow.
const STACK_BYTES: usize = 256 << 20;

/// Compares two specs; `version` is the crate version the bump is counted from. An error is an
/// input error (a document that does not parse, a `$ref` that cannot be followed).
pub fn diff(base: &Source, head: &Source, version: &Version, rust: bool) -> Result<Report, String> {
    std::thread::scope(|scope| {
        let work = std::thread::Builder::new()
            .name("spec-diff".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, || compare(base, head, version, rust))
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        work.join()
            .map_err(|_| "the comparison panicked (a bug: please report it with both specs)".to_string())?
    })
}

fn compare(base: &Source, head: &Source, version: &Version, rust: bool) -> Result<Report, String> {
    let started = Instant::now();
    let base_doc = Document::parse(&base.text).map_err(|e| format!("BASE ({}): {e}", base.label))?;
    let head_doc = Document::parse(&head.text).map_err(|e| format!("HEAD ({}): {e}", head.label))?;
    let mut changes = wire::compare(&base_doc, &head_doc)?.list;
    let rust = match rust {
        true => rust_side((base, &base_doc), (head, &head_doc), &mut changes),
        false => RustSide::NotCompared("--no-rust".into()),
    };
    let rust_level = match &rust {
        RustSide::Compared { changes, .. } => changes.iter().map(|c| c.level).max(),
        RustSide::HeadFails(_) => Some(Level::Breaking),
        RustSide::NotCompared(_) => None,
    };
    let level = changes.iter().map(|c| c.level).chain(rust_level).max().unwrap_or(Level::None);
    Ok(Report {
        base: base.label.clone(),
        head: head.label.clone(),
        changes,
        rust,
        version: version.clone(),
        level,
        bump: version::required(level, version),
        elapsed: started.elapsed(),
    })
}

fn rust_side(base: (&Source, &Document), head: (&Source, &Document), changes: &mut [Change]) -> RustSide {
    let started = Instant::now();
    let old = match rust_api::generate(&base.0.text, base.1) {
        Ok(api) => api,
        Err(e) => return RustSide::NotCompared(format!("BASE {e}")),
    };
    let new = match rust_api::generate(&head.0.text, head.1) {
        Ok(api) => api,
        Err(e) => return RustSide::HeadFails(format!("HEAD {e}")),
    };
    let rust = rust_api::diff(&old, &new);
    let types: Vec<String> = old.schemas.iter().chain(&new.schemas).map(|s| pascal(s)).collect();
    let unattributed = attribute(changes, &rust, &types);
    RustSide::Compared {
        changes: rust,
        unattributed,
        handwritten: new.handwritten,
        elapsed: started.elapsed(),
    }
}

/// Ties each Rust change to the spec changes that cause it: by operation (its method,
/// builder and inline types) and by component schema (its type), narrowed to the property or
/// parameter the change is about. `types` are the generated type names of every component
/// schema of both specs, so `PinInfo` is not taken for a type nested in `Pin`. Returns the Rust
/// changes no spec change accounts for.
fn attribute(changes: &mut [Change], rust: &[RustChange], types: &[String]) -> Vec<usize> {
    let mut used = vec![false; rust.len()];
    for change in changes.iter_mut() {
        let owners = owners(change);
        let mut members: Vec<&str> = change.member.iter().map(String::as_str).collect();
        if change.kind == Kind::ParameterRenamed {
            members.extend(change.before.as_ref().and_then(|v| v.as_str()));
        }
        for (i, item) in rust.iter().enumerate() {
            let Some(owner) = owners.iter().find(|o| owns(o, &item.path, types)) else { continue };
            let fits = members.is_empty() || members.iter().any(|m| is_member(item, owner, m));
            if fits {
                change.rust.push(i);
                used[i] = true;
            }
        }
    }
    used.iter().enumerate().filter(|(_, u)| !**u).map(|(i, _)| i).collect()
}

/// Whether `item` (owned by `owner`) is about `member`: the field, setter or variant of that
/// name, a type generated for it (`PinRequestMode` for `mode` of `PinRequest`), or the owner
/// itself, its derives and trait impls (a required field takes `Default` away).
fn is_member(item: &RustChange, owner: &str, member: &str) -> bool {
    let (snake, pascal) = (snake(member), pascal(member));
    let owner_name = owner.rsplit("::").next().unwrap_or(owner);
    if item.kind == rust_api::ItemKind::TraitImpl {
        return words(&item.path)
            .any(|w| w == owner_name || w.strip_prefix(owner_name).is_some_and(|r| r.starts_with(&pascal)));
    }
    let rest = item.path.strip_prefix(owner).unwrap_or_default();
    let last = rest.rsplit(['.', ':']).next().unwrap_or(rest);
    last == snake || rest.starts_with(&pascal) || rest.is_empty() || rest.starts_with(" derives ")
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty())
}

/// The Rust paths a change may touch.
fn owners(change: &Change) -> Vec<String> {
    let mut ids: Vec<String> = change.at.iter().filter_map(|l| l.operation_id.clone()).collect();
    let mut schemas = Vec::new();
    if change.kind == Kind::OperationIdChanged {
        ids.extend(
            [&change.before, &change.after]
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from)),
        );
    }
    if let Some(name) = change.pointer.strip_prefix("#/components/schemas/") {
        schemas.push(name.split('/').next().unwrap_or(name).replace("~1", "/").replace("~0", "~"));
    }
    if matches!(change.kind, Kind::SchemaRefChanged | Kind::SchemaAdded | Kind::SchemaRemoved) {
        schemas.extend(
            [&change.before, &change.after]
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from)),
        );
    }
    let mut out = Vec::new();
    for id in ids {
        out.push(format!("Client::{}", snake(&id)));
        out.push(format!("builder::{}", pascal(&id)));
        schemas.push(id);
    }
    for name in schemas {
        out.push(format!("types::builder::{}", pascal(&name)));
        out.push(format!("types::{}", pascal(&name)));
    }
    out
}

/// Whether the item at `path` belongs to `owner`: the owner itself, its members, types named
/// after it (`types::PinRequest` owns `types::PinRequestMode`, unless `PinRequestMode` is a
/// component of its own) and trait impls that name them.
fn owns(owner: &str, path: &str, types: &[String]) -> bool {
    let (module, name) = owner.rsplit_once("::").unwrap_or(("", owner));
    let nested = |word: &str| {
        word == name
            || (word
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
                && !types.iter().any(|t| t.len() > name.len() && word.starts_with(t.as_str())))
    };
    if let Some(rest) = path.strip_prefix(module).and_then(|rest| rest.strip_prefix("::")) {
        let type_name = rest.split(['.', ':', ' ']).next().unwrap_or(rest);
        if !rest.starts_with(": impl") {
            return nested(type_name);
        }
    }
    // `types: impl Display for Scope` belongs to `types::Scope`.
    match path.strip_prefix(module).and_then(|rest| rest.strip_prefix(": impl")) {
        Some(rest) => words(rest).any(nested),
        None => false,
    }
}

/// `files_pin`, `filesPin` and `FilesPin` as progenitor names methods: `files_pin`.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            previous_lower = false;
        }
    }
    out.trim_end_matches('_').to_string()
}

/// `files_pin` as progenitor names types and builders: `FilesPin`.
pub fn pascal(name: &str) -> String {
    snake(name)
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}
