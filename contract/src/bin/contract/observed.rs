//! What real answers hold that the spec does not say: for each operation and status, fields
//! the schema does not declare (in objects whose schema lists properties, and everything below
//! such a field), required fields that were absent, and values whose JSON type the schema does
//! not allow. Untyped schemas say nothing on purpose and are not reported. Each is named by a JSON pointer (array items as `*`) and the JSON
//! type seen, never the value: answers may hold personal data. A field name that does not look
//! like a name (an e-mail address used as a key) is shown as `{key}`.
//!
//! The notes of the report list them; `--observed FILE` writes them as JSON.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use pinarkive::OperationId;
use serde_json::{json, Value};

use spec_model::{escape, resolve, Additional, Document, Schema};

/// A schema that declares anything (`Schema::read` reads `null` so).
const ANY: &Value = &Value::Null;

/// Observations kept per operation and status, so a chatty server cannot grow the report
/// without bound.
const MAX_PER_RESPONSE: usize = 200;
/// Array items looked at per array.
const MAX_ITEMS: usize = 50;
/// How deep into an answer the walk goes.
const MAX_DEPTH: usize = 32;

/// What was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Present in the answer, not in the schema.
    Undeclared,
    /// Required by the schema, absent from the answer.
    MissingRequired,
    /// Of a JSON type the schema does not allow.
    TypeDiffers,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Undeclared => "undeclared",
            Kind::MissingRequired => "missing-required",
            Kind::TypeDiffers => "type-differs",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub pointer: String,
    pub kind: Kind,
    /// The JSON type seen (`absent` for a missing field).
    pub observed: &'static str,
    /// The types the schema allows, where it says.
    pub declared: Option<String>,
    /// Answers it was seen in.
    pub count: u32,
}

/// Everything observed in a run.
#[derive(Debug, Default)]
pub struct Observed {
    /// (operationId, status) → observations by (pointer, kind).
    responses: BTreeMap<(OperationId, u16), BTreeMap<(String, Kind), Observation>>,
}

/// The spec the crate embeds (the one `conformance` judges answers by), read once.
static SPEC: LazyLock<Document> = LazyLock::new(|| {
    Document::from_value(pinarkive_contract::conformance::Conformance::embedded().document().clone())
});

impl Observed {
    /// Looks at one answer of `operation`: a JSON body with a documented status and schema.
    pub fn observe(&mut self, operation: OperationId, status: u16, body: &[u8]) {
        let spec = &*SPEC;
        let Ok(value) = serde_json::from_slice::<Value>(body) else { return };
        let Some((schema, pointer)) = response_schema(spec, operation.as_str(), status) else { return };
        let key = (operation, status);
        let found = self.responses.entry(key).or_default();
        let mut walk = Walk { root: spec.root(), found, seen: Vec::new() };
        walk.value(&value, Some((schema, pointer)), String::new(), 0);
        let Walk { found, seen, .. } = walk;
        for seen in seen {
            if let Some(observation) = found.get_mut(&seen) {
                observation.count += 1;
            }
        }
        if found.is_empty() {
            self.responses.remove(&key);
        }
    }

    /// One line per observation, for the report's notes.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for ((operation, status), found) in &self.responses {
            for o in found.values() {
                let declared = o.declared.as_ref().map_or(String::new(), |d| format!(", the spec says {d}"));
                let pointer = if o.pointer.is_empty() { "(the body)" } else { &o.pointer };
                out.push(format!(
                    "observed: {operation} {status} {pointer}: {} ({}{declared}; {} answers)",
                    o.kind.as_str(),
                    o.observed,
                    o.count
                ));
            }
        }
        out
    }

    /// The `--observed` file.
    pub fn json(&self) -> Value {
        let operations: Vec<Value> = self
            .responses
            .iter()
            .map(|((operation, status), found)| {
                json!({
                    "operationId": operation.as_str(),
                    "method": operation.method(),
                    "path": operation.path(),
                    "status": status,
                    "observations": found.values().map(|o| json!({
                        "pointer": o.pointer,
                        "kind": o.kind.as_str(),
                        "observedType": o.observed,
                        "declaredType": o.declared,
                        "answers": o.count,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({ "operations": operations })
    }
}

/// The JSON schema of `operation`'s answer with `status` (exact, `4XX` or `default`).
fn response_schema<'a>(spec: &'a Document, operation: &str, status: u16) -> Option<(&'a Value, String)> {
    let op = spec.operations().into_iter().find(|op| op.id == Some(operation))?;
    let responses = op.node.get("responses")?.as_object()?;
    let range = format!("{}XX", status / 100);
    let (key, written) = [status.to_string(), range, "default".to_string()]
        .into_iter()
        .find_map(|key| responses.iter().find(|(k, _)| k.eq_ignore_ascii_case(&key)))?;
    let found = resolve(spec.root(), written).ok()?;
    let at = found.pointer(&format!("{}/responses/{}", op.pointer, escape(key)));
    let schema = found.node.pointer("/content/application~1json/schema")?;
    Some((schema, format!("{at}/content/application~1json/schema")))
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A key as it may be shown: names are, anything else (an address, a sentence) is not.
fn shown_key(key: &str) -> String {
    let is_name = !key.is_empty()
        && key.len() <= 64
        && key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '-' | '.'));
    if is_name {
        escape(key)
    } else {
        "{key}".into()
    }
}

struct Walk<'a, 'f> {
    root: &'a Value,
    found: &'f mut BTreeMap<(String, Kind), Observation>,
    /// Observations of this answer, counted once each.
    seen: Vec<(String, Kind)>,
}

impl Walk<'_, '_> {
    fn note(&mut self, pointer: &str, kind: Kind, observed: &'static str, declared: Option<String>) {
        let key = (pointer.to_string(), kind);
        if !self.found.contains_key(&key) {
            if self.found.len() >= MAX_PER_RESPONSE {
                return;
            }
            let observation =
                Observation { pointer: pointer.to_string(), kind, observed, declared, count: 0 };
            self.found.insert(key.clone(), observation);
        }
        if !self.seen.contains(&key) {
            self.seen.push(key);
        }
    }

    /// Walks `value` at `pointer` against `schema` (None: the spec declares nothing here).
    fn value(&mut self, value: &Value, schema: Option<(&Value, String)>, pointer: String, depth: usize) {
        if depth == MAX_DEPTH {
            return;
        }
        let schema = schema.and_then(|(s, at)| {
            let found = resolve(self.root, s).ok()?;
            let at = found.pointer(&at);
            Some(Schema::read(self.root, found.node, &at))
        });
        let observed = json_type(value);
        if let Some(schema) = &schema {
            let allowed = schema.value_types();
            let fits = match value {
                Value::Null => schema.accepts_null(),
                _ => allowed.as_ref().is_none_or(|types| {
                    types.contains(observed) || (observed == "integer" && types.contains("number"))
                }),
            };
            if !fits {
                let declared =
                    schema.types.as_ref().map(|t| t.iter().cloned().collect::<Vec<_>>().join(" | "));
                self.note(&pointer, Kind::TypeDiffers, observed, declared);
                return;
            }
        }
        match value {
            Value::Object(fields) => {
                // Only an object whose schema lists its properties (or the schema of its values)
                // claims to describe it; an untyped schema says nothing on purpose (see
                // openapi/README.md), and below an undeclared field nothing is declared.
                for (key, field) in fields {
                    let at = format!("{pointer}/{}", shown_key(key));
                    let declared = match &schema {
                        None => None,
                        Some(s) => match (s.properties.get(key.as_str()), s.additional) {
                            (Some((property, property_at)), _) => Some((*property, property_at.clone())),
                            (None, Additional::Schema(values)) => Some((values, String::new())),
                            // Any other value of an untyped object is as the spec means it.
                            (None, _) if s.properties.is_empty() => continue,
                            (None, _) => None,
                        },
                    };
                    if declared.is_none() {
                        self.note(&at, Kind::Undeclared, json_type(field), None);
                    }
                    self.value(field, declared, at, depth + 1);
                }
                if let Some(schema) = &schema {
                    for name in schema.required.iter().filter(|name| !fields.contains_key(**name)) {
                        let declared = schema.properties.get(name).and_then(|(p, _)| {
                            let found = resolve(self.root, p).ok()?;
                            let types = Schema::read(self.root, found.node, "").types?;
                            Some(types.into_iter().collect::<Vec<_>>().join(" | "))
                        });
                        self.note(
                            &format!("{pointer}/{}", shown_key(name)),
                            Kind::MissingRequired,
                            "absent",
                            declared,
                        );
                    }
                }
            }
            Value::Array(items) => {
                // A declared array without `items` holds anything; below an undeclared field
                // nothing is declared.
                let items_schema = schema.as_ref().map(|s| s.items.clone().unwrap_or((ANY, String::new())));
                for item in items.iter().take(MAX_ITEMS) {
                    self.value(item, items_schema.clone(), format!("{pointer}/*"), depth + 1);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undeclared_missing_and_mistyped_fields_are_named_by_pointer_and_type_never_value() {
        let mut observed = Observed::default();
        let body = json!({
            "email": "someone@example.com",
            "plan": 5,
            "nickname": "secret-nickname",
            "settings": {"theme": "dark", "someone@example.com": true},
            "tags": [{"label": "x"}, {"label": "y"}],
        });
        observed.observe(OperationId::UsersMeGet, 200, body.to_string().as_bytes());
        observed.observe(OperationId::UsersMeGet, 200, body.to_string().as_bytes());
        let lines = observed.lines().join("\n");
        for value in ["someone@example.com", "secret-nickname", "dark"] {
            assert!(!lines.contains(value), "a value leaked: {lines}");
        }
        assert!(
            lines.contains("observed: users_me_get 200 /nickname: undeclared (string; 2 answers)"),
            "{lines}"
        );
        assert!(lines.contains("/settings/{key}: undeclared (boolean; 2 answers)"), "{lines}");
        assert!(lines.contains("/tags/*/label: undeclared (string; 2 answers)"), "{lines}");
        assert!(!lines.contains("/email"), "a declared field of the declared type: {lines}");
        // `plan` is untyped on purpose: whatever it holds is not reported.
        assert!(!lines.contains("/plan"), "{lines}");
        let file = observed.json();
        let first = &file["operations"][0];
        assert_eq!((first["method"].as_str(), first["path"].as_str()), (Some("GET"), Some("/users/me")));
        assert!(!file.to_string().contains("someone@example.com"));

        let uploads =
            json!({"uploads": [{"name": "a.txt", "size": "12"}, {"cid": "bafy", "size": 3}], "total": 2.5});
        observed.observe(OperationId::UsersMeUploadsList, 200, uploads.to_string().as_bytes());
        let lines = observed.lines().join("\n");
        assert!(lines.contains("users_me_uploads_list 200 /uploads/*/cid: missing-required (absent, the spec says string; 1 answers)"), "{lines}");
        assert!(lines.contains("users_me_uploads_list 200 /uploads/*/size: type-differs (string, the spec says integer; 1 answers)"), "{lines}");
        assert!(
            lines.contains(
                "users_me_uploads_list 200 /total: type-differs (number, the spec says integer; 1 answers)"
            ),
            "{lines}"
        );
        assert!(!lines.contains("a.txt") && !lines.contains("bafy"), "{lines}");
    }

    #[test]
    fn a_conforming_answer_leaves_nothing() {
        let mut observed = Observed::default();
        observed.observe(OperationId::HealthGet, 200, br#"{"status":"ok"}"#);
        observed.observe(OperationId::HealthGet, 999, br#"{"status":"ok"}"#);
        observed.observe(OperationId::HealthGet, 200, b"not json");
        assert_eq!(observed.lines(), Vec::<String>::new());
    }
}
