//! `GET /pins`: every filter, every match mode, `limit`, and paging with `before` and `after`.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::support::{self, new_cid, Setup, ADMIN};

fn names(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pin"]["name"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

async fn named(setup: &Setup) {
    for name in ["PreciousData.pdf", "preciousdata.pdf", "Data.csv", "notes"] {
        setup.pin(Some(name)).await;
    }
    setup.pin(None).await;
}

#[tokio::test]
async fn names_match_in_each_mode() {
    let setup = support::start().await;
    named(&setup).await;
    for (query, expected) in [
        ("?name=PreciousData.pdf", vec!["PreciousData.pdf"]),
        ("?name=PreciousData.pdf&match=exact", vec!["PreciousData.pdf"]),
        ("?name=PRECIOUSDATA.PDF&match=iexact", vec!["preciousdata.pdf", "PreciousData.pdf"]),
        ("?name=Data&match=partial", vec!["Data.csv", "PreciousData.pdf"]),
        ("?name=data&match=ipartial", vec!["Data.csv", "preciousdata.pdf", "PreciousData.pdf"]),
        ("?name=nothing&match=ipartial", vec![]),
    ] {
        let page = setup.list(ADMIN, query).await.json();
        assert_eq!(names(&page), expected, "{query}");
        assert_eq!(page["count"], expected.len(), "{query}");
    }
}

#[tokio::test]
async fn cid_status_and_meta_filter() {
    let setup = support::start().await;
    let a = setup.pin(Some("a")).await;
    let b = setup.pin(Some("b")).await;
    setup.pin(Some("c")).await;
    let (cid_a, cid_b) = (a["pin"]["cid"].as_str().unwrap(), b["pin"]["cid"].as_str().unwrap());
    let both = setup.list(ADMIN, &format!("?cid={cid_a},{cid_b}")).await.json();
    assert_eq!(names(&both), ["b", "a"]);
    let repeated = setup.list(ADMIN, &format!("?cid={cid_a}&cid={cid_a}")).await.json();
    assert_eq!(repeated["count"], 1);
    assert_eq!(setup.list(ADMIN, &format!("?cid={}", new_cid())).await.json()["count"], 0);
    assert_eq!(setup.list(ADMIN, "?status=pinned").await.json()["count"], 3);
    assert_eq!(setup.list(ADMIN, "?status=queued,pinning,failed").await.json()["count"], 0);
    assert_eq!(setup.list(ADMIN, "?status=queued,pinned,pinning,failed").await.json()["count"], 3);
    assert_eq!(setup.list(ADMIN, &format!("?meta={}", encode("{}"))).await.json()["count"], 3);
    // Pinarkive keeps no metadata, so no pin has any.
    assert_eq!(setup.list(ADMIN, &format!("?meta={}", encode(r#"{"app_id":"x"}"#))).await.json()["count"], 0);
}

#[tokio::test]
async fn newest_first_ten_by_default_and_limit_caps_the_page_not_the_count() {
    let setup = support::start().await;
    for i in 0..12 {
        setup.pin(Some(&format!("pin-{i:02}"))).await;
    }
    let page = setup.list(ADMIN, "").await.json();
    assert_eq!(page["count"], 12);
    let expected: Vec<String> = (2..12).rev().map(|i| format!("pin-{i:02}")).collect();
    assert_eq!(names(&page), expected);
    let small = setup.list(ADMIN, "?limit=3").await.json();
    assert_eq!((small["count"].as_u64(), names(&small).len()), (Some(12), 3));
    assert_eq!(setup.list(ADMIN, "?limit=1000").await.json()["results"].as_array().unwrap().len(), 12);
}

#[tokio::test]
async fn before_pages_through_everything_once_and_after_bounds_it() {
    let setup = support::start().await;
    let mut made = Vec::new();
    for i in 0..7 {
        made.push(setup.pin(Some(&format!("p{i}"))).await);
    }
    let mut seen = HashSet::new();
    let mut query = "?limit=3".to_owned();
    for _ in 0..5 {
        let page = setup.list(ADMIN, &query).await.json();
        let results = page["results"].as_array().unwrap().clone();
        if results.is_empty() {
            break;
        }
        for pin in &results {
            assert!(seen.insert(pin["requestid"].as_str().unwrap().to_owned()), "a pin listed twice");
        }
        let oldest = results.last().unwrap()["created"].as_str().unwrap().to_owned();
        query = format!("?limit=3&before={}", encode(&oldest));
    }
    assert_eq!(seen.len(), 7);
    let third = made[2]["created"].as_str().unwrap();
    let after = setup.list(ADMIN, &format!("?after={}", encode(third))).await.json();
    assert_eq!(names(&after), ["p6", "p5", "p4", "p3"]);
    let fifth = made[5]["created"].as_str().unwrap();
    let between =
        setup.list(ADMIN, &format!("?after={}&before={}", encode(third), encode(fifth))).await.json();
    assert_eq!(names(&between), ["p4", "p3"]);
}

#[tokio::test]
async fn every_upload_is_listed_and_pinarkives_own_pins_too() {
    let setup = support::start().await;
    let client =
        pinarkive::Client::builder().base_url(setup.emulator.base_url()).api_key(ADMIN).build().unwrap();
    let cid = new_cid();
    client.files_pin().cid(&cid).send().await.unwrap();
    let page = setup.list(ADMIN, "").await.json();
    assert_eq!(page["count"], 1);
    // Pinarkive names an unnamed pin after its CID: not a name, so none is given.
    assert_eq!(page["results"][0]["pin"], json!({ "cid": cid }));
}

#[tokio::test]
async fn bad_filters_are_400_naming_the_parameter() {
    let setup = support::start().await;
    for (query, parameter) in [
        ("?limit=0", "limit"),
        ("?limit=1001", "limit"),
        ("?match=fuzzy&name=x", "match"),
        ("?status=done", "status"),
        ("?before=yesterday", "before"),
        ("?after=2020-13-45T00:00:00Z", "after"),
        ("?meta=%5B1%5D", "meta"),
        ("?cid=not-a-cid", "cid"),
    ] {
        let reply = setup.list(ADMIN, query).await;
        assert_eq!((reply.status, reply.reason().as_str()), (400, "BAD_REQUEST"), "{query}");
        assert!(reply.details().starts_with(parameter), "{query}: {}", reply.details());
    }
}
