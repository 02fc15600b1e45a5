//! Paths match as the backend's Express app matches them: one optional trailing slash, fixed
//! segments in any letter case, path parameters as sent (see `src/emulator/router.rs`).

use pinarkive::emulator::Emulator;
use pinarkive::OperationId;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::support::{self, http, send, Reply, ADMIN};

/// A CIDv0: mixed case, so a router that changed a parameter's case would lose it.
const CID_V0: &str = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";

/// How a path is spelled.
#[derive(Debug, Clone, Copy)]
enum Spelling {
    /// As the spec writes it.
    Spec,
    /// With a trailing slash, as the Python, PHP and Go SDKs send `/files/`.
    TrailingSlash,
    /// `/API/V3` and every fixed segment in upper case; parameters untouched.
    UpperCase,
}

/// `op`'s path below the server root, its parameters filled in, spelled `spelling`.
fn path(op: OperationId, spelling: Spelling) -> String {
    let mut out = match spelling {
        Spelling::UpperCase => "/API/V3".to_owned(),
        _ => "/api/v3".to_owned(),
    };
    for segment in op.path().split('/').filter(|s| !s.is_empty()) {
        let filled = match segment {
            "{cid}" | "{cidDag}" => CID_V0.to_owned(),
            "{uploadId}" => "NoSuchUpload".to_owned(),
            "{name}" => "NoSuchToken".to_owned(),
            fixed if matches!(spelling, Spelling::UpperCase) => fixed.to_uppercase(),
            fixed => fixed.to_owned(),
        };
        out.push('/');
        out.push_str(&filled);
    }
    if matches!(spelling, Spelling::TrailingSlash) || out.ends_with("/V3") || out.ends_with("/v3") {
        out.push('/');
    }
    out
}

/// The request `op` gets on every spelling: the admin key, and for uploads a form they accept.
fn request(emu: &Emulator, op: OperationId, spelling: Spelling) -> reqwest::RequestBuilder {
    let method = reqwest::Method::from_bytes(op.method().as_bytes()).unwrap();
    let request = http().request(method, format!("http://{}{}", emu.addr(), path(op, spelling)));
    let request = request.header("x-api-key", ADMIN);
    match op.as_str() {
        "files_upload" => {
            request.multipart(Form::new().part("file", Part::bytes(&b"x"[..]).file_name("x.txt")))
        }
        "files_directory_dag_upload" => {
            request.multipart(Form::new().part("files", Part::bytes(&b"y"[..]).file_name("d/y.txt")))
        }
        _ => request,
    }
}

/// What must be the same whatever the spelling: the status, the body's fields and its messages
/// (ids, tokens and times differ from one emulator to another).
fn gist(reply: &Reply) -> (u16, Vec<String>, Value, Value) {
    let body: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    let mut fields: Vec<String> = body.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    fields.sort();
    (reply.status, fields, body["message"].clone(), body["code"].clone())
}

#[tokio::test]
async fn every_operation_answers_the_same_with_a_trailing_slash_and_in_upper_case() {
    let spellings = [Spelling::Spec, Spelling::TrailingSlash, Spelling::UpperCase];
    let mut emulators = Vec::new();
    for _ in spellings {
        // The same state in each: the CID is pinned, so status, allocations and remove find it.
        let emu = support::start().await;
        support::client(&emu, ADMIN).files_pin().cid(CID_V0).send().await.unwrap();
        emulators.push(emu);
    }
    // In the spec's order, each operation on each emulator with its own spelling.
    for op in OperationId::ALL.iter().copied() {
        let mut answers = Vec::new();
        for (emu, spelling) in emulators.iter().zip(spellings) {
            let reply = send(op.as_str(), request(emu, op, spelling)).await;
            if reply.status == 404 {
                let body: Value = serde_json::from_slice(&reply.body).unwrap();
                assert_ne!(
                    body["message"],
                    "Route not found",
                    "{} {} is not routed",
                    op.method(),
                    path(op, spelling)
                );
            }
            answers.push(gist(&reply));
        }
        assert_eq!(
            answers[0],
            answers[1],
            "{}: {:?} and {:?}",
            op.as_str(),
            Spelling::Spec,
            Spelling::TrailingSlash
        );
        assert_eq!(
            answers[0],
            answers[2],
            "{}: {:?} and {:?}",
            op.as_str(),
            Spelling::Spec,
            Spelling::UpperCase
        );
    }
}

#[tokio::test]
async fn every_get_operation_answers_head_as_get_without_a_body() {
    let emu = support::start().await;
    for op in OperationId::ALL.iter().copied().filter(|op| op.method() == "GET") {
        let target = format!("http://{}{}", emu.addr(), path(op, Spelling::TrailingSlash));
        let get = http().get(&target).header("x-api-key", ADMIN).send().await.unwrap().status();
        let head = http().head(&target).header("x-api-key", ADMIN).send().await.unwrap();
        assert_eq!(head.status(), get, "HEAD {}", op.path());
        assert!(head.bytes().await.unwrap().is_empty(), "HEAD {}", op.path());
    }
}

#[tokio::test]
async fn path_parameters_keep_their_case() {
    let emu = support::start().await;
    let pinned = send(
        "files_pin",
        http().post(format!("http://{}/API/V3/FILES/PIN/{CID_V0}/", emu.addr())).header("x-api-key", ADMIN),
    )
    .await;
    assert_eq!(pinned.status, 201);
    assert_eq!(pinned.json()["cid"], CID_V0);
    let listed = support::client(&emu, ADMIN).users_me_uploads_list().send().await.unwrap();
    assert_eq!(listed.uploads[0].cid, CID_V0);
    // The same CID in lower case is another (invalid) CID, not this one.
    let lower = send(
        "status_get",
        http()
            .get(support::url(&emu, &format!("/status/{}", CID_V0.to_lowercase())))
            .header("x-api-key", ADMIN),
    )
    .await;
    assert_ne!(lower.status, 200);
}

/// What Express 4.22 answered for these spellings (routed or its 404), with routers mounted per
/// first segment as the backend reference lists them (checked with a throwaway Express app; see
/// router.rs).
#[tokio::test]
async fn doubled_slashes_match_where_express_matches_them_and_nowhere_else() {
    let emu = support::start().await;
    for (path, routed) in [
        ("/api/v3/users/me", true),
        ("/api/v3/users/me/", true),
        ("/api/v3/users//me", true),
        ("/api/v3/users/me//", false),
        ("/api/v3/users/me//uploads", false),
        ("/api/v3/users/ME/Uploads/", true),
        ("/api/v3/plans//", true),
        ("/api/v3/plans///", false),
        ("/api/v3//plans", false),
        ("//api/v3/plans", false),
        ("/api//v3/plans", false),
        ("/api/v3/plans.json", false),
        ("/api/v3/status//bafkqaaa", true),
        ("/api/v3/status/bafkqaaa//", false),
        ("/api/v3/status/allocations//bafkqaaa", false),
        ("/API/v3", true),
        ("/api/v3//", true),
        ("/api/v3/peers/", true),
    ] {
        let response = http()
            .get(format!("http://{}{path}", emu.addr()))
            .header("x-api-key", ADMIN)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        let not_routed = status == 404 && body["message"] == "Route not found";
        assert_eq!(!not_routed, routed, "GET {path}: {status} {body}");
    }
}

#[tokio::test]
async fn the_official_sdks_trailing_slash_paths_upload_and_list() {
    let emu = support::start().await;
    let upload = send(
        "files_upload",
        http()
            .post(format!("{}/files/", emu.base_url()))
            .header("x-api-key", ADMIN)
            .multipart(Form::new().part("file", Part::bytes(&b"sdk"[..]).file_name("sdk.txt"))),
    )
    .await;
    assert_eq!(upload.status, 201);
    for (op, path) in [("plans_list", "/plans/"), ("peers_list", "/peers/")] {
        assert_eq!(send(op, http().get(format!("{}{path}", emu.base_url()))).await.status, 200, "{path}");
    }
}
