//! API tokens: default scopes, 409 on a duplicate name, list, revoke and 404.

use serde_json::json;

use crate::support::{self, http, send, url, ADMIN};

async fn generate(emu: &pinarkive::emulator::Emulator, body: serde_json::Value) -> support::Reply {
    send("tokens_generate", http().post(url(emu, "/tokens/generate")).header("x-api-key", ADMIN).json(&body))
        .await
}

#[tokio::test]
async fn tokens_generate_defaults_to_user_read_and_files_read_and_the_token_works() {
    let emu = support::start().await;
    let created = generate(&emu, json!({ "name": "ci" })).await;
    assert_eq!(created.status, 201);
    let body = created.json();
    assert_eq!(body["scopes"], json!(["files:read", "user:read"]));
    assert_eq!(body["label"], "cli-access");
    let token = body["token"].as_str().unwrap().to_owned();

    let me = send("users_me_get", http().get(url(&emu, "/users/me")).bearer_auth(&token)).await;
    assert_eq!(me.status, 200);
    let denied = send("tokens_list", http().get(url(&emu, "/tokens/list")).header("x-api-key", &token)).await;
    assert_eq!(denied.status, 403);
    assert_eq!(denied.json()["required"], "tokens:read");
}

#[tokio::test]
async fn tokens_generate_keeps_the_scopes_asked_for_and_refuses_unknown_ones() {
    let emu = support::start().await;
    let created = generate(&emu, json!({ "name": "w", "scopes": ["files:write"], "expiresInDays": 7 })).await;
    assert_eq!(created.status, 201);
    assert_eq!(created.json()["scopes"], json!(["files:write"]));
    assert!(created.json()["expiresAt"].is_string());
    assert_eq!(generate(&emu, json!({ "name": "x", "scopes": ["files:everything"] })).await.status, 400);
    assert_eq!(generate(&emu, json!({ "name": "" })).await.status, 400);
    assert_eq!(generate(&emu, json!({})).await.status, 400);
}

#[tokio::test]
async fn tokens_generate_with_a_taken_name_is_409() {
    let emu = support::start().await;
    assert_eq!(generate(&emu, json!({ "name": "dup" })).await.status, 201);
    let again = generate(&emu, json!({ "name": "dup" })).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.json()["error"], "Conflict");
}

#[tokio::test]
async fn tokens_list_shows_names_and_scopes_but_never_the_secret() {
    let emu = support::start().await;
    let token = generate(&emu, json!({ "name": "listed", "scopes": ["logs:read"] })).await.json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = send("tokens_list", http().get(url(&emu, "/tokens/list")).header("x-api-key", ADMIN)).await;
    assert_eq!(list.status, 200);
    let text = String::from_utf8_lossy(&list.body).into_owned();
    assert!(!text.contains(&token) && !text.contains(ADMIN), "{text}");
    let tokens = list.json()["tokens"].as_array().unwrap().clone();
    let listed = tokens.iter().find(|t| t["name"] == "listed").unwrap();
    assert_eq!(listed["scopes"], json!(["logs:read"]));
    assert!(tokens.iter().any(|t| t["name"] == "key-1" && t["scopes"] == json!(["*"])));
}

#[tokio::test]
async fn tokens_revoke_ends_the_token_and_an_unknown_name_is_404() {
    let emu = support::start().await;
    let token =
        generate(&emu, json!({ "name": "gone soon" })).await.json()["token"].as_str().unwrap().to_owned();
    let revoke = |name: &str| {
        http()
            .delete(url(&emu, &format!("/tokens/revoke/{}", name.replace(' ', "%20"))))
            .header("x-api-key", ADMIN)
    };
    assert_eq!(send("tokens_revoke", revoke("gone soon")).await.status, 200);
    let after = send("users_me_get", http().get(url(&emu, "/users/me")).header("x-api-key", &token)).await;
    assert_eq!(after.status, 401);
    let unknown = send("tokens_revoke", revoke("gone soon")).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error"], "Not Found");
}

#[tokio::test]
async fn a_key_given_twice_to_the_builder_is_one_key_with_the_last_scopes() {
    let emu = pinarkive::emulator::Emulator::builder()
        .api_key("k1", ["files:read"])
        .api_key("k1", ["tokens:read"])
        .no_rate_limit()
        .start()
        .await
        .unwrap();
    let listed = send("tokens_list", http().get(url(&emu, "/tokens/list")).header("x-api-key", "k1")).await;
    assert_eq!(listed.status, 200);
    assert_eq!(
        listed.json()["tokens"],
        json!([{ "name": "key-1", "label": "emulator", "scopes": ["tokens:read"] }])
    );
}
