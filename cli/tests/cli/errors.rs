//! The error line (one line on stderr that says what to do), the exit code, and the key never
//! printed.

use crate::support::{closed_port, run, Setup, CID, KEY, READ_ONLY_KEY};

#[test]
fn a_refused_key_exits_3_and_says_to_log_in() {
    let setup = Setup::new();
    let mut cmd = setup.cmd();
    cmd.env("PINARKIVE_API_KEY", "pk_not_a_key_of_this_account");
    let out = run(cmd, &["ls"]).expect_code(3);
    assert!(out.stdout.is_empty());
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn a_missing_scope_exits_3_and_names_the_token_to_create() {
    let setup = Setup::new();
    let mut cmd = setup.cmd();
    cmd.env("PINARKIVE_API_KEY", READ_ONLY_KEY);
    let out = run(cmd, &["clusters"]).expect_code(3);
    insta::assert_snapshot!(out.stderr, @"error: the key lacks scope cluster:read; create one with: pinarkive tokens create NAME --scope cluster:read
");
}

#[test]
fn an_upload_without_files_write_says_which_token_to_create() {
    let setup = Setup::new();
    let file = setup.file("a.txt", b"a");
    let mut cmd = setup.cmd();
    cmd.env("PINARKIVE_API_KEY", READ_ONLY_KEY);
    let out = run(cmd, &["upload", &file]).expect_code(3);
    insta::assert_snapshot!(out.stderr, @"error: a.txt: the key lacks scope files:write; create one with: pinarkive tokens create NAME --scope files:write; nothing was uploaded; not uploaded: a.txt
");
}

#[test]
fn rate_limited_exits_4_and_says_when_to_try_again() {
    // One request a minute: the second is refused for about a minute. With retries off the
    // tool reports that at once, with the wait.
    let setup = Setup::with(|builder| builder.rate_limit(10, 1));
    run(setup.cmd(), &["whoami"]).ok();
    let out = run(setup.cmd(), &["--retries", "0", "whoami"]).expect_code(4);
    let seconds = regex::Regex::new(r"\d+s\b").unwrap();
    insta::assert_snapshot!(seconds.replace_all(&out.stderr, "[n]s"));
}

#[test]
fn a_short_rate_limit_is_waited_out_by_the_retries() {
    // One request a second: a run right after another meets a 429 with `Retry-After: 1`, which
    // the tool announces, waits out and retries, and the run succeeds. A slow machine may leave
    // a second between two runs, so a few are allowed before one must have met the limit.
    let setup = Setup::with(|builder| builder.rate_limit(1, 100));
    let waited = (0..5).find_map(|_| {
        let started = std::time::Instant::now();
        let out = run(setup.cmd(), &["whoami"]).ok();
        let note = out.stderr.lines().find(|line| line.starts_with("note: HTTP 429"))?.to_string();
        Some((note, started.elapsed()))
    });
    let Some((note, elapsed)) = waited else { panic!("no run of five back to back met the rate limit") };
    assert_eq!(note, "note: HTTP 429 Too Many Requests from users_me_get; retry 1 of 3 in 1.0s");
    assert!(elapsed >= std::time::Duration::from_secs(1), "the 1 s wait was not waited out: {elapsed:?}");
}

#[test]
fn an_unreachable_server_exits_5_and_names_the_url() {
    let setup = Setup::new();
    let port = closed_port();
    let mut cmd = setup.cmd();
    cmd.env("PINARKIVE_API_BASE_URL", format!("http://127.0.0.1:{port}/api/v3"));
    let out = run(cmd, &["--retries", "0", "ls"]).expect_code(5);
    let stderr = out.stderr.replace(&port.to_string(), "[port]");
    // The operating system's error number differs between systems.
    let stderr = regex::Regex::new(r"os error \d+").unwrap().replace(&stderr, "os error [n]");
    insta::assert_snapshot!(stderr, @"error: cannot reach the API http://127.0.0.1:[port]/api/v3/users/me/uploads (Connection refused (os error [n])); check your network and the base URL (`pinarkive config show`)
");
}

#[test]
fn a_bad_cid_exits_2_before_anything_is_sent() {
    let setup = Setup::new();
    let kept = setup.upload(&setup.file("kept.txt", b"kept\n"));
    let out = run(setup.cmd(), &["rm", &kept, "not-a-cid"]).expect_code(2);
    insta::assert_snapshot!(out.stderr);
    // The valid first CID was not tried either: its upload is still listed.
    let listed = run(setup.cmd(), &["ls", "--json"]).ok().json();
    assert_eq!(listed["uploads"][0]["cid"], kept.as_str());
    // A CID this account never pinned is the API's 404, named with the CID.
    let out = run(setup.cmd(), &["rm", CID]).expect_code(1);
    assert!(out.stderr.starts_with(&format!("error: {CID}: not found (HTTP 404")), "{}", out.stderr);
}

#[test]
fn a_missing_file_exits_2_and_nothing_is_uploaded() {
    let setup = Setup::new();
    let present = setup.file("present.txt", b"here");
    let out = run(setup.cmd(), &["upload", &present, "absent.txt"]).expect_code(2);
    insta::assert_snapshot!(out.stderr, @"error: cannot read absent.txt: no such file
");
    let listed = run(setup.cmd(), &["ls", "--json"]).ok().json();
    assert_eq!(listed["uploads"], serde_json::json!([]));
}

/// Every command that can print the key's neighbourhood, with the key given each way:
/// neither stream ever holds it.
#[test]
fn the_key_never_appears_in_any_output() {
    let setup = Setup::new();
    setup.write_config(serde_json::json!({"apiKey": KEY, "gateway": format!("{}/", setup.base_url())}));
    let file = setup.file("secret-test.txt", b"content");
    let runs: Vec<(Vec<&str>, Option<&str>)> = vec![
        (vec!["config", "show"], None),
        (vec!["config", "show", "--json"], None),
        (vec!["--api-key", KEY, "config", "show"], None),
        (vec!["whoami"], None),
        (vec!["doctor"], None),
        (vec!["doctor", "--json"], None),
        (vec!["upload", &file], None),
        (vec!["ls"], None),
        (vec!["tokens", "ls"], None),
        (vec!["--json", "tokens", "ls"], None),
        // A clap error that echoes an argument: the key pasted in the wrong place.
        (vec!["ls", KEY], None),
        (vec!["--api-key", KEY, "ls", "--limit", "0"], None),
        (vec!["--api-key", KEY, "--base-url", "http://127.0.0.1:1/api/v3", "--retries", "0", "ls"], None),
        (vec!["--base-url", "ftp://example.test", "ls"], None),
        (vec!["login"], Some(KEY)),
        (vec!["login"], Some("pk with spaces")),
    ];
    for (args, stdin) in runs {
        for env_key in [None, Some(KEY)] {
            let mut cmd = setup.bare_cmd();
            cmd.env("PINARKIVE_API_BASE_URL", setup.base_url());
            if let Some(key) = env_key {
                cmd.env("PINARKIVE_API_KEY", key);
            }
            if let Some(input) = stdin {
                cmd.write_stdin(input);
            }
            let out = run(cmd, &args);
            assert!(!out.stdout.contains(KEY), "{args:?} printed the key on stdout:\n{}", out.stdout);
            assert!(!out.stderr.contains(KEY), "{args:?} printed the key on stderr:\n{}", out.stderr);
        }
    }
}
