//! `pinarkive emulator`: the local Pinarkive in the foreground, usable by the tool itself.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::{assert_valid, run, Setup};

#[test]
fn the_emulator_command_serves_until_ctrl_c() {
    let setup = Setup::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pinarkive"))
        .args(["emulator", "--port", "0", "--key", "demo_key_for_the_cli_test=*", "--json"])
        .env("HOME", setup.home.path())
        .env_remove("PINARKIVE_API_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The first JSON document on stdout says where it listens.
    let started = first_json(&mut child);
    assert_valid("emulator", &started);
    let base_url = started["baseUrl"].as_str().unwrap().to_string();
    assert!(base_url.starts_with("http://127.0.0.1:") && base_url.ends_with("/api/v3"), "{base_url}");
    assert_eq!(started["keys"], serde_json::json!([{"key": "demo_key_for_the_cli_test", "scopes": ["*"]}]));
    // Without --login the password is made up for this run, and printed.
    assert_eq!(started["login"]["email"], pinarkive::emulator::DEFAULT_EMAIL);
    let password = started["login"]["password"].as_str().unwrap();
    assert!(password.len() >= 16 && password != pinarkive::emulator::DEFAULT_PASSWORD, "{password}");

    let mut cmd = setup.bare_cmd();
    cmd.env("PINARKIVE_API_BASE_URL", &base_url).env("PINARKIVE_API_KEY", "demo_key_for_the_cli_test");
    let file = setup.file("via-emulator.txt", b"served by pinarkive emulator\n");
    run(cmd, &["upload", &file]).ok();

    stops_on_ctrl_c(child, "stopping the emulator");
}

#[test]
fn the_emulator_command_refuses_a_malformed_key() {
    let setup = Setup::new();
    let out = run(setup.bare_cmd(), &["emulator", "--key", "no-scopes"]).expect_code(2);
    insta::assert_snapshot!(out.stderr);
}

/// `pinarkive emulator --help` lists every option of `pinarkive::emulator::EmulatorOptions` with
/// its help; `cargo xtask emulator --help` is checked against the same definition (in
/// xtask/src/emulator_cmd.rs), so the two list the same options.
#[test]
fn the_emulator_help_lists_the_librarys_options() {
    use clap::Args as _;

    let setup = Setup::new();
    let help = run(setup.bare_cmd(), &["emulator", "--help"]).ok().stdout;
    let options = help.split("Global options:").next().unwrap();
    let reference = pinarkive::emulator::EmulatorOptions::augment_args(clap::Command::new("emulator"));
    let mut listed: Vec<&str> = options
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("--"))
        .filter_map(|rest| rest.split([' ', '=']).next())
        .filter(|flag| !["help", "version"].contains(flag))
        .collect();
    listed.sort_unstable();
    let mut expected: Vec<&str> = reference.get_arguments().filter_map(|arg| arg.get_long()).collect();
    expected.sort_unstable();
    assert_eq!(listed, expected, "{help}");
    for arg in reference.get_arguments() {
        let text = arg.get_help().map(ToString::to_string).unwrap_or_default();
        assert!(options.contains(text.lines().next().unwrap_or_default()), "--{:?}: {help}", arg.get_long());
    }
}

#[test]
fn the_emulator_command_takes_every_flag_of_the_library() {
    let setup = Setup::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pinarkive"))
        .args(["emulator", "--port", "0", "--max-upload-mib", "1", "--rate-limit", "off", "--plan", "free"])
        .args([
            "--login",
            "me@example.test:a-long-password",
            "--key",
            "k=files:read",
            "--max-connections",
            "4",
        ])
        .args(["--header-timeout-secs", "5"])
        .env("HOME", setup.home.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    while !banner.contains("curl") {
        assert!(stdout.read_line(&mut banner).unwrap() > 0, "the emulator exited early: {banner}");
    }
    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(child.wait().unwrap().success());
    for shown in [
        "k  files:read",
        "me@example.test / a-long-password",
        "Rate limit: off; plan: free; request bodies up to 1 MiB",
    ] {
        assert!(banner.contains(shown), "{shown:?} not in:\n{banner}");
    }
}

/// The first JSON document a server command prints (`--json`): where it listens.
/// Sends Ctrl-C (SIGINT) to `child`, which must exit with success, saying `note` as its one
/// JSON line on stderr.
fn stops_on_ctrl_c(child: std::process::Child, note: &str) {
    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{:?}", output.status);
    let said: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_valid("stderr", &said);
    assert_eq!(said["message"], note);
}

fn first_json(child: &mut std::process::Child) -> serde_json::Value {
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "the command exited early: {text}");
        text.push_str(&line);
        if let Ok(value) = serde_json::from_str(&text) {
            return value;
        }
    }
}

/// An HTTP/1.0 GET of `path` on `addr`, with an `Authorization` header when given; the whole
/// answer as text.
fn get(addr: &str, path: &str, authorization: Option<&str>) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let auth = authorization.map(|a| format!("Authorization: {a}\r\n")).unwrap_or_default();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n{auth}\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn the_pinning_service_command_serves_with_each_callers_key_until_ctrl_c() {
    let setup = Setup::new();
    let mut child = setup
        .child_cmd(setup.base_url())
        .args(["pinning-service", "--port", "0", "--cluster", "cl1-eu", "--json"])
        .env("PINARKIVE_API_KEY", "not-the-callers-key")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = first_json(&mut child);
    assert_valid("pinning-service", &started);
    assert_eq!(
        (started["apiBaseUrl"].as_str(), started["cluster"].as_str()),
        (Some(setup.base_url()), Some("cl1-eu"))
    );
    let addr = started["url"].as_str().unwrap().strip_prefix("http://").unwrap().to_owned();

    // The settings' key is not used: no bearer token, no pins.
    let anonymous = get(&addr, "/pins", None);
    assert!(
        anonymous.starts_with("HTTP/1.0 401") && anonymous.contains("\"reason\":\"UNAUTHORIZED\""),
        "{anonymous}"
    );
    let cid = setup.upload(&setup.file("via-bridge.txt", b"listed by the bridge\n"));
    let listed = get(&addr, "/pins", Some(&format!("Bearer {}", crate::support::KEY)));
    assert!(
        listed.starts_with("HTTP/1.0 200") && listed.contains(&cid) && listed.contains("\"count\":1"),
        "{listed}"
    );

    stops_on_ctrl_c(child, "stopping the pinning service");
}

#[test]
fn pinning_service_help_says_what_does_not_carry_over() {
    let setup = Setup::new();
    let help = run(setup.bare_cmd(), &["pinning-service", "--help"]).ok().stdout;
    for said in [
        "Authorization: Bearer",
        "ipfs pin remote service add pinarkive http://127.0.0.1:5001",
        "stores no meta and no origins",
        "A listed pin's status is `pinned`",
        "loopback only unless --allow-insecure-http",
        "--cluster <ID>",
    ] {
        assert!(help.contains(said), "{said:?} is not in:\n{help}");
    }
}

#[test]
fn the_pinning_service_command_hides_a_user_and_password_in_the_base_url() {
    let setup = Setup::new();
    let with_password = setup.base_url().replacen("http://", "http://user:hunter2@", 1);
    for json in [true, false] {
        let mut args = vec!["pinning-service", "--port", "0"];
        if json {
            args.push("--json");
        }
        let mut child = setup
            .child_cmd(&with_password)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let first = if json {
            first_json(&mut child)["apiBaseUrl"].to_string()
        } else {
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
            line
        };
        assert!(first.contains("[redacted]@127.0.0.1"), "{first}");
        assert!(!first.contains("hunter2") && !first.contains("user:"), "{first}");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
