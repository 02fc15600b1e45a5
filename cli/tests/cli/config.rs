//! `login`, `logout`, `config show` and which setting wins.

use serde_json::json;

use crate::support::{run, Setup, KEY};

#[test]
fn login_writes_the_official_config_file_readable_only_by_its_owner() {
    let setup = Setup::new();
    let mut login = setup.bare_cmd();
    login.write_stdin(format!("{KEY}\n"));
    let out = run(login, &["--base-url", setup.base_url(), "login"]).ok();
    assert!(!out.stdout.contains(KEY) && !out.stderr.contains(KEY));
    insta::assert_snapshot!(setup.scrub(&out.stdout));

    let written = setup.read_config();
    assert_eq!(written, json!({"apiKey": KEY, "baseUrl": setup.base_url()}));
    #[cfg(unix)]
    {
        assert_eq!(crate::support::mode(&setup.config_path()), 0o600);
        assert_eq!(crate::support::mode(setup.config_path().parent().unwrap()), 0o700);
    }
    // The stored key and URL are used without any flag or variable.
    run(setup.bare_cmd(), &["whoami"]).ok();
}

#[test]
fn login_keeps_the_other_settings_of_the_file() {
    let setup = Setup::new();
    setup.write_config(
        json!({"apiKey": "pk_old", "cluster": "cl1-eu", "gateway": "https://example.test/ipfs/", "theme": 1}),
    );
    let mut login = setup.bare_cmd();
    login.write_stdin(KEY);
    run(login, &["login", "--stdin"]).ok();
    let written = setup.read_config();
    assert_eq!(
        written,
        json!({"apiKey": KEY, "cluster": "cl1-eu", "gateway": "https://example.test/ipfs/", "theme": 1})
    );
}

#[test]
fn login_stores_a_key_given_with_the_flag() {
    let setup = Setup::new();
    let out = run(setup.bare_cmd(), &["login", "--api-key", KEY, "--json"]).ok();
    assert!(!out.stdout.contains(KEY));
    let written = setup.read_config();
    assert_eq!(written, json!({"apiKey": KEY}));
}

#[test]
fn login_refuses_an_empty_or_multi_line_key() {
    let setup = Setup::new();
    for input in ["", "two\nlines"] {
        let mut login = setup.bare_cmd();
        login.write_stdin(input);
        let out = run(login, &["login"]).expect_code(2);
        assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    }
    assert!(!setup.config_path().exists());
}

#[test]
fn logout_removes_the_key_and_keeps_the_rest() {
    let setup = Setup::new();
    setup.write_config(json!({"apiKey": KEY, "baseUrl": setup.base_url()}));
    let out = run(setup.bare_cmd(), &["logout", "--json"]).ok();
    assert_eq!(out.json()["removed"], true);
    let written = setup.read_config();
    assert_eq!(written, json!({"baseUrl": setup.base_url()}));

    let out = run(setup.bare_cmd(), &["whoami"]).expect_code(3);
    insta::assert_snapshot!(out.stderr, @"error: no API key: run `pinarkive login`, set PINARKIVE_API_KEY, or pass --api-key
");
    let out = run(setup.bare_cmd(), &["logout"]).ok();
    assert!(out.stdout.starts_with("No API key was stored"), "{}", out.stdout);
}

#[test]
fn a_flag_beats_the_environment_which_beats_the_file() {
    let setup = Setup::new();
    let file_key = "pk_from_the_config_file_0001";
    let env_key = "pk_from_the_environment_0002";
    let flag_key = "pk_from_the_command_line_0003";
    setup.write_config(
        json!({"apiKey": file_key, "baseUrl": "http://127.0.0.1:9/api/v3", "cluster": "cl1-eu"}),
    );

    let from_file = run(setup.bare_cmd(), &["config", "show", "--json"]).ok();
    insta::assert_json_snapshot!("config_show_from_file", setup.scrub_json(from_file.json()));

    let mut with_env = setup.bare_cmd();
    with_env.env("PINARKIVE_API_KEY", env_key).env("PINARKIVE_API_BASE_URL", setup.base_url());
    let from_env = run(with_env, &["config", "show", "--json"]).ok();
    insta::assert_json_snapshot!("config_show_from_env", setup.scrub_json(from_env.json()));

    let mut with_flags = setup.bare_cmd();
    with_flags.env("PINARKIVE_API_KEY", env_key).env("PINARKIVE_API_BASE_URL", "http://127.0.0.1:9/api/v3");
    let from_flags =
        run(with_flags, &["config", "show", "--json", "--api-key", flag_key, "--base-url", setup.base_url()])
            .ok();
    insta::assert_json_snapshot!("config_show_from_flags", setup.scrub_json(from_flags.json()));

    for out in [&from_file, &from_env, &from_flags] {
        for key in [file_key, env_key, flag_key] {
            assert!(!out.stdout.contains(key), "{}", out.stdout);
        }
    }

    // The winner is what is sent: the file's key is unknown to the emulator, the
    // environment's good one wins over it, and a bad flag wins over that.
    let mut file_only = setup.bare_cmd();
    file_only.env("PINARKIVE_API_BASE_URL", setup.base_url());
    run(file_only, &["whoami"]).expect_code(3);
    let mut env_wins = setup.bare_cmd();
    env_wins.env("PINARKIVE_API_BASE_URL", setup.base_url()).env("PINARKIVE_API_KEY", KEY);
    run(env_wins, &["whoami"]).ok();
    let mut flag_wins = setup.bare_cmd();
    flag_wins.env("PINARKIVE_API_BASE_URL", setup.base_url()).env("PINARKIVE_API_KEY", KEY);
    run(flag_wins, &["whoami", "--api-key", flag_key]).expect_code(3);
}

#[test]
fn config_show_for_people_masks_the_key() {
    let setup = Setup::new();
    setup.write_config(json!({"apiKey": KEY}));
    let out = run(setup.bare_cmd(), &["config", "show"]).ok();
    assert!(!out.stdout.contains(KEY));
    insta::assert_snapshot!(setup.scrub(&out.stdout));
}

#[test]
fn a_broken_config_file_is_named_without_showing_its_contents() {
    let setup = Setup::new();
    std::fs::create_dir_all(setup.config_path().parent().unwrap()).unwrap();
    std::fs::write(setup.config_path(), format!("{{\"apiKey\": \"{KEY}\"")).unwrap();
    let out = run(setup.bare_cmd(), &["ls"]).expect_code(2);
    assert!(!out.stderr.contains(KEY));
    insta::assert_snapshot!(setup.scrub(&out.stderr));
}
