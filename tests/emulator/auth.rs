//! Credentials: both header forms, 401 and 403 bodies.

use crate::support::{self, ADMIN, READER};

#[tokio::test]
async fn health_get_needs_no_key() {
    let emu = support::start().await;
    let (status, body) = support::json(support::http().get(support::url(&emu, "/health")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn users_me_get_accepts_the_key_as_x_api_key_and_as_bearer() {
    let emu = support::start().await;
    let http = support::http();
    let url = support::url(&emu, "/users/me");
    let by_header = http.get(&url).header("x-api-key", ADMIN).send().await.unwrap();
    assert_eq!(by_header.status(), 200);
    let by_bearer = http.get(&url).bearer_auth(ADMIN).send().await.unwrap();
    assert_eq!(by_bearer.status(), 200);
}

#[tokio::test]
async fn users_me_get_without_or_with_a_bad_key_is_401_invalid_api_key() {
    let emu = support::start().await;
    let http = support::http();
    let url = support::url(&emu, "/users/me");
    for request in [http.get(&url), http.get(&url).header("x-api-key", "nope"), http.get(&url).bearer_auth("nope")] {
        let (status, body) = support::json(request.send().await.unwrap()).await;
        assert_eq!(status, 401);
        assert_eq!(body["code"], "INVALID_API_KEY");
        assert_eq!(body["error"], "Unauthorized");
    }
}

#[tokio::test]
async fn users_me_get_without_user_read_is_403_naming_the_scope_from_the_spec() {
    let emu = support::start().await;
    let scope = pinarkive::spec::operation("users_me_get").and_then(|op| op.scope).unwrap();
    let response = support::http().get(support::url(&emu, "/users/me")).header("x-api-key", READER).send().await;
    let (status, body) = support::json(response.unwrap()).await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "missing_scope");
    assert_eq!(body["required"], scope);
    assert_eq!(body["message"], format!("Missing scope: {scope}"));
}
