//! Every example must validate against its schema (JSON Schema draft 4, formats checked), so
//! the examples a reader copies and the mocks built from them are real responses.
//!
//! Each example is checked once, where it is written: an example in `components.responses.X`
//! is reported there, not once per operation that uses it.

use serde_json::{json, Value};

use super::json::subschemas;
use super::problem;
use crate::codegen::Problem;
use spec_model::{self, escape, resolve};

pub fn invalid(doc: &Value) -> Vec<Problem> {
    let mut checker = Checker::new(doc);
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let at = format!("#/paths/{}", escape(path));
        checker.parameters(&format!("paths.{path}"), item, &at);
    }
    for op in spec_model::operations(doc) {
        let label = op.label();
        checker.parameters(&label, op.node, &op.pointer);
        if let Some(body) = op.node.get("requestBody") {
            let at = format!("{}/requestBody", op.pointer);
            checker.holder(&label, "request body", body, &at);
        }
        let responses = op.node.get("responses").and_then(Value::as_object);
        for (status, response) in responses.into_iter().flatten() {
            let at = format!("{}/responses/{}", op.pointer, escape(status));
            checker.response(&label, status, response, &at);
        }
    }
    checker.components();
    checker.problems
}

struct Checker<'a> {
    doc: &'a Value,
    /// `components.schemas`, for the `$ref`s of the schema being checked.
    schemas: Value,
    problems: Vec<Problem>,
}

impl<'a> Checker<'a> {
    fn new(doc: &'a Value) -> Self {
        let schemas = doc.pointer("/components/schemas").cloned().unwrap_or_else(|| json!({}));
        Checker { doc, schemas, problems: Vec::new() }
    }

    /// Components are checked under their own names (`components.responses.X`).
    fn components(&mut self) {
        let kinds = ["parameters", "headers", "requestBodies", "responses", "schemas"];
        for kind in kinds {
            let items = self.doc.pointer(&format!("/components/{kind}")).and_then(Value::as_object);
            for (name, item) in items.into_iter().flatten() {
                let at = format!("components.{kind}.{name}");
                let pointer = format!("#/components/{kind}/{}", escape(name));
                match kind {
                    "parameters" => self.parameter(&at, item, &pointer),
                    "headers" => self.holder(&at, &format!("header {name}"), item, &pointer),
                    "requestBodies" => self.holder(&at, "request body", item, &pointer),
                    "responses" => self.response(&at, "response", item, &pointer),
                    _ => self.schema(&at, item, &pointer),
                }
            }
        }
    }

    /// The inline parameters of an operation or path item (`$ref`s are checked where defined).
    fn parameters(&mut self, at: &str, owner: &Value, pointer: &str) {
        let parameters = owner.get("parameters").and_then(Value::as_array);
        for (i, parameter) in parameters.into_iter().flatten().enumerate() {
            self.parameter(at, parameter, &format!("{pointer}/parameters/{i}"));
        }
    }

    fn parameter(&mut self, at: &str, parameter: &Value, pointer: &str) {
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
        self.holder(at, &format!("parameter {name}"), parameter, pointer);
    }

    fn response(&mut self, at: &str, status: &str, response: &Value, pointer: &str) {
        self.holder(at, status, response, pointer);
        let headers = response.get("headers").and_then(Value::as_object);
        for (name, header) in headers.into_iter().flatten() {
            let pointer = format!("{pointer}/headers/{}", escape(name));
            self.holder(at, &format!("header {name} of {status}"), header, &pointer);
        }
    }

    /// A parameter, header, media type, request body or response: its `example` and `examples`
    /// against its `schema`, its inline schema, and the media types under its `content`.
    fn holder(&mut self, at: &str, what: &str, holder: &Value, pointer: &str) {
        if holder.get("$ref").is_some() {
            return; // Checked where it is defined.
        }
        if let Some(schema) = holder.get("schema") {
            if let Some(example) = holder.get("example") {
                self.check(at, &format!("example for {what}"), schema, example);
            }
            let examples = holder.get("examples").and_then(Value::as_object);
            for (name, example) in examples.into_iter().flatten() {
                // A dangling $ref is reported by the $ref check; `externalValue` is not read.
                let value = resolve(self.doc, example).ok().and_then(|found| found.node.get("value"));
                if let Some(value) = value {
                    self.check(at, &format!("example '{name}' for {what}"), schema, value);
                }
            }
            self.schema(at, schema, &format!("{pointer}/schema"));
        }
        let content = holder.get("content").and_then(Value::as_object);
        for (media, media_type) in content.into_iter().flatten() {
            let pointer = format!("{pointer}/content/{}", escape(media));
            self.holder(at, &format!("{what} {media}"), media_type, &pointer);
        }
    }

    /// `example` on a schema and on the schemas inside it.
    fn schema(&mut self, at: &str, schema: &Value, pointer: &str) {
        if schema.get("$ref").is_some() {
            return; // Checked where it is defined.
        }
        if let Some(example) = schema.get("example") {
            self.check(at, &format!("example of {pointer}"), schema, example);
        }
        for (sub_pointer, sub) in subschemas(schema, pointer) {
            self.schema(at, sub, &sub_pointer);
        }
    }

    fn check(&mut self, at: &str, what: &str, schema: &Value, example: &Value) {
        for error in self.errors(schema, example) {
            self.problems.push(problem(at, format!("{what}: {error}")));
        }
    }

    /// Validates against `schema` placed at the root of a document that also holds
    /// `components.schemas`, so its `#/components/schemas/...` references resolve. The OpenAPI
    /// keywords (`example`, `x-*`) are unknown to draft 4 and ignored, as are unknown formats
    /// such as `binary`.
    fn errors(&self, schema: &Value, example: &Value) -> Vec<String> {
        match spec_model::validator(&self.schemas, schema) {
            Err(e) => vec![format!("cannot be checked: {e}")],
            Ok(validator) => validator
                .iter_errors(example)
                .map(|e| {
                    let path = e.instance_path().to_string();
                    let path = if path.is_empty() { "/".into() } else { path };
                    format!("{e} at {path}")
                })
                .collect(),
        }
    }
}
