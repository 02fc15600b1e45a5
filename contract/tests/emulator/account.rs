//! Account flows: 2FA, signup and e-mail verification, password reset, profile, plans, logs.

use pinarkive::emulator::totp_code;
use serde_json::json;

use crate::support::{self, http, send, url, ADMIN};

#[tokio::test]
async fn two_factor_setup_enable_login_and_token_routes_need_the_code() {
    let emu = support::start().await;
    let key = |r: reqwest::RequestBuilder| r.header("x-api-key", ADMIN);
    let status = send("auth_2fa_status_get", key(http().get(url(&emu, "/auth/2fa/status")))).await;
    assert_eq!(status.json()["twoFactorEnabled"], false);

    let setup = send("auth_2fa_setup", key(http().post(url(&emu, "/auth/2fa/setup")))).await;
    assert_eq!(setup.status, 200);
    let secret = setup.json()["secret"].as_str().unwrap().to_owned();
    assert!(setup.json()["qrUrl"].as_str().unwrap().starts_with("otpauth://totp/"));

    let wrong = send(
        "auth_2fa_enable",
        key(http().post(url(&emu, "/auth/2fa/enable"))).json(&json!({ "code": "000000x" })),
    )
    .await;
    assert_eq!(wrong.status, 400);
    let code = totp_code(&secret).unwrap();
    let enable = send(
        "auth_2fa_enable",
        key(http().post(url(&emu, "/auth/2fa/enable"))).json(&json!({ "code": code })),
    )
    .await;
    assert_eq!(enable.status, 200);
    let status = send("auth_2fa_status_get", key(http().get(url(&emu, "/auth/2fa/status")))).await;
    assert_eq!(status.json()["twoFactorEnabled"], true);

    // Login now answers with a temporary token, exchanged with a code for the session.
    let (email, password) = emu.user();
    let login = send(
        "auth_login",
        http().post(url(&emu, "/auth/login")).json(&json!({ "email": email, "password": password })),
    )
    .await;
    assert_eq!(login.json()["requires2FA"], true);
    assert!(login.json()["token"].is_null());
    let temporary = login.json()["temporaryToken"].as_str().unwrap().to_owned();
    let verify = |code: String| {
        http()
            .post(url(&emu, "/auth/2fa/verify-login"))
            .json(&json!({ "temporaryToken": temporary, "code": code }))
    };
    assert_eq!(send("auth_2fa_verify_login", verify("123".into())).await.status, 400);
    let session = send("auth_2fa_verify_login", verify(totp_code(&secret).unwrap())).await;
    assert_eq!(session.status, 200);
    assert!(session.json()["token"].is_string());
    assert_eq!(send("auth_2fa_verify_login", verify(totp_code(&secret).unwrap())).await.status, 401);

    // Token generate and revoke need the code.
    let generate = |body: serde_json::Value| key(http().post(url(&emu, "/tokens/generate"))).json(&body);
    let missing = send("tokens_generate", generate(json!({ "name": "t" }))).await;
    assert_eq!((missing.status, missing.json()["code"].clone()), (400, json!("2fa_required")));
    let invalid = send("tokens_generate", generate(json!({ "name": "t", "totpCode": "abcdef" }))).await;
    assert_eq!((invalid.status, invalid.json()["code"].clone()), (400, json!("2fa_invalid")));
    let ok =
        send("tokens_generate", generate(json!({ "name": "t", "totpCode": totp_code(&secret).unwrap() })))
            .await;
    assert_eq!(ok.status, 201);
    let revoke = key(http().delete(url(&emu, "/tokens/revoke/t")));
    assert_eq!(send("tokens_revoke", revoke).await.json()["code"], "2fa_required");
    let revoke = key(http().delete(url(&emu, "/tokens/revoke/t")))
        .json(&json!({ "twoFactorCode": totp_code(&secret).unwrap() }));
    assert_eq!(send("tokens_revoke", revoke).await.status, 200);

    // Disable needs the password and a code.
    let disable = |password: &str, code: String| {
        key(http().post(url(&emu, "/auth/2fa/disable"))).json(&json!({ "password": password, "code": code }))
    };
    assert_eq!(
        send("auth_2fa_disable", disable("bad password", totp_code(&secret).unwrap())).await.status,
        400
    );
    assert_eq!(send("auth_2fa_disable", disable(password, totp_code(&secret).unwrap())).await.status, 200);
    let login = send(
        "auth_login",
        http().post(url(&emu, "/auth/login")).json(&json!({ "email": email, "password": password })),
    )
    .await;
    assert!(login.json()["token"].is_string());
}

#[tokio::test]
async fn signup_verify_email_then_login() {
    let emu = support::start().await;
    let email = "new@example.test";
    let signup = |body: serde_json::Value| http().post(url(&emu, "/auth/signup")).json(&body);
    let body = json!({ "name": "New", "email": email, "password": "long enough" });
    assert_eq!(send("auth_signup", signup(body.clone())).await.status, 201);
    assert_eq!(send("auth_signup", signup(body)).await.status, 409);
    assert_eq!(
        send("auth_signup", signup(json!({ "name": "N", "email": "x@y", "password": "short" }))).await.status,
        400
    );
    assert_eq!(send("auth_signup", signup(json!({ "name": "N", "email": "x@y" }))).await.status, 400);

    let login =
        || http().post(url(&emu, "/auth/login")).json(&json!({ "email": email, "password": "long enough" }));
    let unverified = send("auth_login", login()).await;
    assert_eq!(unverified.status, 403);
    assert_eq!(unverified.json()["code"], "email_not_verified");
    assert_eq!(unverified.json()["canResendVerification"], true);

    let resend = send(
        "auth_resend_verification",
        http().post(url(&emu, "/auth/resend-verification")).json(&json!({ "email": email })),
    )
    .await;
    assert_eq!(resend.status, 200);
    let token = emu.verification_token(email).unwrap();
    let verify = |token: &str| http().post(url(&emu, "/auth/verify-email")).json(&json!({ "token": token }));
    assert_eq!(send("auth_verify_email", verify("wrong")).await.status, 400);
    assert_eq!(send("auth_verify_email", verify(&token)).await.status, 200);
    let session = send("auth_login", login()).await;
    assert_eq!(session.status, 200);
    assert_eq!(session.json()["user"]["email"], email);
    assert_eq!(session.json()["user"]["plan"], "free");
}

#[tokio::test]
async fn forgot_and_reset_password() {
    let emu = support::start().await;
    let (email, old) = emu.user();
    let forgot = send(
        "auth_forgot_password",
        http().post(url(&emu, "/auth/forgot-password")).json(&json!({ "email": email })),
    )
    .await;
    assert_eq!(forgot.status, 200);
    let unknown = send(
        "auth_forgot_password",
        http().post(url(&emu, "/auth/forgot-password")).json(&json!({ "email": "no@one.test" })),
    )
    .await;
    assert_eq!(unknown.json(), forgot.json(), "no way to tell which accounts exist");
    let token = emu.password_reset_token(email).unwrap();
    let reset = |token: &str, password: &str| {
        http()
            .post(url(&emu, "/auth/reset-password"))
            .json(&json!({ "token": token, "newPassword": password }))
    };
    assert_eq!(send("auth_reset_password", reset(&token, "short")).await.status, 400);
    assert_eq!(send("auth_reset_password", reset("nope", "a new password")).await.status, 400);
    assert_eq!(send("auth_reset_password", reset(&token, "a new password")).await.status, 200);
    let login = |password: &str| {
        http().post(url(&emu, "/auth/login")).json(&json!({ "email": email, "password": password }))
    };
    assert_eq!(send("auth_login", login(old)).await.status, 401);
    assert_eq!(send("auth_login", login("a new password")).await.status, 200);
}

#[tokio::test]
async fn profile_preferences_and_password_change() {
    let emu = support::start().await;
    let key = |r: reqwest::RequestBuilder| r.header("x-api-key", ADMIN);
    let update =
        send("users_me_update", key(http().put(url(&emu, "/users/me"))).json(&json!({ "name": "Ada" })))
            .await;
    assert_eq!(update.json()["name"], "Ada");
    let prefs = send(
        "users_me_preferences_update",
        key(http().put(url(&emu, "/users/me/preferences"))).json(&json!({ "language": "es" })),
    )
    .await;
    assert_eq!(prefs.json()["language"], "es");
    let read = send("users_me_preferences_get", key(http().get(url(&emu, "/users/me/preferences")))).await;
    assert_eq!(read.json()["language"], "es");

    let (_, password) = emu.user();
    let change = |current: &str| {
        key(http().put(url(&emu, "/users/me/password")))
            .json(&json!({ "currentPassword": current, "newPassword": "another one" }))
    };
    assert_eq!(send("users_me_password_update", change("wrong")).await.status, 400);
    assert_eq!(send("users_me_password_update", change(password)).await.status, 200);
}

#[tokio::test]
async fn plans_clusters_and_plan_change() {
    let emu = support::start().await;
    let client = support::client(&emu, ADMIN);
    let clusters = client.users_me_clusters_list().send().await.unwrap();
    let ids: Vec<_> = clusters.iter().filter_map(|c| c.cluster_id.clone()).collect();
    assert_eq!(ids, ["cl0-global", "cl1-eu", "cl1-na", "cl2-es", "cl2-us", "cl2-de"]);
    assert!(clusters[0].gateways[0].public_url.as_deref().unwrap().ends_with("/ipfs/"));

    let plans = send("plans_list", http().get(url(&emu, "/plans"))).await.json();
    let codes: Vec<_> =
        plans.as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap().to_owned()).collect();
    assert_eq!(codes, ["free", "premium"]);

    let key = |r: reqwest::RequestBuilder| r.header("x-api-key", ADMIN);
    let change = |plan: &str| key(http().put(url(&emu, "/plans/change"))).json(&json!({ "planId": plan }));
    assert_eq!(send("plans_change", change("gold")).await.status, 400);
    assert_eq!(send("plans_change", change("free")).await.status, 200);
    let mine = send("plans_my_plan_get", key(http().get(url(&emu, "/plans/my-plan")))).await;
    assert_eq!(mine.json()["currentPlan"]["code"], "free");
    let gateways =
        send("cluster_gateways_list", key(http().get(url(&emu, "/cluster/gateways?cl=cl1-eu")))).await;
    assert_eq!(gateways.status, 403, "the free plan allows cl0-global only");
    let gateways = send("cluster_gateways_list", key(http().get(url(&emu, "/cluster/gateways")))).await;
    assert_eq!(gateways.json()["clusterId"], "cl0-global");
}

#[tokio::test]
async fn logs_record_actions_and_filter_and_page() {
    let emu = support::start().await;
    let client = support::client(&emu, ADMIN);
    client.upload("a", &b"a"[..]).send().await.unwrap();
    client.upload("b", &b"b"[..]).send().await.unwrap();
    let key = |r: reqwest::RequestBuilder| r.header("x-api-key", ADMIN);
    let logs =
        send("users_me_logs_list", key(http().get(url(&emu, "/users/me/logs?action=upload&limit=1")))).await;
    assert_eq!(logs.json()["total"], 2);
    assert_eq!(logs.json()["totalPages"], 2);
    assert_eq!(logs.json()["logs"].as_array().unwrap().len(), 1);
    assert_eq!(logs.json()["logs"][0]["source"], "API");
    for bad in ["limit=101", "page=0", "type=DEBUG"] {
        let reply =
            send("users_me_logs_list", key(http().get(url(&emu, &format!("/users/me/logs?{bad}"))))).await;
        assert_eq!(reply.status, 400, "{bad}");
    }
}
