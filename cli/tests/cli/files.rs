//! `upload`, `upload-dir`, `ls`, `pin`, `rm`, `rename` and `status`.

use serde_json::json;

use crate::support::{run, Setup, CID};

/// The README's walk-through: upload, list, pin, remove.
#[test]
fn upload_list_pin_and_remove() {
    let setup = Setup::new();
    let hello = setup.file("hello.txt", b"hello from pinarkive\n");
    let notes = setup.file("notes/todo.md", b"# todo\n- pin it\n");

    let uploaded = run(setup.cmd(), &["upload", &hello, &notes, "--json"]).ok().json();
    insta::assert_json_snapshot!("upload_json", uploaded);
    let first = uploaded["uploads"][0]["cid"].as_str().unwrap().to_string();
    let second = uploaded["uploads"][1]["cid"].as_str().unwrap().to_string();

    let listed = run(setup.cmd(), &["ls", "--json"]).ok().json();
    insta::assert_json_snapshot!("ls_json", listed, {".uploads[].createdAt" => "[time]", ".uploads[].id" => "[id]"});
    let table = run(setup.cmd(), &["ls"]).ok().stdout;
    let times = regex::Regex::new(r"\d{4}-\d\d-\d\d \d\d:\d\d").unwrap();
    insta::assert_snapshot!("ls_table", times.replace_all(&table, "[time]"));

    let pinned = run(setup.cmd(), &["pin", CID, "--name", "docs", "--json"]).ok().json();
    insta::assert_json_snapshot!("pin_json", pinned);

    let removed = run(setup.cmd(), &["rm", &first, &second, CID, "--json"]).ok().json();
    assert_eq!(removed, json!({"formatVersion": 1, "removed": [first, second, CID]}));
    let listed = run(setup.cmd(), &["ls"]).ok();
    assert_eq!(listed.stdout, "No uploads.\n");
}

#[test]
fn upload_for_people_prints_cid_name_size_and_url() {
    let setup = Setup::new();
    let hello = setup.file("hello.txt", b"hello\n");
    let out = run(setup.cmd(), &["upload", &hello]).ok();
    insta::assert_snapshot!(out.stdout);
    assert!(out.stderr.is_empty(), "no progress bars off a terminal: {}", out.stderr);
}

#[test]
fn upload_to_a_cluster_with_a_timelock() {
    let setup = Setup::new();
    let file = setup.file("kept.txt", b"kept until 2999\n");
    let args = ["upload", &file, "--cluster", "cl1-eu", "--timelock", "2999-01-01", "--json"];
    let uploaded = run(setup.cmd(), &args).ok().json();
    assert_eq!(uploaded["uploads"][0]["cluster"], "cl1-eu");
    assert_eq!(uploaded["uploads"][0]["expiresAt"], "2999-01-01T00:00:00Z");
}

#[test]
fn a_timelock_on_the_free_plan_is_refused_with_exit_3() {
    // A 403 exits 3 whatever its body says: the status decides.
    let setup = Setup::with(|builder| builder.no_rate_limit().plan(pinarkive::emulator::Plan::Free));
    let file = setup.file("kept.txt", b"kept\n");
    let out = run(setup.cmd(), &["upload", &file, "--timelock", "2999-01-01"]).expect_code(3);
    assert!(
        out.stderr.starts_with("error: kept.txt: the API refused the request (HTTP 403"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.trim_end().ends_with("; nothing was uploaded; not uploaded: kept.txt"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_file_over_the_limit_stops_the_run_and_says_what_was_uploaded() {
    // The limit is on the whole request body, multipart framing included (a few hundred bytes).
    let setup = Setup::with(|builder| builder.no_rate_limit().max_upload_bytes(1024));
    let small = setup.file("small.txt", b"small\n");
    let large = setup.file("large.bin", &[7u8; 4096]);
    let later = setup.file("later.txt", b"later\n");
    let out = run(setup.cmd(), &["upload", &small, &large, &later]).expect_code(1);
    let cid = out.stdout.split_whitespace().next().unwrap().to_string();
    let line = out.stderr.replace(&cid, "[cid]");
    assert!(line.starts_with("error: large.bin: too large for the server or your plan (HTTP 413"), "{line}");
    assert!(
        line.trim_end().ends_with("; uploaded small.txt ([cid]); not uploaded: large.bin, later.txt"),
        "{line}"
    );
}

#[test]
fn ls_pages_and_all() {
    let setup = Setup::new();
    let files: Vec<String> =
        (0..5).map(|i| setup.file(&format!("f{i}.txt"), format!("file {i}\n").as_bytes())).collect();
    let mut args = vec!["upload"];
    args.extend(files.iter().map(String::as_str));
    run(setup.cmd(), &args).ok();

    let page = run(setup.cmd(), &["ls", "--limit", "2", "--json"]).ok().json();
    assert_eq!(page["uploads"].as_array().unwrap().len(), 2);
    assert_eq!((page["page"].clone(), page["total"].clone()), (json!(1), json!(5)));
    let table = run(setup.cmd(), &["ls", "--limit", "2", "--page", "2"]).ok().stdout;
    assert!(table.ends_with("Page 2: 2 of 5 uploads; see more with --page 3 or --all.\n"), "{table}");

    let all = run(setup.cmd(), &["ls", "--all", "--json"]).ok();
    assert_eq!(all.json()["uploads"].as_array().unwrap().len(), 5);
    assert_eq!((all.json()["page"].clone(), all.json()["total"].clone()), (json!(null), json!(5)));
    // Written an upload at a time, it is the document one page would be, to the byte.
    let one_page = run(setup.cmd(), &["ls", "--limit", "100", "--json"]).ok().stdout;
    assert_eq!(all.stdout, one_page.replace("\"page\": 1,", "\"page\": null,"));
    let table = run(setup.cmd(), &["ls", "--limit", "100"]).ok().stdout;
    assert_eq!(run(setup.cmd(), &["ls", "--all"]).ok().stdout, table);
}

#[test]
fn ls_all_of_nothing() {
    let setup = Setup::new();
    assert_eq!(run(setup.cmd(), &["ls", "--all"]).ok().stdout, "No uploads.\n");
    let all = run(setup.cmd(), &["ls", "--all", "--json"]).ok();
    assert_eq!(all.json(), json!({"formatVersion": 1, "uploads": [], "page": null, "total": 0}));
    let one_page = run(setup.cmd(), &["ls", "--json"]).ok().stdout;
    assert_eq!(all.stdout, one_page.replace("\"page\": 1,", "\"page\": null,"));
}

#[test]
fn rename_finds_the_upload_by_cid() {
    let setup = Setup::new();
    let file = setup.file("draft.txt", b"draft\n");
    let cid = setup.upload(&file);
    let renamed = run(setup.cmd(), &["rename", &cid, "final.txt", "--json"]).ok().json();
    assert_eq!((renamed["cid"].as_str(), renamed["name"].as_str()), (Some(cid.as_str()), Some("final.txt")));
    let listed = run(setup.cmd(), &["ls", "--json"]).ok().json();
    assert_eq!(listed["uploads"][0]["name"], "final.txt");

    let out = run(setup.cmd(), &["rename", CID, "x"]).expect_code(1);
    assert_eq!(
        out.stderr,
        format!("error: no upload with CID {CID} in this account (see `pinarkive ls --all`)\n")
    );
}

#[test]
fn upload_dir_makes_one_dag() {
    let setup = Setup::new();
    setup.file("site/index.html", b"<h1>hi</h1>\n");
    setup.file("site/css/style.css", b"h1 { color: teal }\n");
    let out = run(setup.cmd(), &["upload-dir", "site", "--json"]).ok().json();
    insta::assert_json_snapshot!(out);
    let out = run(setup.cmd(), &["upload-dir", "site/index.html"]).expect_code(2);
    assert_eq!(out.stderr, "error: site/index.html is not a directory\n");
}

#[test]
fn status_shows_the_peers() {
    let setup = Setup::new();
    let file = setup.file("s.txt", b"status\n");
    let cid = setup.upload(&file);
    let status = run(setup.cmd(), &["status", &cid, "--json"]).ok().json();
    insta::assert_json_snapshot!(status, {".cid" => "[cid]"});
    let out = run(setup.cmd(), &["status", &cid]).ok();
    assert!(out.stdout.starts_with(cid.as_str()), "{}", out.stdout);
}
