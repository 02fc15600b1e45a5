//! The upload stream across pages: it ends on short or empty pages, on the reported total,
//! and on a server that ignores `page`, never looping forever.

use futures::TryStreamExt;
use httpmock::{Method, MockServer};
use pinarkive::Error;
use serde_json::{json, Value};

use crate::support::{self, fake_cid, Auth, CID, CID_V0};

/// `n` distinct uploads starting at `from`.
fn uploads(from: u64, n: u64) -> Vec<Value> {
    (from..from + n).map(|i| json!({"cid": fake_cid(i)})).collect()
}

async fn page(server: &MockServer, number: u32, body: Value) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(Method::GET)
                .path("/users/me/uploads")
                .query_param("page", number.to_string())
                .query_param("limit", "2");
            then.status(200).json_body(body);
        })
        .await
}

async fn all(server: &MockServer) -> pinarkive::Result<Vec<String>> {
    let client = support::client(server, Auth::ApiKey);
    let items: Vec<_> = client.uploads().page_size(2).stream().try_collect().await?;
    Ok(items.into_iter().map(|u| u.cid).collect())
}

#[tokio::test]
async fn uploads_stream_ends_on_a_short_page_without_totals() {
    let server = MockServer::start_async().await;
    let p1 = page(&server, 1, json!({"uploads": uploads(0, 2)})).await;
    let p2 = page(&server, 2, json!({"uploads": uploads(2, 1)})).await;
    assert_eq!(all(&server).await.unwrap(), [fake_cid(0), fake_cid(1), fake_cid(2)]);
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(1).await;
}

#[tokio::test]
async fn uploads_stream_ends_on_an_empty_page() {
    let server = MockServer::start_async().await;
    page(&server, 1, json!({"uploads": uploads(0, 2)})).await;
    let p2 = page(&server, 2, json!({"uploads": []})).await;
    assert_eq!(all(&server).await.unwrap().len(), 2);
    p2.assert_calls_async(1).await;
}

#[tokio::test]
async fn uploads_stream_stops_at_the_reported_total() {
    let server = MockServer::start_async().await;
    page(&server, 1, json!({"uploads": uploads(0, 2), "pagination": {"page": 1, "limit": 2, "total": 4}}))
        .await;
    page(&server, 2, json!({"uploads": uploads(2, 2), "pagination": {"page": 2, "limit": 2, "total": 4}}))
        .await;
    let p3 = page(&server, 3, json!({"uploads": uploads(4, 2)})).await;
    assert_eq!(all(&server).await.unwrap().len(), 4);
    p3.assert_calls_async(0).await;
}

#[tokio::test]
async fn uploads_stream_survives_a_total_that_is_too_large() {
    let server = MockServer::start_async().await;
    page(&server, 1, json!({"uploads": uploads(0, 2), "total": 1000})).await;
    page(&server, 2, json!({"uploads": [], "total": 1000})).await;
    assert_eq!(all(&server).await.unwrap().len(), 2);
}

#[tokio::test]
async fn uploads_stream_reports_a_server_that_ignores_page() {
    let server = MockServer::start_async().await;
    let same = server
        .mock_async(|when, then| {
            when.method(Method::GET).path("/users/me/uploads");
            then.status(200).json_body(json!({"uploads": uploads(0, 2)}));
        })
        .await;
    let error = all(&server).await.unwrap_err();
    assert!(
        matches!(&error, Error::Paging { page: 2, reason } if reason.contains("page 2 repeats an earlier page")),
        "{error}"
    );
    same.assert_calls_async(2).await;
}

/// A server that caps `limit` at 2 whatever is asked, as the API caps it, and says so only by
/// the length of its pages (or by `pagination.limit`, when `report_limit`).
async fn capped(server: &MockServer, pages: &[u64], total: Option<u64>, report_limit: bool) {
    let mut from = 0;
    for (i, &n) in pages.iter().chain(&[0]).enumerate() {
        let mut body = json!({"uploads": uploads(from, n)});
        if let Some(total) = total {
            body["total"] = json!(total);
        }
        if report_limit {
            body["pagination"] = json!({"page": i + 1, "limit": 2});
        }
        from += n;
        server
            .mock_async(|when, then| {
                when.method(Method::GET)
                    .path("/users/me/uploads")
                    .query_param("page", (i + 1).to_string())
                    .query_param("limit", "5");
                then.status(200).json_body(body);
            })
            .await;
    }
}

async fn all_asking_five(server: &MockServer) -> pinarkive::Result<Vec<String>> {
    let client = support::client(server, Auth::ApiKey);
    let items: Vec<_> = client.uploads().page_size(5).stream().try_collect().await?;
    Ok(items.into_iter().map(|u| u.cid).collect())
}

#[tokio::test]
async fn uploads_stream_walks_on_when_the_server_caps_the_page_size() {
    let every: Vec<String> = (0..5).map(fake_cid).collect();
    // Without a total or a reported limit, the first page's length is the page size.
    let server = MockServer::start_async().await;
    capped(&server, &[2, 2, 1], None, false).await;
    assert_eq!(all_asking_five(&server).await.unwrap(), every);
    // With the reported limit.
    let server = MockServer::start_async().await;
    capped(&server, &[2, 2, 1], None, true).await;
    assert_eq!(all_asking_five(&server).await.unwrap(), every);
    // With a total (the budget counts the server's page size: 3 pages here, not 1).
    let server = MockServer::start_async().await;
    capped(&server, &[2, 2, 1], Some(5), false).await;
    assert_eq!(all_asking_five(&server).await.unwrap(), every);
}

#[tokio::test]
async fn uploads_stream_without_totals_asks_once_more_after_a_short_first_page() {
    // A short first page may be the server's cap or the last page; an empty second page tells.
    let server = MockServer::start_async().await;
    capped(&server, &[3], None, false).await;
    assert_eq!(all_asking_five(&server).await.unwrap().len(), 3);
}

#[tokio::test]
async fn uploads_stream_passes_filters_and_stops_on_errors() {
    let server = MockServer::start_async().await;
    let filtered = server
        .mock_async(|when, then| {
            when.method(Method::GET)
                .path("/users/me/uploads")
                .query_param("parentCid", CID)
                .query_param("hasExpiration", "true");
            then.status(500).json_body(json!({"error": "boom"}));
        })
        .await;
    let client = support::client(&server, Auth::ApiKey);
    let result: pinarkive::Result<Vec<_>> =
        client.uploads().parent_cid(CID).has_expiration(true).stream().try_collect().await;
    assert_eq!(result.unwrap_err().status().map(|s| s.as_u16()), Some(500));
    filtered.assert_calls_async(1).await;
}

#[tokio::test]
async fn gateways_come_from_the_users_clusters() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(Method::GET).path("/users/me/clusters");
            then.status(200).json_body(json!([
                {"clusterId": "cl0-global", "gateways": [{"publicUrl": "https://gateway.pinarkive.com/ipfs/"}]},
                {"clusterId": "cl1-eu", "gateways": [{"url": "https://eu1.gateway.pinarkive.com/ipfs/"}]}
            ]));
        })
        .await;
    let client = support::builder(&server, Auth::ApiKey).cluster("cl1-eu").build().unwrap();
    let gateways = client.gateways().await.unwrap();
    assert_eq!(gateways.url(CID_V0).unwrap(), format!("https://eu1.gateway.pinarkive.com/ipfs/{CID_V0}"));
    assert!(gateways.url("nope").is_err());
}
