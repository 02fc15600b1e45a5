//! `tokens create`, `tokens ls`, `tokens revoke`, with and without two-factor authentication.

use pinarkive::{types, Credentials};

use crate::support::{run, Setup};

#[test]
fn create_list_and_revoke_a_token() {
    let setup = Setup::new();
    let args =
        ["tokens", "create", "ci", "--scope", "files:read,files:write", "--expires-in-days", "30", "--json"];
    let created = run(setup.cmd(), &args).ok().json();
    let token = created["token"].as_str().expect("the new key is shown once").to_string();
    insta::assert_json_snapshot!(created, {".token" => "[token]", ".expiresAt" => "[time]"});

    // The new key works, with its scopes.
    let mut with_new_key = setup.cmd();
    with_new_key.env("PINARKIVE_API_KEY", &token);
    run(with_new_key, &["ls"]).ok();

    let listed = run(setup.cmd(), &["tokens", "ls", "--json"]).ok().json();
    let ci = listed["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "ci")
        .expect("ci is listed")
        .clone();
    assert_eq!(ci["scopes"], serde_json::json!(["files:read", "files:write"]));
    assert!(!listed.to_string().contains(&token), "the list shows no key");

    let revoked = run(setup.cmd(), &["tokens", "revoke", "ci", "--json"]).ok().json();
    assert_eq!(revoked, serde_json::json!({"formatVersion": 1, "revoked": "ci"}));
    let listed = run(setup.cmd(), &["tokens", "ls"]).ok();
    assert!(!listed.stdout.lines().any(|line| line.starts_with("ci ")), "{}", listed.stdout);
}

#[test]
fn create_for_people_shows_the_key_once_with_a_warning() {
    let setup = Setup::new();
    let out = run(setup.cmd(), &["tokens", "create", "laptop", "--scope", "files:read"]).ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "Created token laptop (files:read).");
    assert_eq!(lines[1], "Its key is shown only this once; store it now:");
    assert!(!lines[2].is_empty());
}

#[test]
fn an_unknown_scope_is_refused_before_sending() {
    let setup = Setup::new();
    let out = run(setup.cmd(), &["tokens", "create", "ci", "--scope", "files:everything"]).expect_code(2);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn a_duplicate_name_is_an_api_error() {
    let setup = Setup::new();
    run(setup.cmd(), &["tokens", "create", "twice"]).ok();
    let out = run(setup.cmd(), &["tokens", "create", "twice"]).expect_code(1);
    assert!(out.stderr.starts_with("error: the API refused the request (HTTP 409"), "{}", out.stderr);
}

/// Turns on 2FA for the emulator's account and returns its TOTP secret.
pub fn enable_two_factor(setup: &Setup) -> String {
    setup.block_on(async {
        let (email, password) = setup.emulator.user();
        let login = pinarkive::Client::builder().base_url(setup.base_url()).build().unwrap();
        let body = types::LoginRequest { email: email.into(), password: password.into() };
        let session = login.auth_login().body(body).send().await.unwrap().into_inner().token.unwrap();
        let user = pinarkive::Client::builder()
            .base_url(setup.base_url())
            .credentials(Credentials::session(session))
            .build()
            .unwrap();
        let secret = user.auth_2fa_setup().send().await.unwrap().into_inner().secret.unwrap();
        let code = pinarkive::emulator::totp_code(&secret).unwrap();
        user.auth_2fa_enable().body(types::TwoFactorCodeRequest { code }).send().await.unwrap();
        secret
    })
}

#[test]
fn with_two_factor_the_code_is_asked_for_or_taken_from_totp() {
    let setup = Setup::new();
    let secret = enable_two_factor(&setup);

    // No terminal to ask on: the error says how to give the code.
    let out = run(setup.cmd(), &["tokens", "create", "ci", "--scope", "files:read"]).expect_code(3);
    assert!(
        out.stderr.contains("needs a two-factor code") && out.stderr.contains("--totp CODE"),
        "{}",
        out.stderr
    );

    let code = pinarkive::emulator::totp_code(&secret).unwrap();
    run(setup.cmd(), &["tokens", "create", "ci", "--scope", "files:read", "--totp", &code]).ok();

    let out = run(setup.cmd(), &["tokens", "revoke", "ci", "--totp", "000000"]).expect_code(3);
    assert!(out.stderr.contains("two-factor code was refused"), "{}", out.stderr);
    let code = pinarkive::emulator::totp_code(&secret).unwrap();
    run(setup.cmd(), &["tokens", "revoke", "ci", "--totp", &code]).ok();
}
