//! One mock-server test per operation of the spec: method, path, query, headers, JSON body and
//! the key (in both forms) that the client sends, and the response it decodes.
//!
//! Each test runs once per key form ([`Auth::BOTH`]) against a fresh server. The request line is
//! spelled out literally in every test (and checked against `pinarkive::spec::OPERATIONS`, so a
//! typo in a test fails too); the key is required only where the spec says the operation is
//! authenticated. [`every_operation_has_a_test`] fails when an operation has no test here.

use std::collections::BTreeSet;
use std::num::NonZeroU64;

use chrono::{DateTime, Utc};
use httpmock::{MockServer, When};
use pinarkive::mock::MockServerExt;
use pinarkive::spec::{self, Operation, OPERATIONS};
use pinarkive::{types, Error, ResponseValue, Result, RetryPolicy};
use serde_json::json;

use crate::support::{self, Auth, CID, CID_V0};

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

/// The operation under test and the form the client sends its key in.
#[derive(Debug, Clone, Copy)]
struct Case {
    op: &'static Operation,
    auth: Auth,
}

impl Case {
    fn new(id: &str, auth: Auth) -> Case {
        let op = spec::operation(id).unwrap_or_else(|| panic!("{id} is not an operationId of the spec"));
        Case { op, auth }
    }

    /// Requires `method` and `path` (checked against the spec's route first), and the key in
    /// this case's form when the operation is authenticated. A public operation's request is
    /// matched whatever credentials it carries: the client sends its key anyway.
    fn expect(self, when: When, method: &str, path: &str) -> When {
        assert_eq!(method, self.op.method, "{}: the test's method is not the spec's", self.op.id);
        assert!(
            fills_template(self.op.path, path),
            "{}: the test's path {path} does not fill the spec's {}",
            self.op.id,
            self.op.path
        );
        let when = when.method(method).path(path);
        if self.op.authenticated {
            self.auth.expect(when)
        } else {
            when
        }
    }

    /// Asserts that the response came with the spec's success status.
    fn assert_status<T>(self, response: &ResponseValue<T>) {
        assert_eq!(
            response.status().as_u16(),
            self.op.success_status,
            "{} ({:?}): status",
            self.op.id,
            self.auth
        );
    }
}

/// Whether `path` is `template` with every `{param}` replaced by one non-empty segment.
fn fills_template(template: &str, path: &str) -> bool {
    let (template, path): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    template.len() == path.len()
        && template.iter().zip(&path).all(|(t, p)| if t.starts_with('{') { !p.is_empty() } else { t == p })
}

/// `operation_id => test_name |server, client, case| { body }` becomes a `#[tokio::test]`
/// that runs `body` once per key form, with a fresh `server`, a `client` for it that sends
/// the key in that form, and the `case` (operation and form). All `operation_id`s are listed
/// in `COVERED`.
macro_rules! operation_tests {
    ($($op:ident => $test:ident |$server:ident, $client:ident, $case:ident| $body:block)*) => {
        /// Every (operationId, test name) below.
        const COVERED: &[(&str, &str)] = &[$((stringify!($op), stringify!($test))),*];

        $(
            #[tokio::test]
            async fn $test() -> Result<()> {
                for auth in Auth::BOTH {
                    eprintln!("{} with the key as {auth:?}", stringify!($op));
                    let $case = Case::new(stringify!($op), auth);
                    let $server = MockServer::start_async().await;
                    let $client = support::client(&$server, auth);
                    $body
                }
                Ok(())
            }
        )*
    };
}

operation_tests! {
    // ------------------------------------------------------------------ files

    files_upload => files_upload_sends_its_request |server, client, case| {
        let mock = server
            .mock_async(|when, then| {
                case.expect(when, "POST", "/files")
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
        case.assert_status(&up);
        assert_eq!(up.cid, CID);
        assert_eq!(up.cluster_id.as_deref(), Some("cl1-eu"));
        assert_eq!(up.expires_at, Some(timelock()));
    }

    files_directory_upload => files_directory_upload_sends_its_request |server, client, case| {
        let mock = server.files_directory_upload(|when, then| {
            let when = when.cl("cl1-eu").x_cluster("cl2-es");
            case.expect(when.into_inner(), "POST", "/files/directory")
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
        case.assert_status(&up);
        assert_eq!(up.cid, CID);
        assert_eq!(up.cluster_id.as_deref(), Some("cl1-eu"));
    }

    files_directory_dag_upload => files_directory_dag_upload_sends_its_request |server, client, case| {
        let mock = server
            .mock_async(|when, then| {
                case.expect(when, "POST", "/files/directory-dag")
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
        case.assert_status(&dag);
        assert_eq!(dag.cid, CID);
        assert_eq!(dag.type_.as_deref(), Some("directory"));
        assert_eq!(dag.total_files, Some(2));
        let paths: Vec<_> = dag.files.iter().map(|f| f.path.as_deref()).collect();
        assert_eq!(paths, [Some("index.html"), Some("assets/logo.svg")]);
    }

    files_pin => files_pin_sends_its_request |server, client, case| {
        let mock = server.files_pin(|when, then| {
            let when = when.cid(CID).cl("cl1-eu").x_cluster("cl1-eu");
            case.expect(when.into_inner(), "POST", &format!("/files/pin/{CID}")).json_body(json!({
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
        case.assert_status(&pin);
        assert_eq!(pin.cid.as_deref(), Some(CID));
        assert_eq!(pin.pinned, Some(true));
        assert_eq!(pin.expires_at, Some(timelock()));
    }

    files_remove => files_remove_sends_its_request |server, client, case| {
        let mock = server.files_remove(|when, then| {
            case.expect(when.cid(CID_V0).into_inner(), "DELETE", &format!("/files/remove/{CID_V0}"))
                .header_missing("x-cluster");
            then.ok(&types::RemoveResponse { cid: Some(CID_V0.into()), removed: Some(true) });
        });
        let result = client.files_remove().cid(CID_V0).send().await;
        mock.assert_async().await;
        let removed = result?;
        case.assert_status(&removed);
        assert_eq!(removed.cid.as_deref(), Some(CID_V0));
        assert_eq!(removed.removed, Some(true));
    }

    files_rename => files_rename_sends_its_request |server, client, case| {
        let mock = server.files_rename(|when, then| {
            let when = when.upload_id("65f1c0ffee0123456789abcd");
            case.expect(when.into_inner(), "PUT", "/files/rename/65f1c0ffee0123456789abcd")
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
        case.assert_status(&renamed);
        assert_eq!(renamed.updated, Some(true));
        assert_eq!(renamed.new_name.as_deref(), Some("renamed.txt"));
    }

    // ------------------------------------------------------------------ users

    users_me_get => users_me_get_sends_its_request |server, client, case| {
        let mock = server.users_me_get(|when, then| {
            case.expect(when.into_inner(), "GET", "/users/me");
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
        case.assert_status(&me);
        assert_eq!(me.email.as_deref(), Some("ada@example.com"));
        assert_eq!(me.id.as_deref(), Some("65f1"));
        assert_eq!(me.plan, Some(json!("free")));
    }

    users_me_update => users_me_update_sends_its_request |server, client, case| {
        let mock = server.users_me_update(|when, then| {
            case.expect(when.into_inner(), "PUT", "/users/me")
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
        case.assert_status(&me);
        assert_eq!(me.lastname.as_deref(), Some("Lovelace"));
    }

    users_me_password_update => users_me_password_update_sends_its_request |server, client, case| {
        let mock = server.users_me_password_update(|when, then| {
            case.expect(when.into_inner(), "PUT", "/users/me/password")
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
        case.assert_status(&answer);
        assert_eq!(answer.message.as_deref(), Some("Password updated"));
    }

    users_me_preferences_get => users_me_preferences_get_sends_its_request |server, client, case| {
        let mock = server.users_me_preferences_get(|when, then| {
            case.expect(when.into_inner(), "GET", "/users/me/preferences");
            then.ok(&types::Preferences { language: Some("en".into()), country: Some("ES".into()) });
        });
        let result = client.users_me_preferences_get().send().await;
        mock.assert_async().await;
        let prefs = result?;
        case.assert_status(&prefs);
        assert_eq!(prefs.language.as_deref(), Some("en"));
        assert_eq!(prefs.country.as_deref(), Some("ES"));
    }

    users_me_preferences_update => users_me_preferences_update_sends_its_request |server, client, case| {
        let mock = server.users_me_preferences_update(|when, then| {
            case.expect(when.into_inner(), "PUT", "/users/me/preferences")
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
        case.assert_status(&prefs);
        assert_eq!(prefs.language.as_deref(), Some("es"));
    }

    users_me_uploads_list => users_me_uploads_list_sends_its_request |server, client, case| {
        let mock = server.users_me_uploads_list(|when, then| {
            let when = when
                .page(NonZeroU64::new(2))
                .limit(NonZeroU64::new(50))
                .parent_cid(CID)
                .has_expiration(true);
            // The same four parameters, spelled as the server sees them.
            case.expect(when.into_inner(), "GET", "/users/me/uploads")
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
        case.assert_status(&page);
        assert_eq!(page.uploads.len(), 1);
        assert_eq!(page.uploads[0].cid, CID_V0);
        assert_eq!(page.uploads[0].expires_at, Some(timelock()));
        assert_eq!(page.total, Some(51));
    }

    users_me_uploads_delete => users_me_uploads_delete_sends_its_request |server, client, case| {
        let mock = server.users_me_uploads_delete(|when, then| {
            case.expect(when.cid(CID).into_inner(), "DELETE", &format!("/users/me/uploads/{CID}"));
            then.ok(&message("Upload deleted"));
        });
        let result = client.users_me_uploads_delete().cid(CID).send().await;
        mock.assert_async().await;
        let answer = result?;
        case.assert_status(&answer);
        assert_eq!(answer.message.as_deref(), Some("Upload deleted"));
    }

    users_me_uploads_dag_get => users_me_uploads_dag_get_sends_its_request |server, client, case| {
        let mock = server.users_me_uploads_dag_get(|when, then| {
            case.expect(when.cid_dag(CID).into_inner(), "GET", &format!("/users/me/uploads/dag/{CID}"));
            then.ok(&types::DagDetail(json!({"cid": CID, "files": [{"path": "index.html", "cid": CID_V0}]})));
        });
        let result = client.users_me_uploads_dag_get().cid_dag(CID).send().await;
        mock.assert_async().await;
        let dag = result?;
        case.assert_status(&dag);
        assert_eq!(dag["cid"], CID);
        assert_eq!(dag["files"][0]["path"], "index.html");
    }

    users_me_clusters_list => users_me_clusters_list_sends_its_request |server, client, case| {
        let mock = server.users_me_clusters_list(|when, then| {
            case.expect(when.into_inner(), "GET", "/users/me/clusters");
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
        case.assert_status(&clusters);
        assert_eq!(clusters.len(), 1);
        assert_eq!(clusters[0].cluster_id.as_deref(), Some("cl0-global"));
        let gateway = &clusters[0].gateways[0];
        assert_eq!(gateway.public_url.as_deref(), Some("https://gateway.pinarkive.com/ipfs/"));
    }

    users_me_plans_list => users_me_plans_list_sends_its_request |server, client, case| {
        let mock = server.users_me_plans_list(|when, then| {
            case.expect(when.into_inner(), "GET", "/users/me/plans");
            then.ok(&types::PlanList(json!([
                {"name": "Free", "code": "free"},
                {"name": "Pro", "code": "pro"},
            ])));
        });
        let result = client.users_me_plans_list().send().await;
        mock.assert_async().await;
        let plans = result?;
        case.assert_status(&plans);
        assert_eq!(plans[1]["code"], "pro");
    }

    users_me_plan_get => users_me_plan_get_sends_its_request |server, client, case| {
        let mock = server.users_me_plan_get(|when, then| {
            case.expect(when.into_inner(), "GET", "/users/me/plan");
            then.ok(&types::UserPlan(json!({"name": "Pro", "code": "pro"})));
        });
        let result = client.users_me_plan_get().send().await;
        mock.assert_async().await;
        let plan = result?;
        case.assert_status(&plan);
        assert_eq!(plan["code"], "pro");
    }

    users_me_plan_update => users_me_plan_update_sends_its_request |server, client, case| {
        let mock = server.users_me_plan_update(|when, then| {
            case.expect(when.into_inner(), "PUT", "/users/me/plan").json_body(json!({"planId": "pro"}));
            then.ok(&types::PlanChangeResponse(json!({"message": "Plan changed", "planId": "pro"})));
        });
        let body = types::PlanChangeRequest::builder().plan_id("pro");
        let result = client.users_me_plan_update().body(body).send().await;
        mock.assert_async().await;
        let changed = result?;
        case.assert_status(&changed);
        assert_eq!(changed["planId"], "pro");
    }

    users_me_referrals_get => users_me_referrals_get_sends_its_request |server, client, case| {
        let mock = server.users_me_referrals_get(|when, then| {
            case.expect(when.into_inner(), "GET", "/users/me/referrals");
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
        case.assert_status(&referrals);
        assert_eq!(referrals.referred_users.len(), 1);
        assert_eq!(referrals.referred_users[0].email.as_deref(), Some("bob@example.com"));
        assert_eq!(referrals.referred_users[0].mb_earned, Some(100.0));
    }

    users_me_logs_list => users_me_logs_list_sends_its_request |server, client, case| {
        let mock = server.users_me_logs_list(|when, then| {
            let when = when
                .page(NonZeroU64::new(3))
                .limit(NonZeroU64::new(100))
                .type_(types::UsersMeLogsListType::Warning)
                .action("login")
                .source("API");
            case.expect(when.into_inner(), "GET", "/users/me/logs").query_param("type", "WARNING");
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
        case.assert_status(&logs);
        assert_eq!(logs.logs[0].action.as_deref(), Some("login"));
        assert_eq!(logs.total_pages, Some(3));
    }

    // ------------------------------------------------------------------ tokens

    tokens_generate => tokens_generate_sends_its_request |server, client, case| {
        let mock = server.tokens_generate(|when, then| {
            case.expect(when.into_inner(), "POST", "/tokens/generate").json_body(json!({
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
                        types::TokenGenerateRequestScopesItem::FilesRead,
                        types::TokenGenerateRequestScopesItem::FilesWrite,
                    ])
                    .totp_code("123456".to_string()),
            )
            .send()
            .await;
        mock.assert_async().await;
        let token = result?;
        case.assert_status(&token);
        assert_eq!(token.token.as_deref(), Some("pk_live_new"));
        assert_eq!(token.scopes, ["files:read", "files:write"]);
    }

    tokens_list => tokens_list_sends_its_request |server, client, case| {
        let mock = server.tokens_list(|when, then| {
            case.expect(when.into_inner(), "GET", "/tokens/list");
            then.ok(&types::TokenList(json!([{"name": "ci-uploader", "scopes": ["files:read"]}])));
        });
        let result = client.tokens_list().send().await;
        mock.assert_async().await;
        let tokens = result?;
        case.assert_status(&tokens);
        assert_eq!(tokens[0]["name"], "ci-uploader");
    }

    tokens_revoke => tokens_revoke_sends_its_request |server, client, case| {
        // The name is one path segment, so its `/` and space must be percent-encoded; the typed
        // matcher takes the name as the caller writes it.
        let mock = server.tokens_revoke(|when, then| {
            case.expect(when.name("ci/uploader old").into_inner(), "DELETE", "/tokens/revoke/ci%2Fuploader%20old")
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
        case.assert_status(&answer);
        assert_eq!(answer.success, Some(true));
    }

    // ------------------------------------------------------------------ status

    status_get => status_get_sends_its_request |server, client, case| {
        let mock = server.status_get(|when, then| {
            let when = when.cid(CID).cl("cl1-eu");
            case.expect(when.into_inner(), "GET", &format!("/status/{CID}")).query_param("cl", "cl1-eu");
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
        case.assert_status(&status);
        assert_eq!(status.status.as_deref(), Some("pinned"));
        assert_eq!(status.peers[0].peername.as_deref(), Some("peer-1"));
        assert_eq!(status.replication_factor, Some(-1));
    }

    status_allocations_get => status_allocations_get_sends_its_request |server, client, case| {
        let mock = server.status_allocations_get(|when, then| {
            let when = when.cid(CID_V0).cl("cl2-es");
            case.expect(when.into_inner(), "GET", &format!("/status/allocations/{CID_V0}"))
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
        case.assert_status(&allocations);
        assert_eq!(allocations.cid.as_deref(), Some(CID_V0));
        assert_eq!(allocations.allocations, Some(json!(["peer-1", "peer-2"])));
    }

    allocations_get => allocations_get_sends_its_request |server, client, case| {
        let mock = server.allocations_get(|when, then| {
            let when = when.cid(CID).cl("cl1-na");
            case.expect(when.into_inner(), "GET", &format!("/allocations/{CID}")).query_param("cl", "cl1-na");
            then.ok(&types::Allocations {
                cid: Some(CID.into()),
                peer_map: Some(json!({"peer-1": {"status": "pinned"}})),
                ..Default::default()
            });
        });
        let result = client.allocations_get().cid(CID).cl("cl1-na").send().await;
        mock.assert_async().await;
        let allocations = result?;
        case.assert_status(&allocations);
        assert_eq!(allocations.peer_map.as_ref().map(|m| &m["peer-1"]["status"]), Some(&json!("pinned")));
    }

    cluster_gateways_list => cluster_gateways_list_sends_its_request |server, client, case| {
        let mock = server.cluster_gateways_list(|when, then| {
            case.expect(when.cl("cl2-de").into_inner(), "GET", "/cluster/gateways")
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
        case.assert_status(&gateways);
        assert_eq!(gateways.cluster_id.as_deref(), Some("cl2-de"));
        assert_eq!(gateways.gateways[0].url.as_deref(), Some("https://de.gateway.example/ipfs/"));
    }

    // ------------------------------------------------------------------ plans

    plans_list => plans_list_sends_its_request |server, client, case| {
        let mock = server.plans_list(|when, then| {
            case.expect(when.into_inner(), "GET", "/plans");
            then.ok(&types::PlanList(json!([{"name": "Free", "descriptions": {"en": "Free plan"}}])));
        });
        let result = client.plans_list().send().await;
        mock.assert_async().await;
        let plans = result?;
        case.assert_status(&plans);
        assert_eq!(plans[0]["descriptions"]["en"], "Free plan");
    }

    plans_my_plan_get => plans_my_plan_get_sends_its_request |server, client, case| {
        let mock = server.plans_my_plan_get(|when, then| {
            case.expect(when.into_inner(), "GET", "/plans/my-plan");
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
        case.assert_status(&mine);
        let current = mine.current_plan.as_ref().expect("currentPlan");
        assert_eq!(current.name.as_deref(), Some("Pro"));
        assert_eq!(current.allowed_cluster_ids, ["cl0-global", "cl1-eu"]);
        assert_eq!(mine.is_early_bird, Some(false));
    }

    plans_all_list => plans_all_list_sends_its_request |server, client, case| {
        let mock = server.plans_all_list(|when, then| {
            case.expect(when.into_inner(), "GET", "/plans/all");
            then.ok(&types::PlanList(json!({"plans": [{"name": "Internal", "code": "internal"}]})));
        });
        let result = client.plans_all_list().send().await;
        mock.assert_async().await;
        let plans = result?;
        case.assert_status(&plans);
        assert_eq!(plans["plans"][0]["code"], "internal");
    }

    plans_change => plans_change_sends_its_request |server, client, case| {
        let mock = server.plans_change(|when, then| {
            case.expect(when.into_inner(), "PUT", "/plans/change").json_body(json!({"planId": "free"}));
            then.ok(&types::PlanChangeResponse(json!({"success": true})));
        });
        let body = types::PlanChangeRequest { plan_id: "free".into() };
        let result = client.plans_change().body(body).send().await;
        mock.assert_async().await;
        let changed = result?;
        case.assert_status(&changed);
        assert_eq!(changed["success"], true);
    }

    // ------------------------------------------------------------------ auth

    auth_login => auth_login_sends_its_request |server, client, case| {
        let mock = server.auth_login(|when, then| {
            case.expect(when.into_inner(), "POST", "/auth/login")
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
        case.assert_status(&login);
        assert_eq!(login.requires2_fa, Some(true));
        assert_eq!(login.temporary_token.as_deref(), Some("tmp-123"));
        assert_eq!(login.token, None);
    }

    auth_signup => auth_signup_sends_its_request |server, client, case| {
        let mock = server.auth_signup(|when, then| {
            case.expect(when.into_inner(), "POST", "/auth/signup").json_body(json!({
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
        case.assert_status(&answer);
        assert_eq!(answer.message.as_deref(), Some("Verification email sent"));
    }

    auth_verify_email => auth_verify_email_sends_its_request |server, client, case| {
        let mock = server.auth_verify_email(|when, then| {
            case.expect(when.into_inner(), "POST", "/auth/verify-email")
                .json_body(json!({"token": "verify-abc"}));
            then.ok(&message("Email verified"));
        });
        let body = types::TokenBodyRequest { token: "verify-abc".into() };
        let result = client.auth_verify_email().body(body).send().await;
        mock.assert_async().await;
        let answer = result?;
        case.assert_status(&answer);
        assert_eq!(answer.message.as_deref(), Some("Email verified"));
    }

    auth_resend_verification => auth_resend_verification_sends_its_request |server, client, case| {
        let mock = server.auth_resend_verification(|when, then| {
            case.expect(when.into_inner(), "POST", "/auth/resend-verification")
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
        case.assert_status(&answer);
        assert_eq!(answer.message.as_deref(), Some("Sent"));
    }

    auth_logout => auth_logout_sends_its_request |server, client, case| {
        let mock = server.auth_logout(|when, then| {
            case.expect(when.into_inner(), "POST", "/auth/logout").json_body(json!({"token": "session-jwt"}));
            then.ok(&message("Logged out"));
        });
        let body = types::LogoutRequest { token: Some("session-jwt".into()) };
        let result = client.auth_logout().body(body).send().await;
        mock.assert_async().await;
        let answer = result?;
        case.assert_status(&answer);
        assert_eq!(answer.message.as_deref(), Some("Logged out"));
    }

    auth_forgot_password => auth_forgot_password_sends_its_request |server, client, case| {
        let mock = server.auth_forgot_password(|when, then| {
            case.expect(when.into_inner(), "POST", "/auth/forgot-password")
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
        case.assert_status(&answer);
        assert!(answer.message.as_deref().is_some_and(|m| m.starts_with("If the email exists")));
    }

    auth_reset_password => auth_reset_password_sends_its_request |server, client, case| {
        let mock = server.auth_reset_password(|when, then| {
            case.expect(when.into_inner(), "POST", "/auth/reset-password")
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
        case.assert_status(&answer);
        assert_eq!(answer.success, Some(true));
    }

    auth_2fa_status_get => auth_2fa_status_get_sends_its_request |server, client, case| {
        let mock = server.auth_2fa_status_get(|when, then| {
            case.expect(when.into_inner(), "GET", "/auth/2fa/status");
            then.ok(&types::TwoFactorStatus { two_factor_enabled: Some(true) });
        });
        let result = client.auth_2fa_status_get().send().await;
        mock.assert_async().await;
        let status = result?;
        case.assert_status(&status);
        assert_eq!(status.two_factor_enabled, Some(true));
    }

    auth_2fa_setup => auth_2fa_setup_sends_its_request |server, client, case| {
        // No request body in the spec: nothing is sent.
        let mock = server.auth_2fa_setup(|when, then| {
            case.expect(when.into_inner(), "POST", "/auth/2fa/setup").body("");
            then.ok(&types::TwoFactorSetup {
                secret: Some("JBSWY3DPEHPK3PXP".into()),
                qr_url: Some("otpauth://totp/Pinarkive:ada?secret=JBSWY3DPEHPK3PXP".into()),
                qr_data_url: None,
            });
        });
        let result = client.auth_2fa_setup().send().await;
        mock.assert_async().await;
        let setup = result?;
        case.assert_status(&setup);
        assert_eq!(setup.secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert!(setup.qr_url.as_deref().is_some_and(|u| u.starts_with("otpauth://")));
    }

    auth_2fa_enable => auth_2fa_enable_sends_its_request |server, client, case| {
        let mock = server.auth_2fa_enable(|when, then| {
            case.expect(when.into_inner(), "POST", "/auth/2fa/enable").json_body(json!({"code": "123456"}));
            then.ok(&message("2FA enabled"));
        });
        let body = types::TwoFactorCodeRequest { code: "123456".into() };
        let result = client.auth_2fa_enable().body(body).send().await;
        mock.assert_async().await;
        let answer = result?;
        case.assert_status(&answer);
        assert_eq!(answer.message.as_deref(), Some("2FA enabled"));
    }

    auth_2fa_disable => auth_2fa_disable_sends_its_request |server, client, case| {
        let mock = server.auth_2fa_disable(|when, then| {
            case.expect(when.into_inner(), "POST", "/auth/2fa/disable")
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
        case.assert_status(&answer);
        assert_eq!(answer.message.as_deref(), Some("2FA disabled"));
    }

    auth_2fa_verify_login => auth_2fa_verify_login_sends_its_request |server, client, case| {
        let mock = server.auth_2fa_verify_login(|when, then| {
            case.expect(when.into_inner(), "POST", "/auth/2fa/verify-login")
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
        case.assert_status(&login);
        assert_eq!(login.token.as_deref(), Some("session-jwt"));
    }

    // ------------------------------------------------------------------ public

    api_info_get => api_info_get_sends_its_request |server, client, case| {
        let mock = server.api_info_get(|when, then| {
            case.expect(when.into_inner(), "GET", "/");
            then.ok(&types::ApiInfo(json!({
                "name": "Pinarkive API",
                "version": "3",
                "links": {"health": "/api/v3/health"},
            })));
        });
        let result = client.api_info_get().send().await;
        mock.assert_async().await;
        let info = result?;
        case.assert_status(&info);
        assert_eq!(info["version"], "3");
    }

    health_get => health_get_sends_its_request |server, client, case| {
        let mock = server.health_get(|when, then| {
            case.expect(when.into_inner(), "GET", "/health");
            then.ok(&types::HealthResponse { status: Some("ok".into()) });
        });
        let result = client.health_get().send().await;
        mock.assert_async().await;
        let health = result?;
        case.assert_status(&health);
        assert_eq!(health.status.as_deref(), Some("ok"));
    }

    peers_list => peers_list_sends_its_request |server, client, case| {
        let mock = server.peers_list(|when, then| {
            case.expect(when.into_inner(), "GET", "/peers");
            then.ok(&types::PeerList(json!([{"id": "12D3KooW", "peername": "peer-1"}])));
        });
        let result = client.peers_list().send().await;
        mock.assert_async().await;
        let peers = result?;
        case.assert_status(&peers);
        assert_eq!(peers[0]["peername"], "peer-1");
    }

    locales_languages_list => locales_languages_list_sends_its_request |server, client, case| {
        let mock = server.locales_languages_list(|when, then| {
            case.expect(when.into_inner(), "GET", "/locales/languages");
            then.ok(&types::LanguageList(json!([
                {"code": "en", "name": "English"},
                {"code": "es", "name": "Español"},
            ])));
        });
        let result = client.locales_languages_list().send().await;
        mock.assert_async().await;
        let languages = result?;
        case.assert_status(&languages);
        assert_eq!(languages[1]["name"], "Español");
    }

    locales_countries_list => locales_countries_list_sends_its_request |server, client, case| {
        let mock = server.locales_countries_list(|when, then| {
            case.expect(when.into_inner(), "GET", "/locales/countries");
            then.ok(&types::CountryList(json!({"countries": [{"code": "ES", "name": "Spain"}]})));
        });
        let result = client.locales_countries_list().send().await;
        mock.assert_async().await;
        let countries = result?;
        case.assert_status(&countries);
        assert_eq!(countries["countries"][0]["code"], "ES");
    }

    docs_openapi_get => docs_openapi_get_sends_its_request |server, client, case| {
        let document =
            json!({"openapi": "3.0.3", "info": {"title": "Pinarkive", "version": "3"}, "paths": {}});
        let mock = server.docs_openapi_get(|when, then| {
            case.expect(when.into_inner(), "GET", "/docs/openapi.json");
            then.ok(&serde_json::from_value(document.clone()).expect("an object"));
        });
        let result = client.docs_openapi_get().send().await;
        mock.assert_async().await;
        let doc = result?;
        case.assert_status(&doc);
        assert_eq!(doc.get("openapi"), Some(&json!("3.0.3")));
        assert_eq!(serde_json::Value::Object(doc.into_inner().0), document);
    }
}

/// Fails when an operation of the spec has no test above, or a test names an operation the
/// spec does not have, or a test is not named after its operation.
#[test]
fn every_operation_has_a_test() {
    let in_spec: BTreeSet<&str> = OPERATIONS.iter().map(|op| op.id).collect();
    let covered: BTreeSet<&str> = COVERED.iter().map(|(op, _)| *op).collect();
    assert_eq!(covered.len(), COVERED.len(), "an operation has more than one `_sends_its_request` test");
    let missing: Vec<_> = in_spec.difference(&covered).collect();
    assert!(missing.is_empty(), "operations of the spec without a test in operations.rs: {missing:?}");
    let unknown: Vec<_> = covered.difference(&in_spec).collect();
    assert!(unknown.is_empty(), "tests for operations that are not in the spec: {unknown:?}");
    for (op, test) in COVERED {
        assert_eq!(*test, format!("{op}_sends_its_request"), "the test of {op} is misnamed");
    }
}

/// The route check of [`Case::expect`] itself.
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
    let with_cid: Vec<&str> = OPERATIONS
        .iter()
        .filter(|op| op.path.contains("{cid}") || op.path.contains("{cidDag}"))
        .map(|op| op.id)
        .collect();
    for id in &with_cid {
        let result = match *id {
            "files_pin" => client.files_pin().cid(BAD).send().await.map(drop),
            "files_remove" => client.files_remove().cid(BAD).send().await.map(drop),
            "users_me_uploads_delete" => client.users_me_uploads_delete().cid(BAD).send().await.map(drop),
            "users_me_uploads_dag_get" => {
                client.users_me_uploads_dag_get().cid_dag(BAD).send().await.map(drop)
            }
            "status_get" => client.status_get().cid(BAD).send().await.map(drop),
            "status_allocations_get" => client.status_allocations_get().cid(BAD).send().await.map(drop),
            "allocations_get" => client.allocations_get().cid(BAD).send().await.map(drop),
            other => panic!("{other} has a CID in its path; add it to this test"),
        };
        let err = result.unwrap_err();
        assert!(matches!(&err, Error::InvalidInput(message) if message.contains(BAD)), "{id}: {err:?}");
    }
    assert_eq!(with_cid.len(), 7, "{with_cid:?}");
    anything.assert_calls_async(0).await;
}

/// The client's default cluster goes out as `X-Cluster` where the operation takes one, and
/// nowhere else; a cluster named on the call wins.
#[tokio::test]
async fn the_default_cluster_is_sent_where_the_operation_takes_one() -> Result<()> {
    assert!(spec::operation("files_pin").is_some_and(|op| op.cluster_header));
    assert!(spec::operation("files_remove").is_some_and(|op| !op.cluster_header));
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
