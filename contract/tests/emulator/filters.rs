//! Query parameters and headers the official clients send: `cid` on the uploads list,
//! `X-Cluster` wherever `cl` is taken, and `X-Request-Source` in the activity log.

use serde_json::json;

use crate::support::{self, http, send, url, ADMIN};

#[tokio::test]
async fn the_uploads_list_filters_by_cid_within_the_level_it_lists() {
    let emu = support::start().await;
    let client = support::client(&emu, ADMIN);
    let a = client.upload("a.txt", &b"a"[..]).send().await.unwrap().cid.clone();
    let b = client.upload("b.txt", &b"b"[..]).send().await.unwrap().cid.clone();
    let dag = client.upload_dag().file("x/a.txt", &b"a"[..]).file("y/a.txt", &b"a"[..]).send().await.unwrap();
    let list = |query: String| {
        send(
            "users_me_uploads_list",
            http().get(url(&emu, &format!("/users/me/uploads?{query}"))).header("x-api-key", ADMIN),
        )
    };

    let only_a = list(format!("cid={a}")).await.json();
    assert_eq!(only_a["total"], 1);
    assert_eq!(only_a["uploads"][0]["cid"], a.as_str());
    assert_eq!(list(format!("cid={b}")).await.json()["uploads"][0]["name"], "b.txt");
    // The generated client sends it too (the spec's `cid` parameter).
    let typed = client.users_me_uploads_list().cid(b.clone()).send().await.unwrap();
    assert_eq!(typed.uploads.iter().map(|u| u.cid.as_str()).collect::<Vec<_>>(), [b.as_str()]);
    // Inside the directory, the same CID at two paths: two files.
    let inside = list(format!("cid={a}&parentCid={}", dag.cid)).await.json();
    assert_eq!(inside["total"], 2);
    let unknown = list("cid=bafkqaaa".to_owned()).await.json();
    assert_eq!((unknown["total"].clone(), unknown["uploads"].clone()), (json!(0), json!([])));
    assert_eq!(list("cid=not-a-cid".to_owned()).await.status, 400);
    // With the other filters: a CID without a timelock is not among those with one.
    assert_eq!(list(format!("cid={a}&hasExpiration=true")).await.json()["total"], 0);
    assert_eq!(list(format!("cid={a}&hasExpiration=false")).await.json()["total"], 1);
}

#[tokio::test]
async fn x_cluster_is_taken_wherever_cl_is() {
    let emu = support::start().await;
    let cid = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
    let key = |r: reqwest::RequestBuilder| r.header("x-api-key", ADMIN);
    let pinned = send(
        "files_pin",
        key(http().post(url(&emu, &format!("/files/pin/{cid}")))).header("x-cluster", "cl1-eu"),
    );
    assert_eq!(pinned.await.json()["clusterId"], "cl1-eu");

    for (op, path) in [
        ("status_get", format!("/status/{cid}")),
        ("status_allocations_get", format!("/status/allocations/{cid}")),
        ("allocations_get", format!("/allocations/{cid}")),
    ] {
        let here = send(op, key(http().get(url(&emu, &path))).header("x-cluster", "cl1-eu")).await;
        assert_eq!(here.status, 200, "{op} with X-Cluster: cl1-eu");
        let elsewhere = send(op, key(http().get(url(&emu, &path))).header("x-cluster", "cl2-de")).await;
        assert_eq!(elsewhere.status, 404, "{op} with X-Cluster: cl2-de");
        // `cl` wins over the header, as it does on uploads.
        let query =
            send(op, key(http().get(url(&emu, &format!("{path}?cl=cl1-eu")))).header("x-cluster", "cl2-de"));
        assert_eq!(query.await.status, 200, "{op} with cl and X-Cluster");
    }
    let gateways = send(
        "cluster_gateways_list",
        key(http().get(url(&emu, "/cluster/gateways"))).header("x-cluster", "cl2-de"),
    );
    assert_eq!(gateways.await.json()["clusterId"], "cl2-de");

    let free = support::builder().plan(pinarkive::emulator::Plan::Free).start().await.unwrap();
    let refused = send(
        "status_get",
        key(http().get(url(&free, &format!("/status/{cid}")))).header("x-cluster", "cl1-eu"),
    );
    assert_eq!(refused.await.status, 403, "a cluster the plan does not allow");
}

#[tokio::test]
async fn the_logged_source_follows_the_credential_and_x_request_source() {
    let emu = support::start().await;
    let token = support::session(&emu).await;
    let upload = |name: &'static str, auth: (&'static str, String), source: Option<&'static str>| {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(name.as_bytes().to_vec()).file_name(name));
        let mut request = http().post(url(&emu, "/files")).header(auth.0, auth.1).multipart(form);
        if let Some(source) = source {
            request = request.header("x-request-source", source);
        }
        send("files_upload", request)
    };
    let bearer = || ("authorization", format!("Bearer {token}"));
    assert_eq!(upload("web", bearer(), Some("web")).await.status, 201);
    assert_eq!(upload("web-any-case", bearer(), Some("WEB")).await.status, 201);
    assert_eq!(upload("jwt", bearer(), None).await.status, 201);
    assert_eq!(upload("jwt-other", bearer(), Some("cli")).await.status, 201);
    assert_eq!(upload("api", ("x-api-key", ADMIN.to_owned()), Some("web")).await.status, 201);

    let logs = send(
        "users_me_logs_list",
        http().get(url(&emu, "/users/me/logs?action=upload")).header("x-api-key", ADMIN),
    )
    .await
    .json();
    let sources: Vec<(String, String)> = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let name = l["details"].as_str().unwrap().split(' ').nth(1).unwrap().to_owned();
            (name, l["source"].as_str().unwrap().to_owned())
        })
        .collect();
    let expected =
        [("api", "API"), ("jwt-other", "JWT"), ("jwt", "JWT"), ("web-any-case", "WEB"), ("web", "WEB")];
    assert_eq!(sources, expected.map(|(n, s)| (n.to_owned(), s.to_owned())));
    // The login itself was sent without the header.
    let login = send(
        "users_me_logs_list",
        http().get(url(&emu, "/users/me/logs?action=login")).header("x-api-key", ADMIN),
    );
    assert_eq!(login.await.json()["logs"][0]["source"], "JWT");
}

/// The same CIDv1 in another multibase names the same content: uploads, pins, status, the list's
/// filters and removal all find it, and the list shows one spelling.
#[tokio::test]
async fn a_cid_spelled_in_another_multibase_is_the_same_upload() {
    let emu = support::start().await;
    let client = support::client(&emu, ADMIN);
    let base32 = client.upload("a.txt", &b"same bytes"[..]).send().await.unwrap().cid.clone();
    let parsed = cid::Cid::try_from(base32.as_str()).unwrap();
    let base58 = parsed.to_string_of_base(cid::multibase::Base::Base58Btc).unwrap();
    let base36 = parsed.to_string_of_base(cid::multibase::Base::Base36Lower).unwrap();
    let with_key = |request: reqwest::RequestBuilder| request.header("x-api-key", ADMIN);

    let status = send("status_get", with_key(http().get(url(&emu, &format!("/status/{base58}"))))).await;
    assert_eq!(status.status, 200);
    let listed = send(
        "users_me_uploads_list",
        with_key(http().get(url(&emu, &format!("/users/me/uploads?cid={base36}")))),
    )
    .await
    .json();
    assert_eq!((listed["total"].clone(), listed["uploads"][0]["cid"].clone()), (json!(1), json!(base32)));
    let pinned = send("files_pin", with_key(http().post(url(&emu, &format!("/files/pin/{base58}"))))).await;
    assert_eq!(pinned.status, 201);
    let all = client.users_me_uploads_list().send().await.unwrap();
    assert_eq!(
        all.uploads.iter().map(|u| u.cid.as_str()).collect::<Vec<_>>(),
        [base32.as_str()],
        "one upload"
    );
    assert_eq!(all.uploads[0].name.as_deref(), Some("a.txt"), "pinning it kept what was known");
    let removed =
        send("files_remove", with_key(http().delete(url(&emu, &format!("/files/remove/{base36}"))))).await;
    assert_eq!(removed.status, 200);
    assert_eq!(client.users_me_uploads_list().send().await.unwrap().total, Some(0));
}
