//! Credentials: both header forms, sessions, 401 and 403 bodies, scopes taken from the spec.

use pinarkive::OperationId;

use crate::support::{self, http, send, url, ADMIN, READER};

#[tokio::test]
async fn health_get_needs_no_key() {
    let emu = support::start().await;
    let reply = send("health_get", http().get(url(&emu, "/health"))).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], "ok");
}

#[tokio::test]
async fn users_me_get_accepts_the_key_as_x_api_key_and_as_bearer() {
    let emu = support::start().await;
    let by_header = send("users_me_get", http().get(url(&emu, "/users/me")).header("x-api-key", ADMIN)).await;
    assert_eq!(by_header.status, 200);
    let by_bearer = send("users_me_get", http().get(url(&emu, "/users/me")).bearer_auth(ADMIN)).await;
    assert_eq!(by_bearer.status, 200);
    assert_eq!(by_header.json()["email"], emu.user().0);
}

#[tokio::test]
async fn users_me_get_through_the_typed_client() {
    let emu = support::start().await;
    let me = support::client(&emu, ADMIN).users_me_get().send().await.unwrap();
    assert_eq!(me.email.as_deref(), Some(emu.user().0));
}

#[tokio::test]
async fn users_me_get_without_or_with_a_bad_key_is_401_invalid_api_key() {
    let emu = support::start().await;
    let u = url(&emu, "/users/me");
    let requests = [
        http().get(&u),
        http().get(&u).header("x-api-key", "nope"),
        http().get(&u).bearer_auth("nope"),
        http().get(&u).header("authorization", "Basic Zm9vOmJhcg=="),
        http().get(&u).header("x-api-key", ""),
    ];
    for request in requests {
        let reply = send("users_me_get", request).await;
        assert_eq!(reply.status, 401);
        assert_eq!(reply.json()["code"], "INVALID_API_KEY");
        assert_eq!(reply.json()["error"], "Unauthorized");
    }
}

#[tokio::test]
async fn users_me_get_without_user_read_is_403_naming_the_scope_from_the_spec() {
    let emu = support::start().await;
    let scope = OperationId::UsersMeGet.scope().unwrap().as_str();
    let reply = send("users_me_get", http().get(url(&emu, "/users/me")).header("x-api-key", READER)).await;
    assert_eq!(reply.status, 403);
    let body = reply.json();
    assert_eq!(body["code"], "missing_scope");
    assert_eq!(body["required"], scope);
    assert_eq!(body["message"], format!("Missing scope: {scope}"));
}

#[tokio::test]
async fn the_typed_client_reports_the_missing_scope() {
    let emu = support::start().await;
    let err = support::client(&emu, READER).tokens_list().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(err.api().and_then(|api| api.required_scope.as_deref()), Some("tokens:read"));
}

/// A key with no scope at all is refused by every route with a documented scope, with that
/// scope in `required`, and accepted by the routes whose scope no source documents.
#[tokio::test]
async fn every_scoped_operation_names_its_own_scope_in_403() {
    let emu = support::builder().api_key("pk_no_scopes", Vec::<String>::new()).start().await.unwrap();
    for op in OperationId::ALL.iter().copied().filter(|op| op.authenticated()) {
        let path = op.path().replace("{cid}", "bafkqaaa").replace("{cidDag}", "bafkqaaa");
        let path = path.replace("{uploadId}", "x").replace("{name}", "x");
        let method = reqwest::Method::from_bytes(op.method().as_bytes()).unwrap();
        let request = http().request(method, url(&emu, &path)).header("x-api-key", "pk_no_scopes");
        let reply = send(op.as_str(), request).await;
        match op.scope() {
            // No source names a scope for it: any credential will do.
            None => assert_ne!(reply.status, 403, "{op}: {:?}", reply.json()),
            Some(scope) => {
                assert_eq!(reply.status, 403, "{op}");
                assert_eq!(reply.json()["required"], scope.as_str(), "{op}");
            }
        }
    }
}

#[tokio::test]
async fn a_session_from_login_has_every_scope_until_logout() {
    let emu = support::start().await;
    let token = support::session(&emu).await;
    let tokens = send("tokens_list", http().get(url(&emu, "/tokens/list")).bearer_auth(&token)).await;
    assert_eq!(tokens.status, 200);
    let out = send("auth_logout", http().post(url(&emu, "/auth/logout")).bearer_auth(&token)).await;
    assert_eq!(out.status, 200);
    let after = send("users_me_get", http().get(url(&emu, "/users/me")).bearer_auth(&token)).await;
    assert_eq!(after.status, 401);
}

#[tokio::test]
async fn auth_login_with_a_wrong_password_is_401() {
    let emu = support::start().await;
    let body = serde_json::json!({ "email": emu.user().0, "password": "wrong-password" });
    let reply = send("auth_login", http().post(url(&emu, "/auth/login")).json(&body)).await;
    assert_eq!(reply.status, 401);
    assert!(!String::from_utf8_lossy(&reply.body).contains("wrong-password"));
}

#[tokio::test]
async fn debug_never_shows_keys_or_the_password() {
    let builder = support::builder().user("me@example.test", "hunter2-secret");
    let shown = format!("{builder:?}");
    assert!(!shown.contains(ADMIN) && !shown.contains(READER), "{shown}");
    assert!(!shown.contains("hunter2-secret"), "{shown}");
    assert!(shown.contains("files:read"), "{shown}");
    let emu = builder.start().await.unwrap();
    let shown = format!("{emu:?}");
    assert!(!shown.contains("hunter2-secret") && !shown.contains(ADMIN), "{shown}");
}
