//! Random requests built from the spec, valid and not: whatever is sent, the emulator answers
//! with a status the operation lists and a body valid against its schema, never a 5xx.
//!
//! Every case picks an operation of `pinarkive::spec::OPERATIONS`, then its credentials (none,
//! unknown, a key with every scope, as `X-API-Key` or Bearer, a key with no scope, a session),
//! its path parameters (CIDs and ids the emulator knows, other CIDs, arbitrary text), its query
//! parameters (from their schemas, or junk), an `X-Cluster` header, and a body: JSON generated
//! from the request schema, the same with a required field dropped or a field of the wrong type,
//! other JSON, bytes that are not JSON, the wrong content type, or multipart parts with arbitrary
//! names, file names and contents.

use pinarkive::emulator::Emulator;
use pinarkive::OperationId;
use pinarkive_contract::conformance::Conformance;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value};

use crate::support::ADMIN;

/// Enough cases to reach every operation some 30 times; about 10 s in a debug build.
const CASES: u32 = 1500;
/// The emulator's request-body limit: above every JSON body generated here, below some uploads.
const UPLOAD_LIMIT: u64 = 1500;

/// A key that holds no scope.
const NO_SCOPES: &str = "pk_prop_no_scopes";

#[derive(Debug, Clone, Copy)]
enum Auth {
    None,
    Unknown,
    AdminHeader,
    AdminBearer,
    NoScopes,
    Session,
}

#[derive(Debug, Clone)]
struct PartSpec {
    name: String,
    file_name: Option<String>,
    content: Vec<u8>,
}

#[derive(Debug, Clone)]
enum Body {
    None,
    Json(Value),
    Raw { content_type: String, bytes: Vec<u8> },
    Multipart(Vec<PartSpec>),
}

#[derive(Debug, Clone)]
struct RandomRequest {
    op: usize,
    auth: Auth,
    path_values: Vec<String>,
    query: Vec<(String, String)>,
    cluster_header: Option<String>,
    body: Body,
}

/// What the emulator already holds, so that random requests also reach real state.
struct Known {
    cids: Vec<String>,
    upload_ids: Vec<String>,
}

/// The spec's request shape of one operation.
struct Shape {
    path_params: Vec<String>,
    query_params: Vec<(String, Value)>,
    json_body: Option<Value>,
    multipart: bool,
}

/// `value` with its `$ref`s followed (the tools' one resolver), or null where they lead nowhere.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    spec_model::resolve(doc, value).map_or(&Value::Null, |found| found.node)
}

fn shape(doc: &Value, op: OperationId) -> Shape {
    let found = spec_model::operations(doc).into_iter().find(|found| found.id == Some(op.as_str()));
    let found = found.unwrap_or_else(|| panic!("{op} is not in the embedded spec"));
    let mut path_params = Vec::new();
    let mut query_params = Vec::new();
    for parameter in found.parameters(doc).into_iter().flatten() {
        let name = parameter.name.to_owned();
        match parameter.location {
            "path" => path_params.push(name),
            "query" => query_params.push((name, parameter.node["schema"].clone())),
            _ => {}
        }
    }
    let content = &resolve(doc, &found.node["requestBody"])["content"];
    Shape {
        path_params,
        query_params,
        json_body: content.get("application/json").map(|c| c["schema"].clone()),
        multipart: content.get("multipart/form-data").is_some(),
    }
}

fn junk_text() -> BoxedStrategy<String> {
    prop_oneof![
        "[a-zA-Z0-9_~-][a-zA-Z0-9 _.~%/-]{0,20}",
        Just("bafkqaaa".to_owned()),
        Just("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG".to_owned()),
        Just("cl0-global".to_owned()),
        Just("ünïcödé".to_owned()),
    ]
    .boxed()
}

fn any_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        junk_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

fn date_time() -> BoxedStrategy<String> {
    prop_oneof![
        (1u32..3000)
            .prop_map(|days| (chrono::Utc::now() + chrono::TimeDelta::days(days.into())).to_rfc3339()),
        (1u32..3000)
            .prop_map(|days| (chrono::Utc::now() - chrono::TimeDelta::days(days.into())).to_rfc3339()),
        Just("9999-12-31T23:59:59Z".to_owned()),
        junk_text(),
    ]
    .boxed()
}

/// A value valid against `schema` (as far as this generator understands schemas).
fn valid_value(doc: &Value, schema: &Value, known: &Known, depth: u32) -> BoxedStrategy<Value> {
    let schema = resolve(doc, schema);
    if let Some(values) = schema["enum"].as_array().filter(|v| !v.is_empty()) {
        return prop::sample::select(values.clone()).boxed();
    }
    match schema["type"].as_str() {
        Some("string") if schema["format"] == "date-time" => date_time().prop_map(Value::from).boxed(),
        Some("string") => {
            let mut known_values: Vec<String> = known.cids.clone();
            known_values.extend(["cl0-global", "cl1-eu", "free", "premium", "user:read"].map(str::to_owned));
            let min = schema["minLength"].as_u64().unwrap_or(0) as usize;
            prop_oneof![junk_text(), prop::sample::select(known_values)]
                .prop_filter("minLength", move |s| s.chars().count() >= min)
                .prop_map(Value::from)
                .boxed()
        }
        Some("integer") => {
            let min = schema["minimum"].as_i64().unwrap_or(0);
            let max = schema["maximum"].as_i64().unwrap_or(min + 200);
            (min..=max).prop_map(Value::from).boxed()
        }
        Some("number") => (0f64..1000.0).prop_map(Value::from).boxed(),
        Some("boolean") => any::<bool>().prop_map(Value::from).boxed(),
        Some("array") if depth < 3 => {
            prop::collection::vec(valid_value(doc, &schema["items"], known, depth + 1), 0..3)
                .prop_map(Value::from)
                .boxed()
        }
        Some("object") if depth < 3 => {
            let required: Vec<&str> =
                schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = schema["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, property)| {
                    let name = name.clone();
                    let value = valid_value(doc, property, known, depth + 1);
                    if required.contains(&name.as_str()) {
                        value.prop_map(move |v| Some((name.clone(), v))).boxed()
                    } else {
                        prop::option::of(value.prop_map(move |v| (name.clone(), v))).boxed()
                    }
                })
                .collect();
            fields
                .prop_map(|fields| Value::Object(fields.into_iter().flatten().collect::<Map<_, _>>()))
                .boxed()
        }
        _ => any_json(),
    }
}

/// A JSON body for `schema`: valid, or one field dropped or mistyped, or other JSON altogether.
fn json_body(doc: &Value, schema: &Value, known: &Known) -> BoxedStrategy<Body> {
    let valid = valid_value(doc, schema, known, 0);
    prop_oneof![
        4 => valid.clone().prop_map(Body::Json),
        1 => (valid.clone(), any::<Index>()).prop_map(|(mut value, index)| {
            if let Some(object) = value.as_object_mut().filter(|o| !o.is_empty()) {
                let key = object.keys().nth(index.index(object.len())).cloned().unwrap_or_default();
                object.remove(&key);
            }
            Body::Json(value)
        }),
        1 => (valid, any::<Index>(), any_json()).prop_map(|(mut value, index, junk)| {
            if let Some(object) = value.as_object_mut().filter(|o| !o.is_empty()) {
                let key = object.keys().nth(index.index(object.len())).cloned().unwrap_or_default();
                object.insert(key, junk);
            }
            Body::Json(value)
        }),
        1 => any_json().prop_map(Body::Json),
        1 => raw_body(),
        1 => Just(Body::None),
    ]
    .boxed()
}

fn raw_body() -> BoxedStrategy<Body> {
    let content_type = prop::sample::select(vec![
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=xyz",
    ]);
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        Just(b"{not json".to_vec()),
        Just(b"--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nno end".to_vec()),
    ];
    (content_type, bytes).prop_map(|(c, bytes)| Body::Raw { content_type: c.to_owned(), bytes }).boxed()
}

fn multipart_body(directory: bool) -> BoxedStrategy<Body> {
    let name = prop::sample::select(vec!["file", "files", "files", "cl", "timelock", "dirName", "other"]);
    let file_name = prop::option::of(prop_oneof![
        "[a-z]{1,6}(/[a-z]{1,6}){0,2}\\.txt",
        Just("../up.txt".to_owned()),
        Just("/abs.txt".to_owned()),
        Just(String::new()),
        junk_text(),
    ]);
    let content = prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..96),
        // Past the emulator's request limit (UPLOAD_LIMIT) on its own: a 413.
        1 => prop::collection::vec(any::<u8>(), UPLOAD_LIMIT as usize..UPLOAD_LIMIT as usize + 64),
        2 => prop::sample::select(vec![
            "cl0-global",
            "cl2-de",
            "nowhere",
            "2999-01-01T00:00:00Z",
            "2000-01-01T00:00:00Z"
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ];
    let part = (name, file_name, content).prop_map(|(name, file_name, content)| PartSpec {
        name: name.to_owned(),
        file_name,
        content,
    });
    prop_oneof![
        3 => prop::collection::vec(part, 0..5).prop_map(Body::Multipart),
        3 => valid_form(directory),
        1 => raw_body(),
    ]
    .boxed()
}

/// A form the upload routes accept: one `file` (or, for a `directory`, `files` at relative
/// paths), and maybe a cluster and a future timelock.
fn valid_form(directory: bool) -> BoxedStrategy<Body> {
    let file = |name: &'static str| {
        ("[a-z]{1,6}(/[a-z]{1,6}){0,2}\\.txt", prop::collection::vec(any::<u8>(), 0..40)).prop_map(
            move |(file_name, content)| PartSpec {
                name: name.to_owned(),
                file_name: Some(file_name),
                content,
            },
        )
    };
    let files = if directory {
        prop::collection::vec(file("files"), 1..4).boxed()
    } else {
        file("file").prop_map(|p| vec![p]).boxed()
    };
    let text = |name: &'static str, values: Vec<String>| {
        prop::option::of(prop::sample::select(values)).prop_map(move |value| {
            value.map(|v| PartSpec { name: name.to_owned(), file_name: None, content: v.into_bytes() })
        })
    };
    let future = (chrono::Utc::now() + chrono::TimeDelta::days(30)).to_rfc3339();
    let cl = text("cl", vec!["cl0-global".to_owned(), "cl1-eu".to_owned()]);
    (files, cl, text("timelock", vec![future]))
        .prop_map(|(mut parts, cl, timelock)| {
            parts.extend(cl);
            parts.extend(timelock);
            Body::Multipart(parts)
        })
        .boxed()
}

fn query_value(doc: &Value, schema: &Value, known: &Known) -> BoxedStrategy<String> {
    let valid = valid_value(doc, schema, known, 0).prop_map(|v| match v {
        Value::String(s) => s,
        other => other.to_string(),
    });
    prop_oneof![3 => valid, 1 => junk_text(), 1 => Just("-1".to_owned()), 1 => Just("99999999999999999999".to_owned())]
        .boxed()
}

fn request_for(doc: &Value, index: usize, known: &Known) -> BoxedStrategy<RandomRequest> {
    let shape = shape(doc, OperationId::ALL[index]);
    let auth = prop_oneof![
        1 => Just(Auth::None),
        1 => Just(Auth::Unknown),
        4 => Just(Auth::AdminHeader),
        2 => Just(Auth::AdminBearer),
        1 => Just(Auth::NoScopes),
        1 => Just(Auth::Session),
    ];
    let mut path_choices: Vec<String> = known.cids.clone();
    path_choices.extend(known.upload_ids.iter().cloned());
    path_choices.push("bafkqaaa".to_owned());
    let path_value = prop_oneof![prop::sample::select(path_choices), junk_text()];
    let path_values = prop::collection::vec(path_value, shape.path_params.len());
    let query: Vec<BoxedStrategy<Option<(String, String)>>> = shape
        .query_params
        .iter()
        .map(|(name, schema)| {
            let name = name.clone();
            prop::option::of(query_value(doc, schema, known).prop_map(move |v| (name.clone(), v))).boxed()
        })
        .collect();
    let extra_query = prop::option::of(("[a-zA-Z]{1,6}", junk_text()));
    let cluster_header = prop::option::of(prop::sample::select(vec!["cl0-global", "cl1-eu", "nope", ""]));
    let body = match (&shape.json_body, shape.multipart) {
        (_, true) => multipart_body(OperationId::ALL[index].as_str() == "files_directory_dag_upload"),
        (Some(schema), false) => json_body(doc, schema, known),
        (None, false) => prop_oneof![3 => Just(Body::None), 1 => raw_body()].boxed(),
    };
    (auth, path_values, query, extra_query, cluster_header, body)
        .prop_map(move |(auth, path_values, query, extra, cluster_header, body)| RandomRequest {
            op: index,
            auth,
            path_values,
            query: query.into_iter().flatten().chain(extra).collect(),
            cluster_header: cluster_header.map(str::to_owned),
            body,
        })
        .boxed()
}

struct Fixture {
    emu: Emulator,
    http: reqwest::Client,
}

async fn setup() -> (Fixture, Known) {
    let emu = Emulator::builder()
        .api_key(ADMIN, ["*"])
        .api_key(NO_SCOPES, Vec::<String>::new())
        .no_rate_limit()
        .max_upload_bytes(UPLOAD_LIMIT)
        .start()
        .await
        .expect("emulator starts");
    let client = crate::support::client(&emu, ADMIN);
    let file = client.upload("seed.txt", &b"seed"[..]).send().await.expect("seed upload");
    let dag = client.upload_dag().file("a/b.txt", &b"b"[..]).send().await.expect("seed dag");
    let list = client.users_me_uploads_list().send().await.expect("seed list");
    let known = Known {
        cids: vec![file.cid.clone(), dag.cid.clone()],
        upload_ids: list.uploads.iter().filter_map(|u| u.id.clone()).collect(),
    };
    (Fixture { emu, http: crate::support::http() }, known)
}

async fn check(fixture: &Fixture, request: RandomRequest) -> Result<(), TestCaseError> {
    let op = OperationId::ALL[request.op];
    let mut path = op.path().to_owned();
    let shape_params: Vec<&str> = op.path().split('{').skip(1).filter_map(|s| s.split('}').next()).collect();
    for (name, value) in shape_params.iter().zip(&request.path_values) {
        let encoded =
            percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string();
        path = path.replace(&format!("{{{name}}}"), &encoded);
    }
    let method = reqwest::Method::from_bytes(op.method().as_bytes()).expect("a method");
    let mut builder =
        fixture.http.request(method, format!("{}{path}", fixture.emu.base_url())).query(&request.query);
    builder = match request.auth {
        Auth::None => builder,
        Auth::Unknown => builder.header("x-api-key", "pk_unknown"),
        Auth::AdminHeader => builder.header("x-api-key", ADMIN),
        Auth::AdminBearer => builder.bearer_auth(ADMIN),
        Auth::NoScopes => builder.header("x-api-key", NO_SCOPES),
        // A fresh session each time: a random logout or password reset may end an older one.
        Auth::Session => builder.bearer_auth(crate::support::session(&fixture.emu).await),
    };
    if let Some(cluster) = &request.cluster_header {
        builder = builder.header("x-cluster", cluster);
    }
    builder = match &request.body {
        Body::None => builder,
        Body::Json(value) => builder.json(value),
        Body::Raw { content_type, bytes } => builder.header("content-type", content_type).body(bytes.clone()),
        Body::Multipart(parts) => {
            let mut form = reqwest::multipart::Form::new();
            for part in parts {
                let mut p = reqwest::multipart::Part::bytes(part.content.clone());
                if let Some(name) = &part.file_name {
                    p = p.file_name(name.clone());
                }
                form = form.part(part.name.clone(), p);
            }
            builder.multipart(form)
        }
    };
    let response =
        builder.send().await.map_err(|e| TestCaseError::fail(format!("{}: no answer: {e}", op.as_str())))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body =
        response.bytes().await.map_err(|e| TestCaseError::fail(format!("{}: body: {e}", op.as_str())))?;
    let shown = String::from_utf8_lossy(&body);
    prop_assert!(status < 500, "{} answered {status}: {shown}", op.as_str());
    if let Err(e) = Conformance::embedded().check(op.as_str(), status, &headers, &body) {
        return Err(TestCaseError::fail(format!("{e}\nbody: {shown}")));
    }
    Ok(())
}

#[test]
fn random_requests_from_the_spec_get_documented_answers_and_never_a_5xx() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (fixture, known) = runtime.block_on(setup());
    let doc = Conformance::embedded().document();
    let per_operation: Vec<BoxedStrategy<RandomRequest>> =
        (0..OperationId::ALL.len()).map(|index| request_for(doc, index, &known)).collect();
    let strategy = (0..OperationId::ALL.len()).prop_flat_map(move |index| per_operation[index].clone());
    let config = Config { cases: CASES, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let reached = std::sync::Mutex::new(std::collections::BTreeSet::new());
    let result = runner.run(&strategy, |request| {
        reached.lock().unwrap().insert(OperationId::ALL[request.op].as_str());
        runtime.block_on(check(&fixture, request))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let reached = reached.into_inner().unwrap();
    let missed: Vec<&str> =
        OperationId::ALL.iter().copied().map(|op| op.as_str()).filter(|id| !reached.contains(id)).collect();
    assert!(missed.is_empty(), "no random request reached {missed:?}");
}
