//! check-docs on the fixture pages (written for these tests, against a small fixture spec, so
//! they do not move when the real spec does) and on the real docs in `../shared`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::compare::{Finding, Kind};
use super::report::Report;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check_docs")
}

/// A fresh directory under the system temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("check-docs-{}-{n}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a scratch directory");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("list directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Replaces the first `from` in `file` with `to`; returns the line of `anchor` after the edit.
fn edit(file: &Path, from: &str, to: &str, anchor: &str) -> usize {
    let text = std::fs::read_to_string(file).expect("read page");
    assert!(text.contains(from), "{} does not contain {from:?}", file.display());
    let edited = text.replacen(from, to, 1);
    std::fs::write(file, &edited).expect("write page");
    let at = edited.find(anchor).unwrap_or_else(|| panic!("{anchor:?} not in the edited {}", file.display()));
    edited[..at].matches('\n').count() + 1
}

fn check_fixture(docs: &Path, waivers: &str) -> Report {
    super::check(&[docs.to_path_buf()], &fixtures().join("spec.yaml"), &fixtures().join(waivers))
        .expect("the fixtures are readable")
}

/// Findings that are not waived.
fn drift(report: &Report) -> Vec<&Finding> {
    report.findings.iter().filter(|f| f.waiver.is_none()).collect()
}

fn describe(report: &Report) -> String {
    report.table(false)
}

#[test]
fn the_clean_fixture_gives_no_finding() {
    let report = check_fixture(&fixtures().join("clean"), "no-waivers.yaml");
    assert!(report.findings.is_empty(), "{}", describe(&report));
    assert!(report.warnings.is_empty(), "{}", describe(&report));
    assert_eq!(report.exit_code(), 0);
    // And it did look: every fixture operation but one is claimed, in every way.
    let c = &report.counts;
    assert_eq!((c.endpoints, c.error_codes), (6, 5), "{}", report.summary(false));
    assert!(c.scopes >= 8 && c.fields >= 20 && c.unattached == 0, "{}", report.summary(false));
}

#[test]
fn the_drift_fixture_report() {
    let report = check_fixture(&fixtures().join("drift"), "drift-waivers.yaml");
    insta::assert_snapshot!("drift_table", describe(&report));
    let kinds: std::collections::BTreeSet<Kind> = report.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds.len(), Kind::ALL.len(), "every finding kind appears: {kinds:?}");
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn the_json_report_names_kind_page_line_and_waiver() {
    let report = check_fixture(&fixtures().join("drift"), "drift-waivers.yaml");
    let json = report.json(false);
    let findings = json["findings"].as_array().expect("findings");
    let waived: Vec<&serde_json::Value> = findings.iter().filter(|f| f["waived"] == true).collect();
    assert_eq!(waived.len(), 2, "{json:#}");
    let label = waived.iter().find(|f| f["kind"] == "body-field-missing").expect("the deviation waiver");
    assert!(label["page"].as_str().is_some_and(|p| p.ends_with("all-kinds.md")), "{label:#}");
    assert_eq!(label["line"], 33);
    assert!(label["waiver"]["evidence"].as_str().is_some_and(|e| e.contains("files_pin / pin label field")));
    assert_eq!(json["summary"]["exit_code"], 1);
    assert_eq!(json["waiver_problems"][0]["waiver"], 3, "the stale waiver is named: {json:#}");
}

/// Copies the clean fixture, edits one claim, and expects exactly that drift at that line.
fn assert_drift(kind: Kind, page: &str, from: &str, to: &str, anchor: &str) {
    let scratch = Scratch::new(kind.name());
    copy_tree(&fixtures().join("clean"), &scratch.0);
    let line = edit(&scratch.0.join(page), from, to, anchor);
    let report = check_fixture(&scratch.0, "no-waivers.yaml");
    let found = drift(&report);
    assert!(
        found.iter().any(|f| f.kind == kind && f.line == line && report.pages[f.page].ends_with(page)),
        "expected {} at {page}:{line}, got:\n{}",
        kind.name(),
        describe(&report)
    );
    assert!(found.iter().all(|f| f.kind == kind), "only {} expected:\n{}", kind.name(), describe(&report));
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn drift_endpoint_not_in_spec() {
    assert_drift(
        Kind::EndpointNotInSpec,
        "listing.md",
        "v3/users/me/uploads?page",
        "v3/users/me/upload?page",
        "me/upload?",
    );
}

#[test]
fn drift_endpoint_not_in_spec_from_a_heading() {
    assert_drift(
        Kind::EndpointNotInSpec,
        "reference.md",
        "## GET /health",
        "## GET /healthz",
        "## GET /healthz",
    );
}

#[test]
fn drift_method_differs() {
    assert_drift(Kind::MethodDiffers, "pinning.mdx", "curl -X DELETE", "curl -X PUT", "curl -X PUT");
}

#[test]
fn drift_base_url_differs() {
    let (from, to) = ("\nhttps://api.example.test/api/v3\n", "\nhttps://api.example.test/api/v4\n");
    assert_drift(Kind::BaseUrlDiffers, "reference.md", from, to, "api/v4");
}

#[test]
fn drift_scope_differs() {
    let from = "**Scope required:** `files:write`";
    assert_drift(
        Kind::ScopeDiffers,
        "guide/storing.md",
        from,
        "**Scope required:** `files:delete`",
        "files:delete",
    );
}

#[test]
fn drift_scope_missing_in_spec() {
    assert_drift(
        Kind::ScopeMissingInSpec,
        "reference.md",
        "| `files:delete` |",
        "| `files:purge` |",
        "files:purge",
    );
}

#[test]
fn drift_query_param_missing() {
    assert_drift(
        Kind::QueryParamMissing,
        "listing.md",
        "?page=2&limit=10",
        "?page=2&per_page=10",
        "per_page",
    );
}

#[test]
fn drift_body_field_missing() {
    // The line of the `-F` that names the field, not of the `curl`.
    let (from, to) = ("-F \"cl=c1\"", "-F \"cluster=c1\"");
    assert_drift(Kind::BodyFieldMissing, "guide/storing.md", from, to, "cluster=c1");
}

#[test]
fn drift_response_field_missing() {
    let (from, to) = ("\"clusterId\": \"c1\"", "\"clusterID\": \"c1\"");
    assert_drift(Kind::ResponseFieldMissing, "guide/storing.md", from, to, "clusterID");
}

#[test]
fn drift_response_field_type_differs() {
    let (from, to) = ("| `clusterId` | string |", "| `clusterId` | integer |");
    assert_drift(Kind::ResponseFieldTypeDiffers, "guide/storing.md", from, to, "| integer |");
}

#[test]
fn drift_null_where_the_spec_has_no_nullable() {
    let (from, to) = ("| `clusterId` | string |", "| `clusterId` | string \\| null |");
    assert_drift(Kind::ResponseFieldTypeDiffers, "guide/storing.md", from, to, "| null |");
}

#[test]
fn drift_media_type_differs() {
    let (from, to) = ("| `multipart/form-data` |", "| `application/json` |");
    assert_drift(Kind::MediaTypeDiffers, "guide/storing.md", from, to, "application/json");
}

#[test]
fn drift_success_status_differs() {
    assert_drift(
        Kind::SuccessStatusDiffers,
        "guide/storing.md",
        "### Success (201)",
        "### Success (200)",
        "(200)",
    );
}

#[test]
fn drift_error_status_missing() {
    let (from, to) = ("**Common codes:** **401**", "**Common codes:** **418**, **401**");
    assert_drift(Kind::ErrorStatusMissing, "guide/storing.md", from, to, "**418**");
}

#[test]
fn drift_error_code_missing() {
    assert_drift(
        Kind::ErrorCodeMissing,
        "reference.md",
        "| `TOO_BIG` | 413 |",
        "| `TOO_HUGE` | 413 |",
        "TOO_HUGE",
    );
}

#[test]
fn drift_error_code_status_differs() {
    assert_drift(
        Kind::ErrorCodeStatusDiffers,
        "reference.md",
        "| `BAD_KEY` | 401 |",
        "| `BAD_KEY` | 403 |",
        "| 403 |",
    );
}

#[test]
fn drift_header_missing() {
    assert_drift(Kind::HeaderMissing, "reference.md", "| `X-Cluster` |", "| `X-Region` |", "X-Region");
}

#[test]
fn drift_rate_limit_field_missing() {
    let (from, to) = ("\"retryAfter\": 30 }", "\"retryIn\": 30 }");
    assert_drift(Kind::RateLimitFieldMissing, "reference.md", from, to, "retryIn");
}

#[test]
fn drift_example_invalid() {
    // The example's first line: a size below the schema's minimum.
    let (from, to) = ("\"size\": 12 }", "\"size\": -12 }");
    assert_drift(Kind::ExampleInvalid, "pinning.mdx", from, to, "{ \"cid\": \"Qm");
}

#[test]
fn drift_auth_differs() {
    let (from, to) = ("| POST   | `/` | Sí |", "| POST   | `/` | No |");
    assert_drift(Kind::AuthDiffers, "rutas.md", from, to, "| No |");
}

#[test]
fn nothing_depends_on_file_or_folder_names() {
    // The same pages under other names and another layout give the same claims.
    let scratch = Scratch::new("renamed");
    let clean = fixtures().join("clean");
    for (i, page) in
        ["guide/storing.md", "pinning.mdx", "listing.md", "reference.md", "rutas.md"].iter().enumerate()
    {
        let target = scratch.0.join(format!("content/api/{i}/page-{i}.mdx"));
        std::fs::create_dir_all(target.parent().expect("parent")).expect("create");
        std::fs::copy(clean.join(page), target).expect("copy");
    }
    let original = check_fixture(&clean, "no-waivers.yaml");
    let renamed = check_fixture(&scratch.0, "no-waivers.yaml");
    assert_eq!(renamed.counts, original.counts);
    assert!(renamed.findings.is_empty(), "{}", describe(&renamed));
}

#[test]
fn usage_errors_name_the_path() {
    let missing = fixtures().join("no-such-directory");
    let err = super::check(
        std::slice::from_ref(&missing),
        &fixtures().join("spec.yaml"),
        &fixtures().join("no-waivers.yaml"),
    )
    .err()
    .expect("a missing --docs path is a usage error");
    assert!(err.contains(&missing.display().to_string()), "{err}");
    let bad_waivers = fixtures().join("no-such-waivers.yaml");
    let err = super::check(&[fixtures().join("clean")], &fixtures().join("spec.yaml"), &bad_waivers)
        .err()
        .expect("an unreadable waiver file is a usage error");
    assert!(err.contains("no-such-waivers.yaml"), "{err}");
}

#[test]
fn a_binary_or_empty_page_is_read_without_panic() {
    let scratch = Scratch::new("odd-pages");
    std::fs::write(scratch.0.join("empty.md"), "").expect("write");
    std::fs::write(scratch.0.join("binary.mdx"), [0xff, 0xfe, b'\n', b'|', b'a', b'|']).expect("write");
    std::fs::write(scratch.0.join("only-fence.md"), "```").expect("write");
    let report = check_fixture(&scratch.0, "no-waivers.yaml");
    assert!(report.findings.is_empty(), "{}", describe(&report));
    assert!(report.warnings.iter().any(|w| w.message.contains("not UTF-8")), "{}", describe(&report));
}

#[test]
fn pages_cut_anywhere_never_panic() {
    // Every page of both fixtures, cut at many points: unclosed fences, half tables, half JSON.
    for dir in ["clean", "clean/guide", "drift"] {
        for entry in std::fs::read_dir(fixtures().join(dir)).expect("list fixtures") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read fixture");
            let cuts = (0..text.len()).step_by(9).filter(|&i| text.is_char_boundary(i));
            for cut in cuts {
                let page =
                    super::pages::parse_page("cut.md".into(), "cut.md".into(), &text.as_bytes()[..cut]);
                let (claims, _) = super::extract::claims(std::slice::from_ref(&page));
                assert!(claims.iter().all(|c| c.line >= 1), "{}: cut at {cut}", path.display());
            }
        }
    }
}

// ----------------------------------------------------------------------------- the real docs

/// The vendor docs beside the workspace (`../shared`), as CI lays them out; None, with a loud
/// message, when they are absent. Under CI (`CI` set) they must be there: a test that checks
/// nothing must not pass there.
fn real_docs() -> Option<(PathBuf, PathBuf)> {
    real_docs_in(&crate::workspace_root().join("../shared"), std::env::var_os("CI").is_some())
}

fn real_docs_in(shared: &Path, in_ci: bool) -> Option<(PathBuf, PathBuf)> {
    let pages = shared.join("pinarkive-docs/pages");
    let api_md = shared.join("pinarkive-docs-history/API.md");
    if pages.is_dir() && api_md.is_file() {
        return Some((pages, api_md));
    }
    let missing = format!(
        "the vendor docs are not at {} and {} (expected beside the workspace, as in CI)",
        pages.display(),
        api_md.display()
    );
    assert!(!in_ci, "CI is set but {missing}: the tests of the real docs would check nothing");
    eprintln!("\n*** SKIPPED: {missing}; this test checked nothing. ***\n");
    None
}

#[test]
fn missing_docs_fail_under_ci_and_are_skipped_loudly_elsewhere() {
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(real_docs_in(empty.path(), false), None);
    let failed = std::panic::catch_unwind(|| real_docs_in(empty.path(), true)).unwrap_err();
    let message = failed.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.starts_with("CI is set but the vendor docs are not at"), "{message}");
}

fn check_real(pages: &Path, api_md: &Path) -> Report {
    let root = crate::workspace_root();
    super::check(
        &[pages.to_path_buf(), api_md.to_path_buf()],
        &root.join(crate::codegen::SPEC_PATH),
        &root.join(super::DEFAULT_WAIVERS),
    )
    .expect("the real docs, spec and waivers are readable")
}

#[test]
fn the_real_docs_and_api_md_pass_with_every_waiver_used() {
    let Some((pages, api_md)) = real_docs() else { return };
    let report = check_real(&pages, &api_md);
    assert_eq!(report.exit_code(), 0, "{}", describe(&report));
    assert!(report.counts.endpoints >= 40, "{}", report.summary(true));
}

#[test]
fn any_changed_claim_in_the_real_docs_fails_naming_it() {
    let Some((pages, api_md)) = real_docs() else { return };
    // (page, from, to, kind, subject the report must name)
    let cases = [
        (
            "api-reference/get-files.mdx",
            "**Scope required:** `files:read`",
            "**Scope required:** `files:write`",
            Kind::ScopeDiffers,
            "GET /users/me/uploads scope files:write",
        ),
        (
            "api-reference/post-pin.mdx",
            "**Body (optional):** `originalName`",
            "**Body (optional):** `originalTitle`",
            Kind::BodyFieldMissing,
            "POST /files/pin/{cid} originalTitle",
        ),
        (
            "api-reference/get-files.mdx",
            "\"createdAt\"",
            "\"creationDate\"",
            Kind::ResponseFieldMissing,
            "GET /users/me/uploads uploads[].creationDate",
        ),
        (
            "api-reference/delete-file.mdx",
            "curl -X DELETE",
            "curl -X PUT",
            Kind::MethodDiffers,
            "PUT /files/remove/{}",
        ),
        (
            "api-reference/get-clusters.mdx",
            "api/v3/users/me/clusters` |",
            "api/v3/users/me/cluster` |",
            Kind::EndpointNotInSpec,
            "GET /users/me/cluster",
        ),
        (
            "reference/errors.mdx",
            "| `FILE_TOO_LARGE` | 413 |",
            "| `FILE_TOO_BIG` | 413 |",
            Kind::ErrorCodeMissing,
            "FILE_TOO_BIG",
        ),
        (
            "index.mdx",
            "\nhttps://api.pinarkive.com/api/v3\n",
            "\nhttps://api.pinarkive.io/api/v3\n",
            Kind::BaseUrlDiffers,
            "https://api.pinarkive.io/api/v3",
        ),
        (
            "API.md",
            "| DELETE | `/remove/:cid` |",
            "| PUT    | `/remove/:cid` |",
            Kind::MethodDiffers,
            "PUT /files/remove/{}",
        ),
    ];
    for (page, from, to, kind, subject) in cases {
        let scratch = Scratch::new("real");
        let copy_pages = scratch.0.join("pages");
        copy_tree(&pages, &copy_pages);
        let copy_api_md = scratch.0.join("API.md");
        std::fs::copy(&api_md, &copy_api_md).expect("copy API.md");
        let file = if page == "API.md" { copy_api_md.clone() } else { copy_pages.join(page) };
        let line = edit(&file, from, to, to.trim());
        let report = check_real(&copy_pages, &copy_api_md);
        assert_eq!(report.exit_code(), 1, "{page}: {from:?} -> {to:?} must fail:\n{}", describe(&report));
        let found = drift(&report);
        assert!(
            found.iter().any(|f| f.kind == kind && f.subject == subject && f.line == line),
            "{page}:{line}: expected {} `{subject}`, got:\n{}",
            kind.name(),
            describe(&report)
        );
    }
}

// ---------------------------------------------------------------- hostile folders and pages

fn check_dir(dir: &Path) -> Report {
    super::check(&[dir.to_path_buf()], &fixtures().join("spec.yaml"), &fixtures().join("no-waivers.yaml"))
        .expect("the folder is readable")
}

fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("a symlink");
}

fn messages(report: &Report) -> Vec<String> {
    report
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.page.rsplit('/').next().unwrap_or(""), w.message))
        .collect()
}

#[test]
fn symlinks_back_into_the_folder_are_not_followed() {
    let one = Scratch::new("one-loop");
    std::fs::write(one.0.join("a.md"), "# GET /pins\n").unwrap();
    symlink(".", &one.0.join("loop"));
    let report = check_dir(&one.0);
    assert_eq!(report.pages.len(), 1, "each page is read once: {:?}", report.pages);
    assert_eq!(
        messages(&report),
        ["loop: a symbolic link: not followed (links may lead out of the docs or back into them)"]
    );

    // Two links make a naive walk exponential; here they are two warnings.
    let two = Scratch::new("two-loops");
    std::fs::create_dir(two.0.join("sub")).unwrap();
    std::fs::write(two.0.join("sub/a.md"), "# GET /pins\n").unwrap();
    symlink("..", &two.0.join("sub/up"));
    symlink(".", &two.0.join("sub/here"));
    symlink("/etc", &two.0.join("outside"));
    let report = check_dir(&two.0);
    assert_eq!(report.pages.len(), 1, "{:?}", report.pages);
    assert_eq!(report.warnings.len(), 3, "{:?}", messages(&report));
    assert!(report.table(false).contains("a symbolic link: not followed"), "{}", report.table(false));
}

#[test]
fn a_fifo_is_skipped_not_read() {
    let dir = Scratch::new("fifo");
    let fifo = dir.0.join("a.md");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    std::fs::write(dir.0.join("b.md"), "# GET /pins\n").unwrap();
    // Reading the FIFO would block for ever: the check would never return.
    let report = check_dir(&dir.0);
    assert_eq!(report.pages.len(), 1, "{:?}", report.pages);
    assert_eq!(messages(&report), ["a.md: not a regular file (a FIFO, socket or device): skipped"]);
    let e = super::check(
        std::slice::from_ref(&fifo),
        &fixtures().join("spec.yaml"),
        &fixtures().join("no-waivers.yaml"),
    )
    .err()
    .expect("a FIFO given by name is a usage error");
    assert!(e.ends_with("a.md: neither a directory nor a regular file"), "{e}");
}

#[test]
fn a_page_above_the_size_cap_is_skipped_with_a_warning() {
    let dir = Scratch::new("huge");
    let page = std::fs::File::create(dir.0.join("huge.md")).unwrap();
    page.set_len(super::pages::MAX_PAGE_BYTES + 1).unwrap(); // sparse: nothing is written
    std::fs::write(dir.0.join("b.md"), "# GET /pins\n").unwrap();
    let report = check_dir(&dir.0);
    assert_eq!(report.pages.len(), 1, "{:?}", report.pages);
    assert_eq!(messages(&report), ["huge.md: larger than 16 MiB: skipped"]);
}

/// Reading a page of `page(4n)` takes less than 8 times as long as `page(n)`: linear work takes
/// about 4 times as long, quadratic work 16 times. A ratio within one run, not a time limit: the
/// two sizes take turns, five times each, and each keeps its fastest run, the least disturbed by
/// whatever else the machine does (a loaded machine slows one size's runs, not its best one).
fn assert_linear(what: &str, page: impl Fn(usize) -> String, n: usize) {
    let dirs = [Scratch::new("linear-small"), Scratch::new("linear-large")];
    std::fs::write(dirs[0].0.join("page.md"), page(n)).unwrap();
    std::fs::write(dirs[1].0.join("page.md"), page(4 * n)).unwrap();
    let mut fastest = [f64::INFINITY; 2];
    for _ in 0..5 {
        for (dir, best) in dirs.iter().zip(&mut fastest) {
            let started = std::time::Instant::now();
            check_dir(&dir.0);
            *best = best.min(started.elapsed().as_secs_f64());
        }
    }
    let [small, large] = fastest;
    assert!(large < 8.0 * small.max(0.002), "{what}: {n} took {small:.3} s, {} took {large:.3} s", 4 * n);
}

#[test]
fn code_spans_on_one_line_are_read_in_linear_time() {
    assert_linear("inline code spans", |n| "`a` ".repeat(n) + "\n", 4_000);
    assert_linear(
        "scope spans after a label",
        |n| format!("Scope required: {}\n", "`files:read` ".repeat(n)),
        2_000,
    );
    assert_linear("multipart fields", |n| "multipart `file` ".repeat(n) + "\n", 2_000);
    assert_linear("error codes", |n| "404 code: not_found ".repeat(n) + "\n", 2_000);
}

#[test]
fn unclosed_fences_and_tiny_tables_are_read_in_linear_time() {
    assert_linear("unclosed fences", |n| "```a\n".repeat(n), 1_000);
    assert_linear("tiny tables", |n| "| a | b |\n|---|---|\n| 1 | 2 |\n\n".repeat(n), 500);
    // Every top-level unclosed fence is found in the one pass, with its line.
    let page = super::pages::parse_page("p.md".into(), "p.md".into(), "```a\n\ntext\n".repeat(50).as_bytes());
    let lines: Vec<usize> = page.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, (0..50).map(|i| 3 * i + 1).collect::<Vec<_>>());
}

#[test]
fn snippets_of_many_requests_are_read_in_linear_time() {
    let url = "https://api.pinarkive.com/api/v3/files/pin/x";
    assert_linear(
        "curl commands",
        |n| {
            format!(
                "```bash\n{}```\n",
                (0..n).map(|i| format!("curl -X POST {url} -F f{i}=1 \\\n")).collect::<String>()
            )
        },
        300,
    );
    assert_linear(
        "fetch calls",
        |n| {
            format!(
                "```js\n{}```\n",
                (0..n)
                    .map(|i| format!(
                        "fetch(\"{url}\", {{ method: \"POST\", body: JSON.stringify({{ k{i}: 1 }}) }})\n"
                    ))
                    .collect::<String>()
            )
        },
        300,
    );
    assert_linear(
        "Go requests sharing their headers",
        |n| {
            format!("```go\n{}```\n", (0..n).map(|i| format!("req, _ := http.NewRequest(\"POST\", \"{url}\", nil)\nreq.Header.Set(\"X-H{i}\", \"v\")\n")).collect::<String>())
        },
        300,
    );
    assert_linear(
        "a JSON example of many fields",
        |n| {
            format!(
                "## Success (200)\n\n```json\n{{{}}}\n```\n",
                (0..n).map(|i| format!("\"k{i}\": {i}")).collect::<Vec<_>>().join(",\n")
            )
        },
        1_000,
    );
    // Deep nesting in a code span ends, and without recursion.
    let deep = format!("Respuesta: `{}{}`\n", "{a:".repeat(100_000), "}".repeat(100_000));
    let page = super::pages::parse_page("p.md".into(), "p.md".into(), deep.as_bytes());
    assert_eq!(super::extract::claims(&[page]).1.len(), 0);
}
