//! Public routes: service information, health, peers, locales, plans and the spec itself.

use std::sync::OnceLock;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use serde_json::{json, Value};

use super::catalog::{all_plans, CLUSTERS};
use super::errors::ApiError;
use super::request::{ok, Call, Reply};
use crate::types::HealthResponse;

/// The spec as JSON text, converted once: it is large, and served as it is.
fn spec_json() -> Option<&'static [u8]> {
    static SPEC: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let value: Value = serde_yaml::from_str(crate::spec::YAML).ok()?;
        serde_json::to_vec(&value).ok()
    })
    .as_deref()
}

pub(crate) async fn openapi(call: Call) -> Reply {
    match spec_json() {
        Some(spec) => Ok(([(header::CONTENT_TYPE, "application/json")], spec).into_response()),
        None => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{}: the spec could not be read", call.op),
        )),
    }
}

pub(crate) async fn api_info(call: Call) -> Reply {
    ok(
        &call,
        json!({
            "name": "Pinarkive API (emulator)",
            "version": "3",
            "emulator": true,
            "links": {
                "health": "/api/v3/health",
                "plans": "/api/v3/plans",
                "docs": "/api/v3/docs/openapi.json",
            },
        }),
    )
}

pub(crate) async fn health(call: Call) -> Reply {
    ok(&call, HealthResponse { status: Some("ok".to_owned()) })
}

pub(crate) async fn peers(call: Call) -> Reply {
    let peers: Vec<Value> = CLUSTERS
        .iter()
        .enumerate()
        .map(|(i, cluster)| {
            json!({
                "id": peer_id(i),
                "peername": format!("{}-peer-0", cluster.id),
                "clusterId": cluster.id,
                "addresses": [],
            })
        })
        .collect();
    ok(&call, peers)
}

/// A stable, valid libp2p peer id for peer `i` (`12D3KooW…`): the identity multihash of an
/// Ed25519 public key in libp2p's protobuf framing, the key being `i` padded to 32 bytes.
pub(crate) fn peer_id(i: usize) -> String {
    let mut key = vec![0x08, 0x01, 0x12, 0x20];
    key.extend_from_slice(&[0xe7; 24]);
    key.extend_from_slice(&(i as u64).to_be_bytes());
    let hash = cid::multihash::Multihash::<64>::wrap(0x00, &key).expect("36 bytes fit");
    cid::multibase::Base::Base58Btc.encode(hash.to_bytes())
}

pub(crate) async fn languages(call: Call) -> Reply {
    let languages: Vec<Value> = [
        ("en", "English"),
        ("es", "Español"),
        ("ca", "Català"),
        ("eu", "Euskara"),
        ("de", "Deutsch"),
        ("fr", "Français"),
        ("it", "Italiano"),
        ("pt", "Português"),
        ("ru", "Русский"),
    ]
    .iter()
    .map(|(code, name)| json!({ "code": code, "name": name }))
    .collect();
    ok(&call, languages)
}

pub(crate) async fn countries(call: Call) -> Reply {
    let countries: Vec<Value> = [
        ("ES", "Spain"),
        ("DE", "Germany"),
        ("FR", "France"),
        ("IT", "Italy"),
        ("PT", "Portugal"),
        ("GB", "United Kingdom"),
        ("US", "United States"),
        ("CA", "Canada"),
        ("MX", "Mexico"),
        ("BR", "Brazil"),
    ]
    .iter()
    .map(|(code, name)| json!({ "code": code, "name": name }))
    .collect();
    ok(&call, countries)
}

pub(crate) async fn plans(call: Call) -> Reply {
    ok(&call, all_plans())
}
