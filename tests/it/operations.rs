//! The request every operation sends and the answer it decodes, against mock servers.
//!
//! [`every_operation_sends_its_request_line`] is one table: for each operation of the spec, the
//! request line as it goes on the wire (method and filled path, percent-encoding included),
//! written out literally, sent with the key in both forms; the key is required where the spec
//! says the operation is authenticated, and the answer must come back with the spec's success
//! status. The tests after it check what is particular to one operation: its JSON body, its
//! query parameters and headers, and the decoding of a full answer (typed mocks, which match
//! the spec's method and path by themselves).

use std::future::Future;
use std::num::NonZeroU64;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use httpmock::MockServer;
use pinarkive::mock::MockServerExt;
use pinarkive::{types, Client, Error, OperationId, ResponseValue, Result, RetryPolicy, Scope};
use serde_json::{json, Value};

use crate::support::{self, Auth, CID, CID_V0};

use OperationId as Op;

/// The timelock the tests send, and how it goes on the wire in JSON bodies.
const TIMELOCK: &str = "2026-12-31T23:59:59Z";
/// How the multipart uploads send it (milliseconds, `Z`).
const TIMELOCK_MULTIPART: &str = "2026-12-31T23:59:59.000Z";

fn timelock() -> DateTime<Utc> {
    TIMELOCK.parse().expect("a valid timelock")
}

/// The acknowledgement most routes answer with.
fn message(text: &str) -> types::MessageResponse {
    types::MessageResponse { message: Some(text.into()), success: Some(true) }
}

/// One call, made with the least each operation needs; the answer's status.
type Call = for<'a> fn(&'a Client) -> Pin<Box<dyn Future<Output = Result<u16>> + 'a>>;

/// The status of a decoded answer.
fn status<T>(response: Result<ResponseValue<T>>) -> Result<u16> {
    response.map(|answer| answer.status().as_u16())
}

/// One row of the request-line table.
struct Line {
    op: OperationId,
    method: &'static str,
    path: String,
    call: Call,
    /// The answer the server gives, decoded by the call.
    answer: Value,
}

fn line(op: OperationId, method: &'static str, path: impl Into<String>, answer: Value, call: Call) -> Line {
    Line { op, method, path: path.into(), call, answer }
}

/// Every operation's request line, in the spec's order.
fn lines() -> Vec<Line> {
    let ok = || json!({"message": "ok", "success": true});
    let uploaded = || json!({"cid": CID});
    vec![
        line(Op::FilesUpload, "POST", "/files", uploaded(), |c| {
            Box::pin(async move { status(c.upload("a.txt", b"a".to_vec()).send().await) })
        }),
        line(Op::FilesDirectoryUpload, "POST", "/files/directory", uploaded(), |c| {
            let body = types::DirectoryUploadRequest::builder().dir_path("/srv/site");
            Box::pin(async move { status(c.files_directory_upload().body(body).send().await) })
        }),
        line(Op::FilesDirectoryDagUpload, "POST", "/files/directory-dag", uploaded(), |c| {
            Box::pin(async move { status(c.upload_dag().file("a.txt", b"a".to_vec()).send().await) })
        }),
        line(Op::FilesPin, "POST", format!("/files/pin/{CID}"), json!({"cid": CID}), |c| {
            let body = types::PinRequest::default();
            Box::pin(async move { status(c.files_pin().cid(CID).body(body).send().await) })
        }),
        line(Op::FilesRemove, "DELETE", format!("/files/remove/{CID_V0}"), json!({"removed": true}), |c| {
            Box::pin(async move { status(c.files_remove().cid(CID_V0).send().await) })
        }),
        line(Op::FilesRename, "PUT", "/files/rename/65f1c0ffee", json!({"updated": true}), |c| {
            let body = types::RenameRequest { new_name: "b.txt".into() };
            Box::pin(async move { status(c.files_rename().upload_id("65f1c0ffee").body(body).send().await) })
        }),
        line(Op::UsersMeGet, "GET", "/users/me", json!({"email": "ada@example.com"}), |c| {
            Box::pin(async move { status(c.users_me_get().send().await) })
        }),
        line(Op::UsersMeUpdate, "PUT", "/users/me", json!({}), |c| {
            let body = types::UserUpdateRequest::default();
            Box::pin(async move { status(c.users_me_update().body(body).send().await) })
        }),
        line(Op::UsersMePasswordUpdate, "PUT", "/users/me/password", ok(), |c| {
            let body =
                types::PasswordChangeRequest { current_password: "a".into(), new_password: "b".into() };
            Box::pin(async move { status(c.users_me_password_update().body(body).send().await) })
        }),
        line(Op::UsersMePreferencesGet, "GET", "/users/me/preferences", json!({}), |c| {
            Box::pin(async move { status(c.users_me_preferences_get().send().await) })
        }),
        line(Op::UsersMePreferencesUpdate, "PUT", "/users/me/preferences", json!({}), |c| {
            let body = types::Preferences::default();
            Box::pin(async move { status(c.users_me_preferences_update().body(body).send().await) })
        }),
        line(Op::UsersMeUploadsList, "GET", "/users/me/uploads", json!({"uploads": []}), |c| {
            Box::pin(async move { status(c.users_me_uploads_list().send().await) })
        }),
        line(Op::UsersMeUploadsDelete, "DELETE", format!("/users/me/uploads/{CID}"), ok(), |c| {
            Box::pin(async move { status(c.users_me_uploads_delete().cid(CID).send().await) })
        }),
        line(
            Op::UsersMeUploadsDagGet,
            "GET",
            format!("/users/me/uploads/dag/{CID}"),
            json!({"cid": CID}),
            |c| Box::pin(async move { status(c.users_me_uploads_dag_get().cid_dag(CID).send().await) }),
        ),
        line(
            Op::UsersMeClustersList,
            "GET",
            "/users/me/clusters",
            json!([{"clusterId": "cl0-global"}]),
            |c| Box::pin(async move { status(c.users_me_clusters_list().send().await) }),
        ),
        line(
            Op::UsersMePlansList,
            "GET",
            "/users/me/plans",
            json!([{"code": "free"}, {"code": "pro"}]),
            |c| Box::pin(async move { status(c.users_me_plans_list().send().await) }),
        ),
        line(Op::UsersMePlanGet, "GET", "/users/me/plan", json!({"name": "Pro", "code": "pro"}), |c| {
            Box::pin(async move { status(c.users_me_plan_get().send().await) })
        }),
        line(Op::UsersMePlanUpdate, "PUT", "/users/me/plan", json!({"planId": "pro"}), |c| {
            let body = types::PlanChangeRequest { plan_id: "pro".into() };
            Box::pin(async move { status(c.users_me_plan_update().body(body).send().await) })
        }),
        line(Op::UsersMeReferralsGet, "GET", "/users/me/referrals", json!({"referredUsers": []}), |c| {
            Box::pin(async move { status(c.users_me_referrals_get().send().await) })
        }),
        line(Op::UsersMeLogsList, "GET", "/users/me/logs", json!({"logs": []}), |c| {
            Box::pin(async move { status(c.users_me_logs_list().send().await) })
        }),
        line(Op::TokensGenerate, "POST", "/tokens/generate", json!({"token": "pk_new"}), |c| {
            let body = types::TokenGenerateRequest::builder().name("ci");
            Box::pin(async move { status(c.tokens_generate().body(body).send().await) })
        }),
        line(
            Op::TokensList,
            "GET",
            "/tokens/list",
            json!({"tokens": [{"name": "ci", "scopes": ["files:read"]}]}),
            |c| Box::pin(async move { status(c.tokens_list().send().await) }),
        ),
        // The name is one path segment: its `/` and space are percent-encoded.
        line(Op::TokensRevoke, "DELETE", "/tokens/revoke/ci%2Fold%20key", ok(), |c| {
            Box::pin(async move { status(c.tokens_revoke().name("ci/old key").send().await) })
        }),
        line(Op::StatusGet, "GET", format!("/status/{CID}"), json!({"status": "pinned"}), |c| {
            Box::pin(async move { status(c.status_get().cid(CID).send().await) })
        }),
        line(
            Op::StatusAllocationsGet,
            "GET",
            format!("/status/allocations/{CID}"),
            json!({"cid": CID}),
            |c| Box::pin(async move { status(c.status_allocations_get().cid(CID).send().await) }),
        ),
        line(Op::AllocationsGet, "GET", format!("/allocations/{CID}"), json!({"cid": CID}), |c| {
            Box::pin(async move { status(c.allocations_get().cid(CID).send().await) })
        }),
        line(Op::ClusterGatewaysList, "GET", "/cluster/gateways", json!({"gateways": []}), |c| {
            Box::pin(async move { status(c.cluster_gateways_list().send().await) })
        }),
        line(
            Op::PlansList,
            "GET",
            "/plans",
            json!([{"name": "Free", "descriptions": {"en": "Free plan"}}]),
            |c| Box::pin(async move { status(c.plans_list().send().await) }),
        ),
        line(Op::PlansMyPlanGet, "GET", "/plans/my-plan", json!({"isEarlyBird": false}), |c| {
            Box::pin(async move { status(c.plans_my_plan_get().send().await) })
        }),
        line(Op::PlansAllList, "GET", "/plans/all", json!([{"code": "internal"}]), |c| {
            Box::pin(async move { status(c.plans_all_list().send().await) })
        }),
        line(Op::PlansChange, "PUT", "/plans/change", json!({"success": true}), |c| {
            let body = types::PlanChangeRequest { plan_id: "free".into() };
            Box::pin(async move { status(c.plans_change().body(body).send().await) })
        }),
        line(Op::AuthLogin, "POST", "/auth/login", json!({"token": "session-jwt"}), |c| {
            let body = types::LoginRequest::builder().email("ada@example.com").password("hunter2");
            Box::pin(async move { status(c.auth_login().body(body).send().await) })
        }),
        line(Op::AuthSignup, "POST", "/auth/signup", ok(), |c| {
            let body = types::SignupRequest::builder().name("Ada").email("ada@example.com").password("pw");
            Box::pin(async move { status(c.auth_signup().body(body).send().await) })
        }),
        line(Op::AuthVerifyEmail, "POST", "/auth/verify-email", ok(), |c| {
            let body = types::TokenBodyRequest { token: "t".into() };
            Box::pin(async move { status(c.auth_verify_email().body(body).send().await) })
        }),
        line(Op::AuthResendVerification, "POST", "/auth/resend-verification", ok(), |c| {
            let body = types::EmailBodyRequest { email: "ada@example.com".into() };
            Box::pin(async move { status(c.auth_resend_verification().body(body).send().await) })
        }),
        line(Op::AuthLogout, "POST", "/auth/logout", ok(), |c| {
            Box::pin(
                async move { status(c.auth_logout().body(types::LogoutRequest::default()).send().await) },
            )
        }),
        line(Op::AuthForgotPassword, "POST", "/auth/forgot-password", ok(), |c| {
            let body = types::EmailBodyRequest { email: "ada@example.com".into() };
            Box::pin(async move { status(c.auth_forgot_password().body(body).send().await) })
        }),
        line(Op::AuthResetPassword, "POST", "/auth/reset-password", ok(), |c| {
            let body = types::ResetPasswordRequest::builder().token("t").new_password("pw");
            Box::pin(async move { status(c.auth_reset_password().body(body).send().await) })
        }),
        line(Op::Auth2faStatusGet, "GET", "/auth/2fa/status", json!({"twoFactorEnabled": true}), |c| {
            Box::pin(async move { status(c.auth_2fa_status_get().send().await) })
        }),
        line(Op::Auth2faSetup, "POST", "/auth/2fa/setup", json!({"secret": "JBSWY3DPEHPK3PXP"}), |c| {
            Box::pin(async move { status(c.auth_2fa_setup().send().await) })
        }),
        line(Op::Auth2faEnable, "POST", "/auth/2fa/enable", ok(), |c| {
            let body = types::TwoFactorCodeRequest { code: "123456".into() };
            Box::pin(async move { status(c.auth_2fa_enable().body(body).send().await) })
        }),
        line(Op::Auth2faDisable, "POST", "/auth/2fa/disable", ok(), |c| {
            let body = types::TwoFactorDisableRequest::builder().password("pw").code("123456");
            Box::pin(async move { status(c.auth_2fa_disable().body(body).send().await) })
        }),
        line(
            Op::Auth2faVerifyLogin,
            "POST",
            "/auth/2fa/verify-login",
            json!({"token": "session-jwt"}),
            |c| {
                let body =
                    types::TwoFactorVerifyLoginRequest::builder().temporary_token("tmp").code("123456");
                Box::pin(async move { status(c.auth_2fa_verify_login().body(body).send().await) })
            },
        ),
        line(Op::ApiInfoGet, "GET", "/", json!({"name": "Pinarkive API", "version": "3"}), |c| {
            Box::pin(async move { status(c.api_info_get().send().await) })
        }),
        line(Op::HealthGet, "GET", "/health", json!({"status": "ok"}), |c| {
            Box::pin(async move { status(c.health_get().send().await) })
        }),
        line(Op::PeersList, "GET", "/peers", json!([{"id": "12D3KooW", "peername": "peer-1"}]), |c| {
            Box::pin(async move { status(c.peers_list().send().await) })
        }),
        line(Op::LocalesLanguagesList, "GET", "/locales/languages", json!([{"code": "en"}]), |c| {
            Box::pin(async move { status(c.locales_languages_list().send().await) })
        }),
        line(Op::LocalesCountriesList, "GET", "/locales/countries", json!({"countries": []}), |c| {
            Box::pin(async move { status(c.locales_countries_list().send().await) })
        }),
        line(Op::DocsOpenapiGet, "GET", "/docs/openapi.json", json!({"openapi": "3.0.3"}), |c| {
            Box::pin(async move { status(c.docs_openapi_get().send().await) })
        }),
    ]
}

/// Whether `path` is `template` with every `{param}` replaced by one non-empty segment.
fn fills_template(template: &str, path: &str) -> bool {
    let (template, path): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    template.len() == path.len()
        && template.iter().zip(&path).all(|(t, p)| if t.starts_with('{') { !p.is_empty() } else { t == p })
}

/// Each operation sends its request line with the key in both forms (required where the spec
/// says the operation is authenticated), and decodes the answer with the spec's success status.
/// The table names every operation of the spec once, in its order, each line written as the
/// spec's method and a path that fills its template.
#[tokio::test]
async fn every_operation_sends_its_request_line() {
    let lines = lines();
    let listed: Vec<OperationId> = lines.iter().map(|line| line.op).collect();
    assert_eq!(listed, OperationId::ALL, "the table must list every operation of the spec, in its order");
    for line in &lines {
        let op = line.op;
        assert_eq!(line.method, op.method(), "{op}: the table's method is not the spec's");
        assert!(fills_template(op.path(), &line.path), "{op}: {} does not fill {}", line.path, op.path());
        for auth in Auth::BOTH {
            let server = MockServer::start_async().await;
            let mock = server
                .mock_async(|when, then| {
                    let when = when.method(line.method).path(line.path.as_str());
                    if op.authenticated() {
                        auth.expect(when);
                    }
                    then.status(op.success_status())
                        .header("content-type", "application/json")
                        .json_body(line.answer.clone());
                })
                .await;
            let client = support::client(&server, auth);
            let answered = (line.call)(&client).await;
            mock.assert_async().await;
            let status = answered.unwrap_or_else(|e| panic!("{op} with the key as {auth:?}: {e}"));
            assert_eq!(status, op.success_status(), "{op} with the key as {auth:?}");
        }
    }
}

/// `operation_id => test_name |server, client| { body }` becomes a `#[tokio::test]` that runs
/// `body` with a fresh `server` and a `client` for it.
macro_rules! operation_tests {
    ($($op:ident => $test:ident |$server:ident, $client:ident| $body:block)*) => {
        $(
            #[tokio::test]
            async fn $test() -> Result<()> {
                let $server = MockServer::start_async().await;
                let $client = support::client(&$server, Auth::ApiKey);
                $body
                Ok(())
            }
        )*
    };
}

operation_tests! {
    files_upload => files_upload_sends_and_decodes |server, client| {
        let mock = server
            .mock_async(|when, then| {
                when.method("POST").path("/files")
                    .header_matches("content-type", "^multipart/form-data; boundary=.+$")
                    .header("x-cluster", "cl1-eu")
                    .body_includes("name=\"file\"; filename=\"hello.txt\"")
                    .body_includes("Content-Type: application/octet-stream\r\n\r\nhello world\r\n")
                    .body_includes("name=\"cl\"\r\n\r\ncl1-eu\r\n")
                    .body_includes(format!("name=\"timelock\"\r\n\r\n{TIMELOCK_MULTIPART}\r\n"));
                then.status(201).header("content-type", "application/json").json_body(json!({
                    "cid": CID,
                    "clusterId": "cl1-eu",
                    "expiresAt": TIMELOCK_MULTIPART,
                }));
            })
            .await;
        let result = client
            .upload("hello.txt", b"hello world".to_vec())
            .cluster("cl1-eu")
            .timelock(timelock())
            .send()
            .await;
        mock.assert_async().await;
        let up = result?;
        assert_eq!(up.cid, CID);
        assert_eq!(up.cluster_id.as_deref(), Some("cl1-eu"));
        assert_eq!(up.expires_at, Some(timelock()));
    }

    files_directory_upload => files_directory_upload_sends_and_decodes |server, client| {
        let mock = server.files_directory_upload(|when, then| {
            let when = when.cl("cl1-eu").x_cluster("cl2-es");
            when.into_inner()
                .json_body(json!({"dirPath": "/var/data/site", "cl": "cl1-eu", "timelock": TIMELOCK}));
            let created = types::UploadResponse::builder().cid(CID).cluster_id("cl1-eu".to_string());
            then.created(&created.try_into().expect("a valid UploadResponse"));
        });
        let result = client
            .files_directory_upload()
            .cl("cl1-eu")
            .x_cluster("cl2-es")
            .body(types::DirectoryUploadRequest {
                dir_path: "/var/data/site".into(),
                cl: Some("cl1-eu".into()),
                timelock: Some(timelock()),
            })
            .send()
            .await;
        mock.assert_async().await;
        let up = result?;
        assert_eq!(up.cid, CID);
        assert_eq!(up.cluster_id.as_deref(), Some("cl1-eu"));
    }

    files_directory_dag_upload => files_directory_dag_upload_sends_and_decodes |server, client| {
        let mock = server
            .mock_async(|when, then| {
                when.method("POST").path("/files/directory-dag")
                    .header_matches("content-type", "^multipart/form-data; boundary=.+$")
                    .body_includes("name=\"files\"; filename=\"index.html\"")
                    .body_includes("\r\n\r\n<h1>hi</h1>\r\n")
                    .body_includes("name=\"files\"; filename=\"assets/logo.svg\"")
                    .body_includes("\r\n\r\n<svg/>\r\n")
                    .body_excludes("files[]")
                    .body_includes("name=\"dirName\"\r\n\r\nsite\r\n")
                    .body_includes("name=\"cl\"\r\n\r\ncl1-eu\r\n");
                then.status(201).header("content-type", "application/json").json_body(json!({
                    "message": "Directory uploaded",
                    "cid": CID,
                    "filename": "site",
                    "type": "directory",
                    "files": [
                        {"cid": CID_V0, "filename": "index.html", "size": 11, "path": "index.html"},
                        {"cid": CID_V0, "filename": "logo.svg", "size": 6, "path": "assets/logo.svg"},
                    ],
                    "total_files": 2,
                    "total_size": 17,
                }));
            })
            .await;
        let result = client
            .upload_dag()
            .file("index.html", b"<h1>hi</h1>".to_vec())
            .file("assets/logo.svg", b"<svg/>".to_vec())
            .dir_name("site")
            .cluster("cl1-eu")
            .send()
            .await;
        mock.assert_async().await;
        let dag = result?;
        assert_eq!(dag.cid, CID);
        assert_eq!(dag.type_.as_deref(), Some("directory"));
        assert_eq!(dag.total_files, Some(2));
        let paths: Vec<_> = dag.files.iter().map(|f| f.path.as_deref()).collect();
        assert_eq!(paths, [Some("index.html"), Some("assets/logo.svg")]);
    }

    files_pin => files_pin_sends_and_decodes |server, client| {
        let mock = server.files_pin(|when, then| {
            let when = when.cid(CID).cl("cl1-eu").x_cluster("cl1-eu");
            when.into_inner().json_body(json!({
                "originalName": "photo.png",
                "customName": "Holiday photo",
                "cl": "cl1-eu",
                "timelock": TIMELOCK,
            }));
            then.created(&types::PinResponse {
                cid: Some(CID.into()),
                cluster_id: Some("cl1-eu".into()),
                pinned: Some(true),
                expires_at: Some(timelock()),
                ..Default::default()
            });
        });
        let result = client
            .files_pin()
            .cid(CID)
            .cl("cl1-eu")
            .x_cluster("cl1-eu")
            .body(types::PinRequest {
                original_name: Some("photo.png".into()),
                custom_name: Some("Holiday photo".into()),
                cl: Some("cl1-eu".into()),
                timelock: Some(timelock()),
            })
            .send()
            .await;
        mock.assert_async().await;
        let pin = result?;
        assert_eq!(pin.cid.as_deref(), Some(CID));
        assert_eq!(pin.pinned, Some(true));
        assert_eq!(pin.expires_at, Some(timelock()));
    }

    files_remove => files_remove_sends_and_decodes |server, client| {
        let mock = server.files_remove(|when, then| {
            when.cid(CID_V0).into_inner()
                .header_missing("x-cluster");
            then.ok(&types::RemoveResponse { cid: Some(CID_V0.into()), removed: Some(true) });
        });
        let result = client.files_remove().cid(CID_V0).send().await;
        mock.assert_async().await;
        let removed = result?;
        assert_eq!(removed.cid.as_deref(), Some(CID_V0));
        assert_eq!(removed.removed, Some(true));
    }

    files_rename => files_rename_sends_and_decodes |server, client| {
        let mock = server.files_rename(|when, then| {
            let when = when.upload_id("65f1c0ffee0123456789abcd");
            when.into_inner()
                .json_body(json!({"newName": "renamed.txt"}));
            then.ok(&types::RenameResponse { updated: Some(true), new_name: Some("renamed.txt".into()) });
        });
        let result = client
            .files_rename()
            .upload_id("65f1c0ffee0123456789abcd")
            .body(types::RenameRequest { new_name: "renamed.txt".into() })
            .send()
            .await;
        mock.assert_async().await;
        let renamed = result?;
        assert_eq!(renamed.updated, Some(true));
        assert_eq!(renamed.new_name.as_deref(), Some("renamed.txt"));
    }

    users_me_get => users_me_get_sends_and_decodes |server, client| {
        let mock = server.users_me_get(|when, then| {
            when.into_inner();
            then.ok(&types::UserProfile {
                id: Some("65f1".into()),
                email: Some("ada@example.com".into()),
                plan: Some(json!("free")),
                clusters: Some(json!(2)),
                ..Default::default()
            });
        });
        let result = client.users_me_get().send().await;
        mock.assert_async().await;
        let me = result?;
        assert_eq!(me.email.as_deref(), Some("ada@example.com"));
        assert_eq!(me.id.as_deref(), Some("65f1"));
        assert_eq!(me.plan, Some(json!("free")));
    }

    users_me_update => users_me_update_sends_and_decodes |server, client| {
        let mock = server.users_me_update(|when, then| {
            when.into_inner()
                .json_body(json!({"name": "Ada", "lastname": "Lovelace"}));
            then.ok(&types::UserProfile {
                name: Some("Ada".into()),
                lastname: Some("Lovelace".into()),
                ..Default::default()
            });
        });
        let result = client
            .users_me_update()
            .body(types::UserUpdateRequest { name: Some("Ada".into()), lastname: Some("Lovelace".into()) })
            .send()
            .await;
        mock.assert_async().await;
        let me = result?;
        assert_eq!(me.lastname.as_deref(), Some("Lovelace"));
    }

    users_me_password_update => users_me_password_update_sends_and_decodes |server, client| {
        let mock = server.users_me_password_update(|when, then| {
            when.into_inner()
                .json_body(json!({"currentPassword": "old-secret", "newPassword": "new-secret"}));
            then.ok(&message("Password updated"));
        });
        let result = client
            .users_me_password_update()
            .body(types::PasswordChangeRequest {
                current_password: "old-secret".into(),
                new_password: "new-secret".into(),
            })
            .send()
            .await;
        mock.assert_async().await;
        let answer = result?;
        assert_eq!(answer.message.as_deref(), Some("Password updated"));
    }

    users_me_preferences_get => users_me_preferences_get_sends_and_decodes |server, client| {
        let mock = server.users_me_preferences_get(|when, then| {
            when.into_inner();
            then.ok(&types::Preferences { language: Some("en".into()), country: Some("ES".into()) });
        });
        let result = client.users_me_preferences_get().send().await;
        mock.assert_async().await;
        let prefs = result?;
        assert_eq!(prefs.language.as_deref(), Some("en"));
        assert_eq!(prefs.country.as_deref(), Some("ES"));
    }

    users_me_preferences_update => users_me_preferences_update_sends_and_decodes |server, client| {
        let mock = server.users_me_preferences_update(|when, then| {
            when.into_inner()
                .json_body(json!({"language": "es", "country": "ES"}));
            then.ok(&types::Preferences { language: Some("es".into()), country: Some("ES".into()) });
        });
        let result = client
            .users_me_preferences_update()
            .body(types::Preferences { language: Some("es".into()), country: Some("ES".into()) })
            .send()
            .await;
        mock.assert_async().await;
        let prefs = result?;
        assert_eq!(prefs.language.as_deref(), Some("es"));
    }

    users_me_uploads_list => users_me_uploads_list_sends_and_decodes |server, client| {
        let mock = server.users_me_uploads_list(|when, then| {
            let when = when
                .page(NonZeroU64::new(2))
                .limit(NonZeroU64::new(50))
                .parent_cid(CID)
                .has_expiration(true);
            // The same four parameters, spelled as the server sees them.
            when.into_inner()
                .query_param("page", "2")
                .query_param("limit", "50")
                .query_param("parentCid", CID)
                .query_param("hasExpiration", "true");
            then.ok(&types::UploadList {
                uploads: vec![types::Upload::builder()
                    .cid(CID_V0)
                    .cluster_id("cl0-global".to_string())
                    .bk(1u64)
                    .expires_at(timelock())
                    .try_into()
                    .expect("a valid Upload")],
                total: Some(51),
                pagination: None,
            });
        });
        let result = client
            .users_me_uploads_list()
            .page(2u64)
            .limit(50u64)
            .parent_cid(CID)
            .has_expiration(true)
            .send()
            .await;
        mock.assert_async().await;
        let page = result?;
        assert_eq!(page.uploads.len(), 1);
        assert_eq!(page.uploads[0].cid, CID_V0);
        assert_eq!(page.uploads[0].expires_at, Some(timelock()));
        assert_eq!(page.total, Some(51));
    }

    users_me_uploads_dag_get => users_me_uploads_dag_get_sends_and_decodes |server, client| {
        let mock = server.users_me_uploads_dag_get(|when, then| {
            when.cid_dag(CID).into_inner();
            then.ok(&types::DagDetail(json!({"cid": CID, "files": [{"path": "index.html", "cid": CID_V0}]})));
        });
        let result = client.users_me_uploads_dag_get().cid_dag(CID).send().await;
        mock.assert_async().await;
        let dag = result?;
        assert_eq!(dag["cid"], CID);
        assert_eq!(dag["files"][0]["path"], "index.html");
    }

    users_me_clusters_list => users_me_clusters_list_sends_and_decodes |server, client| {
        let mock = server.users_me_clusters_list(|when, then| {
            when.into_inner();
            then.ok(&types::ClusterList(vec![types::Cluster {
                cluster_id: Some("cl0-global".into()),
                gateways: vec![types::Gateway {
                    public_url: Some("https://gateway.pinarkive.com/ipfs/".into()),
                    order: Some(0),
                    ..Default::default()
                }],
                ..Default::default()
            }]));
        });
        let result = client.users_me_clusters_list().send().await;
        mock.assert_async().await;
        let clusters = result?;
        assert_eq!(clusters.len(), 1);
        assert_eq!(clusters[0].cluster_id.as_deref(), Some("cl0-global"));
        let gateway = &clusters[0].gateways[0];
        assert_eq!(gateway.public_url.as_deref(), Some("https://gateway.pinarkive.com/ipfs/"));
    }

    users_me_plan_update => users_me_plan_update_sends_and_decodes |server, client| {
        let mock = server.users_me_plan_update(|when, then| {
            when.into_inner().json_body(json!({"planId": "pro"}));
            then.ok(&types::PlanChangeResponse(json!({"message": "Plan changed", "planId": "pro"})));
        });
        let body = types::PlanChangeRequest::builder().plan_id("pro");
        let result = client.users_me_plan_update().body(body).send().await;
        mock.assert_async().await;
        let changed = result?;
        assert_eq!(changed["planId"], "pro");
    }

    users_me_referrals_get => users_me_referrals_get_sends_and_decodes |server, client| {
        let mock = server.users_me_referrals_get(|when, then| {
            when.into_inner();
            then.ok(&types::ReferralsResponse {
                referred_users: vec![types::ReferredUser {
                    email: Some("bob@example.com".into()),
                    mb_earned: Some(100.0),
                    is_active: Some(true),
                    ..Default::default()
                }],
            });
        });
        let result = client.users_me_referrals_get().send().await;
        mock.assert_async().await;
        let referrals = result?;
        assert_eq!(referrals.referred_users.len(), 1);
        assert_eq!(referrals.referred_users[0].email.as_deref(), Some("bob@example.com"));
        assert_eq!(referrals.referred_users[0].mb_earned, Some(100.0));
    }

    users_me_logs_list => users_me_logs_list_sends_and_decodes |server, client| {
        let mock = server.users_me_logs_list(|when, then| {
            let when = when
                .page(NonZeroU64::new(3))
                .limit(NonZeroU64::new(100))
                .type_(types::UsersMeLogsListType::Warning)
                .action("login")
                .source("API");
            when.into_inner().query_param("type", "WARNING");
            then.ok(&types::LogList {
                logs: vec![types::LogEntry {
                    action: Some("login".into()),
                    type_: Some("WARNING".into()),
                    source: Some("API".into()),
                    ..Default::default()
                }],
                total: Some(201),
                total_pages: Some(3),
            });
        });
        let result = client
            .users_me_logs_list()
            .page(3u64)
            .limit(100u64)
            .type_(types::UsersMeLogsListType::Warning)
            .action("login")
            .source("API")
            .send()
            .await;
        mock.assert_async().await;
        let logs = result?;
        assert_eq!(logs.logs[0].action.as_deref(), Some("login"));
        assert_eq!(logs.total_pages, Some(3));
    }

    tokens_generate => tokens_generate_sends_and_decodes |server, client| {
        let mock = server.tokens_generate(|when, then| {
            when.into_inner().json_body(json!({
                "name": "ci-uploader",
                "label": "CI",
                "expiresInDays": 30,
                "scopes": ["files:read", "files:write"],
                "totpCode": "123456",
            }));
            then.created(&types::TokenCreated {
                token: Some("pk_live_new".into()),
                name: Some("ci-uploader".into()),
                scopes: vec!["files:read".into(), "files:write".into()],
                ..Default::default()
            });
        });
        let result = client
            .tokens_generate()
            .body(
                types::TokenGenerateRequest::builder()
                    .name("ci-uploader")
                    .label("CI".to_string())
                    .expires_in_days(30u64)
                    .scopes(vec![
                        Scope::FilesRead,
                        Scope::FilesWrite,
                    ])
                    .totp_code("123456".to_string()),
            )
            .send()
            .await;
        mock.assert_async().await;
        let token = result?;
        assert_eq!(token.token.as_deref(), Some("pk_live_new"));
        assert_eq!(token.scopes, ["files:read", "files:write"]);
    }

    tokens_revoke => tokens_revoke_sends_and_decodes |server, client| {
        // The name is one path segment, so its `/` and space must be percent-encoded; the typed
        // matcher takes the name as the caller writes it.
        let mock = server.tokens_revoke(|when, then| {
            when.name("ci/uploader old").into_inner()
                .json_body(json!({"totpCode": "123456"}));
            then.ok(&message("Token revoked"));
        });
        let result = client
            .tokens_revoke()
            .name("ci/uploader old")
            .body(types::TokenRevokeRequest { totp_code: Some("123456".into()), two_factor_code: None })
            .send()
            .await;
        mock.assert_async().await;
        let answer = result?;
        assert_eq!(answer.success, Some(true));
    }

    status_get => status_get_sends_and_decodes |server, client| {
        let mock = server.status_get(|when, then| {
            let when = when.cid(CID).cl("cl1-eu");
            when.into_inner().query_param("cl", "cl1-eu");
            then.ok(&types::CidStatus {
                cid: Some(CID.into()),
                status: Some("pinned".into()),
                peers: vec![types::PeerStatus {
                    peername: Some("peer-1".into()),
                    status: Some("pinned".into()),
                    ..Default::default()
                }],
                replication_factor: Some(-1),
                ..Default::default()
            });
        });
        let result = client.status_get().cid(CID).cl("cl1-eu").send().await;
        mock.assert_async().await;
        let status = result?;
        assert_eq!(status.status.as_deref(), Some("pinned"));
        assert_eq!(status.peers[0].peername.as_deref(), Some("peer-1"));
        assert_eq!(status.replication_factor, Some(-1));
    }

    status_allocations_get => status_allocations_get_sends_and_decodes |server, client| {
        let mock = server.status_allocations_get(|when, then| {
            let when = when.cid(CID_V0).cl("cl2-es");
            when.into_inner()
                .query_param("cl", "cl2-es");
            then.ok(&types::Allocations {
                cid: Some(CID_V0.into()),
                allocations: Some(json!(["peer-1", "peer-2"])),
                ..Default::default()
            });
        });
        let result = client.status_allocations_get().cid(CID_V0).cl("cl2-es").send().await;
        mock.assert_async().await;
        let allocations = result?;
        assert_eq!(allocations.cid.as_deref(), Some(CID_V0));
        assert_eq!(allocations.allocations, Some(json!(["peer-1", "peer-2"])));
    }

    allocations_get => allocations_get_sends_and_decodes |server, client| {
        let mock = server.allocations_get(|when, then| {
            let when = when.cid(CID).cl("cl1-na");
            when.into_inner().query_param("cl", "cl1-na");
            then.ok(&types::Allocations {
                cid: Some(CID.into()),
                peer_map: Some(json!({"peer-1": {"status": "pinned"}})),
                ..Default::default()
            });
        });
        let result = client.allocations_get().cid(CID).cl("cl1-na").send().await;
        mock.assert_async().await;
        let allocations = result?;
        assert_eq!(allocations.peer_map.as_ref().map(|m| &m["peer-1"]["status"]), Some(&json!("pinned")));
    }

    cluster_gateways_list => cluster_gateways_list_sends_and_decodes |server, client| {
        let mock = server.cluster_gateways_list(|when, then| {
            when.cl("cl2-de").into_inner()
                .query_param("cl", "cl2-de");
            then.ok(&types::ClusterGateways {
                cluster_id: Some("cl2-de".into()),
                gateways: vec![types::Gateway {
                    url: Some("https://de.gateway.example/ipfs/".into()),
                    label: Some("Primary".into()),
                    ..Default::default()
                }],
            });
        });
        let result = client.cluster_gateways_list().cl("cl2-de").send().await;
        mock.assert_async().await;
        let gateways = result?;
        assert_eq!(gateways.cluster_id.as_deref(), Some("cl2-de"));
        assert_eq!(gateways.gateways[0].url.as_deref(), Some("https://de.gateway.example/ipfs/"));
    }

    plans_my_plan_get => plans_my_plan_get_sends_and_decodes |server, client| {
        let mock = server.plans_my_plan_get(|when, then| {
            when.into_inner();
            then.ok(&types::MyPlan {
                current_plan: Some(types::Plan {
                    name: Some("Pro".into()),
                    timelock_allowed: Some(true),
                    allowed_cluster_ids: vec!["cl0-global".into(), "cl1-eu".into()],
                    ..Default::default()
                }),
                is_early_bird: Some(false),
                ..Default::default()
            });
        });
        let result = client.plans_my_plan_get().send().await;
        mock.assert_async().await;
        let mine = result?;
        let current = mine.current_plan.as_ref().expect("currentPlan");
        assert_eq!(current.name.as_deref(), Some("Pro"));
        assert_eq!(current.allowed_cluster_ids, ["cl0-global", "cl1-eu"]);
        assert_eq!(mine.is_early_bird, Some(false));
    }

    plans_change => plans_change_sends_and_decodes |server, client| {
        let mock = server.plans_change(|when, then| {
            when.into_inner().json_body(json!({"planId": "free"}));
            then.ok(&types::PlanChangeResponse(json!({"success": true})));
        });
        let body = types::PlanChangeRequest { plan_id: "free".into() };
        let result = client.plans_change().body(body).send().await;
        mock.assert_async().await;
        let changed = result?;
        assert_eq!(changed["success"], true);
    }

    auth_login => auth_login_sends_and_decodes |server, client| {
        let mock = server.auth_login(|when, then| {
            when.into_inner()
                .json_body(json!({"email": "ada@example.com", "password": "hunter2"}));
            then.ok(&types::LoginResponse {
                requires2_fa: Some(true),
                temporary_token: Some("tmp-123".into()),
                ..Default::default()
            });
        });
        let result = client
            .auth_login()
            .body(types::LoginRequest::builder().email("ada@example.com").password("hunter2"))
            .send()
            .await;
        mock.assert_async().await;
        let login = result?;
        assert_eq!(login.requires2_fa, Some(true));
        assert_eq!(login.temporary_token.as_deref(), Some("tmp-123"));
        assert_eq!(login.token, None);
    }

    auth_signup => auth_signup_sends_and_decodes |server, client| {
        let mock = server.auth_signup(|when, then| {
            when.into_inner().json_body(json!({
                "name": "Ada",
                "email": "ada@example.com",
                "password": "correct horse battery staple",
                "language": "es",
            }));
            then.created(&message("Verification email sent"));
        });
        let result = client
            .auth_signup()
            .body(
                types::SignupRequest::builder()
                    .name("Ada")
                    .email("ada@example.com")
                    .password("correct horse battery staple")
                    .language("es".to_string()),
            )
            .send()
            .await;
        mock.assert_async().await;
        let answer = result?;
        assert_eq!(answer.message.as_deref(), Some("Verification email sent"));
    }

    auth_verify_email => auth_verify_email_sends_and_decodes |server, client| {
        let mock = server.auth_verify_email(|when, then| {
            when.into_inner()
                .json_body(json!({"token": "verify-abc"}));
            then.ok(&message("Email verified"));
        });
        let body = types::TokenBodyRequest { token: "verify-abc".into() };
        let result = client.auth_verify_email().body(body).send().await;
        mock.assert_async().await;
        let answer = result?;
        assert_eq!(answer.message.as_deref(), Some("Email verified"));
    }

    auth_resend_verification => auth_resend_verification_sends_and_decodes |server, client| {
        let mock = server.auth_resend_verification(|when, then| {
            when.into_inner()
                .json_body(json!({"email": "ada@example.com"}));
            then.ok(&message("Sent"));
        });
        let result = client
            .auth_resend_verification()
            .body(types::EmailBodyRequest { email: "ada@example.com".into() })
            .send()
            .await;
        mock.assert_async().await;
        let answer = result?;
        assert_eq!(answer.message.as_deref(), Some("Sent"));
    }

    auth_logout => auth_logout_sends_and_decodes |server, client| {
        let mock = server.auth_logout(|when, then| {
            when.into_inner().json_body(json!({"token": "session-jwt"}));
            then.ok(&message("Logged out"));
        });
        let body = types::LogoutRequest { token: Some("session-jwt".into()) };
        let result = client.auth_logout().body(body).send().await;
        mock.assert_async().await;
        let answer = result?;
        assert_eq!(answer.message.as_deref(), Some("Logged out"));
    }

    auth_forgot_password => auth_forgot_password_sends_and_decodes |server, client| {
        let mock = server.auth_forgot_password(|when, then| {
            when.into_inner()
                .json_body(json!({"email": "ada@example.com"}));
            then.ok(&message("If the email exists, a link was sent"));
        });
        let result = client
            .auth_forgot_password()
            .body(types::EmailBodyRequest::builder().email("ada@example.com"))
            .send()
            .await;
        mock.assert_async().await;
        let answer = result?;
        assert!(answer.message.as_deref().is_some_and(|m| m.starts_with("If the email exists")));
    }

    auth_reset_password => auth_reset_password_sends_and_decodes |server, client| {
        let mock = server.auth_reset_password(|when, then| {
            when.into_inner()
                .json_body(json!({"token": "reset-abc", "newPassword": "new-secret"}));
            then.ok(&message("Password reset"));
        });
        let result = client
            .auth_reset_password()
            .body(types::ResetPasswordRequest::builder().token("reset-abc").new_password("new-secret"))
            .send()
            .await;
        mock.assert_async().await;
        let answer = result?;
        assert_eq!(answer.success, Some(true));
    }

    auth_2fa_setup => auth_2fa_setup_sends_and_decodes |server, client| {
        // No request body in the spec: nothing is sent.
        let mock = server.auth_2fa_setup(|when, then| {
            when.into_inner().body("");
            then.ok(&types::TwoFactorSetup {
                secret: Some("JBSWY3DPEHPK3PXP".into()),
                qr_url: Some("otpauth://totp/Pinarkive:ada?secret=JBSWY3DPEHPK3PXP".into()),
                qr_data_url: None,
            });
        });
        let result = client.auth_2fa_setup().send().await;
        mock.assert_async().await;
        let setup = result?;
        assert_eq!(setup.secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert!(setup.qr_url.as_deref().is_some_and(|u| u.starts_with("otpauth://")));
    }

    auth_2fa_enable => auth_2fa_enable_sends_and_decodes |server, client| {
        let mock = server.auth_2fa_enable(|when, then| {
            when.into_inner().json_body(json!({"code": "123456"}));
            then.ok(&message("2FA enabled"));
        });
        let body = types::TwoFactorCodeRequest { code: "123456".into() };
        let result = client.auth_2fa_enable().body(body).send().await;
        mock.assert_async().await;
        let answer = result?;
        assert_eq!(answer.message.as_deref(), Some("2FA enabled"));
    }

    auth_2fa_disable => auth_2fa_disable_sends_and_decodes |server, client| {
        let mock = server.auth_2fa_disable(|when, then| {
            when.into_inner()
                .json_body(json!({"password": "hunter2", "code": "654321"}));
            then.ok(&message("2FA disabled"));
        });
        let result = client
            .auth_2fa_disable()
            .body(types::TwoFactorDisableRequest::builder().password("hunter2").code("654321"))
            .send()
            .await;
        mock.assert_async().await;
        let answer = result?;
        assert_eq!(answer.message.as_deref(), Some("2FA disabled"));
    }

    auth_2fa_verify_login => auth_2fa_verify_login_sends_and_decodes |server, client| {
        let mock = server.auth_2fa_verify_login(|when, then| {
            when.into_inner()
                .json_body(json!({"temporaryToken": "tmp-123", "code": "123456"}));
            then.ok(&types::LoginResponse { token: Some("session-jwt".into()), ..Default::default() });
        });
        let result = client
            .auth_2fa_verify_login()
            .body(types::TwoFactorVerifyLoginRequest::builder().temporary_token("tmp-123").code("123456"))
            .send()
            .await;
        mock.assert_async().await;
        let login = result?;
        assert_eq!(login.token.as_deref(), Some("session-jwt"));
    }

    docs_openapi_get => docs_openapi_get_sends_and_decodes |server, client| {
        let document =
            json!({"openapi": "3.0.3", "info": {"title": "Pinarkive", "version": "3"}, "paths": {}});
        let mock = server.docs_openapi_get(|when, then| {
            when.into_inner();
            then.ok(&serde_json::from_value(document.clone()).expect("an object"));
        });
        let result = client.docs_openapi_get().send().await;
        mock.assert_async().await;
        let doc = result?;
        assert_eq!(doc.get("openapi"), Some(&json!("3.0.3")));
        assert_eq!(serde_json::Value::Object(doc.into_inner().0), document);
    }
}

/// The route check of the request-line table itself.
#[test]
fn paths_are_checked_against_the_spec_template() {
    assert!(fills_template("/files/pin/{cid}", &format!("/files/pin/{CID}")));
    assert!(fills_template("/", "/"));
    assert!(!fills_template("/files/pin/{cid}", "/files/pin/"));
    assert!(!fills_template("/files/pin/{cid}", "/files/pin/a/b"));
    assert!(!fills_template("/users/me", "/users/me/plan"));
}

/// An invalid CID is refused before anything is sent, naming the value.
#[tokio::test]
async fn an_invalid_cid_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let client = support::client(&server, Auth::ApiKey);
    let err = client.files_pin().cid("not-a-cid").send().await.unwrap_err();
    assert!(matches!(&err, Error::InvalidInput(message) if message.contains("not-a-cid")), "{err:?}");
    assert!(err.to_string().contains("\"not-a-cid\" is not a valid CID"), "{err}");
    anything.assert_calls_async(0).await;
}

/// Every operation with a `{cid}` or `{cidDag}` path segment checks it, not only `files_pin`.
#[tokio::test]
async fn every_cid_path_segment_is_checked() {
    const BAD: &str = "bafy-not-base32!";
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let client = support::client(&server, Auth::Bearer);
    let with_cid: Vec<OperationId> = OperationId::ALL
        .iter()
        .copied()
        .filter(|op| op.path().contains("{cid}") || op.path().contains("{cidDag}"))
        .collect();
    for op in &with_cid {
        let result = match op {
            Op::FilesPin => client.files_pin().cid(BAD).send().await.map(drop),
            Op::FilesRemove => client.files_remove().cid(BAD).send().await.map(drop),
            Op::UsersMeUploadsDelete => client.users_me_uploads_delete().cid(BAD).send().await.map(drop),
            Op::UsersMeUploadsDagGet => client.users_me_uploads_dag_get().cid_dag(BAD).send().await.map(drop),
            Op::StatusGet => client.status_get().cid(BAD).send().await.map(drop),
            Op::StatusAllocationsGet => client.status_allocations_get().cid(BAD).send().await.map(drop),
            Op::AllocationsGet => client.allocations_get().cid(BAD).send().await.map(drop),
            other => panic!("{other} has a CID in its path; add it to this test"),
        };
        let err = result.unwrap_err();
        assert!(matches!(&err, Error::InvalidInput(message) if message.contains(BAD)), "{op}: {err:?}");
    }
    assert_eq!(with_cid.len(), 7, "{with_cid:?}");
    anything.assert_calls_async(0).await;
}

/// The client's default cluster goes out as `X-Cluster` where the operation takes one, and
/// nowhere else; a cluster named on the call wins.
#[tokio::test]
async fn the_default_cluster_is_sent_where_the_operation_takes_one() -> Result<()> {
    assert!(Op::FilesPin.takes_cluster() && !Op::FilesRemove.takes_cluster());
    let server = MockServer::start_async().await;
    let client = support::builder(&server, Auth::ApiKey)
        .cluster("cl0-global")
        .retry_policy(RetryPolicy::none())
        .build()?;
    assert_eq!(client.default_cluster(), Some("cl0-global"));

    let pin = server.files_pin(|when, then| {
        when.cid(CID).x_cluster("cl0-global").cl(None);
        then.created(&types::PinResponse { cid: Some(CID.into()), ..Default::default() });
    });
    let result = client.files_pin().cid(CID).send().await;
    pin.assert_async().await;
    result?;

    let remove = server.files_remove(|when, then| {
        when.cid(CID).into_inner().header_missing("x-cluster");
        then.ok(&types::RemoveResponse { cid: Some(CID.into()), removed: Some(true) });
    });
    let result = client.files_remove().cid(CID).send().await;
    remove.assert_async().await;
    result?;

    let explicit = server.files_pin(|when, then| {
        when.cid(CID_V0).x_cluster("cl1-eu").into_inner().header_count("x-cluster", ".*", 1);
        then.created(&types::PinResponse { cid: Some(CID_V0.into()), ..Default::default() });
    });
    let result = client.files_pin().cid(CID_V0).x_cluster("cl1-eu").send().await;
    explicit.assert_async().await;
    result?;

    // A `cl` query parameter names the cluster too: the default must not contradict it.
    let by_query = server.files_pin(|when, then| {
        when.cid(CID).cl("cl2-es").into_inner().header_missing("x-cluster");
        then.created(&types::PinResponse { cid: Some(CID.into()), ..Default::default() });
    });
    let result = client.files_pin().cid(CID).cl("cl2-es").send().await;
    by_query.assert_async().await;
    result?;
    Ok(())
}

/// Uploads send the default cluster as the `cl` form field, and the cluster they name (as `cl`
/// and `X-Cluster`) instead of the default.
#[tokio::test]
async fn an_upload_sends_the_default_cluster_as_cl() -> Result<()> {
    let server = MockServer::start_async().await;
    let client = support::builder(&server, Auth::Bearer)
        .cluster("cl0-global")
        .retry_policy(RetryPolicy::none())
        .build()?;
    let mock = server
        .mock_async(|when, then| {
            Auth::Bearer
                .expect(when.method("POST").path("/files"))
                .body_includes("name=\"file\"; filename=\"a.txt\"")
                .body_includes("name=\"cl\"\r\n\r\ncl0-global\r\n")
                .body_excludes("name=\"timelock\"");
            then.status(201).header("content-type", "application/json").json_body(json!({"cid": CID}));
        })
        .await;
    let result = client.upload("a.txt", b"a".to_vec()).send().await;
    mock.assert_async().await;
    assert_eq!(result?.cid, CID);

    let named = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/files")
                .header("x-cluster", "cl1-eu")
                .body_includes("name=\"cl\"\r\n\r\ncl1-eu\r\n")
                .body_excludes("cl0-global");
            then.status(201).header("content-type", "application/json").json_body(json!({"cid": CID}));
        })
        .await;
    let result = client.upload("b.txt", b"b".to_vec()).cluster("cl1-eu").send().await;
    named.assert_async().await;
    assert_eq!(result?.cid, CID);
    Ok(())
}

/// A typed path matcher is literal: `a.c` must not match `abc`.
#[tokio::test]
async fn typed_path_matchers_are_literal() -> Result<()> {
    let server = MockServer::start_async().await;
    let literal = server.tokens_revoke(|when, then| {
        when.name("a.c");
        then.ok(&message("revoked"));
    });
    let client = support::client(&server, Auth::ApiKey);
    let result = client.tokens_revoke().name("abc").send().await;
    literal.assert_calls_async(0).await;
    assert!(result.is_err());
    client.tokens_revoke().name("a.c").send().await?;
    literal.assert_calls_async(1).await;
    Ok(())
}
