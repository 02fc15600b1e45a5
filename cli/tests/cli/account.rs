//! `whoami`, `clusters`, `gateway` and `doctor`.

use serde_json::json;

use crate::support::{run, Setup, CID, KEY, READ_ONLY_KEY};

#[test]
fn whoami_shows_the_account() {
    let setup = Setup::new();
    let out = run(setup.cmd(), &["whoami", "--json"]).ok();
    insta::assert_json_snapshot!(out.json());
    let out = run(setup.cmd(), &["whoami"]).ok();
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn clusters_lists_ids_and_gateways() {
    let setup = Setup::new();
    let out = run(setup.cmd(), &["clusters", "--json"]).ok();
    insta::assert_json_snapshot!(out.json());
    let out = run(setup.cmd(), &["clusters"]).ok();
    assert!(out.stdout.starts_with("ID "), "{}", out.stdout);
    assert!(out.stdout.contains("cl0-global"), "{}", out.stdout);
}

#[test]
fn gateway_needs_no_network_or_key_for_the_default_gateway() {
    let setup = Setup::new();
    let mut offline = setup.bare_cmd();
    offline
        .env("PINARKIVE_API_BASE_URL", format!("http://127.0.0.1:{}/api/v3", crate::support::closed_port()));
    let out = run(offline, &["gateway", CID]).ok();
    assert_eq!(out.stdout, format!("https://gateway.pinarkive.com/ipfs/{CID}\n"));

    setup.write_config(json!({"gateway": "https://my.gateway.example/ipfs"}));
    let out = run(setup.bare_cmd(), &["gateway", CID, "--json"]).ok();
    insta::assert_json_snapshot!(out.json());
}

#[test]
fn gateway_of_a_cluster_asks_the_api() {
    let setup = Setup::new();
    let out = run(setup.cmd(), &["gateway", CID, "--cluster", "cl1-eu"]).ok();
    assert_eq!(out.stdout, format!("https://eu1.gateway.pinarkive.com/ipfs/{CID}\n"));
    let out = run(setup.cmd(), &["gateway", CID, "--cluster", "nowhere"]).expect_code(2);
    insta::assert_snapshot!(out.stderr, @"error: cluster nowhere has no public gateway in this account (see `pinarkive clusters`)
");
}

#[test]
fn gateway_refuses_what_is_not_a_cid() {
    let setup = Setup::new();
    let out = run(setup.bare_cmd(), &["gateway", "../etc/passwd"]).expect_code(2);
    assert!(out.stderr.starts_with("error: \"../etc/passwd\" is not a valid CID"), "{}", out.stderr);
}

/// The emulator's clusters list the real gateways; tests reach loopback only, so the gateway
/// checked is the emulator itself, set in the config file.
fn local_gateway(setup: &Setup) {
    setup.write_config(json!({"gateway": format!("{}/", setup.base_url())}));
}

#[test]
fn doctor_passes_with_a_good_key_and_reports_its_scopes() {
    let setup = Setup::new();
    local_gateway(&setup);
    let out = run(setup.cmd(), &["doctor", "--json"]).ok();
    insta::assert_json_snapshot!(setup.scrub_json(out.json()));
    let out = run(setup.cmd(), &["doctor"]).ok();
    insta::assert_snapshot!(setup.scrub(&out.stdout));
}

#[test]
fn doctor_reports_missing_scopes_without_failing() {
    let setup = Setup::new();
    local_gateway(&setup);
    let mut cmd = setup.cmd();
    cmd.env("PINARKIVE_API_KEY", READ_ONLY_KEY);
    let out = run(cmd, &["doctor", "--json"]).ok();
    let checks = out.json()["checks"].clone();
    assert_eq!(checks[2]["name"], "scopes");
    assert!(checks[2]["detail"].as_str().unwrap().starts_with(
        "has files:read; lacks user:read, cluster:read, plans:read, referrals:read, logs:read, tokens:read"
    ));
    assert_eq!(
        checks[3],
        json!({"name": "clusters", "status": "skip", "detail": "the key lacks cluster:read"})
    );
}

#[test]
fn doctor_fails_with_exit_1_on_a_refused_key() {
    let setup = Setup::new();
    local_gateway(&setup);
    let mut cmd = setup.cmd();
    cmd.env("PINARKIVE_API_KEY", "pk_not_a_key_of_this_account");
    let out = run(cmd, &["doctor"]).expect_code(1);
    assert!(out.stdout.contains("FAIL  key"), "{}", out.stdout);
    assert_eq!(out.stderr, "error: 1 check(s) failed: key\n");
    assert!(!out.stdout.contains(KEY));
}
