//! `pinarkive emulator`: the local Pinarkive in the foreground, usable by the tool itself.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::{run, Setup};

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
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    let started: serde_json::Value = loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "the emulator exited early: {text}");
        text.push_str(&line);
        if let Ok(value) = serde_json::from_str(&text) {
            break value;
        }
    };
    let base_url = started["baseUrl"].as_str().unwrap().to_string();
    assert!(base_url.starts_with("http://127.0.0.1:") && base_url.ends_with("/api/v3"), "{base_url}");
    assert_eq!(started["keys"], serde_json::json!([{"key": "demo_key_for_the_cli_test", "scopes": ["*"]}]));

    let mut cmd = setup.bare_cmd();
    cmd.env("PINARKIVE_API_BASE_URL", &base_url).env("PINARKIVE_API_KEY", "demo_key_for_the_cli_test");
    let file = setup.file("via-emulator.txt", b"served by pinarkive emulator\n");
    run(cmd, &["upload", &file]).ok();

    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{:?}", output.status);
    assert_eq!(String::from_utf8_lossy(&output.stderr), "stopping the emulator\n");
}

#[test]
fn the_emulator_command_refuses_a_malformed_key() {
    let setup = Setup::new();
    let out = run(setup.bare_cmd(), &["emulator", "--key", "no-scopes"]).expect_code(2);
    insta::assert_snapshot!(out.stderr);
}
