//! One difference between two specs, and what it means: the kind carries the facts the
//! classification needs (was the new parameter required? does the new type accept more or less
//! than the old one?), and [`Kind::classify`] is the one place that turns them into "breaks
//! clients on the wire" and a semver level.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

/// Which way the data flows where the change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Parameters and request bodies: what clients send.
    Request,
    /// Response bodies and headers: what clients read.
    Response,
    /// Operations, security, servers and components as a whole.
    Neither,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Request => "request",
            Direction::Response => "response",
            Direction::Neither => "operation",
        }
    }
}

/// How the set of values a schema (or security requirement) accepts changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compat {
    /// Accepts everything it did and more.
    Widened,
    /// Accepts a part of what it did.
    Narrowed,
    /// Neither: some old values are refused and some new ones accepted.
    Incompatible,
}

/// What a change needs of the crate's version, from nothing to a breaking release. Cargo's
/// rules turn a level into a version component (`spec_diff/version.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Nothing a user can observe (documentation, evidence, names that are not on the wire).
    None,
    /// Observable but compatible: a relaxed rule, a new documented error, a deprecation.
    Patch,
    /// Something new that users may start to use.
    Addition,
    /// Code or requests that worked may stop working.
    Breaking,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Patch => "patch",
            Level::Addition => "addition",
            Level::Breaking => "breaking",
        }
    }
}

/// What changed. Facts that decide the classification travel with the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    ServerChanged,
    SchemaAdded,
    SchemaRemoved,
    /// A `$ref` now names another component (or an inline schema), with the same wire shape.
    SchemaRefChanged,
    OperationAdded,
    OperationRemoved,
    OperationIdChanged,
    Deprecated {
        now: bool,
    },
    ScopeChanged,
    SecurityChanged(Compat),
    ParameterAdded {
        required: bool,
    },
    ParameterRemoved,
    /// A path parameter was renamed: not on the wire, but its builder setter is.
    ParameterRenamed,
    ParameterStyleChanged,
    /// A parameter, request body, property or header became required (`now`) or optional.
    RequiredChanged {
        now: bool,
    },
    RequestBodyAdded {
        required: bool,
    },
    RequestBodyRemoved,
    MediaTypeAdded,
    MediaTypeRemoved,
    SuccessStatusChanged,
    StatusAdded {
        success: bool,
    },
    StatusRemoved {
        success: bool,
    },
    HeaderAdded,
    HeaderRemoved {
        required: bool,
    },
    PropertyAdded {
        required: bool,
    },
    PropertyRemoved {
        required: bool,
    },
    TypeChanged(Compat),
    NullableChanged {
        now: bool,
    },
    FormatChanged(Compat),
    EnumValuesAdded,
    EnumValuesRemoved,
    /// `enum`, bounds, lengths, `pattern`, `items` counts and the like.
    ConstraintChanged(Compat),
    AdditionalPropertiesChanged(Compat),
    CompositionChanged(Compat),
    DefaultChanged,
    DescriptionChanged,
    ExampleChanged,
    EvidenceChanged,
    ExtensionChanged,
}

impl Kind {
    /// The kind's name in reports and JSON.
    pub fn name(self) -> &'static str {
        let variance = |c: Compat, widened, narrowed, changed| match c {
            Compat::Widened => widened,
            Compat::Narrowed => narrowed,
            Compat::Incompatible => changed,
        };
        match self {
            Kind::ServerChanged => "server-changed",
            Kind::SchemaAdded => "schema-added",
            Kind::SchemaRemoved => "schema-removed",
            Kind::SchemaRefChanged => "schema-ref-changed",
            Kind::OperationAdded => "operation-added",
            Kind::OperationRemoved => "operation-removed",
            Kind::OperationIdChanged => "operation-id-changed",
            Kind::Deprecated { now: true } => "deprecated",
            Kind::Deprecated { now: false } => "undeprecated",
            Kind::ScopeChanged => "scope-changed",
            Kind::SecurityChanged(c) => {
                variance(c, "security-relaxed", "security-tightened", "security-changed")
            }
            Kind::ParameterAdded { required: true } => "required-parameter-added",
            Kind::ParameterAdded { required: false } => "optional-parameter-added",
            Kind::ParameterRemoved => "parameter-removed",
            Kind::ParameterRenamed => "path-parameter-renamed",
            Kind::ParameterStyleChanged => "parameter-style-changed",
            Kind::RequiredChanged { now: true } => "became-required",
            Kind::RequiredChanged { now: false } => "became-optional",
            Kind::RequestBodyAdded { required: true } => "required-request-body-added",
            Kind::RequestBodyAdded { required: false } => "optional-request-body-added",
            Kind::RequestBodyRemoved => "request-body-removed",
            Kind::MediaTypeAdded => "media-type-added",
            Kind::MediaTypeRemoved => "media-type-removed",
            Kind::SuccessStatusChanged => "success-status-changed",
            Kind::StatusAdded { success: true } => "success-status-added",
            Kind::StatusAdded { success: false } => "error-status-added",
            Kind::StatusRemoved { success: true } => "success-status-removed",
            Kind::StatusRemoved { success: false } => "error-status-removed",
            Kind::HeaderAdded => "header-added",
            Kind::HeaderRemoved { .. } => "header-removed",
            Kind::PropertyAdded { required: true } => "required-property-added",
            Kind::PropertyAdded { required: false } => "optional-property-added",
            Kind::PropertyRemoved { required: true } => "required-property-removed",
            Kind::PropertyRemoved { required: false } => "optional-property-removed",
            Kind::TypeChanged(c) => variance(c, "type-widened", "type-narrowed", "type-changed"),
            Kind::NullableChanged { now: true } => "became-nullable",
            Kind::NullableChanged { now: false } => "became-non-nullable",
            Kind::FormatChanged(c) => variance(c, "format-widened", "format-narrowed", "format-changed"),
            Kind::EnumValuesAdded => "enum-values-added",
            Kind::EnumValuesRemoved => "enum-values-removed",
            Kind::ConstraintChanged(c) => {
                variance(c, "constraint-relaxed", "constraint-tightened", "constraint-changed")
            }
            Kind::AdditionalPropertiesChanged(c) => variance(
                c,
                "additional-properties-widened",
                "additional-properties-narrowed",
                "additional-properties-changed",
            ),
            Kind::CompositionChanged(c) => {
                variance(c, "composition-widened", "composition-narrowed", "composition-changed")
            }
            Kind::DefaultChanged => "default-changed",
            Kind::DescriptionChanged => "description-changed",
            Kind::ExampleChanged => "example-changed",
            Kind::EvidenceChanged => "evidence-changed",
            Kind::ExtensionChanged => "extension-changed",
        }
    }

    /// Changes to text only (descriptions, examples, evidence, other `x-` extensions), listed
    /// with `--all`.
    pub fn is_documentation(self) -> bool {
        matches!(
            self,
            Kind::DescriptionChanged | Kind::ExampleChanged | Kind::EvidenceChanged | Kind::ExtensionChanged
        )
    }

    /// Whether the change breaks clients on the wire, with its level and the reason, in the
    /// direction it happened. The rule for schemas: a request may only accept more than it did
    /// (old clients send what they always sent), a response may only promise more (old clients
    /// read what they always read).
    pub fn classify(self, direction: Direction) -> (bool, Level, &'static str) {
        use Compat::*;
        let request = direction == Direction::Request;
        // Widened requests and narrowed responses are safe; the rest breaks.
        let by_variance = |compat: Compat| match (compat, request) {
            (Widened, true) => (false, Level::Patch, "requests accept more than before"),
            (Narrowed, false) => (false, Level::Patch, "responses promise more than before"),
            (Narrowed, true) => (true, Level::Breaking, "requests that were valid may be refused"),
            (Widened, false) => {
                (true, Level::Breaking, "responses may carry values old clients do not expect")
            }
            (Incompatible, true) => (true, Level::Breaking, "requests that were valid may be refused"),
            (Incompatible, false) => (true, Level::Breaking, "responses may not decode in old clients"),
        };
        match self {
            Kind::ServerChanged => {
                (true, Level::Breaking, "clients built for the old base URL call the wrong place")
            }
            Kind::SchemaAdded | Kind::SchemaRemoved | Kind::SchemaRefChanged => {
                (false, Level::None, "component names are not on the wire")
            }
            Kind::OperationAdded => (false, Level::Addition, "a new route"),
            Kind::OperationRemoved => (true, Level::Breaking, "calls to the route fail"),
            Kind::OperationIdChanged => (false, Level::None, "operation ids are not on the wire"),
            Kind::ParameterRenamed => (false, Level::None, "path parameter names are not on the wire"),
            Kind::Deprecated { .. } => (false, Level::Patch, "deprecation changes no request or response"),
            Kind::ScopeChanged => (true, Level::Breaking, "API tokens with the old scope are refused"),
            Kind::SecurityChanged(Widened) => {
                (false, Level::Patch, "every credential that worked still works")
            }
            Kind::SecurityChanged(_) => (true, Level::Breaking, "credentials that worked may be refused"),
            Kind::ParameterAdded { required: true } => {
                (true, Level::Breaking, "requests without the new parameter are refused")
            }
            Kind::ParameterAdded { required: false } => (false, Level::Addition, "a new optional input"),
            Kind::ParameterRemoved => (true, Level::Breaking, "clients that send it lose its effect"),
            Kind::ParameterStyleChanged => (true, Level::Breaking, "the parameter is serialised differently"),
            Kind::RequiredChanged { now: true } if request => {
                (true, Level::Breaking, "requests without it are refused")
            }
            Kind::RequiredChanged { now: true } => (false, Level::Patch, "responses promise it from now on"),
            Kind::RequiredChanged { now: false } if request => {
                (false, Level::Patch, "requests may leave it out")
            }
            Kind::RequiredChanged { now: false } => {
                (true, Level::Breaking, "clients that rely on it may find it missing")
            }
            Kind::RequestBodyAdded { required: true } => {
                (true, Level::Breaking, "requests without a body are refused")
            }
            Kind::RequestBodyAdded { required: false } => (false, Level::Addition, "a new optional body"),
            Kind::RequestBodyRemoved => (true, Level::Breaking, "clients that send a body lose its effect"),
            Kind::MediaTypeAdded if request => (false, Level::Addition, "a new way to send the body"),
            Kind::MediaTypeAdded => {
                (true, Level::Breaking, "responses may come in a format old clients cannot read")
            }
            Kind::MediaTypeRemoved if request => {
                (true, Level::Breaking, "requests in the removed format are refused")
            }
            Kind::MediaTypeRemoved => (false, Level::Patch, "responses come in fewer formats"),
            Kind::SuccessStatusChanged => {
                (true, Level::Breaking, "old clients treat the new success status as unexpected")
            }
            Kind::StatusAdded { success: true } => {
                (true, Level::Breaking, "old clients treat the new success status as unexpected")
            }
            Kind::StatusAdded { success: false } => {
                (false, Level::Patch, "an error that could already happen is now documented")
            }
            Kind::StatusRemoved { success: true } => {
                (true, Level::Breaking, "old clients expect a status the route no longer answers")
            }
            Kind::StatusRemoved { success: false } => (false, Level::Patch, "one error fewer is documented"),
            Kind::HeaderAdded => (false, Level::Patch, "a new response header"),
            Kind::HeaderRemoved { required: true } => {
                (true, Level::Breaking, "clients that rely on the header may find it missing")
            }
            Kind::HeaderRemoved { required: false } => {
                (false, Level::Patch, "an optional header is no longer documented")
            }
            Kind::PropertyAdded { required: true } if request => {
                (true, Level::Breaking, "requests without the new field are refused")
            }
            Kind::PropertyAdded { .. } if request => (false, Level::Addition, "a new optional field"),
            Kind::PropertyAdded { .. } => (false, Level::Addition, "a new field in responses"),
            Kind::PropertyRemoved { .. } if request => {
                (true, Level::Breaking, "clients that send the field lose its effect")
            }
            Kind::PropertyRemoved { required: true } => {
                (true, Level::Breaking, "clients that rely on the field find it missing")
            }
            Kind::PropertyRemoved { required: false } => {
                (false, Level::Patch, "an optional field is no longer documented")
            }
            Kind::TypeChanged(c)
            | Kind::FormatChanged(c)
            | Kind::ConstraintChanged(c)
            | Kind::AdditionalPropertiesChanged(c)
            | Kind::CompositionChanged(c) => by_variance(c),
            Kind::NullableChanged { now: true } | Kind::EnumValuesAdded => by_variance(Widened),
            Kind::NullableChanged { now: false } | Kind::EnumValuesRemoved => by_variance(Narrowed),
            Kind::DefaultChanged => {
                (false, Level::Patch, "the server behaves differently when the value is left out")
            }
            Kind::DescriptionChanged
            | Kind::ExampleChanged
            | Kind::EvidenceChanged
            | Kind::ExtensionChanged => (false, Level::None, "documentation only"),
        }
    }
}

/// The operation a change is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub method: String,
    pub path: String,
    pub operation_id: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        if let Some(id) = &self.operation_id {
            write!(f, " ({id})")?;
        }
        Ok(())
    }
}

/// One change on the wire.
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: Kind,
    pub direction: Direction,
    /// The operations it is in: one for a change written in an operation, every operation that
    /// uses a component for a change inside one, none for servers and components as such.
    pub at: Vec<Location>,
    /// Where in the document: in HEAD, or in BASE for what HEAD no longer has.
    pub pointer: String,
    /// The property, parameter or header it is about, when it is about one.
    pub member: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub wire_breaking: bool,
    pub level: Level,
    pub why: &'static str,
    /// Indices into the Rust API changes this change causes.
    pub rust: Vec<usize>,
}

/// Changes as they are found, with the changes inside shared components merged: a field
/// removed from a schema that ten operations use is one change in ten operations.
#[derive(Debug, Default)]
pub struct Changes {
    pub list: Vec<Change>,
    merged: HashMap<String, usize>,
}

impl Changes {
    /// Records a change; its classification follows from kind and direction.
    #[allow(clippy::too_many_arguments)] // Each argument is one fact of the change.
    pub fn add(
        &mut self,
        kind: Kind,
        direction: Direction,
        at: Option<&Location>,
        pointer: &str,
        member: Option<&str>,
        before: Option<Value>,
        after: Option<Value>,
    ) {
        let (wire_breaking, level, why) = kind.classify(direction);
        let key = pointer
            .starts_with("#/components/")
            .then(|| format!("{}|{}|{pointer}|{before:?}|{after:?}", kind.name(), direction.as_str()));
        if let Some(&i) = key.as_ref().and_then(|k| self.merged.get(k)) {
            if let Some(at) = at {
                if !self.list[i].at.contains(at) {
                    self.list[i].at.push(at.clone());
                }
            }
            return;
        }
        if let Some(key) = key {
            self.merged.insert(key, self.list.len());
        }
        self.list.push(Change {
            kind,
            direction,
            at: at.into_iter().cloned().collect(),
            pointer: pointer.to_string(),
            member: member.map(str::to_string),
            before,
            after,
            wire_breaking,
            level,
            why,
            rust: Vec::new(),
        });
    }
}
