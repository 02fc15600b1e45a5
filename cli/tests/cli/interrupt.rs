//! Ctrl-C during an upload: the run stops at once and says what was and was not uploaded.
//!
//! The server here is a mock that answers the first file and holds the second, so that the
//! interrupt lands mid-upload every time.

#![cfg(unix)]

use std::process::Command;
use std::time::{Duration, Instant};

use httpmock::MockServer;

use crate::support::{Setup, CID};

#[test]
fn ctrl_c_during_an_upload_reports_what_was_uploaded() {
    let setup = Setup::new();
    let server = MockServer::start();
    let answered = server.mock(|when, then| {
        when.method("POST").path("/api/v3/files").body_includes("filename=\"first.txt\"");
        then.status(201)
            .header("content-type", "application/json")
            .json_body(serde_json::json!({"cid": CID}));
    });
    let held = server.mock(|when, then| {
        when.method("POST").path("/api/v3/files").body_includes("filename=\"second.txt\"");
        then.status(201).delay(Duration::from_secs(60)).json_body(serde_json::json!({"cid": CID}));
    });
    let files = ["first.txt", "second.txt", "third.txt"].map(|name| setup.file(name, name.as_bytes()));

    let child = setup.child_cmd(&server.url("/api/v3")).args(["upload"]).args(&files).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while held.calls() == 0 {
        assert!(Instant::now() < deadline, "the second upload never reached the server");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "it stopped at once");

    assert_eq!(output.status.code(), Some(130));
    answered.assert_calls(1);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with(&format!("{CID}  first.txt")), "{stdout}");
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stderr));
}
