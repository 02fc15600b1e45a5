//! Every route: add, get, replace, delete, and what the ids are made of.

use reqwest::Method;
use serde_json::json;

use crate::support::{self, new_cid, ADMIN, NO_STATUS};

#[tokio::test]
async fn a_pin_is_added_read_and_removed() {
    let setup = support::start().await;
    let cid = new_cid();
    let added = setup.add(ADMIN, json!({ "cid": cid, "name": "PreciousData.pdf" })).await;
    assert_eq!(added.status, 202, "{}", added.text());
    let added = added.json();
    assert_eq!(added["pin"]["cid"], cid.as_str());
    assert_eq!(added["pin"]["name"], "PreciousData.pdf");
    assert_eq!(added["status"], "pinned");
    assert_eq!(added["info"]["cluster"], "cl0-global");
    assert!(added["info"]["not_stored"].as_str().unwrap().contains("meta and origins are not stored"));
    let delegates = added["delegates"].as_array().unwrap();
    assert!(
        !delegates.is_empty() && delegates.iter().all(|d| d.as_str().unwrap().starts_with("/p2p/12D3KooW"))
    );
    let id = added["requestid"].as_str().unwrap();
    assert!(id.starts_with(&format!("{cid}.")), "{id}");

    let read = setup.get(ADMIN, id).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["requestid"], id);
    assert_eq!(read.json()["created"], added["created"]);

    let removed = setup.delete(ADMIN, id).await;
    assert_eq!((removed.status, removed.body.len()), (202, 0));
    let gone = setup.get(ADMIN, id).await;
    assert_eq!((gone.status, gone.reason().as_str()), (404, "NOT_FOUND"));
    assert_eq!(setup.delete(ADMIN, id).await.status, 404);
    assert_eq!(setup.list(ADMIN, "").await.json()["count"], 0);
}

#[tokio::test]
async fn meta_and_origins_are_accepted_checked_and_said_not_to_be_kept() {
    let setup = support::start().await;
    let pin = json!({
        "cid": new_cid(),
        "origins": ["/ip4/203.0.113.142/tcp/4001/p2p/QmSourcePeerId"],
        "meta": { "app_id": "99986338" },
    });
    let added = setup.add(ADMIN, pin).await.json();
    assert!(added["pin"].get("meta").is_none() && added["pin"].get("origins").is_none(), "{added}");
    assert!(added["info"]["not_stored"].is_string());
    let too_many: Vec<String> = (0..21).map(|i| format!("/p2p/Qm{i}")).collect();
    let refused = setup.add(ADMIN, json!({ "cid": new_cid(), "origins": too_many })).await;
    assert_eq!((refused.status, refused.details().starts_with("origins")), (400, true));
    let refused = setup.add(ADMIN, json!({ "cid": new_cid(), "meta": { "n": 1 } })).await;
    assert_eq!(refused.status, 400, "{}", refused.text());
}

#[tokio::test]
async fn request_ids_come_from_pinarkive_so_a_new_bridge_knows_them() {
    let setup = support::start().await;
    let id = setup.pin(Some("kept")).await["requestid"].as_str().unwrap().to_owned();
    setup.bridge.shutdown().await;
    let again = support::bridge_for(&setup.emulator, pinarkive::RetryPolicy::none()).await;
    let read = reqwest::Client::new()
        .get(format!("{}/pins/{id}", again.url()))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let read: serde_json::Value = read.json().await.unwrap();
    assert_eq!((read["requestid"].as_str(), read["pin"]["name"].as_str()), (Some(id.as_str()), Some("kept")));
}

#[tokio::test]
async fn malformed_ids_are_400_and_unknown_ones_404() {
    let setup = support::start().await;
    for bad in ["not-a-cid", "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy.a%2Fb", "%FF"] {
        let reply = setup.get(ADMIN, bad).await;
        assert_eq!((reply.status, reply.reason().as_str()), (400, "BAD_REQUEST"), "{bad}: {}", reply.text());
    }
    let unknown = format!("{}.656d7500", new_cid());
    assert_eq!(setup.get(ADMIN, &unknown).await.status, 404);
    assert_eq!(setup.delete(ADMIN, &unknown).await.status, 404);
    assert_eq!(setup.replace(ADMIN, &unknown, json!({ "cid": new_cid() })).await.status, 404);
}

#[tokio::test]
async fn replace_pins_the_new_cid_then_removes_the_old() {
    let setup = support::start().await;
    let old = setup.pin(Some("v1")).await;
    let old_id = old["requestid"].as_str().unwrap();
    let cid = new_cid();
    let replaced = setup.replace(ADMIN, old_id, json!({ "cid": cid, "name": "v2" })).await;
    assert_eq!(replaced.status, 202, "{}", replaced.text());
    let new = replaced.json();
    let new_id = new["requestid"].as_str().unwrap();
    assert_ne!(new_id, old_id);
    assert_eq!((new["pin"]["cid"].as_str(), new["pin"]["name"].as_str()), (Some(cid.as_str()), Some("v2")));
    assert_eq!(setup.get(ADMIN, old_id).await.status, 404);
    assert_eq!(setup.get(ADMIN, new_id).await.status, 200);
    let all = setup.list(ADMIN, "").await.json();
    assert_eq!(all["count"], 1);
    assert_eq!(all["results"][0]["pin"]["cid"], cid.as_str());

    // The same CID again: Pinarkive keeps one record per CID and updates it, so the id stays and
    // nothing is removed.
    let same = setup.replace(ADMIN, new_id, json!({ "cid": cid, "name": "v3" })).await.json();
    assert_eq!(same["requestid"], new["requestid"]);
    let all = setup.list(ADMIN, "").await.json();
    assert_eq!((all["count"].as_u64(), all["results"][0]["pin"]["name"].as_str()), (Some(1), Some("v3")));
}

#[tokio::test]
async fn without_cluster_read_the_status_is_the_records_and_says_why() {
    let setup = support::start().await;
    let reply = setup.raw(Method::POST, "/pins", Some(NO_STATUS), Some(&json!({ "cid": new_cid() }))).await;
    assert_eq!(reply.status, 202, "{}", reply.text());
    let pin = reply.json();
    assert_eq!(pin["status"], "pinned");
    let details = pin["info"]["status_details"].as_str().unwrap();
    assert!(details.contains("cluster:read") && details.contains("record"), "{details}");
    // No status answer has named the cluster's peers yet: no delegates, which is the one thing
    // the PSA document (minItems 1) would have otherwise; an invented address would be dialled.
    assert_eq!(pin["delegates"], json!([]));
    let problems = support::psa()
        .check("POST /pins", reply.status, &reply.headers, &reply.body)
        .expect_err("delegates is empty")
        .problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].pointer, "/delegates");
    // Once a status answer has named them, the cluster's delegates are given.
    setup.pin(None).await;
    let later = setup.add(NO_STATUS, json!({ "cid": new_cid() })).await.json();
    assert!(!later["delegates"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_bridge_refuses_to_serve_keys_in_clear_off_loopback_unless_told() {
    let client = pinarkive::Client::builder().build().unwrap();
    let builder = pinarkive::pinning_service::PinningService::builder(client.clone());
    let err = builder.bind(([0, 0, 0, 0], 0).into()).start().await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("clear text"), "{err}");
    let allowed = pinarkive::pinning_service::PinningService::builder(client)
        .bind(([0, 0, 0, 0], 0).into())
        .allow_insecure_http(true)
        .start()
        .await
        .unwrap();
    assert!(!format!("{allowed:?}").is_empty());
    allowed.shutdown().await;
}

#[tokio::test]
async fn a_web_page_may_call_it_with_cors() {
    let setup = support::start().await;
    let http = reqwest::Client::new();
    let url = format!("{}/pins", setup.bridge.url());
    let origin = "https://app.example";
    let preflight = http
        .request(Method::OPTIONS, &url)
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization,content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    let headers = preflight.headers();
    assert_eq!(headers["access-control-allow-origin"], origin);
    assert_eq!(headers["access-control-allow-headers"], "authorization,content-type");
    assert!(headers["access-control-allow-methods"].to_str().unwrap().contains("DELETE"));
    let listed = http.get(&url).header("origin", origin).bearer_auth(ADMIN).send().await.unwrap();
    assert_eq!(listed.status(), 200);
    assert_eq!(listed.headers()["access-control-allow-origin"], origin);
    assert!(listed.headers()["access-control-expose-headers"].to_str().unwrap().contains("Retry-After"));
    // Without the key a page still gets nothing.
    let anonymous = http.get(&url).header("origin", origin).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}
