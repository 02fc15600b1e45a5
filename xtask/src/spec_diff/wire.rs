//! The wire side: every operation of BASE and HEAD matched by method and route (so documents
//! with other operation ids or trailing slashes line up), then their security, parameters,
//! bodies and responses compared, schemas by `schema::Walk`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::{json, Value};

use super::change::{Changes, Compat, Direction, Kind, Location};
use super::schema::{self, Walk};
use spec_model::{escape, resolve, Document, Operation, Parameter, RefError};

/// Compares two documents on the wire.
pub fn compare(base: &Document, head: &Document) -> Result<Changes, String> {
    for (side, doc) in [("BASE", base), ("HEAD", head)] {
        refuse_broken_refs(side, doc)?;
    }
    let mut diff =
        Diff { base: base.root(), head: head.root(), changes: Changes::default(), budget: schema::BUDGET };
    diff.servers();
    diff.components();
    let (old, new) = (by_route(base), by_route(head));
    let old_routes: HashSet<&str> = old.iter().map(|(r, _)| r.as_str()).collect();
    let new_routes: HashMap<&str, &Operation<'_>> = new.iter().map(|(r, op)| (r.as_str(), op)).collect();
    for (route, b) in &old {
        match new_routes.get(route.as_str()) {
            Some(h) => diff.operation(b, h)?,
            None => {
                let at = location(b);
                diff.changes.add(
                    Kind::OperationRemoved,
                    Direction::Neither,
                    Some(&at),
                    &b.pointer,
                    None,
                    Some(json!(route)),
                    None,
                );
            }
        }
    }
    for (route, h) in &new {
        if !old_routes.contains(route.as_str()) {
            let at = location(h);
            diff.changes.add(
                Kind::OperationAdded,
                Direction::Neither,
                Some(&at),
                &h.pointer,
                None,
                None,
                Some(json!(route)),
            );
        }
    }
    Ok(diff.changes)
}

/// A `$ref` that cannot be followed makes the document unreadable: an input error.
fn refuse_broken_refs(side: &str, doc: &Document) -> Result<(), String> {
    let problems = doc.ref_problems();
    let Some((at, first)) = problems.first() else { return Ok(()) };
    let more = match problems.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    Err(format!("{side}: {first} at {at}{more}"))
}

/// Operations with their `METHOD route`, in document order. Where two paths normalise to the
/// same route, the first one stands.
fn by_route(doc: &Document) -> Vec<(String, Operation<'_>)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for op in doc.operations() {
        let route = format!("{} {}", op.method, op.route);
        if seen.insert(route.clone()) {
            out.push((route, op));
        }
    }
    out
}

fn location(op: &Operation<'_>) -> Location {
    Location {
        method: op.method.to_string(),
        path: op.path.to_string(),
        operation_id: op.id.map(str::to_string),
    }
}

struct Diff<'a> {
    base: &'a Value,
    head: &'a Value,
    changes: Changes,
    budget: usize,
}

fn text(node: &Value, key: &str) -> Option<Value> {
    node.get(key).cloned()
}

impl<'a> Diff<'a> {
    fn servers(&mut self) {
        let first = |doc: &Value| {
            doc.pointer("/servers/0/url").and_then(Value::as_str).map(|u| u.trim_end_matches('/').to_string())
        };
        let (b, h) = (first(self.base), first(self.head));
        if b.is_some() && h.is_some() && b != h {
            self.changes.add(
                Kind::ServerChanged,
                Direction::Neither,
                None,
                "#/servers/0/url",
                None,
                b.map(Value::from),
                h.map(Value::from),
            );
        }
    }

    /// Component schemas as such: their names are the generated types' names.
    fn components(&mut self) {
        let names = |doc: &Value| -> BTreeSet<String> {
            doc.pointer("/components/schemas")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        let (b, h) = (names(self.base), names(self.head));
        for name in b.difference(&h) {
            let at = format!("#/components/schemas/{}", escape(name));
            self.changes.add(
                Kind::SchemaRemoved,
                Direction::Neither,
                None,
                &at,
                None,
                Some(json!(name)),
                None,
            );
        }
        for name in h.difference(&b) {
            let at = format!("#/components/schemas/{}", escape(name));
            self.changes.add(Kind::SchemaAdded, Direction::Neither, None, &at, None, None, Some(json!(name)));
        }
    }

    /// `Changes::add` for a change in operation `at`.
    #[allow(clippy::too_many_arguments)] // Each argument is one fact of the change.
    fn add(
        &mut self,
        kind: Kind,
        direction: Direction,
        at: &Location,
        pointer: &str,
        member: Option<&str>,
        before: Option<Value>,
        after: Option<Value>,
    ) {
        self.changes.add(kind, direction, Some(at), pointer, member, before, after);
    }

    /// A `became-required` or `became-optional` change of `old` to `new` (parameters, bodies,
    /// headers), at `pointer/required`.
    fn required(
        &mut self,
        old: &Value,
        new: &Value,
        direction: Direction,
        at: &Location,
        pointer: &str,
        member: Option<&str>,
    ) {
        let (was, now) = (is_required(old), is_required(new));
        if was != now {
            let at_required = format!("{pointer}/required");
            self.add(
                Kind::RequiredChanged { now },
                direction,
                at,
                &at_required,
                member,
                Some(json!(was)),
                Some(json!(now)),
            );
        }
    }

    fn walk<'w>(&'w mut self, direction: Direction, at: &'w Location) -> Walk<'a, 'w> {
        Walk::new(self.base, self.head, direction, at, &mut self.changes, &mut self.budget)
    }

    fn operation(&mut self, b: &Operation<'a>, h: &Operation<'a>) -> Result<(), String> {
        let at = location(h);
        let pointer = h.pointer.as_str();
        if b.id != h.id {
            self.add(
                Kind::OperationIdChanged,
                Direction::Neither,
                &at,
                &format!("{pointer}/operationId"),
                None,
                b.id.map(Value::from),
                h.id.map(Value::from),
            );
        }
        for key in ["summary", "description", "externalDocs", "tags"] {
            let (x, y) = (text(b.node, key), text(h.node, key));
            if x != y {
                self.add(
                    Kind::DescriptionChanged,
                    Direction::Neither,
                    &at,
                    &format!("{pointer}/{key}"),
                    None,
                    x,
                    y,
                );
            }
        }
        let deprecated = |op: &Operation| op.node.get("deprecated") == Some(&Value::Bool(true));
        if deprecated(b) != deprecated(h) {
            let now = deprecated(h);
            self.add(
                Kind::Deprecated { now },
                Direction::Neither,
                &at,
                &format!("{pointer}/deprecated"),
                None,
                Some(json!(!now)),
                Some(json!(now)),
            );
        }
        let (x, y) = (text(b.node, "x-scope"), text(h.node, "x-scope"));
        if x != y {
            // A route that needs no scope any more accepts every token that worked.
            let kind = if y.is_none() { Kind::SecurityChanged(Compat::Widened) } else { Kind::ScopeChanged };
            self.add(kind, Direction::Neither, &at, &format!("{pointer}/x-scope"), None, x, y);
        }
        let extensions: BTreeSet<&String> = [b.node, h.node]
            .iter()
            .filter_map(|n| n.as_object())
            .flat_map(|m| m.keys())
            .filter(|k| k.starts_with("x-") && *k != "x-scope")
            .collect();
        for key in extensions {
            let (x, y) = (text(b.node, key), text(h.node, key));
            if x != y {
                let kind = if key == "x-evidence" { Kind::EvidenceChanged } else { Kind::ExtensionChanged };
                self.add(kind, Direction::Neither, &at, &format!("{pointer}/{}", escape(key)), None, x, y);
            }
        }
        self.security(b, h, &at);
        self.parameters(b, h, &at)?;
        self.request_body(b, h, &at)?;
        self.responses(b, h, &at)
    }

    fn security(&mut self, b: &Operation<'a>, h: &Operation<'a>, at: &Location) {
        let (old, new) = (requirements(self.base, b), requirements(self.head, h));
        if old == new {
            return;
        }
        let compat = if old.is_subset(&new) {
            Compat::Widened
        } else if new.is_subset(&old) {
            Compat::Narrowed
        } else {
            Compat::Incompatible
        };
        let show = |set: &BTreeSet<Vec<String>>| json!(set.iter().map(|r| r.join(" + ")).collect::<Vec<_>>());
        self.add(
            Kind::SecurityChanged(compat),
            Direction::Neither,
            at,
            &format!("{}/security", h.pointer),
            None,
            Some(show(&old)),
            Some(show(&new)),
        );
    }

    fn parameters(&mut self, b: &Operation<'a>, h: &Operation<'a>, at: &Location) -> Result<(), String> {
        let (old, new) = (parameters(self.base, b)?, parameters(self.head, h)?);
        for (key, p) in &old {
            if !new.contains_key(key) {
                self.add(
                    Kind::ParameterRemoved,
                    Direction::Request,
                    at,
                    &p.pointer,
                    Some(p.name),
                    Some(json!(format!("{} {}", p.location, p.name))),
                    None,
                );
            }
        }
        for (key, p) in &new {
            let Some(o) = old.get(key) else {
                let required = is_required(p.node);
                self.add(
                    Kind::ParameterAdded { required },
                    Direction::Request,
                    at,
                    &p.pointer,
                    Some(p.name),
                    None,
                    Some(json!(format!("{} {}", p.location, p.name))),
                );
                continue;
            };
            if p.location == "path" && o.name != p.name {
                self.add(
                    Kind::ParameterRenamed,
                    Direction::Neither,
                    at,
                    &format!("{}/name", p.pointer),
                    Some(p.name),
                    Some(json!(o.name)),
                    Some(json!(p.name)),
                );
            }
            self.required(o.node, p.node, Direction::Request, at, &p.pointer, Some(p.name));
            if style(o) != style(p) {
                self.add(
                    Kind::ParameterStyleChanged,
                    Direction::Request,
                    at,
                    &format!("{}/style", p.pointer),
                    Some(p.name),
                    Some(json!(style(o))),
                    Some(json!(style(p))),
                );
            }
            let deprecated = |n: &Value| n.get("deprecated") == Some(&Value::Bool(true));
            if deprecated(o.node) != deprecated(p.node) {
                let now = deprecated(p.node);
                self.add(
                    Kind::Deprecated { now },
                    Direction::Request,
                    at,
                    &format!("{}/deprecated", p.pointer),
                    Some(p.name),
                    Some(json!(!now)),
                    Some(json!(now)),
                );
            }
            if o.node.get("description") != p.node.get("description") {
                self.add(
                    Kind::DescriptionChanged,
                    Direction::Request,
                    at,
                    &format!("{}/description", p.pointer),
                    Some(p.name),
                    text(o.node, "description"),
                    text(p.node, "description"),
                );
            }
            let (os, ps) = (parameter_schema(o.node), parameter_schema(p.node));
            let pointer = ps.as_ref().map_or_else(
                || format!("{}/schema", p.pointer),
                |(_, suffix)| format!("{}{suffix}", p.pointer),
            );
            let (os, ps) = (os.map_or(&Value::Null, |s| s.0), ps.map_or(&Value::Null, |s| s.0));
            self.walk(Direction::Request, at).compare(os, ps, &pointer, Some(p.name))?;
        }
        Ok(())
    }

    fn request_body(&mut self, b: &Operation<'a>, h: &Operation<'a>, at: &Location) -> Result<(), String> {
        let body = |root: &'a Value, op: &Operation<'a>| -> Option<(&'a Value, String)> {
            let written = op.node.get("requestBody")?;
            let found = resolve(root, written).ok()?;
            Some((found.node, found.pointer(&format!("{}/requestBody", op.pointer))))
        };
        match (body(self.base, b), body(self.head, h)) {
            (None, None) => Ok(()),
            (None, Some((node, pointer))) => {
                let required = is_required(node);
                self.add(
                    Kind::RequestBodyAdded { required },
                    Direction::Request,
                    at,
                    &pointer,
                    None,
                    None,
                    Some(json!(media_types(node))),
                );
                Ok(())
            }
            (Some((node, _)), None) => {
                let pointer = format!("{}/requestBody", h.pointer);
                self.add(
                    Kind::RequestBodyRemoved,
                    Direction::Request,
                    at,
                    &pointer,
                    None,
                    Some(json!(media_types(node))),
                    None,
                );
                Ok(())
            }
            (Some((old, _)), Some((new, pointer))) => {
                self.required(old, new, Direction::Request, at, &pointer, None);
                if old.get("description") != new.get("description") {
                    self.add(
                        Kind::DescriptionChanged,
                        Direction::Request,
                        at,
                        &format!("{pointer}/description"),
                        None,
                        text(old, "description"),
                        text(new, "description"),
                    );
                }
                self.content(old, new, &pointer, Direction::Request, at)
            }
        }
    }

    /// The media types of a body or response, and their schemas.
    fn content(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        pointer: &str,
        direction: Direction,
        at: &Location,
    ) -> Result<(), String> {
        let (b, h) = (content(old), content(new));
        for (media, (_, written)) in &b {
            if !h.contains_key(media) {
                self.add(
                    Kind::MediaTypeRemoved,
                    direction,
                    at,
                    &format!("{pointer}/content/{}", escape(written)),
                    None,
                    Some(json!(media)),
                    None,
                );
            }
        }
        for (media, (schema, written)) in &h {
            let at_media = format!("{pointer}/content/{}", escape(written));
            match b.get(media) {
                None => {
                    self.add(Kind::MediaTypeAdded, direction, at, &at_media, None, None, Some(json!(media)))
                }
                Some((old_schema, _)) => {
                    let (x, y) = (old_schema.unwrap_or(&Value::Null), schema.unwrap_or(&Value::Null));
                    self.walk(direction, at).compare(x, y, &format!("{at_media}/schema"), None)?;
                }
            }
        }
        Ok(())
    }

    fn responses(&mut self, b: &Operation<'a>, h: &Operation<'a>, at: &Location) -> Result<(), String> {
        let (old, new) = (responses(b), responses(h));
        let success = |set: &BTreeMap<String, &Value>| -> BTreeSet<String> {
            set.keys().filter(|s| s.starts_with('2')).cloned().collect()
        };
        let (old_ok, new_ok) = (success(&old), success(&new));
        let (gone, came): (Vec<&String>, Vec<&String>) =
            (old_ok.difference(&new_ok).collect(), new_ok.difference(&old_ok).collect());
        let pointer = format!("{}/responses", h.pointer);
        if !gone.is_empty() && !came.is_empty() {
            self.add(
                Kind::SuccessStatusChanged,
                Direction::Response,
                at,
                &pointer,
                None,
                Some(json!(gone)),
                Some(json!(came)),
            );
        } else {
            for status in gone {
                self.add(
                    Kind::StatusRemoved { success: true },
                    Direction::Response,
                    at,
                    &format!("{pointer}/{status}"),
                    None,
                    Some(json!(status)),
                    None,
                );
            }
            for status in came {
                self.add(
                    Kind::StatusAdded { success: true },
                    Direction::Response,
                    at,
                    &format!("{pointer}/{status}"),
                    None,
                    None,
                    Some(json!(status)),
                );
            }
        }
        for status in old.keys().filter(|s| !s.starts_with('2') && !new.contains_key(*s)) {
            self.add(
                Kind::StatusRemoved { success: false },
                Direction::Response,
                at,
                &format!("{pointer}/{status}"),
                None,
                Some(json!(status)),
                None,
            );
        }
        for (status, written) in &new {
            let Some(written_old) = old.get(status) else {
                if !status.starts_with('2') {
                    self.add(
                        Kind::StatusAdded { success: false },
                        Direction::Response,
                        at,
                        &format!("{pointer}/{status}"),
                        None,
                        None,
                        Some(json!(status)),
                    );
                }
                continue;
            };
            let (Ok(o), Ok(n)) = (resolve(self.base, written_old), resolve(self.head, written)) else {
                continue;
            };
            let at_status = n.pointer(&format!("{pointer}/{status}"));
            if o.node.get("description") != n.node.get("description") {
                self.add(
                    Kind::DescriptionChanged,
                    Direction::Response,
                    at,
                    &format!("{at_status}/description"),
                    None,
                    text(o.node, "description"),
                    text(n.node, "description"),
                );
            }
            self.headers(o.node, n.node, &at_status, at)?;
            self.content(o.node, n.node, &at_status, Direction::Response, at)?;
        }
        Ok(())
    }

    fn headers(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        pointer: &str,
        at: &Location,
    ) -> Result<(), String> {
        let headers = |root: &'a Value, response: &'a Value| -> BTreeMap<String, (&'a str, &'a Value)> {
            let map = response.get("headers").and_then(Value::as_object);
            map.into_iter()
                .flatten()
                .filter_map(|(name, header)| {
                    Some((name.to_ascii_lowercase(), (name.as_str(), resolve(root, header).ok()?.node)))
                })
                .collect()
        };
        let (b, h) = (headers(self.base, old), headers(self.head, new));
        for (key, (name, header)) in &b {
            if !h.contains_key(key) {
                let required = is_required(header);
                self.add(
                    Kind::HeaderRemoved { required },
                    Direction::Response,
                    at,
                    &format!("{pointer}/headers/{}", escape(name)),
                    Some(name),
                    Some(json!(name)),
                    None,
                );
            }
        }
        for (key, (name, header)) in &h {
            let at_header = format!("{pointer}/headers/{}", escape(name));
            let Some((_, old_header)) = b.get(key) else {
                self.add(
                    Kind::HeaderAdded,
                    Direction::Response,
                    at,
                    &at_header,
                    Some(name),
                    None,
                    Some(json!(name)),
                );
                continue;
            };
            self.required(old_header, header, Direction::Response, at, &at_header, Some(name));
            let (x, y) = (
                old_header.get("schema").unwrap_or(&Value::Null),
                header.get("schema").unwrap_or(&Value::Null),
            );
            self.walk(Direction::Response, at).compare(x, y, &format!("{at_header}/schema"), Some(name))?;
        }
        Ok(())
    }
}

/// `required` of a parameter, request body or header, `false` when absent.
fn is_required(node: &Value) -> bool {
    node.get("required") == Some(&Value::Bool(true))
}

/// `style` and `explode` with their defaults by location.
fn style(p: &Parameter<'_>) -> String {
    let default = if matches!(p.location, "query" | "cookie") { "form" } else { "simple" };
    let style = p.node.get("style").and_then(Value::as_str).unwrap_or(default);
    let explode = p.node.get("explode").and_then(Value::as_bool).unwrap_or(style == "form");
    format!("{style}{}", if explode { ", explode" } else { "" })
}

/// A parameter's schema: `schema`, or the one media type of `content`; with its pointer suffix.
fn parameter_schema(node: &Value) -> Option<(&Value, String)> {
    if let Some(schema) = node.get("schema") {
        return Some((schema, "/schema".into()));
    }
    let (media, content) = node.get("content")?.as_object()?.iter().next()?;
    Some((content.get("schema")?, format!("/content/{}/schema", escape(media))))
}

/// Parameters by what identifies them on the wire: location and name (headers without case),
/// path parameters by their place in the route, so a renamed one is the same parameter.
fn parameters<'a>(root: &'a Value, op: &Operation<'a>) -> Result<BTreeMap<String, Parameter<'a>>, String> {
    let places: Vec<&str> = op.path.split('/').filter(|s| s.starts_with('{') && s.ends_with('}')).collect();
    let mut out = BTreeMap::new();
    for parameter in op.parameters(root) {
        let parameter = parameter.map_err(|(at, e): (String, RefError)| format!("{e} at {at}"))?;
        let key = match parameter.location {
            "path" => match places.iter().position(|p| &p[1..p.len() - 1] == parameter.name) {
                Some(i) => format!("path #{i}"),
                None => format!("path {}", parameter.name),
            },
            "header" => format!("header {}", parameter.name.to_ascii_lowercase()),
            other => format!("{other} {}", parameter.name),
        };
        out.insert(key, parameter);
    }
    Ok(out)
}

/// `content` by media type without parameters or case (`application/json`), with each
/// media type's schema and the key as written.
fn content(holder: &Value) -> BTreeMap<String, (Option<&Value>, &str)> {
    let map = holder.get("content").and_then(Value::as_object);
    map.into_iter()
        .flatten()
        .map(|(media, m)| {
            let normal = media.split(';').next().unwrap_or(media).trim().to_ascii_lowercase();
            (normal, (m.get("schema"), media.as_str()))
        })
        .collect()
}

fn media_types(body: &Value) -> Vec<String> {
    content(body).into_keys().collect()
}

/// Responses by status key (`200`, `4XX`, `default`).
fn responses<'a>(op: &Operation<'a>) -> BTreeMap<String, &'a Value> {
    let map = op.node.get("responses").and_then(Value::as_object);
    map.into_iter()
        .flatten()
        .map(|(status, r)| (status.to_ascii_uppercase().replace("DEFAULT", "default"), r))
        .collect()
}

/// The credentials an operation accepts: each alternative a sorted list of schemes, each named
/// by what it is on the wire (`apiKey header x-api-key`, `http bearer`), not by its key in
/// `components.securitySchemes`. An empty alternative means "no credentials".
fn requirements(root: &Value, op: &Operation<'_>) -> BTreeSet<Vec<String>> {
    let security = op.node.get("security").or(root.get("security"));
    let mut out = BTreeSet::new();
    for requirement in security.and_then(Value::as_array).into_iter().flatten() {
        let Some(schemes) = requirement.as_object() else { continue };
        let mut alternative: Vec<String> = schemes
            .iter()
            .map(|(name, scopes)| {
                let scheme = root.pointer(&format!("/components/securitySchemes/{}", escape(name)));
                let scheme = scheme.and_then(|s| resolve(root, s).ok()).map(|s| s.node);
                let mut what = identity(name, scheme);
                let scopes: Vec<&str> =
                    scopes.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                if !scopes.is_empty() {
                    what.push_str(&format!(" [{}]", scopes.join(", ")));
                }
                what
            })
            .collect();
        alternative.sort();
        out.insert(alternative);
    }
    if out.is_empty() {
        out.insert(Vec::new());
    }
    out
}

fn identity(name: &str, scheme: Option<&Value>) -> String {
    let field = |key: &str| scheme.and_then(|s| s.get(key)).and_then(Value::as_str).unwrap_or("");
    match field("type") {
        "apiKey" => {
            let location = field("in");
            let header = if location == "header" {
                field("name").to_ascii_lowercase()
            } else {
                field("name").to_string()
            };
            format!("apiKey {location} {header}")
        }
        "http" => format!("http {}", field("scheme").to_ascii_lowercase()),
        "" => format!("undefined scheme {name}"),
        other => format!("{other} {name}"),
    }
}
