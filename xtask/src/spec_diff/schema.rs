//! Comparing two schemas, both normalised first (`spec_model::Schema`: `$ref`s followed,
//! `allOf` merged, OpenAPI 3.0 and 3.1 spellings read alike).
//!
//! Recursive schemas end: each pair of components is compared once per walk. Every schema
//! compared spends one unit of a budget shared by the whole diff, so no document, however it
//! is built, makes the comparison run for long.

use std::collections::{BTreeSet, HashSet};

use serde_json::{json, Value};

use super::change::{Changes, Compat, Direction, Kind, Location};
use spec_model::{escape, resolve, Additional, Schema as View};

/// A schema that accepts anything (what a missing `items` means); `View::read` reads any
/// non-object but `false` so.
const ANY: &Value = &Value::Null;

/// How deeply schemas may nest through properties, items and `$ref`s before a walk refuses them.
pub const MAX_DEPTH: usize = 64;

/// Schemas compared by one diff at most.
pub const BUDGET: usize = 2_000_000;

/// A schema walk over one operation (or one response of it) in one direction.
pub struct Walk<'a, 'c> {
    pub base: &'a Value,
    pub head: &'a Value,
    pub direction: Direction,
    pub at: &'c Location,
    pub changes: &'c mut Changes,
    pub budget: &'c mut usize,
    /// Component pairs already compared in this walk.
    visited: HashSet<(String, String)>,
    /// Schemas open on the way to the current one.
    depth: usize,
}

/// Whether `wide` accepts every value of type `t` (`number` includes `integer`).
fn covers(wide: &Option<BTreeSet<&str>>, t: &str) -> bool {
    wide.as_ref().is_none_or(|w| w.contains(t) || (t == "integer" && w.contains("number")))
}

fn types_compat(base: &Option<BTreeSet<&str>>, head: &Option<BTreeSet<&str>>) -> Option<Compat> {
    let all = |from: &Option<BTreeSet<&str>>, into: &Option<BTreeSet<&str>>| match from {
        None => into.is_none(),
        Some(types) => types.iter().all(|t| covers(into, t)),
    };
    match (all(base, head), all(head, base)) {
        (true, true) => None,
        (true, false) => Some(Compat::Widened),
        (false, true) => Some(Compat::Narrowed),
        (false, false) => Some(Compat::Incompatible),
    }
}

fn format_compat(base: Option<&str>, head: Option<&str>) -> Option<Compat> {
    let rank = |f: &str| match f {
        "int32" | "float" => Some(0),
        "int64" | "double" => Some(1),
        _ => None,
    };
    match (base, head) {
        (a, b) if a == b => None,
        (None, Some(_)) => Some(Compat::Narrowed),
        (Some(_), None) => Some(Compat::Widened),
        (Some(a), Some(b)) => match (rank(a), rank(b), a.starts_with("int") == b.starts_with("int")) {
            (Some(x), Some(y), true) if x < y => Some(Compat::Widened),
            (Some(x), Some(y), true) if x > y => Some(Compat::Narrowed),
            _ => Some(Compat::Incompatible),
        },
        _ => None,
    }
}

/// How a bound moved: `tighter` says whether a larger number accepts less.
fn bound_compat(
    base: Option<(f64, bool)>,
    head: Option<(f64, bool)>,
    larger_is_tighter: bool,
) -> Option<Compat> {
    match (base, head) {
        (None, None) => None,
        (None, Some(_)) => Some(Compat::Narrowed),
        (Some(_), None) => Some(Compat::Widened),
        (Some((a, ax)), Some((b, bx))) if a == b && ax == bx => None,
        (Some((a, ax)), Some((b, bx))) => {
            let tighter = if a == b { bx && !ax } else { (b > a) == larger_is_tighter };
            Some(if tighter { Compat::Narrowed } else { Compat::Widened })
        }
    }
}

/// A short description of a schema for reports: `string (date-time)`, `array`, `Pin`.
pub fn summary(root: &Value, schema: &Value) -> Value {
    let Ok(found) = resolve(root, schema) else { return json!("?") };
    if let Some(reference) = found.reference {
        return json!(reference.rsplit('/').next().unwrap_or(reference));
    }
    let view = View::read(root, found.node, "");
    let mut text = match view.value_types() {
        None => "any".to_string(),
        Some(types) if types.is_empty() => "null".to_string(),
        Some(types) => types.into_iter().collect::<Vec<_>>().join(" | "),
    };
    if let Some(format) = view.format {
        text.push_str(&format!(" ({format})"));
    }
    if view.accepts_null() && view.types.is_some() && text != "null" {
        text.push_str(", nullable");
    }
    json!(text)
}

fn component(reference: Option<&str>) -> Option<&str> {
    reference.filter(|r| r.starts_with("#/components/schemas/"))
}

impl<'a, 'c> Walk<'a, 'c> {
    pub fn new(
        base: &'a Value,
        head: &'a Value,
        direction: Direction,
        at: &'c Location,
        changes: &'c mut Changes,
        budget: &'c mut usize,
    ) -> Self {
        Walk { base, head, direction, at, changes, budget, visited: HashSet::new(), depth: 0 }
    }

    fn add(
        &mut self,
        kind: Kind,
        pointer: &str,
        member: Option<&str>,
        before: Option<Value>,
        after: Option<Value>,
    ) {
        self.changes.add(kind, self.direction, Some(self.at), pointer, member, before, after);
    }

    /// Compares the schema `base` with `head`, found at `pointer` in HEAD. `member` names the
    /// property or parameter it belongs to. Errs when the budget is spent.
    pub fn compare(
        &mut self,
        base: &'a Value,
        head: &'a Value,
        pointer: &str,
        member: Option<&str>,
    ) -> Result<(), String> {
        if self.depth == MAX_DEPTH {
            return Err(format!("schemas nest more than {MAX_DEPTH} levels deep (through properties, items and $refs) at {pointer}"));
        }
        self.depth += 1;
        let compared = self.compare_schemas(base, head, pointer, member);
        self.depth -= 1;
        compared
    }

    fn compare_schemas(
        &mut self,
        base: &'a Value,
        head: &'a Value,
        pointer: &str,
        member: Option<&str>,
    ) -> Result<(), String> {
        if *self.budget == 0 {
            return Err(format!(
                "the specs are too complex to compare: more than {BUDGET} schema comparisons"
            ));
        }
        *self.budget -= 1;
        // `$ref`s that cannot be followed were refused before the walk.
        let (Ok(b), Ok(h)) = (resolve(self.base, base), resolve(self.head, head)) else { return Ok(()) };
        // A renamed reference is reported where it is written; what it names, where that is.
        match (component(b.reference), component(h.reference)) {
            (Some(x), Some(y)) => {
                if !self.visited.insert((x.to_string(), y.to_string())) {
                    return Ok(());
                }
                if name(x) != name(y) {
                    self.add(
                        Kind::SchemaRefChanged,
                        pointer,
                        member,
                        Some(json!(name(x))),
                        Some(json!(name(y))),
                    );
                }
            }
            (Some(x), None) => {
                self.add(Kind::SchemaRefChanged, pointer, member, Some(json!(name(x))), Some(json!("inline")))
            }
            (None, Some(y)) => {
                self.add(Kind::SchemaRefChanged, pointer, member, Some(json!("inline")), Some(json!(name(y))))
            }
            (None, None) => {}
        }
        let pointer = h.pointer(pointer);
        let old = View::read(self.base, b.node, &b.pointer(""));
        let new = View::read(self.head, h.node, &pointer);
        self.compare_views(&old, &new, &pointer, member)
    }

    fn compare_views(
        &mut self,
        old: &View<'a>,
        new: &View<'a>,
        pointer: &str,
        member: Option<&str>,
    ) -> Result<(), String> {
        let (b_types, h_types) = (old.value_types(), new.value_types());
        if let Some(compat) = types_compat(&b_types, &h_types) {
            let show = |t: &Option<BTreeSet<&str>>| t.as_ref().map_or(json!("any"), |t| json!(t));
            self.add(
                Kind::TypeChanged(compat),
                &format!("{pointer}/type"),
                member,
                Some(show(&b_types)),
                Some(show(&h_types)),
            );
        }
        if old.accepts_null() != new.accepts_null() {
            let now = new.accepts_null();
            self.add(
                Kind::NullableChanged { now },
                &format!("{pointer}/nullable"),
                member,
                Some(json!(!now)),
                Some(json!(now)),
            );
        }
        if let Some(compat) = format_compat(old.format, new.format) {
            self.add(
                Kind::FormatChanged(compat),
                &format!("{pointer}/format"),
                member,
                old.format.map(|f| json!(f)),
                new.format.map(|f| json!(f)),
            );
        }
        self.compare_enums(old, new, pointer, member);
        self.compare_constraints(old, new, pointer, member);
        if old.default != new.default {
            self.add(
                Kind::DefaultChanged,
                &format!("{pointer}/default"),
                member,
                old.default.cloned(),
                new.default.cloned(),
            );
        }
        if old.deprecated != new.deprecated {
            self.add(
                Kind::Deprecated { now: new.deprecated },
                &format!("{pointer}/deprecated"),
                member,
                Some(json!(old.deprecated)),
                Some(json!(new.deprecated)),
            );
        }
        if old.description != new.description {
            self.add(
                Kind::DescriptionChanged,
                &format!("{pointer}/description"),
                member,
                old.description.map(|d| json!(d)),
                new.description.map(|d| json!(d)),
            );
        }
        if old.example != new.example {
            self.add(
                Kind::ExampleChanged,
                &format!("{pointer}/example"),
                member,
                old.example.cloned(),
                new.example.cloned(),
            );
        }
        let keys: BTreeSet<&str> = old.extensions.keys().chain(new.extensions.keys()).copied().collect();
        for key in keys {
            let (b, h) = (old.extensions.get(key), new.extensions.get(key));
            if b != h {
                self.add(
                    Kind::ExtensionChanged,
                    &format!("{pointer}/{}", escape(key)),
                    member,
                    b.map(|v| (*v).clone()),
                    h.map(|v| (*v).clone()),
                );
            }
        }
        self.compare_properties(old, new, pointer)?;
        if old.items.is_some() || new.items.is_some() {
            // A schema without `items` accepts any items.
            let (b_items, h_items) =
                (old.items.as_ref().map_or(ANY, |i| i.0), new.items.as_ref().map_or(ANY, |i| i.0));
            let at = new.items.as_ref().or(old.items.as_ref()).map_or(String::new(), |i| i.1.clone());
            self.compare(b_items, h_items, &at, member)?;
        }
        match (old.additional, new.additional) {
            (Additional::Schema(b), Additional::Schema(h)) => {
                self.compare(b, h, &format!("{pointer}/additionalProperties"), member)?;
            }
            (b, h) => {
                let rank = |a: Additional| match a {
                    Additional::Nothing => 0,
                    Additional::Schema(_) => 1,
                    Additional::Any => 2,
                };
                let (x, y) = (rank(b), rank(h));
                if x != y {
                    let compat = if y > x { Compat::Widened } else { Compat::Narrowed };
                    let show = |a: Additional| match a {
                        Additional::Nothing => json!(false),
                        Additional::Any => json!(true),
                        Additional::Schema(_) => json!("schema"),
                    };
                    self.add(
                        Kind::AdditionalPropertiesChanged(compat),
                        &format!("{pointer}/additionalProperties"),
                        member,
                        Some(show(b)),
                        Some(show(h)),
                    );
                }
            }
        }
        let (nb, nh) = (old.alternatives.len(), new.alternatives.len());
        if nb != nh {
            let compat = match (nb, nh) {
                (0, _) | (_, 0) => Compat::Incompatible,
                (b, h) if h > b => Compat::Widened,
                _ => Compat::Narrowed,
            };
            self.add(Kind::CompositionChanged(compat), pointer, member, Some(json!(nb)), Some(json!(nh)));
        }
        for ((b, _), (h, at)) in old.alternatives.iter().zip(&new.alternatives) {
            self.compare(b, h, at, member)?;
        }
        Ok(())
    }

    fn compare_enums(&mut self, old: &View<'a>, new: &View<'a>, pointer: &str, member: Option<&str>) {
        let at = format!("{pointer}/enum");
        match (&old.enumeration, &new.enumeration) {
            (None, None) => {}
            (None, Some(values)) => {
                self.add(Kind::ConstraintChanged(Compat::Narrowed), &at, member, None, Some(json!(values)));
            }
            (Some(values), None) => {
                self.add(Kind::ConstraintChanged(Compat::Widened), &at, member, Some(json!(values)), None);
            }
            (Some(b), Some(h)) => {
                // Compared as text, so a huge enum costs a hash set, not a quadratic scan.
                let text =
                    |values: &[&Value]| values.iter().map(|v| v.to_string()).collect::<HashSet<String>>();
                let (b_set, h_set) = (text(b), text(h));
                let added: Vec<&Value> =
                    h.iter().copied().filter(|v| !b_set.contains(&v.to_string())).collect();
                let removed: Vec<&Value> =
                    b.iter().copied().filter(|v| !h_set.contains(&v.to_string())).collect();
                if !added.is_empty() {
                    self.add(Kind::EnumValuesAdded, &at, member, None, Some(json!(added)));
                }
                if !removed.is_empty() {
                    self.add(Kind::EnumValuesRemoved, &at, member, Some(json!(removed)), None);
                }
            }
        }
    }

    fn compare_constraints(&mut self, old: &View<'a>, new: &View<'a>, pointer: &str, member: Option<&str>) {
        // Bounds show whether they are exclusive; counts (`minLength`, …) are plain numbers.
        let show = |key: &str, v: Option<(f64, bool)>| match key {
            "minimum" | "maximum" => v.map(|(n, exclusive)| json!({"value": n, "exclusive": exclusive})),
            _ => v.map(|(n, _)| json!(n)),
        };
        let count = |n: Option<f64>| n.map(|n| (n, false));
        // (keyword, before, after, whether a larger number accepts less)
        let mut bounds =
            vec![("minimum", old.lower, new.lower, true), ("maximum", old.upper, new.upper, false)];
        for (limits, tighter_when_larger) in
            [((&old.at_least, &new.at_least), true), ((&old.at_most, &new.at_most), false)]
        {
            let keys: BTreeSet<&str> = limits.0.keys().chain(limits.1.keys()).copied().collect();
            for key in keys {
                let (b, h) = (limits.0.get(key).copied(), limits.1.get(key).copied());
                bounds.push((key, count(b), count(h), tighter_when_larger));
            }
        }
        for (key, b, h, tighter_when_larger) in bounds {
            if let Some(compat) = bound_compat(b, h, tighter_when_larger) {
                let at = format!("{pointer}/{key}");
                self.add(Kind::ConstraintChanged(compat), &at, member, show(key, b), show(key, h));
            }
        }
        // Present or not, and equal or not: a new one narrows, a dropped one widens.
        let presence = |b: &Option<Value>, h: &Option<Value>| match (b, h) {
            (None, Some(_)) => Some(Compat::Narrowed),
            (Some(_), None) => Some(Compat::Widened),
            (Some(x), Some(y)) if x != y => Some(Compat::Incompatible),
            _ => None,
        };
        let unique = |on: bool| on.then_some(json!(true));
        let rules = [
            ("pattern", old.pattern.map(|p| json!(p)), new.pattern.map(|p| json!(p))),
            ("multipleOf", old.multiple_of.map(|n| json!(n)), new.multiple_of.map(|n| json!(n))),
            ("uniqueItems", unique(old.unique_items), unique(new.unique_items)),
        ];
        for (key, before, after) in rules {
            if let Some(compat) = presence(&before, &after) {
                self.add(Kind::ConstraintChanged(compat), &format!("{pointer}/{key}"), member, before, after);
            }
        }
    }

    fn compare_properties(&mut self, old: &View<'a>, new: &View<'a>, pointer: &str) -> Result<(), String> {
        let names: BTreeSet<&str> = old.properties.keys().chain(new.properties.keys()).copied().collect();
        for name in names {
            match (old.properties.get(name), new.properties.get(name)) {
                (None, Some((schema, at))) => {
                    let required = new.required.contains(name);
                    let after = summary(self.head, schema);
                    self.add(Kind::PropertyAdded { required }, at, Some(name), None, Some(after));
                }
                (Some((schema, at)), None) => {
                    let required = old.required.contains(name);
                    let before = summary(self.base, schema);
                    let at = format!("{pointer}/properties/{}", at.rsplit('/').next().unwrap_or(name));
                    self.add(Kind::PropertyRemoved { required }, &at, Some(name), Some(before), None);
                }
                (Some((b, _)), Some((h, at))) => {
                    let (was, now) = (old.required.contains(name), new.required.contains(name));
                    if was != now {
                        self.add(
                            Kind::RequiredChanged { now },
                            &format!("{pointer}/required"),
                            Some(name),
                            Some(json!(was)),
                            Some(json!(now)),
                        );
                    }
                    self.compare(b, h, at, Some(name))?;
                }
                (None, None) => {}
            }
        }
        Ok(())
    }
}

/// `Pin` of `#/components/schemas/Pin`.
fn name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}
