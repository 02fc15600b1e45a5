//! Uploads by content, size limits while streaming, DAGs, pins, the uploads list and timelocks.

use std::time::Duration;

use bytes::Bytes;
use chrono::{TimeDelta, Utc};
use futures::{StreamExt, TryStreamExt};
use pinarkive::emulator::{Emulator, Plan};
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::support::{self, http, send, url, ADMIN};

fn file_form(name: &str, bytes: &'static [u8]) -> Form {
    Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()))
}

async fn upload(emu: &Emulator, form: Form) -> support::Reply {
    send("files_upload", http().post(url(emu, "/files")).header("x-api-key", ADMIN).multipart(form)).await
}

#[tokio::test]
async fn files_upload_gives_a_cidv1_raw_sha256_of_the_bytes_and_the_same_cid_again() {
    let emu = support::start().await;
    let client = support::client(&emu, ADMIN);
    let first = client.upload("a.txt", &b"hello emulator"[..]).send().await.unwrap();
    let again = client.upload("b.txt", &b"hello emulator"[..]).send().await.unwrap();
    let other = client.upload("c.txt", &b"hello emulator!"[..]).send().await.unwrap();
    assert_eq!(first.cid, again.cid);
    assert_ne!(first.cid, other.cid);

    let cid = cid::Cid::try_from(first.cid.as_str()).unwrap();
    assert_eq!(cid.version(), cid::Version::V1);
    assert_eq!(cid.codec(), 0x55);
    assert_eq!(cid.hash().code(), 0x12);
    let digest = sha256(b"hello emulator");
    assert_eq!(cid.hash().digest(), digest.as_slice());

    // Same bytes, one record.
    let page = client.users_me_uploads_list().send().await.unwrap();
    assert_eq!(page.uploads.len(), 2);
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}

/// The body sends just over the limit and then never ends: a server that buffered or read to
/// the end before answering would hang here.
#[tokio::test]
async fn files_upload_answers_413_while_the_body_is_still_streaming() {
    let emu = support::builder().max_upload_bytes(64 * 1024).start().await.unwrap();
    let chunks =
        futures::stream::iter((0..5).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![1u8; 16 * 1024]))))
            .chain(futures::stream::pending());
    let part = Part::stream(reqwest::Body::wrap_stream(chunks)).file_name("endless.bin");
    let request =
        http().post(url(&emu, "/files")).header("x-api-key", ADMIN).multipart(Form::new().part("file", part));
    let response = tokio::time::timeout(Duration::from_secs(10), request.send())
        .await
        .expect("the emulator answers before the body ends")
        .expect("a response");
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "FILE_TOO_LARGE");
}

#[tokio::test]
async fn files_upload_without_a_file_part_or_not_multipart_is_400() {
    let emu = support::start().await;
    let no_file = upload(&emu, Form::new().text("cl", "cl0-global")).await;
    assert_eq!(no_file.status, 400);
    let two_files =
        upload(&emu, file_form("a", b"a").part("file", Part::bytes(&b"b"[..]).file_name("b"))).await;
    assert_eq!(two_files.status, 400);
    let json_body =
        send("files_upload", http().post(url(&emu, "/files")).header("x-api-key", ADMIN).json(&json!({})))
            .await;
    assert_eq!(json_body.status, 400);
    let broken = send(
        "files_upload",
        http()
            .post(url(&emu, "/files"))
            .header("x-api-key", ADMIN)
            .header("content-type", "multipart/form-data; boundary=xyz")
            .body("--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nno end"),
    )
    .await;
    assert_eq!(broken.status, 400);
}

#[tokio::test]
async fn timelock_is_403_on_the_free_plan() {
    let emu = support::builder().plan(Plan::Free).start().await.unwrap();
    let until = (Utc::now() + TimeDelta::days(1)).to_rfc3339();
    let reply = upload(&emu, file_form("a.txt", b"x").text("timelock", until.clone())).await;
    assert_eq!(reply.status, 403);
    let pin = send(
        "files_pin",
        http()
            .post(url(&emu, "/files/pin/bafkqaaa"))
            .header("x-api-key", ADMIN)
            .json(&json!({ "timelock": until })),
    )
    .await;
    assert_eq!(pin.status, 403);
    // Without a timelock the free plan uploads, to cl0-global only.
    assert_eq!(upload(&emu, file_form("a.txt", b"x")).await.status, 201);
    assert_eq!(upload(&emu, file_form("a.txt", b"x").text("cl", "cl1-eu")).await.status, 403);
}

#[tokio::test]
async fn timelock_past_or_malformed_is_400_and_a_future_one_is_returned_as_expires_at() {
    let emu = support::start().await;
    let past = (Utc::now() - TimeDelta::days(1)).to_rfc3339();
    assert_eq!(upload(&emu, file_form("a", b"x").text("timelock", past)).await.status, 400);
    assert_eq!(upload(&emu, file_form("a", b"x").text("timelock", "tomorrow")).await.status, 400);
    let pin = send(
        "files_pin",
        http()
            .post(url(&emu, "/files/pin/bafkqaaa"))
            .header("x-api-key", ADMIN)
            .json(&json!({ "timelock": "soon" })),
    )
    .await;
    assert_eq!(pin.status, 400);

    let until = Utc::now() + TimeDelta::days(30);
    let client = support::client(&emu, ADMIN);
    let up = client.upload("a", &b"locked"[..]).timelock(until).send().await.unwrap();
    assert_eq!(up.expires_at.map(|t| t.timestamp()), Some(until.timestamp()));
    let locked = client.users_me_uploads_list().has_expiration(true).send().await.unwrap();
    assert_eq!(locked.uploads.len(), 1);
    assert_eq!(locked.uploads[0].cid, up.cid);
}

#[tokio::test]
async fn uploads_list_pages_newest_first_with_its_pagination_fields() {
    let emu = support::start().await;
    let client = support::client(&emu, ADMIN);
    let mut cids = Vec::new();
    for i in 0..5 {
        cids.push(
            client
                .upload(format!("f{i}"), format!("file {i}").into_bytes())
                .send()
                .await
                .unwrap()
                .cid
                .clone(),
        );
    }
    let first = client.users_me_uploads_list().page(1u64).limit(2u64).send().await.unwrap();
    assert_eq!(
        first.uploads.iter().map(|u| u.cid.clone()).collect::<Vec<_>>(),
        vec![cids[4].clone(), cids[3].clone()]
    );
    assert_eq!(first.total, Some(5));
    let pagination = first.pagination.clone().unwrap();
    assert_eq!((pagination.page, pagination.limit, pagination.total), (Some(1), Some(2), Some(5)));
    let last = client.users_me_uploads_list().page(3u64).limit(2u64).send().await.unwrap();
    assert_eq!(last.uploads.len(), 1);
    assert_eq!(last.uploads[0].cid, cids[0]);
    let beyond = client.users_me_uploads_list().page(9u64).limit(2u64).send().await.unwrap();
    assert!(beyond.uploads.is_empty());

    for bad in ["page=0", "limit=0", "page=x", "limit=-1", "parentCid=not-a-cid"] {
        let reply = send(
            "users_me_uploads_list",
            http().get(url(&emu, &format!("/users/me/uploads?{bad}"))).header("x-api-key", ADMIN),
        )
        .await;
        assert_eq!(reply.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn the_upload_stream_gets_every_upload_when_asking_for_more_than_the_page_cap() {
    // The emulator caps `limit` at 100, as the backend does; asking for 250 must still list all.
    let emu = support::start().await;
    let client = support::client(&emu, ADMIN);
    let mut dag = client.upload_dag();
    for i in 0..3 {
        dag = dag.file(format!("d/{i}"), format!("in dir {i}").into_bytes());
    }
    dag.send().await.unwrap();
    for i in 0..230 {
        client.upload(format!("f{i}"), format!("file {i}").into_bytes()).send().await.unwrap();
    }
    let all: Vec<_> = client.uploads().page_size(250).stream().try_collect().await.unwrap();
    assert_eq!(all.len(), 231, "230 files and the DAG's root");
    let distinct: std::collections::HashSet<_> = all.iter().map(|u| u.cid.clone()).collect();
    assert_eq!(distinct.len(), 231);
}

#[tokio::test]
async fn dag_upload_roots_the_listed_paths_and_lists_its_files_under_parent_cid() {
    let emu = support::start().await;
    let client = support::client(&emu, ADMIN);
    let dag = client
        .upload_dag()
        .dir_name("site")
        .file("index.html", &b"<h1>hi</h1>"[..])
        .file("assets/logo.svg", &b"<svg/>"[..])
        .send()
        .await
        .unwrap();
    let root = cid::Cid::try_from(dag.cid.as_str()).unwrap();
    assert_eq!(root.codec(), 0x70, "a directory is dag-pb");
    assert_eq!(dag.total_files, Some(2));
    assert_eq!(dag.files.len(), 2);

    // Same files at the same paths: same root, in any order. Another path: another root.
    let again = client
        .upload_dag()
        .file("assets/logo.svg", &b"<svg/>"[..])
        .file("index.html", &b"<h1>hi</h1>"[..])
        .send()
        .await
        .unwrap();
    assert_eq!(again.cid, dag.cid);
    let moved = client
        .upload_dag()
        .file("main.html", &b"<h1>hi</h1>"[..])
        .file("assets/logo.svg", &b"<svg/>"[..])
        .send();
    assert_ne!(moved.await.unwrap().cid, dag.cid);

    let inside = client.users_me_uploads_list().parent_cid(dag.cid.clone()).send().await.unwrap();
    assert_eq!(inside.uploads.len(), 2);
    let detail = send(
        "users_me_uploads_dag_get",
        http().get(url(&emu, &format!("/users/me/uploads/dag/{}", dag.cid))).header("x-api-key", ADMIN),
    )
    .await;
    assert_eq!(detail.status, 200);
    let detail = detail.json();
    assert_eq!(detail["cid"], dag.cid.as_str());
    let mut paths: Vec<&str> =
        detail["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    paths.sort();
    assert_eq!(paths, ["assets/logo.svg", "index.html"]);

    let unknown = send(
        "users_me_uploads_dag_get",
        http().get(url(&emu, "/users/me/uploads/dag/bafkqaaa")).header("x-api-key", ADMIN),
    )
    .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn dag_upload_refuses_unsafe_paths_and_an_empty_form() {
    let emu = support::start().await;
    for path in ["/etc/passwd", "../up", "a//b", "a\\b", ""] {
        let form = Form::new().part("files", Part::bytes(&b"x"[..]).file_name(path.to_owned()));
        let reply = send(
            "files_directory_dag_upload",
            http().post(url(&emu, "/files/directory-dag")).header("x-api-key", ADMIN).multipart(form),
        )
        .await;
        assert_eq!(reply.status, 400, "{path:?}");
    }
    let empty = send(
        "files_directory_dag_upload",
        http()
            .post(url(&emu, "/files/directory-dag"))
            .header("x-api-key", ADMIN)
            .multipart(Form::new().text("dirName", "x")),
    )
    .await;
    assert_eq!(empty.status, 400);
}

#[tokio::test]
async fn directory_upload_records_a_server_path_without_reading_it() {
    let emu = support::start().await;
    let request = |body: serde_json::Value| {
        http().post(url(&emu, "/files/directory")).header("x-api-key", ADMIN).json(&body)
    };
    let reply = send("files_directory_upload", request(json!({ "dirPath": "/var/data/site" }))).await;
    assert_eq!(reply.status, 201);
    let again = send("files_directory_upload", request(json!({ "dirPath": "/var/data/site" }))).await;
    assert_eq!(again.json()["cid"], reply.json()["cid"]);
    assert_eq!(send("files_directory_upload", request(json!({ "dirPath": "relative" }))).await.status, 400);
    assert_eq!(send("files_directory_upload", request(json!({}))).await.status, 400);
}

#[tokio::test]
async fn pin_status_allocations_rename_and_remove_follow_one_cid() {
    let emu = support::start().await;
    let client = support::client(&emu, ADMIN);
    let cid = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
    let key = |r: reqwest::RequestBuilder| r.header("x-api-key", ADMIN);

    assert_eq!(send("status_get", key(http().get(url(&emu, &format!("/status/{cid}"))))).await.status, 404);
    let pinned = client.files_pin().cid(cid).body(pinarkive::types::PinRequest {
        custom_name: Some("doc".into()),
        cl: Some("cl1-eu".into()),
        ..Default::default()
    });
    let pinned = pinned.send().await.unwrap();
    assert_eq!(pinned.cluster_id.as_deref(), Some("cl1-eu"));

    let status = send("status_get", key(http().get(url(&emu, &format!("/status/{cid}"))))).await;
    assert_eq!(status.status, 200);
    assert_eq!(status.json()["status"], "pinned");
    for path in [format!("/status/allocations/{cid}"), format!("/allocations/{cid}")] {
        let op = if path.starts_with("/status") { "status_allocations_get" } else { "allocations_get" };
        let reply = send(op, key(http().get(url(&emu, &path)))).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json()["cid"], cid);
    }
    let elsewhere = send("status_get", key(http().get(url(&emu, &format!("/status/{cid}?cl=cl2-de"))))).await;
    assert_eq!(elsewhere.status, 404);
    assert_eq!(send("status_get", key(http().get(url(&emu, "/status/not-a-cid")))).await.status, 400);

    let list = client.users_me_uploads_list().send().await.unwrap();
    let id = list.uploads[0].id.clone().unwrap();
    let renamed = send(
        "files_rename",
        key(http().put(url(&emu, &format!("/files/rename/{id}")))).json(&json!({ "newName": "renamed" })),
    )
    .await;
    assert_eq!(renamed.status, 200);
    assert_eq!(
        client.users_me_uploads_list().send().await.unwrap().uploads[0].name.as_deref(),
        Some("renamed")
    );
    let missing = send(
        "files_rename",
        key(http().put(url(&emu, "/files/rename/nope"))).json(&json!({ "newName": "x" })),
    )
    .await;
    assert_eq!(missing.status, 404);
    let empty =
        send("files_rename", key(http().put(url(&emu, &format!("/files/rename/{id}")))).json(&json!({})))
            .await;
    assert_eq!(empty.status, 400);

    let removed = send("files_remove", key(http().delete(url(&emu, &format!("/files/remove/{cid}"))))).await;
    assert_eq!(removed.status, 200);
    assert_eq!(removed.json()["removed"], true);
    let twice = send("files_remove", key(http().delete(url(&emu, &format!("/files/remove/{cid}"))))).await;
    assert_eq!(twice.status, 404);
    assert_eq!(
        send("files_remove", key(http().delete(url(&emu, "/files/remove/not-a-cid")))).await.status,
        404
    );
    assert_eq!(send("files_pin", key(http().post(url(&emu, "/files/pin/not-a-cid")))).await.status, 400);
}

#[tokio::test]
async fn users_me_uploads_delete_removes_a_directory_and_its_files() {
    let emu = support::start().await;
    let client = support::client(&emu, ADMIN);
    let dag = client.upload_dag().file("a.txt", &b"a"[..]).send().await.unwrap();
    let reply = send(
        "users_me_uploads_delete",
        http().delete(url(&emu, &format!("/users/me/uploads/{}", dag.cid))).header("x-api-key", ADMIN),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(client.users_me_uploads_list().send().await.unwrap().uploads.is_empty());
    assert!(client
        .users_me_uploads_list()
        .parent_cid(dag.cid.clone())
        .send()
        .await
        .unwrap()
        .uploads
        .is_empty());
}

#[tokio::test]
async fn the_cluster_comes_from_the_form_then_the_query_then_x_cluster() {
    let emu = support::start().await;
    let post = |query: &str| http().post(url(&emu, &format!("/files{query}"))).header("x-api-key", ADMIN);
    let by_header =
        send("files_upload", post("").header("x-cluster", "cl2-de").multipart(file_form("a", b"a"))).await;
    assert_eq!(by_header.json()["clusterId"], "cl2-de");
    let by_query = send(
        "files_upload",
        post("?cl=cl1-na").header("x-cluster", "cl2-de").multipart(file_form("a", b"a")),
    )
    .await;
    assert_eq!(by_query.json()["clusterId"], "cl1-na");
    let by_form =
        send("files_upload", post("?cl=cl1-na").multipart(file_form("a", b"a").text("cl", "cl2-es"))).await;
    assert_eq!(by_form.json()["clusterId"], "cl2-es");
    let unknown = send("files_upload", post("?cl=cl9-moon").multipart(file_form("a", b"a"))).await;
    assert_eq!(unknown.status, 403);
    let typed = support::client(&emu, ADMIN).upload("a", &b"a"[..]).cluster("cl2-us").send().await.unwrap();
    assert_eq!(typed.cluster_id.as_deref(), Some("cl2-us"));
}

#[tokio::test]
async fn dag_upload_over_the_limit_in_all_is_413() {
    let emu = support::builder().max_upload_bytes(100).start().await.unwrap();
    let form = Form::new()
        .part("files", Part::bytes(vec![1u8; 60]).file_name("a.bin"))
        .part("files", Part::bytes(vec![2u8; 60]).file_name("b.bin"));
    let reply = send(
        "files_directory_dag_upload",
        http().post(url(&emu, "/files/directory-dag")).header("x-api-key", ADMIN).multipart(form),
    )
    .await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.json()["code"], "FILE_TOO_LARGE");
}
