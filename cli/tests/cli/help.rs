//! The interface, reviewed when it changes.

use crate::support::{run, Setup};

#[test]
fn help_matches_the_snapshot() {
    let setup = Setup::new();
    let help = run(setup.bare_cmd(), &["--help"]).ok();
    insta::assert_snapshot!(help.stdout);
}

#[test]
fn upload_help_matches_the_snapshot() {
    let setup = Setup::new();
    let help = run(setup.bare_cmd(), &["upload", "--help"]).ok();
    insta::assert_snapshot!(help.stdout);
}

#[test]
fn a_usage_error_exits_2_with_clap_s_message() {
    let setup = Setup::new();
    let out = run(setup.cmd(), &["ls", "--limit", "zero"]).expect_code(2);
    assert!(out.stderr.contains("invalid value 'zero' for '--limit <LIMIT>'"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}
