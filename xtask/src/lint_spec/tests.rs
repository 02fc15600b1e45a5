use serde_json::{json, Value};

use super::{exit_code, lint, lint_file};
use crate::test_json::{remove, set};

/// The real spec must pass, so `cargo test --workspace` enforces the editing rules.
#[test]
fn spec_is_consistent() {
    let path = crate::from_root(std::path::Path::new(crate::codegen::SPEC_PATH));
    let report = lint_file(&path).expect("the spec parses");
    let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert!(problems.is_empty(), "{} has problems:\n{}", path.display(), problems.join("\n"));
}

/// A small spec that follows every rule: one authenticated operation, one public one and one
/// multipart upload (hand-written). Each test below breaks one thing in it.
const CLEAN: &str = r##"
openapi: 3.0.3
info: {title: Test, version: "1"}
paths:
  /pins/{cid}:
    get:
      operationId: pins_get
      tags: [files]
      summary: Get a pin
      description: Reads one pin.
      x-scope: files:read
      x-evidence:
        sources: ["docs: pins.mdx"]
        deviations:
          - topic: status code
            spec_follows: "backend: 200"
            against: "docs: 201"
            reason: The backend names the code.
      security: [{ApiKeyHeader: []}, {BearerAuth: []}]
      parameters:
        - {name: cid, in: path, required: true, schema: {type: string}, example: bafy}
      responses:
        '200':
          description: The pin.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pin'}
              example: {cid: bafy, created: '2026-01-01T00:00:00Z', name: null}
              examples:
                minimal: {value: {cid: bafy}}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '429': {$ref: '#/components/responses/TooManyRequests'}
        '500': {$ref: '#/components/responses/Error'}
  /files:
    post:
      operationId: files_upload
      tags: [files]
      summary: Upload a file
      description: Uploads one file. No source names the scope it needs.
      x-scope: none-documented
      x-evidence: {sources: ["docs: upload.mdx"]}
      security: [{ApiKeyHeader: []}, {BearerAuth: []}]
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              properties: {file: {type: string, format: binary}}
              example: {file: "any bytes"}
      responses:
        '201':
          description: Uploaded.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pin'}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '429': {$ref: '#/components/responses/TooManyRequests'}
        '500': {$ref: '#/components/responses/Error'}
  /health:
    get:
      operationId: health_get
      tags: [public]
      summary: Health
      description: Says the service is up.
      x-evidence: {sources: ["docs: health.mdx"]}
      security: []
      responses:
        '200':
          description: Up.
          content:
            application/json:
              schema: {type: object, properties: {status: {type: string}}}
        '429': {$ref: '#/components/responses/TooManyRequests'}
        '500': {$ref: '#/components/responses/Error'}
components:
  securitySchemes:
    ApiKeyHeader: {type: apiKey, in: header, name: X-API-Key}
    BearerAuth: {type: http, scheme: bearer}
  headers:
    Retry-After: {schema: {type: integer, minimum: 0}, example: 60}
  responses:
    Error:
      description: An error.
      content:
        application/json:
          schema: {$ref: '#/components/schemas/ErrorBody'}
          example: {message: Not allowed}
    TooManyRequests:
      description: Slow down.
      headers:
        Retry-After: {$ref: '#/components/headers/Retry-After'}
      content:
        application/json:
          schema: {$ref: '#/components/schemas/ErrorBody'}
  schemas:
    ErrorBody:
      type: object
      properties:
        message: {type: string}
        code:
          type: string
          x-codes:
            - code: NOPE
              name: Nope
              statuses: [403]
              description: Not allowed.
              x-evidence: {sources: ["docs: errors.mdx"]}
    Scope:
      type: string
      enum: [files:read, files:write]
    Pin:
      type: object
      required: [cid]
      properties:
        cid: {type: string}
        created: {type: string, format: date-time}
        name: {type: string, nullable: true}
        parent: {$ref: '#/components/schemas/Pin'}
      example: {cid: bafy, parent: {cid: bafx}}
"##;

const PINS_GET: &str = "/paths/~1pins~1{cid}/get";
const HEALTH_GET: &str = "/paths/~1health/get";

/// The problems of `CLEAN` after `edit`, as printed.
fn problems_after(edit: impl FnOnce(&mut Value)) -> Vec<String> {
    let mut doc: Value = serde_yaml::from_str(CLEAN).expect("CLEAN is YAML");
    edit(&mut doc);
    let text = serde_yaml::to_string(&doc).expect("serializes");
    let report = lint(&text).expect("still parses as OpenAPI");
    report.problems.iter().map(ToString::to_string).collect()
}

#[track_caller]
fn assert_reports(problems: &[String], expected: &str) {
    assert!(problems.iter().any(|p| p == expected), "expected {expected:?} among:\n{}", problems.join("\n"));
}

#[test]
fn clean_spec_has_no_problems() {
    let report = lint(CLEAN).unwrap();
    assert_eq!(report.problems, vec![]);
    assert_eq!(report.operations, 3);
    let handwritten: Vec<_> = report.handwritten.iter().map(|op| op.operation_id.as_str()).collect();
    assert_eq!(handwritten, ["files_upload"]);
}

#[test]
fn missing_x_scope() {
    let problems = problems_after(|doc| remove(doc, &format!("{PINS_GET}/x-scope")));
    assert_reports(
        &problems,
        "pins_get: has no x-scope (a value of components.schemas.Scope, or none-documented)",
    );
}

#[test]
fn unknown_scope() {
    let problems = problems_after(|doc| set(doc, &format!("{PINS_GET}/x-scope"), json!("pins:read")));
    assert_reports(&problems, "pins_get: x-scope pins:read is not a value of components.schemas.Scope");
    // codegen, which maps every x-scope to a `Scope` variant, says so too.
    assert_reports(
        &problems,
        "pins_get (GET /pins/{cid}): x-scope `pins:read` is not a value of components.schemas.Scope (nor `none-documented`)",
    );
}

#[test]
fn none_documented_scope_must_be_explained() {
    let problems = problems_after(|doc| {
        set(doc, "/paths/~1files/post/description", json!("Uploads one file."));
    });
    assert_reports(
        &problems,
        "files_upload: x-scope is none-documented but the description does not say that no source names the scope",
    );
}

#[test]
fn the_scopes_and_the_error_codes_are_listed_with_their_evidence() {
    let problems = problems_after(|doc| remove(doc, "/components/schemas/Scope"));
    assert_reports(
        &problems,
        "components.schemas.Scope: is missing or no string enum; it lists the token scopes every x-scope names",
    );
    let codes = "/components/schemas/ErrorBody/properties/code/x-codes";
    let problems = problems_after(|doc| remove(doc, &format!("{codes}/0/x-evidence")));
    assert_reports(
        &problems,
        "components.schemas.ErrorBody.properties.code.x-codes[0] (NOPE): has no x-evidence",
    );
    let problems = problems_after(|doc| set(doc, &format!("{codes}/0/name"), json!("not a name")));
    assert_reports(
        &problems,
        "components.schemas.ErrorBody.properties.code.x-codes[0]: `name` must be a PascalCase word (letters and digits) other than `Other`",
    );
    let problems = problems_after(|doc| set(doc, &format!("{codes}/0/statuses"), json!([200])));
    assert_reports(
        &problems,
        "components.schemas.ErrorBody.properties.code.x-codes[0]: `statuses` must list the error statuses (400 to 599) the code comes with",
    );
}

#[test]
fn public_operation_with_scope() {
    let problems = problems_after(|doc| set(doc, &format!("{HEALTH_GET}/x-scope"), json!("user:read")));
    assert_reports(&problems, "health_get: is public (security: []) but has x-scope");
}

#[test]
fn authenticated_operation_must_accept_both_schemes() {
    let problems = problems_after(|doc| {
        set(doc, &format!("{PINS_GET}/security"), json!([{"ApiKeyHeader": []}, {"Cookie": []}]));
    });
    assert_reports(&problems, "pins_get: security names unknown scheme Cookie");
    assert_reports(&problems, "pins_get: security does not accept BearerAuth");
}

#[test]
fn missing_401() {
    let problems = problems_after(|doc| remove(doc, &format!("{PINS_GET}/responses/401")));
    assert_reports(&problems, "pins_get: has no 401 response");
}

#[test]
fn two_success_responses() {
    let problems = problems_after(|doc| {
        set(doc, &format!("{HEALTH_GET}/responses/204"), json!({"description": "Also up."}));
    });
    assert_reports(&problems, "health_get: has 2 2xx responses; exactly one is allowed");
}

#[test]
fn error_response_with_another_body() {
    let problems = problems_after(|doc| {
        let html = json!({
            "description": "Oops.",
            "content": {"text/html": {"schema": {"type": "string"}}}
        });
        set(doc, &format!("{HEALTH_GET}/responses/500"), html);
    });
    assert_reports(
        &problems,
        "health_get: response 500 body must be application/json with $ref '#/components/schemas/ErrorBody'",
    );
}

#[test]
fn too_many_requests_without_retry_after() {
    let problems = problems_after(|doc| remove(doc, "/components/responses/TooManyRequests/headers"));
    assert_reports(&problems, "pins_get: response 429 has no Retry-After header");
    assert_reports(&problems, "health_get: response 429 has no Retry-After header");
}

#[test]
fn dangling_ref() {
    let problems = problems_after(|doc| {
        set(doc, "/components/schemas/Pin/properties/parent/$ref", json!("#/components/schemas/Parent"));
        let schema = format!("{HEALTH_GET}/responses/200/content/application~1json/schema");
        set(doc, &schema, json!({"$ref": "#/components/schemas/Health"}));
    });
    assert_reports(
        &problems,
        "components.schemas.Pin: $ref '#/components/schemas/Parent' does not resolve \
         (at #/components/schemas/Pin/properties/parent)",
    );
    assert_reports(
        &problems,
        "health_get: $ref '#/components/schemas/Health' does not resolve \
         (at #/paths/~1health/get/responses/200/content/application~1json/schema)",
    );
}

#[test]
fn invalid_examples() {
    let problems = problems_after(|doc| {
        let media = format!("{PINS_GET}/responses/200/content/application~1json");
        set(doc, &format!("{media}/example"), json!({"created": "yesterday"}));
        set(doc, &format!("{media}/examples/minimal/value/cid"), json!(7));
        set(doc, &format!("{PINS_GET}/parameters/0/example"), json!(7));
        set(doc, "/components/schemas/Pin/example/parent", json!({}));
        set(doc, "/components/headers/Retry-After/example", json!(-1));
    });
    for expected in [
        r#"pins_get: example for 200 application/json: "cid" is a required property at /"#,
        r#"pins_get: example for 200 application/json: "yesterday" is not a "date-time" at /created"#,
        r#"pins_get: example 'minimal' for 200 application/json: 7 is not of type "string" at /cid"#,
        r#"pins_get: example for parameter cid: 7 is not of type "string" at /"#,
        r#"components.schemas.Pin: example of #/components/schemas/Pin: "cid" is a required property at /parent"#,
        "components.headers.Retry-After: example for header Retry-After: -1 is less than the minimum of 0 at /",
    ] {
        assert_reports(&problems, expected);
    }
}

#[test]
fn enum_in_response() {
    let problems = problems_after(|doc| {
        set(doc, "/components/schemas/Pin/properties/status", json!({"type": "string", "enum": ["pinned"]}));
    });
    assert_reports(
        &problems,
        "pins_get: response 200 application/json has an enum at \
         #/components/schemas/Pin/properties/status; list the values in the description instead",
    );
}

#[test]
fn property_named_enum_is_not_an_enum() {
    let problems = problems_after(|doc| {
        set(doc, "/components/schemas/Pin/properties/enum", json!({"type": "string"}));
    });
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn duplicate_operation_id() {
    let problems = problems_after(|doc| set(doc, &format!("{HEALTH_GET}/operationId"), json!("pins_get")));
    assert_reports(
        &problems,
        // The edited spec is re-serialized with its paths sorted, so /health comes first.
        "pins_get: operationId is used twice: GET /health and GET /pins/{cid}",
    );
}

#[test]
fn operation_metadata() {
    let problems = problems_after(|doc| {
        set(doc, &format!("{HEALTH_GET}/operationId"), json!("healthGet"));
        set(doc, &format!("{HEALTH_GET}/tags"), json!([]));
        set(doc, &format!("{HEALTH_GET}/summary"), json!(" "));
        remove(doc, &format!("{HEALTH_GET}/description"));
    });
    for reason in ["operationId is not snake_case", "has no tag", "has no summary", "has no description"] {
        assert_reports(&problems, &format!("healthGet: {reason}"));
    }
}

#[test]
fn version_3_1() {
    let problems = problems_after(|doc| doc["openapi"] = json!("3.1.0"));
    assert_reports(
        &problems,
        "openapi: version is 3.1.0; only 3.0.x is allowed (progenitor rejects other versions)",
    );
}

#[test]
fn missing_x_evidence() {
    let problems = problems_after(|doc| remove(doc, &format!("{PINS_GET}/x-evidence")));
    assert_reports(&problems, "pins_get: has no x-evidence");
}

#[test]
fn incomplete_x_evidence() {
    let problems = problems_after(|doc| {
        set(
            doc,
            &format!("{PINS_GET}/x-evidence"),
            json!({"sources": [], "deviations": [{"topic": "code"}]}),
        );
    });
    assert_reports(&problems, "pins_get: x-evidence has no sources (a non-empty list of strings)");
    assert_reports(&problems, "pins_get: x-evidence.deviations[0] has no against");
}

#[test]
fn generation_problems_are_reported() {
    let problems = problems_after(|doc| {
        set(
            doc,
            &format!("{HEALTH_GET}/responses/200/content"),
            json!({"text/plain": {"schema": {"type": "string"}}}),
        );
    });
    assert_reports(
        &problems,
        "health_get (GET /health): response 200 is text/plain; only application/json is generated",
    );
}

#[test]
fn exit_codes() {
    let unreadable = lint_file(std::path::Path::new("/nonexistent/pinarkive.yaml"));
    assert!(unreadable.as_ref().unwrap_err().contains("/nonexistent/pinarkive.yaml"));
    assert_eq!(exit_code(&unreadable), 2);
    assert!(lint("openapi: [").is_err(), "not OpenAPI");
    assert_eq!(exit_code(&lint(CLEAN)), 0);
    let broken = CLEAN.replace("openapi: 3.0.3", "openapi: 3.1.0");
    assert_eq!(exit_code(&lint(&broken)), 1);
}

#[test]
fn two_success_bodies_name_the_operation() {
    // progenitor 0.15.1 panics on this without naming anything; codegen.rs checks it first.
    let problems = problems_after(|doc| {
        set(doc, &format!("{HEALTH_GET}/responses/204"), json!({"description": "No content"}));
    });
    let reported = problems.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert!(
        reported
            .iter()
            .any(|p| p.starts_with("health_get (GET /health): success responses have 2 different bodies")),
        "{reported:#?}"
    );
}

/// Hostile specs get problems or a clear error, never a hang or a stack overflow.
#[test]
fn hostile_specs_give_problems_not_hangs() {
    let with_schemas = |schemas: Value| {
        let mut doc: Value = serde_yaml::from_str(CLEAN).unwrap();
        doc["components"]["schemas"] = schemas;
        doc["paths"]["/pins/{cid}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] =
            json!({"$ref": "#/components/schemas/S0"});
        lint(&serde_json::to_string(&doc).unwrap()).expect("a report")
    };
    let reasons =
        |report: &super::Report| report.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n");

    let cycle = with_schemas(
        json!({"S0": {"$ref": "#/components/schemas/S1"}, "S1": {"$ref": "#/components/schemas/S0"}, "Pin": {}}),
    );
    assert!(
        reasons(&cycle).contains("$ref cycle: #/components/schemas/S1 -> #/components/schemas/S0"),
        "{}",
        reasons(&cycle)
    );

    let mut chain = serde_json::Map::new();
    for i in 0..2_000 {
        chain.insert(format!("S{i}"), json!({"$ref": format!("#/components/schemas/S{}", i + 1)}));
    }
    chain.insert("S2000".into(), json!({"type": "string"}));
    let report = with_schemas(Value::Object(chain));
    let long: Vec<_> =
        report.problems.iter().filter(|p| p.reason.contains("starts a chain of more than 32")).collect();
    assert_eq!(long.len(), 2, "the chain once, and the response that leads into it: {}", reasons(&report));

    let values: Vec<String> = (0..20_000).map(|i| format!("v{i}")).collect();
    let report = with_schemas(json!({"S0": {"type": "string", "enum": values}}));
    assert!(
        reasons(&report).contains("not generated: the enum at #/components/schemas/S0 has 20000 values; the tools generate at most 10000"),
        "{}",
        reasons(&report)
    );

    let deep = format!("openapi: 3.0.3\nx: {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(lint(&deep).unwrap_err(), "not YAML this tool reads: line 2 nests more than 128 levels deep");
}
