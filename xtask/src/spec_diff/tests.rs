//! Spec pairs, one change each: every test proves the change's kind, its direction, whether it
//! breaks clients on the wire, what it does to the generated Rust API (found by generating
//! both clients) and the version bump, under 0.x and 1.x. Then the whole spec against itself
//! and against a 3.1-style JSON copy, hostile specs, and the release check in a temporary git
//! repository.

use semver::Version;
use serde_json::{json, Value};

use super::change::Level;
use super::version::{self, Bump};
use super::{diff, Report, RustSide, Source};
use crate::test_json::{at, remove, set};

/// A small spec of three operations, written for these tests (the real one moves).
const BASE: &str = r##"
openapi: 3.0.3
info: {title: Pins, version: "1"}
servers: [{url: "https://api.example.com/api/v3"}]
paths:
  /pins/{cid}:
    get:
      operationId: pins_get
      x-scope: files:read
      x-evidence: {sources: ["docs: pins.mdx"]}
      security: [{ApiKeyHeader: []}, {BearerAuth: []}]
      parameters:
        - {name: cid, in: path, required: true, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, default: 10}}
        - {name: tags, in: query, schema: {type: array, items: {type: string}}}
        - {name: X-Cluster, in: header, schema: {type: string}}
      responses:
        '200':
          description: The pin.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pin'}
        '401': {$ref: '#/components/responses/Error'}
        '429':
          description: Slow down.
          headers:
            Retry-After: {required: true, schema: {type: integer}}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ErrorBody'}
    delete:
      operationId: pins_delete
      x-scope: files:delete
      security: [{ApiKeyHeader: []}, {BearerAuth: []}]
      parameters:
        - {name: cid, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: Removed.
          content:
            application/json:
              schema:
                type: object
                properties:
                  removed: {type: boolean}
        '401': {$ref: '#/components/responses/Error'}
  /pins:
    post:
      operationId: pins_create
      x-scope: files:write
      security: [{ApiKeyHeader: []}, {BearerAuth: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/PinRequest'}
      responses:
        '201':
          description: Pinned.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pin'}
        '401': {$ref: '#/components/responses/Error'}
components:
  securitySchemes:
    ApiKeyHeader: {type: apiKey, in: header, name: X-API-Key}
    BearerAuth: {type: http, scheme: bearer}
  responses:
    Error:
      description: An error.
      content:
        application/json:
          schema: {$ref: '#/components/schemas/ErrorBody'}
  schemas:
    ErrorBody:
      type: object
      properties:
        error: {type: string}
        code: {type: string}
    PinRequest:
      type: object
      required: [cid]
      properties:
        cid: {type: string}
        name: {type: string, description: A name.}
        expires: {type: string}
        mode: {type: string, enum: [fast, safe]}
    Pin:
      type: object
      required: [cid]
      properties:
        cid: {type: string}
        name: {type: string}
        size: {type: integer}
        score: {type: number}
        state: {type: string, enum: [pinned, queued]}
        created: {type: string, format: date-time}
"##;

fn base() -> Value {
    serde_yaml::from_str(BASE).expect("the fixture parses")
}

fn source(label: &str, value: &Value) -> Source {
    Source { label: label.into(), text: serde_json::to_string_pretty(value).expect("JSON") }
}

fn v(text: &str) -> Version {
    Version::parse(text).expect("a version")
}

fn diff_after(edit: impl FnOnce(&mut Value)) -> Report {
    let mut head = base();
    edit(&mut head);
    diff(&source("base", &base()), &source("head", &head), &v("0.1.0"), true)
        .expect("both specs are readable")
}

/// What the Rust API does, for the change under test.
enum Rust {
    /// No Rust change at all.
    Nothing,
    /// Changes, the most serious of this level, one of them naming this item.
    Changes(Level, &'static str),
    /// HEAD cannot be generated.
    HeadFails(&'static str),
}

/// One change of `kind` in `direction` (and nothing else but documentation and changes of no
/// level), classified so on the wire and in Rust, with the bumps from 0.1.0 and from 1.2.3.
struct Expect {
    kind: &'static str,
    direction: &'static str,
    wire_breaking: bool,
    rust: Rust,
    bump: [Bump; 2],
}

fn check(edit: impl FnOnce(&mut Value), expect: Expect) -> Report {
    let report = diff_after(edit);
    let shown = super::render::render(&report, super::Format::Text, true);
    let matching: Vec<_> = report.changes.iter().filter(|c| c.kind.name() == expect.kind).collect();
    assert_eq!(matching.len(), 1, "one {} expected:\n{shown}", expect.kind);
    let change = matching[0];
    let others: Vec<&str> = report
        .changes
        .iter()
        .filter(|c| c.kind.name() != expect.kind && !c.kind.is_documentation() && c.level != Level::None)
        .map(|c| c.kind.name())
        .collect();
    assert!(others.is_empty(), "other changes {others:?}:\n{shown}");
    assert_eq!(change.direction.as_str(), expect.direction, "{shown}");
    assert_eq!(change.wire_breaking, expect.wire_breaking, "wire classification:\n{shown}");
    match (&expect.rust, &report.rust) {
        (Rust::Nothing, RustSide::Compared { changes, .. }) => {
            assert!(changes.is_empty(), "no Rust change expected:\n{shown}")
        }
        (Rust::Changes(level, item), RustSide::Compared { changes, unattributed, .. }) => {
            let mine: Vec<_> = change.rust.iter().map(|&i| &changes[i]).collect();
            assert!(
                mine.iter().any(|r| r.path.contains(item)),
                "Rust change of {item} expected on the change:\n{shown}"
            );
            assert_eq!(mine.iter().map(|r| r.level).max(), Some(*level), "Rust level:\n{shown}");
            assert!(unattributed.is_empty(), "every Rust change belongs to the spec change:\n{shown}");
        }
        (Rust::HeadFails(why), RustSide::HeadFails(reason)) => assert!(reason.contains(why), "{reason}"),
        (_, _) => panic!("unexpected Rust side:\n{shown}"),
    }
    assert_eq!(report.bump, expect.bump[0], "bump from 0.1.0:\n{shown}");
    assert_eq!(version::required(report.level, &v("1.2.3")), expect.bump[1], "bump from 1.2.3:\n{shown}");
    report
}

const MINOR_MAJOR: [Bump; 2] = [Bump::Minor, Bump::Major];
const PATCH_MINOR: [Bump; 2] = [Bump::Patch, Bump::Minor];
const PATCH_PATCH: [Bump; 2] = [Bump::Patch, Bump::Patch];

const PIN: &str = "/components/schemas/Pin/properties";
const PIN_REQUEST: &str = "/components/schemas/PinRequest/properties";
const GET: &str = "/paths/~1pins~1{cid}/get";
const CREATE: &str = "/paths/~1pins/post";

// ---------------------------------------------------------------- operations

#[test]
fn operation_removed() {
    let expect = Expect {
        kind: "operation-removed",
        direction: "operation",
        wire_breaking: true,
        rust: Rust::Changes(Level::Breaking, "Client::pins_delete"),
        bump: MINOR_MAJOR,
    };
    check(|d| remove(d, "/paths/~1pins~1{cid}/delete"), expect);
}

#[test]
fn operation_added() {
    let expect = Expect {
        kind: "operation-added",
        direction: "operation",
        wire_breaking: false,
        rust: Rust::Changes(Level::Addition, "Client::health_get"),
        bump: PATCH_MINOR,
    };
    let health = json!({"get": {"operationId": "health_get", "security": [], "responses": {"200": {"description": "Up."}}}});
    check(|d| set(d, "/paths/~1health", health), expect);
}

#[test]
fn operation_id_renamed_is_not_on_the_wire_but_breaks_rust() {
    let expect = Expect {
        kind: "operation-id-changed",
        direction: "operation",
        wire_breaking: false,
        rust: Rust::Changes(Level::Breaking, "Client::pins_get"),
        bump: MINOR_MAJOR,
    };
    let report = check(|d| set(d, &format!("{GET}/operationId"), json!("pin_get")), expect);
    let paths: Vec<&str> = report.rust_changes().iter().map(|r| r.path.as_str()).collect();
    assert!(paths.contains(&"Client::pin_get") && paths.contains(&"builder::PinGet"), "{paths:?}");
}

#[test]
fn deprecated_operation() {
    let expect = Expect {
        kind: "deprecated",
        direction: "operation",
        wire_breaking: false,
        rust: Rust::Nothing,
        bump: PATCH_PATCH,
    };
    check(|d| set(d, &format!("{GET}/deprecated"), json!(true)), expect);
}

#[test]
fn scope_changed() {
    let expect = Expect {
        kind: "scope-changed",
        direction: "operation",
        wire_breaking: true,
        rust: Rust::Nothing,
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, &format!("{GET}/x-scope"), json!("files:write")), expect);
}

#[test]
fn security_tightened_to_one_scheme() {
    let expect = Expect {
        kind: "security-tightened",
        direction: "operation",
        wire_breaking: true,
        rust: Rust::Nothing,
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, &format!("{GET}/security"), json!([{"ApiKeyHeader": []}])), expect);
}

#[test]
fn security_relaxed_to_public() {
    let expect = Expect {
        kind: "security-relaxed",
        direction: "operation",
        wire_breaking: false,
        rust: Rust::Nothing,
        bump: PATCH_PATCH,
    };
    check(
        |d| set(d, &format!("{GET}/security"), json!([{"ApiKeyHeader": []}, {"BearerAuth": []}, {}])),
        expect,
    );
}

#[test]
fn server_changed() {
    let expect = Expect {
        kind: "server-changed",
        direction: "operation",
        wire_breaking: true,
        rust: Rust::Nothing,
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, "/servers/0/url", json!("https://api.example.com/api/v4")), expect);
}

// ---------------------------------------------------------------- parameters (request)

#[test]
fn required_parameter_added() {
    let expect = Expect {
        kind: "required-parameter-added",
        direction: "request",
        wire_breaking: true,
        rust: Rust::Changes(Level::Addition, "builder::PinsGet::page"),
        bump: MINOR_MAJOR,
    };
    let page = json!({"name": "page", "in": "query", "required": true, "schema": {"type": "integer"}});
    check(|d| set(d, &format!("{GET}/parameters/4"), page), expect);
}

#[test]
fn optional_parameter_added() {
    let expect = Expect {
        kind: "optional-parameter-added",
        direction: "request",
        wire_breaking: false,
        rust: Rust::Changes(Level::Addition, "builder::PinsGet::page"),
        bump: PATCH_MINOR,
    };
    let page = json!({"name": "page", "in": "query", "schema": {"type": "integer"}});
    check(|d| set(d, &format!("{GET}/parameters/4"), page), expect);
}

#[test]
fn parameter_removed() {
    let expect = Expect {
        kind: "parameter-removed",
        direction: "request",
        wire_breaking: true,
        rust: Rust::Changes(Level::Breaking, "builder::PinsGet::limit"),
        bump: MINOR_MAJOR,
    };
    check(|d| remove(d, &format!("{GET}/parameters/1")), expect);
}

#[test]
fn parameter_became_required() {
    // The builder's setter looks the same: only the wire tells.
    let expect = Expect {
        kind: "became-required",
        direction: "request",
        wire_breaking: true,
        rust: Rust::Nothing,
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, &format!("{GET}/parameters/1/required"), json!(true)), expect);
}

#[test]
fn path_parameter_renamed_is_not_on_the_wire_but_its_setter_is() {
    let report = diff_after(|d| {
        let item = at(d, "/paths").as_object_mut().unwrap().remove("/pins/{cid}").unwrap();
        set(d, "/paths/~1pins~1{hash}", item);
        set(d, "/paths/~1pins~1{hash}/get/parameters/0/name", json!("hash"));
        set(d, "/paths/~1pins~1{hash}/delete/parameters/0/name", json!("hash"));
    });
    let shown = super::render::render(&report, super::Format::Text, true);
    let kinds: Vec<&str> = report.changes.iter().map(|c| c.kind.name()).collect();
    assert_eq!(kinds, ["path-parameter-renamed", "path-parameter-renamed"], "one per operation:\n{shown}");
    assert!(!report.wire_breaking(), "{shown}");
    let get = &report.changes[0];
    assert_eq!(get.at[0].operation_id.as_deref(), Some("pins_get"), "in document order:\n{shown}");
    let rust: Vec<String> = get.rust.iter().map(|&i| report.rust_changes()[i].to_string()).collect();
    assert_eq!(
        rust,
        ["method `builder::PinsGet::cid` removed", "method `builder::PinsGet::hash` added"],
        "{shown}"
    );
    assert_eq!(report.bump, Bump::Minor, "{shown}");
    assert!(
        matches!(&report.rust, RustSide::Compared { unattributed, .. } if unattributed.is_empty()),
        "{shown}"
    );
}

#[test]
fn header_names_compare_without_case() {
    let report = diff_after(|d| set(d, &format!("{GET}/parameters/3/name"), json!("x-cluster")));
    assert!(report.changes.is_empty(), "{}", super::render::render(&report, super::Format::Text, true));
    assert_eq!(report.bump, Bump::None);
}

#[test]
fn parameter_type_widened_in_the_request() {
    let expect = Expect {
        kind: "type-widened",
        direction: "request",
        wire_breaking: false,
        rust: Rust::Changes(Level::Breaking, "builder::PinsGet::limit"),
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, &format!("{GET}/parameters/1/schema/type"), json!("number")), expect);
}

#[test]
fn parameter_minimum_removed_relaxes_the_request() {
    let expect = Expect {
        kind: "constraint-relaxed",
        direction: "request",
        wire_breaking: false,
        rust: Rust::Changes(Level::Breaking, "builder::PinsGet::limit"),
        bump: MINOR_MAJOR,
    };
    check(|d| remove(d, &format!("{GET}/parameters/1/schema/minimum")), expect);
}

#[test]
fn parameter_default_changed() {
    let expect = Expect {
        kind: "default-changed",
        direction: "request",
        wire_breaking: false,
        rust: Rust::Nothing,
        bump: PATCH_PATCH,
    };
    check(|d| set(d, &format!("{GET}/parameters/1/schema/default"), json!(20)), expect);
}

#[test]
fn parameter_style_changed() {
    let expect = Expect {
        kind: "parameter-style-changed",
        direction: "request",
        wire_breaking: true,
        rust: Rust::Nothing,
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, &format!("{GET}/parameters/2/explode"), json!(false)), expect);
}

// ---------------------------------------------------------------- request bodies

#[test]
fn required_request_body_added() {
    let expect = Expect {
        kind: "required-request-body-added",
        direction: "request",
        wire_breaking: true,
        rust: Rust::Changes(Level::Addition, "builder::PinsDelete::body"),
        bump: MINOR_MAJOR,
    };
    let body = json!({"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PinRequest"}}}});
    check(|d| set(d, "/paths/~1pins~1{cid}/delete/requestBody", body), expect);
}

#[test]
fn request_body_removed() {
    let expect = Expect {
        kind: "request-body-removed",
        direction: "request",
        wire_breaking: true,
        rust: Rust::Changes(Level::Breaking, "builder::PinsCreate::body"),
        bump: MINOR_MAJOR,
    };
    check(|d| remove(d, &format!("{CREATE}/requestBody")), expect);
}

#[test]
fn request_body_became_optional() {
    let expect = Expect {
        kind: "became-optional",
        direction: "request",
        wire_breaking: false,
        rust: Rust::Nothing,
        bump: PATCH_PATCH,
    };
    check(|d| set(d, &format!("{CREATE}/requestBody/required"), json!(false)), expect);
}

#[test]
fn required_request_field_added() {
    let expect = Expect {
        kind: "required-property-added",
        direction: "request",
        wire_breaking: true,
        rust: Rust::Changes(Level::Breaking, "types::PinRequest.cluster"),
        bump: MINOR_MAJOR,
    };
    check(
        |d| {
            set(d, &format!("{PIN_REQUEST}/cluster"), json!({"type": "string"}));
            at(d, "/components/schemas/PinRequest/required").as_array_mut().unwrap().push(json!("cluster"));
        },
        expect,
    );
}

#[test]
fn optional_request_field_added_is_compatible_on_the_wire_but_not_in_rust() {
    let expect = Expect {
        kind: "optional-property-added",
        direction: "request",
        wire_breaking: false,
        rust: Rust::Changes(Level::Breaking, "types::PinRequest.cluster"),
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, &format!("{PIN_REQUEST}/cluster"), json!({"type": "string"})), expect);
}

#[test]
fn request_field_removed() {
    let expect = Expect {
        kind: "optional-property-removed",
        direction: "request",
        wire_breaking: true,
        rust: Rust::Changes(Level::Breaking, "types::PinRequest.name"),
        bump: MINOR_MAJOR,
    };
    check(|d| remove(d, &format!("{PIN_REQUEST}/name")), expect);
}

#[test]
fn request_field_became_optional_is_compatible_on_the_wire_but_not_in_rust() {
    let expect = Expect {
        kind: "became-optional",
        direction: "request",
        wire_breaking: false,
        rust: Rust::Changes(Level::Breaking, "types::PinRequest.cid"),
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, "/components/schemas/PinRequest/required", json!([])), expect);
}

#[test]
fn request_field_type_changed() {
    let expect = Expect {
        kind: "type-changed",
        direction: "request",
        wire_breaking: true,
        rust: Rust::Changes(Level::Breaking, "types::PinRequest.name"),
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, &format!("{PIN_REQUEST}/name/type"), json!("integer")), expect);
}

#[test]
fn request_format_narrowed() {
    let expect = Expect {
        kind: "format-narrowed",
        direction: "request",
        wire_breaking: true,
        rust: Rust::Changes(Level::Breaking, "types::PinRequest.expires"),
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, &format!("{PIN_REQUEST}/expires/format"), json!("date-time")), expect);
}

#[test]
fn request_max_length_added() {
    let expect = Expect {
        kind: "constraint-tightened",
        direction: "request",
        wire_breaking: true,
        rust: Rust::Changes(Level::Breaking, "types::PinRequest"),
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, &format!("{PIN_REQUEST}/name/maxLength"), json!(64)), expect);
}

#[test]
fn request_enum_value_added_breaks_exhaustive_rust_matches() {
    let expect = Expect {
        kind: "enum-values-added",
        direction: "request",
        wire_breaking: false,
        rust: Rust::Changes(Level::Breaking, "types::PinRequestMode::Archive"),
        bump: MINOR_MAJOR,
    };
    check(
        |d| at(d, &format!("{PIN_REQUEST}/mode/enum")).as_array_mut().unwrap().push(json!("archive")),
        expect,
    );
}

#[test]
fn request_enum_value_removed() {
    let expect = Expect {
        kind: "enum-values-removed",
        direction: "request",
        wire_breaking: true,
        rust: Rust::Changes(Level::Breaking, "types::PinRequestMode::Safe"),
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, &format!("{PIN_REQUEST}/mode/enum"), json!(["fast"])), expect);
}

#[test]
fn request_additional_properties_refused() {
    let expect = Expect {
        kind: "additional-properties-narrowed",
        direction: "request",
        wire_breaking: true,
        rust: Rust::Nothing,
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, "/components/schemas/PinRequest/additionalProperties", json!(false)), expect);
}

// ---------------------------------------------------------------- responses

#[test]
fn success_status_changed() {
    let expect = Expect {
        kind: "success-status-changed",
        direction: "response",
        wire_breaking: true,
        rust: Rust::Nothing,
        bump: MINOR_MAJOR,
    };
    check(
        |d| {
            let created =
                at(d, &format!("{CREATE}/responses")).as_object_mut().unwrap().remove("201").unwrap();
            set(d, &format!("{CREATE}/responses/200"), created);
        },
        expect,
    );
}

#[test]
fn error_status_added() {
    let expect = Expect {
        kind: "error-status-added",
        direction: "response",
        wire_breaking: false,
        rust: Rust::Nothing,
        bump: PATCH_PATCH,
    };
    check(
        |d| set(d, &format!("{GET}/responses/404"), json!({"$ref": "#/components/responses/Error"})),
        expect,
    );
}

#[test]
fn error_status_removed() {
    let expect = Expect {
        kind: "error-status-removed",
        direction: "response",
        wire_breaking: false,
        rust: Rust::Nothing,
        bump: PATCH_PATCH,
    };
    check(|d| remove(d, "/paths/~1pins~1{cid}/delete/responses/401"), expect);
}

#[test]
fn response_media_type_added_cannot_be_generated() {
    let expect = Expect {
        kind: "media-type-added",
        direction: "response",
        wire_breaking: true,
        rust: Rust::HeadFails("only application/json is generated"),
        bump: MINOR_MAJOR,
    };
    check(
        |d| {
            set(d, &format!("{GET}/responses/200/content/text~1plain"), json!({"schema": {"type": "string"}}))
        },
        expect,
    );
}

#[test]
fn required_response_header_removed() {
    let expect = Expect {
        kind: "header-removed",
        direction: "response",
        wire_breaking: true,
        rust: Rust::Nothing,
        bump: MINOR_MAJOR,
    };
    check(|d| remove(d, &format!("{GET}/responses/429/headers/Retry-After")), expect);
}

#[test]
fn optional_response_field_added_breaks_rust_struct_literals() {
    let expect = Expect {
        kind: "optional-property-added",
        direction: "response",
        wire_breaking: false,
        rust: Rust::Changes(Level::Breaking, "types::Pin.replicas"),
        bump: MINOR_MAJOR,
    };
    let report = check(|d| set(d, &format!("{PIN}/replicas"), json!({"type": "integer"})), expect);
    // One change in both operations that answer a Pin.
    let change = report.changes.iter().find(|c| c.kind.name() == "optional-property-added").unwrap();
    let ids: Vec<_> = change.at.iter().filter_map(|l| l.operation_id.as_deref()).collect();
    assert_eq!(ids, ["pins_create", "pins_get"]);
}

#[test]
fn required_response_field_removed() {
    let expect = Expect {
        kind: "required-property-removed",
        direction: "response",
        wire_breaking: true,
        rust: Rust::Changes(Level::Breaking, "types::Pin.cid"),
        bump: MINOR_MAJOR,
    };
    check(
        |d| {
            remove(d, &format!("{PIN}/cid"));
            set(d, "/components/schemas/Pin/required", json!([]));
        },
        expect,
    );
}

#[test]
fn optional_response_field_removed_is_compatible_on_the_wire_but_not_in_rust() {
    let expect = Expect {
        kind: "optional-property-removed",
        direction: "response",
        wire_breaking: false,
        rust: Rust::Changes(Level::Breaking, "types::Pin.name"),
        bump: MINOR_MAJOR,
    };
    check(|d| remove(d, &format!("{PIN}/name")), expect);
}

#[test]
fn response_field_became_optional() {
    let expect = Expect {
        kind: "became-optional",
        direction: "response",
        wire_breaking: true,
        rust: Rust::Changes(Level::Breaking, "types::Pin.cid"),
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, "/components/schemas/Pin/required", json!([])), expect);
}

#[test]
fn response_field_became_required() {
    let expect = Expect {
        kind: "became-required",
        direction: "response",
        wire_breaking: false,
        rust: Rust::Changes(Level::Breaking, "types::Pin.name"),
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, "/components/schemas/Pin/required", json!(["cid", "name"])), expect);
}

#[test]
fn response_field_became_nullable() {
    let expect = Expect {
        kind: "became-nullable",
        direction: "response",
        wire_breaking: true,
        rust: Rust::Nothing,
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, &format!("{PIN}/name/nullable"), json!(true)), expect);
}

#[test]
fn response_type_widened() {
    let expect = Expect {
        kind: "type-widened",
        direction: "response",
        wire_breaking: true,
        rust: Rust::Changes(Level::Breaking, "types::Pin.size"),
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, &format!("{PIN}/size/type"), json!("number")), expect);
}

#[test]
fn response_type_narrowed_is_compatible_on_the_wire_but_not_in_rust() {
    let expect = Expect {
        kind: "type-narrowed",
        direction: "response",
        wire_breaking: false,
        rust: Rust::Changes(Level::Breaking, "types::Pin.score"),
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, &format!("{PIN}/score/type"), json!("integer")), expect);
}

#[test]
fn response_format_removed() {
    let expect = Expect {
        kind: "format-widened",
        direction: "response",
        wire_breaking: true,
        rust: Rust::Changes(Level::Breaking, "types::Pin.created"),
        bump: MINOR_MAJOR,
    };
    check(|d| remove(d, &format!("{PIN}/created/format")), expect);
}

#[test]
fn response_enum_value_added() {
    let expect = Expect {
        kind: "enum-values-added",
        direction: "response",
        wire_breaking: true,
        rust: Rust::Changes(Level::Breaking, "types::PinState::Failed"),
        bump: MINOR_MAJOR,
    };
    check(|d| at(d, &format!("{PIN}/state/enum")).as_array_mut().unwrap().push(json!("failed")), expect);
}

#[test]
fn response_enum_value_removed() {
    let expect = Expect {
        kind: "enum-values-removed",
        direction: "response",
        wire_breaking: false,
        rust: Rust::Changes(Level::Breaking, "types::PinState::Queued"),
        bump: MINOR_MAJOR,
    };
    check(|d| set(d, &format!("{PIN}/state/enum"), json!(["pinned"])), expect);
}

// ---------------------------------------------------------------- components and documentation

#[test]
fn schema_renamed_is_not_on_the_wire_but_renames_the_rust_type() {
    let report = diff_after(|d| {
        let pin = at(d, "/components/schemas").as_object_mut().unwrap().remove("Pin").unwrap();
        set(d, "/components/schemas/PinInfo", pin);
        for pointer in [format!("{GET}/responses/200"), format!("{CREATE}/responses/201")] {
            set(
                d,
                &format!("{pointer}/content/application~1json/schema"),
                json!({"$ref": "#/components/schemas/PinInfo"}),
            );
        }
    });
    let shown = super::render::render(&report, super::Format::Text, true);
    let kinds: Vec<&str> = report.changes.iter().map(|c| c.kind.name()).collect();
    assert_eq!(
        kinds,
        ["schema-removed", "schema-added", "schema-ref-changed", "schema-ref-changed"],
        "{shown}"
    );
    assert!(report.changes.iter().all(|c| !c.wire_breaking && c.level == Level::None), "{shown}");
    let removed = &report.changes[0];
    assert!(removed.rust.iter().any(|&i| report.rust_changes()[i].path == "types::Pin"), "{shown}");
    assert!(report.rust_breaking());
    assert_eq!(report.bump, Bump::Minor);
}

#[test]
fn description_and_evidence_changes_are_documentation() {
    let report = diff_after(|d| {
        set(d, &format!("{PIN_REQUEST}/name/description"), json!("Another name."));
        set(d, &format!("{GET}/x-evidence"), json!({"sources": ["docs: other.mdx"]}));
    });
    let kinds: Vec<&str> = report.changes.iter().map(|c| c.kind.name()).collect();
    assert_eq!(kinds, ["description-changed", "evidence-changed"]);
    assert_eq!((report.bump, report.wire_breaking(), report.rust_breaking()), (Bump::None, false, false));
    let hidden = super::render::render(&report, super::Format::Json, false);
    assert!(hidden.contains("\"changes\": []"), "{hidden}");
    let text = super::render::render(&report, super::Format::Text, false);
    assert!(text.contains("2 documentation changes not shown (--all)"), "{text}");
    let all = super::render::render(&report, super::Format::Text, true);
    assert!(
        all.contains("DOCUMENTATION (2)")
            && all.contains("#/components/schemas/PinRequest/properties/name/description"),
        "{all}"
    );
}

// ---------------------------------------------------------------- the real spec

fn real_spec() -> Source {
    let root = crate::workspace_root();
    super::source::working_copy(root).expect("the spec is readable")
}

#[test]
fn the_spec_against_itself_reports_nothing_and_exits_0() {
    let spec = real_spec();
    let report = diff(&spec, &spec, &v("0.1.0"), true).unwrap();
    assert!(report.changes.is_empty(), "{}", super::render::render(&report, super::Format::Text, true));
    assert!(matches!(&report.rust, RustSide::Compared { changes, .. } if changes.is_empty()));
    assert_eq!(report.bump, Bump::None);

    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: super::Args,
    }
    let cli = Cli::parse_from(["spec-diff", crate::codegen::SPEC_PATH, "--no-rust"]);
    assert_eq!(super::run(&cli.args), std::process::ExitCode::from(0));
    let cli = Cli::parse_from(["spec-diff", "no-such-file-or-revision.yaml"]);
    assert_eq!(super::run(&cli.args), std::process::ExitCode::from(2));
}

/// The spec as a 3.1 document in JSON: other operation ids (camelCase, as generators of other
/// languages write them), `nullable` written as a type array, examples as `examples` lists, a
/// trailing slash on one path and another name for its parameter.
fn as_openapi_3_1(spec: &Source) -> Source {
    fn rewrite(node: &mut Value) {
        match node {
            Value::Object(map) => {
                if map.remove("nullable") == Some(Value::Bool(true)) {
                    if let Some(Value::String(t)) = map.get("type").cloned() {
                        map.insert("type".into(), json!([t, "null"]));
                    }
                }
                if map.contains_key("type") {
                    if let Some(example) = map.remove("example") {
                        map.insert("examples".into(), json!([example]));
                    }
                }
                if let Some(Value::String(id)) = map.get("operationId").cloned() {
                    map.insert(
                        "operationId".into(),
                        json!(super::pascal(&id)[..1].to_lowercase() + &super::pascal(&id)[1..]),
                    );
                }
                map.values_mut().for_each(rewrite);
            }
            Value::Array(items) => items.iter_mut().for_each(rewrite),
            _ => {}
        }
    }
    let mut doc: Value = serde_yaml::from_str(&spec.text).unwrap();
    doc["openapi"] = json!("3.1.0");
    rewrite(&mut doc);
    let paths = doc["paths"].as_object_mut().unwrap();
    let mut item = paths.remove("/files/pin/{cid}").expect("the spec has /files/pin/{cid}");
    item["post"]["parameters"] = json!([
        {"name": "hash", "in": "path", "required": true, "schema": {"type": "string"}},
        {"$ref": "#/components/parameters/ClusterHeader"},
        {"$ref": "#/components/parameters/ClusterQuery"}
    ]);
    paths.insert("/files/pin/{hash}/".into(), item);
    Source { label: "the 3.1 copy".into(), text: serde_json::to_string(&doc).unwrap() }
}

#[test]
fn a_3_1_json_copy_of_the_spec_reports_no_wire_change() {
    let spec = real_spec();
    let copy = as_openapi_3_1(&spec);
    assert!(copy.text.contains(r#""type":["string","null"]"#) && copy.text.contains("filesPin"));
    let report = diff(&spec, &copy, &v("0.1.0"), true).unwrap();
    let shown = super::render::render(&report, super::Format::Text, false);
    assert!(!report.wire_breaking(), "{shown}");
    let on_the_wire: Vec<String> = report
        .changes
        .iter()
        .filter(|c| c.level != Level::None)
        .map(|c| format!("{} {}", c.kind.name(), c.pointer))
        .collect();
    assert_eq!(on_the_wire, Vec::<String>::new(), "{shown}");
    let kinds: std::collections::BTreeSet<&str> =
        report.changes.iter().filter(|c| !c.kind.is_documentation()).map(|c| c.kind.name()).collect();
    assert_eq!(kinds, ["operation-id-changed", "path-parameter-renamed"].into(), "{shown}");
    let ids = report.changes.iter().filter(|c| c.kind.name() == "operation-id-changed").count();
    assert_eq!(ids, spec_model::Document::parse(&spec.text).unwrap().operations().len());
    // progenitor reads no 3.1: the Rust side says so instead of guessing.
    assert!(matches!(&report.rust, RustSide::HeadFails(why) if why.contains("3.1")), "{shown}");
    let wire_only = diff(&spec, &copy, &v("0.1.0"), false).unwrap();
    assert_eq!(wire_only.bump, Bump::None);
}

// ---------------------------------------------------------------- hostile specs

fn hostile(schemas: Value) -> Source {
    let doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "x", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "a_get", "responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/S0"}}}}}}}},
        "components": {"schemas": schemas}
    });
    Source { label: "hostile".into(), text: doc.to_string() }
}

fn chain(n: usize, link: impl Fn(usize) -> Value) -> Value {
    let mut schemas = serde_json::Map::new();
    for i in 0..n {
        schemas.insert(format!("S{i}"), link(i + 1));
    }
    schemas.insert(format!("S{n}"), json!({"type": "string"}));
    Value::Object(schemas)
}

fn reference(i: usize) -> Value {
    json!({"$ref": format!("#/components/schemas/S{i}")})
}

#[test]
fn hostile_specs_get_a_clear_error_or_a_result_never_a_hang() {
    let cycle = hostile(json!({"S0": reference(1), "S1": reference(0)}));
    let e = diff(&cycle, &cycle, &v("0.1.0"), true).unwrap_err();
    assert!(e.starts_with("BASE: $ref cycle: #/components/schemas/S1 -> #/components/schemas/S0"), "{e}");

    let aliases = hostile(chain(10_000, reference));
    let e = diff(&aliases, &aliases, &v("0.1.0"), true).unwrap_err();
    // Once for the chain, once for the response that leads into it.
    let expected = "BASE: $ref '#/components/schemas/S1' starts a chain of more than 32 references to references at #/components/schemas/S0 (and 1 more)";
    assert_eq!(e, expected);

    let nested = hostile(chain(5_000, |i| json!({"type": "object", "properties": {"next": reference(i)}})));
    let e = diff(&nested, &nested, &v("0.1.0"), true).unwrap_err();
    assert!(e.starts_with("schemas nest more than 64 levels deep"), "{e}");

    // Recursion through properties is fine and ends.
    let recursive = hostile(json!({"S0": {"type": "object", "properties": {
        "next": reference(0), "children": {"type": "array", "items": reference(0)}}}}));
    let report = diff(&recursive, &recursive, &v("0.1.0"), true).unwrap();
    assert!(report.changes.is_empty() && !report.rust_breaking());

    // A huge enum is compared by sets and not generated at all.
    let values: Vec<String> = (0..50_000).map(|i| format!("v{i}")).collect();
    let mut fewer = values.clone();
    fewer.pop();
    let big = hostile(json!({"S0": {"type": "string", "enum": values}}));
    let smaller = hostile(json!({"S0": {"type": "string", "enum": fewer}}));
    let report = diff(&big, &smaller, &v("0.1.0"), true).unwrap();
    let kinds: Vec<&str> = report.changes.iter().map(|c| c.kind.name()).collect();
    assert_eq!(kinds, ["enum-values-removed"]);
    assert_eq!(report.changes[0].before, Some(json!(["v49999"])));
    assert!(
        matches!(&report.rust, RustSide::NotCompared(why) if why.contains("has 50000 values; the tools generate at most 10000")),
        "{:?}",
        report.rust
    );

    let deep = Source {
        label: "deep".into(),
        text: format!("openapi: 3.0.3\nx: {}1{}\n", "[".repeat(50_000), "]".repeat(50_000)),
    };
    let e = diff(&deep, &deep, &v("0.1.0"), true).unwrap_err();
    assert!(e.contains("line 2 nests more than 128 levels deep"), "{e}");
}

// ---------------------------------------------------------------- the release check

/// A git repository with a Cargo.toml and the spec, in a temporary directory.
struct Repo(tempfile::TempDir);

impl Repo {
    fn new() -> Repo {
        let repo = Repo(tempfile::tempdir().expect("a temporary directory"));
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        repo
    }

    fn root(&self) -> &std::path::Path {
        self.0.path()
    }

    fn git(&self, args: &[&str]) {
        let status = std::process::Command::new("git")
            .arg("-C")
            .arg(self.root())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
            .args(args)
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    }

    fn version(&self, version: &str) -> &Repo {
        let manifest =
            format!("[package]\nname = \"pinarkive\"\nversion = \"{version}\"\n\n[dependencies]\n");
        std::fs::write(self.root().join("Cargo.toml"), manifest).unwrap();
        self
    }

    fn spec(&self, edit: impl FnOnce(&mut Value)) -> &Repo {
        let mut doc = base();
        edit(&mut doc);
        std::fs::create_dir_all(self.root().join("openapi")).unwrap();
        std::fs::write(self.root().join(crate::codegen::SPEC_PATH), serde_yaml::to_string(&doc).unwrap())
            .unwrap();
        self
    }

    fn commit(&self, message: &str) -> &Repo {
        self.git(&["add", "-A"]);
        self.git(&["commit", "--quiet", "-m", message]);
        self
    }

    fn check(&self) -> super::ReleaseCheck {
        super::release_check(self.root(), true).expect("the check runs").expect("there is a release")
    }
}

fn drop_pin_name(d: &mut Value) {
    remove(d, &format!("{PIN}/name"));
}

#[test]
fn ci_fails_on_a_breaking_spec_change_without_a_matching_version_bump() {
    let repo = Repo::new();
    repo.version("0.1.0+2026042200").spec(|_| {}).commit("release 0.1.0");
    assert!(
        super::release_check(repo.root(), true).unwrap().is_none(),
        "the first version has nothing before it"
    );

    // A field removed from a response, and no bump.
    repo.spec(drop_pin_name).commit("spec: Pin has no name");
    let check = repo.check();
    assert!(!check.ok, "{}", check.verdict);
    assert!(check.verdict.contains("since release 0.1.0+2026042200"), "{}", check.verdict);
    assert!(
        check.verdict.contains("needs a minor version bump: 0.1.0+2026042200 -> 0.2.0"),
        "{}",
        check.verdict
    );
    assert!(check.verdict.contains("FAIL: set the version to at least 0.2.0"), "{}", check.verdict);
    assert!(check.verdict.contains("optional-property-removed in the response `name`"), "{}", check.verdict);

    // A patch bump is not enough; a minor one is, before and after it is committed.
    repo.version("0.1.1+2026042200");
    assert!(!repo.check().ok);
    repo.version("0.2.0+2026050100");
    let check = repo.check();
    assert!(check.ok && check.verdict.ends_with(": OK"), "{}", check.verdict);
    repo.commit("release 0.2.0");
    assert!(repo.check().ok, "the release commit is checked against the release before it");

    // The next spec change needs its own bump, even a compatible one.
    repo.spec(|d| {
        drop_pin_name(d);
        set(d, &format!("{GET}/responses/404"), json!({"$ref": "#/components/responses/Error"}));
    })
    .commit("spec: 404 documented");
    let check = repo.check();
    assert!(
        !check.ok && check.verdict.contains("needs a patch version bump: 0.2.0+2026050100 -> 0.2.1"),
        "{}",
        check.verdict
    );
    assert!(check.verdict.contains("error-status-added"), "{}", check.verdict);
    repo.version("0.2.1+2026050200").commit("release 0.2.1");
    assert!(repo.check().ok);
}

/// The spec's names (`spec::OperationId`, `spec::ErrorCode`, …) are compared where both specs
/// generate them, and left out where one is from before `Scope` and `x-codes` existed.
#[test]
fn the_specs_names_are_compared_only_where_both_sides_have_them() {
    use super::rust_api::{diff, Api, Item, ItemKind};
    let variant = Item { kind: ItemKind::Variant, signature: "Nope".into(), exhaustive: false };
    let api = |has_names: bool, items: &[&str]| Api {
        items: items.iter().map(|path| (path.to_string(), variant.clone())).collect(),
        has_names,
        ..Api::default()
    };
    let base = api(true, &["spec::ErrorCode::Nope", "spec: impl From<&str> for ErrorCode"]);
    let removed = diff(&base, &api(true, &[]));
    let paths: Vec<&str> = removed.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["spec: impl From<&str> for ErrorCode", "spec::ErrorCode::Nope"]);
    assert!(removed.iter().all(|c| c.level == Level::Breaking));
    assert!(diff(&api(false, &[]), &base).is_empty(), "names new to the head are not changes");
    assert!(diff(&base, &api(false, &[])).is_empty(), "nor names gone from a base that had them");
}
