//! The Rust side: the client `codegen.rs` generates from each spec (exactly what `build.rs`
//! compiles), read with syn into its public items (modules, types and their derives, fields,
//! variants, methods, builder setters, trait impls, re-exports), and the two item lists
//! compared under Cargo's semver rules.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use quote::ToTokens;
use regex::Regex;

use super::change::Level;
use crate::codegen;
use spec_model::MAX_NESTING;

/// What sort of item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Module,
    Struct,
    Enum,
    Derive,
    Field,
    Variant,
    Method,
    Function,
    TraitImpl,
    TypeAlias,
    Const,
    Reexport,
    Trait,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Module => "module",
            ItemKind::Struct => "struct",
            ItemKind::Enum => "enum",
            ItemKind::Derive => "derive",
            ItemKind::Field => "field",
            ItemKind::Variant => "variant",
            ItemKind::Method => "method",
            ItemKind::Function => "function",
            ItemKind::TraitImpl => "trait impl",
            ItemKind::TypeAlias => "type alias",
            ItemKind::Const => "const",
            ItemKind::Reexport => "re-export",
            ItemKind::Trait => "trait",
        }
    }
}

/// One public item of the generated client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: ItemKind,
    /// What users depend on: a field's type, a method's signature, a struct's shape.
    pub signature: String,
    /// For structs and enums: whether adding a field or variant breaks users (every field is
    /// public, or the enum is not `#[non_exhaustive]`).
    pub exhaustive: bool,
}

/// The public items by path (`types::PinRequest`, `types::PinRequest.cl`,
/// `builder::FilesPin::cid`, `types: impl Display for Scope`).
#[derive(Debug, Default)]
pub struct Api {
    pub items: BTreeMap<String, Item>,
    /// operationIds the build leaves to hand-written code (multipart bodies).
    pub handwritten: Vec<String>,
    /// The names of the component schemas (each a generated type).
    pub schemas: Vec<String>,
    /// Whether `items` holds the spec's names (`spec::OperationId`, `spec::ErrorCode`, …), which
    /// a spec from before `components.schemas.Scope` and `x-codes` does not generate.
    pub has_names: bool,
}

/// How an item changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delta {
    Added,
    Removed,
    Changed,
}

impl Delta {
    pub fn as_str(self) -> &'static str {
        match self {
            Delta::Added => "added",
            Delta::Removed => "removed",
            Delta::Changed => "changed",
        }
    }
}

/// One change of the public Rust API.
#[derive(Debug, Clone)]
pub struct RustChange {
    pub path: String,
    pub kind: ItemKind,
    pub delta: Delta,
    pub before: Option<String>,
    pub after: Option<String>,
    pub level: Level,
    pub why: &'static str,
}

impl fmt::Display for RustChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}` {}", self.kind.as_str(), self.path, self.delta.as_str())?;
        if let (Delta::Changed, Some(before), Some(after)) = (self.delta, &self.before, &self.after) {
            write!(f, ": `{before}` -> `{after}`")?;
        }
        Ok(())
    }
}

/// Generates the client for a spec and reads its public API. The spec must be OpenAPI 3.0
/// that progenitor accepts; the error says why not.
pub fn generate(text: &str, doc: &spec_model::Document) -> Result<Api, String> {
    if !doc.version().starts_with("3.0.") {
        return Err(format!("is OpenAPI {:?}; progenitor generates only 3.0.x", doc.version()));
    }
    if let Some(why) = spec_model::beyond_generation_limits(doc.root()) {
        return Err(format!("is not generated: {why}"));
    }
    let spec: openapiv3::OpenAPI = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| format!("not an OpenAPI 3.0 document: {e}"))?
    } else {
        serde_yaml::from_str(text).map_err(|e| format!("not an OpenAPI 3.0 document: {e}"))?
    };
    let generated = codegen::generate_client(&spec).map_err(|problems| {
        let reasons: Vec<String> = problems.iter().map(ToString::to_string).collect();
        format!("cannot be generated: {}", reasons.join("; "))
    })?;
    let parse =
        |code: &str| syn::parse_file(code).map_err(|e| format!("the generated code does not parse: {e}"));
    let mut api = Api {
        handwritten: generated.handwritten.into_iter().map(|op| op.operation_id).collect(),
        schemas: spec.components.iter().flat_map(|c| c.schemas.keys().cloned()).collect(),
        has_names: generated.names.is_some(),
        ..Api::default()
    };
    read_items(&parse(&generated.client)?.items, "", &mut api.items, 0);
    if let Some(names) = &generated.names {
        // The crate includes them in its `spec` module.
        read_items(&parse(names)?.items, "spec", &mut api.items, 0);
    }
    Ok(api)
}

fn is_public(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}::{name}")
    }
}

fn has_attr(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().any(|a| a.path().is_ident(name))
}

/// The traits of `#[derive(...)]` attributes, by their last path segment.
fn derives(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let parser = syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated;
        if let Ok(paths) = attr.parse_args_with(parser) {
            out.extend(paths.iter().filter_map(|p| p.segments.last()).map(|s| s.ident.to_string()));
        }
    }
    out.sort();
    out
}

fn read_items(items: &[syn::Item], prefix: &str, out: &mut BTreeMap<String, Item>, depth: usize) {
    for item in items {
        let mut add = |path: String, kind: ItemKind, signature: String, exhaustive: bool| {
            out.insert(path, Item { kind, signature, exhaustive });
        };
        match item {
            syn::Item::Mod(m) if is_public(&m.vis) => {
                let path = join(prefix, &m.ident.to_string());
                add(path.clone(), ItemKind::Module, format!("mod {}", m.ident), false);
                if let Some((_, content)) = &m.content {
                    // Generated code nests a few modules; a bound keeps the recursion small.
                    if depth < MAX_NESTING {
                        read_items(content, &path, out, depth + 1);
                    }
                }
            }
            syn::Item::Struct(s) if is_public(&s.vis) => {
                let path = join(prefix, &s.ident.to_string());
                let non_exhaustive = has_attr(&s.attrs, "non_exhaustive");
                let all_public = s.fields.iter().all(|f| is_public(&f.vis));
                let shape = match &s.fields {
                    syn::Fields::Named(_) => "{ .. }",
                    syn::Fields::Unnamed(_) => "( .. )",
                    syn::Fields::Unit => ";",
                };
                let generics = tidy(&s.generics.to_token_stream().to_string());
                let signature = format!(
                    "{}struct {}{generics} {shape}{}",
                    if non_exhaustive { "#[non_exhaustive] " } else { "" },
                    s.ident,
                    if all_public { "" } else { " (with private fields)" }
                );
                add(path.clone(), ItemKind::Struct, signature, all_public && !non_exhaustive);
                for derive in derives(&s.attrs) {
                    add(
                        format!("{path} derives {derive}"),
                        ItemKind::Derive,
                        format!("#[derive({derive})]"),
                        false,
                    );
                }
                for (i, field) in s.fields.iter().enumerate().filter(|(_, f)| is_public(&f.vis)) {
                    let name = field.ident.as_ref().map_or_else(|| i.to_string(), ToString::to_string);
                    add(
                        format!("{path}.{name}"),
                        ItemKind::Field,
                        tidy(&field.ty.to_token_stream().to_string()),
                        false,
                    );
                }
            }
            syn::Item::Enum(e) if is_public(&e.vis) => {
                let path = join(prefix, &e.ident.to_string());
                let non_exhaustive = has_attr(&e.attrs, "non_exhaustive");
                let generics = tidy(&e.generics.to_token_stream().to_string());
                let signature = format!(
                    "{}enum {}{generics}",
                    if non_exhaustive { "#[non_exhaustive] " } else { "" },
                    e.ident
                );
                add(path.clone(), ItemKind::Enum, signature, !non_exhaustive);
                for derive in derives(&e.attrs) {
                    add(
                        format!("{path} derives {derive}"),
                        ItemKind::Derive,
                        format!("#[derive({derive})]"),
                        false,
                    );
                }
                for variant in &e.variants {
                    let fields = tidy(&variant.fields.to_token_stream().to_string());
                    add(
                        format!("{path}::{}", variant.ident),
                        ItemKind::Variant,
                        format!("{}{fields}", variant.ident),
                        false,
                    );
                }
            }
            syn::Item::Impl(i) => {
                let self_ty = tidy(&i.self_ty.to_token_stream().to_string());
                match &i.trait_ {
                    Some((trait_path, _)) => {
                        let generics = tidy(&i.generics.to_token_stream().to_string());
                        let trait_path = tidy(&trait_path.to_token_stream().to_string());
                        let key =
                            format!("{}: impl{generics} {trait_path} for {self_ty}", module_label(prefix));
                        add(key.clone(), ItemKind::TraitImpl, key, false);
                    }
                    None => {
                        let owner = join(prefix, self_ty.split('<').next().unwrap_or(&self_ty));
                        for member in &i.items {
                            match member {
                                syn::ImplItem::Fn(f) if is_public(&f.vis) => {
                                    let signature = tidy(&f.sig.to_token_stream().to_string());
                                    add(
                                        format!("{owner}::{}", f.sig.ident),
                                        ItemKind::Method,
                                        signature,
                                        false,
                                    );
                                }
                                syn::ImplItem::Const(c) if is_public(&c.vis) => {
                                    let signature = format!(
                                        "const {}: {}",
                                        c.ident,
                                        tidy(&c.ty.to_token_stream().to_string())
                                    );
                                    add(format!("{owner}::{}", c.ident), ItemKind::Const, signature, false);
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
            syn::Item::Fn(f) if is_public(&f.vis) => {
                let signature = tidy(&f.sig.to_token_stream().to_string());
                add(join(prefix, &f.sig.ident.to_string()), ItemKind::Function, signature, false);
            }
            syn::Item::Type(t) if is_public(&t.vis) => {
                let signature = tidy(&format!(
                    "type {}{} = {}",
                    t.ident,
                    t.generics.to_token_stream(),
                    t.ty.to_token_stream()
                ));
                add(join(prefix, &t.ident.to_string()), ItemKind::TypeAlias, signature, false);
            }
            syn::Item::Const(c) if is_public(&c.vis) => {
                let signature = format!("const {}: {}", c.ident, tidy(&c.ty.to_token_stream().to_string()));
                add(join(prefix, &c.ident.to_string()), ItemKind::Const, signature, false);
            }
            syn::Item::Use(u) if is_public(&u.vis) => {
                let tree = tidy(&u.tree.to_token_stream().to_string());
                let key = format!("{}: pub use {tree}", module_label(prefix));
                add(key.clone(), ItemKind::Reexport, key, false);
            }
            syn::Item::Trait(t) if is_public(&t.vis) => {
                let path = join(prefix, &t.ident.to_string());
                add(path.clone(), ItemKind::Trait, format!("trait {}", t.ident), false);
                for member in &t.items {
                    if let syn::TraitItem::Fn(f) = member {
                        let signature = tidy(&f.sig.to_token_stream().to_string());
                        add(format!("{path}::{}", f.sig.ident), ItemKind::Method, signature, false);
                    }
                }
            }
            _ => {}
        }
    }
}

fn module_label(prefix: &str) -> &str {
    if prefix.is_empty() {
        "crate"
    } else {
        prefix
    }
}

/// Token text as a person writes it: `:: std :: option :: Option < :: std :: string :: String >`
/// becomes `Option<String>`.
pub fn tidy(tokens: &str) -> String {
    static STD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:::)?\b(?:std|core|alloc|chrono)::(?:\w+::)*(\w+)").expect("valid regex")
    });
    static ROOT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(^|[^\w:>])::(\w)").expect("valid regex"));
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '\'');
    let mut out = String::with_capacity(tokens.len());
    let mut previous = "";
    for token in tokens.split_whitespace() {
        let space = !previous.is_empty()
            && ((word(previous.chars().last()) && word(token.chars().next()))
                || matches!(previous, "," | "->" | ":" | "=" | "+")
                || matches!(token, "->" | "=" | "+")
                || (previous == ">" && word(token.chars().next())));
        if space {
            out.push(' ');
        }
        out.push_str(token);
        previous = token;
    }
    let out = STD.replace_all(&out, "$1");
    ROOT.replace_all(&out, "$1$2").into_owned()
}

/// The changes from `base` to `head`, with their levels under Cargo's semver rules.
pub fn diff(base: &Api, head: &Api) -> Vec<RustChange> {
    let mut out = Vec::new();
    // The spec's names are compared only where both specs generate them.
    let from_names = |path: &String| path.starts_with("spec::") || path.starts_with("spec: ");
    let compared = |path: &String| base.has_names == head.has_names || !from_names(path);
    for (path, old) in base.items.iter().filter(|(path, _)| compared(path)) {
        match head.items.get(path) {
            None => out.push(RustChange {
                path: path.clone(),
                kind: old.kind,
                delta: Delta::Removed,
                before: Some(old.signature.clone()),
                after: None,
                level: Level::Breaking,
                why: "code that uses it stops compiling",
            }),
            Some(new) if new.signature != old.signature => out.push(RustChange {
                path: path.clone(),
                kind: new.kind,
                delta: Delta::Changed,
                before: Some(old.signature.clone()),
                after: Some(new.signature.clone()),
                level: Level::Breaking,
                why: "code that uses it may stop compiling",
            }),
            Some(_) => {}
        }
    }
    for (path, new) in head.items.iter().filter(|(path, _)| compared(path)) {
        if base.items.contains_key(path) {
            continue;
        }
        // A field or variant added to a type that existed and was exhaustive breaks struct
        // literals and exhaustive matches (Cargo's semver reference: a major change).
        let parent = match new.kind {
            ItemKind::Field => path.rsplit_once('.').map(|(p, _)| p),
            ItemKind::Variant => path.rsplit_once("::").map(|(p, _)| p),
            _ => None,
        };
        let breaks = parent.and_then(|p| base.items.get(p)).is_some_and(|p| p.exhaustive);
        let (level, why) = match (breaks, new.kind) {
            (true, ItemKind::Field) => (
                Level::Breaking,
                "the struct's fields are all public: struct literals and patterns stop compiling",
            ),
            (true, _) => {
                (Level::Breaking, "the enum is exhaustive: matches without a wildcard stop compiling")
            }
            (false, _) => (Level::Addition, "new public API"),
        };
        out.push(RustChange {
            path: path.clone(),
            kind: new.kind,
            delta: Delta::Added,
            before: None,
            after: Some(new.signature.clone()),
            level,
            why,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_text_reads_as_written() {
        assert_eq!(tidy(":: std :: option :: Option < :: std :: string :: String >"), "Option<String>");
        assert_eq!(
            tidy("pub fn cid < V > (mut self , value : V) -> Self where V : std :: convert :: TryInto < :: chrono :: DateTime < :: chrono :: offset :: Utc > >"),
            "pub fn cid<V>(mut self, value: V) -> Self where V: TryInto<DateTime<Utc>>"
        );
        assert_eq!(tidy("& 'a super :: Client"), "&'a super::Client");
        assert_eq!(tidy(":: serde_json :: Value"), "serde_json::Value");
        assert_eq!(
            tidy("Result < ResponseValue < types :: Pin > , crate :: Error >"),
            "Result<ResponseValue<types::Pin>, crate::Error>"
        );
    }
}
