//! Route tables in the style of the backend reference (API.md): `Método | Ruta | Auth | Body |
//! Descripción`, with paths relative to the module named in the heading above
//! ("Files – `/api/v3/files`"). Recognised by their header row, in any page.
//!
//! A row gives the endpoint (one per method: `POST/GET` is two), whether it needs credentials
//! (the `Auth` column), its body fields (from the
//! `Body` column: `{ a, b? }`, `multipart `file``), and from the description the query
//! parameters (`Query: …`), body fields (`body: …`), response fields (`Respuesta: …`,
//! `incluye …`) and the scope (`Requiere scope …`).

use std::sync::LazyLock;

use regex::Regex;

use super::{field_name, object_keys, Extractor, What, SCOPE};
use crate::check_docs::pages::TextLine;

/// What the code spans after a marker in a description cell are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Segment {
    Query,
    Body,
    Response,
    Scope,
}

static SENTENCE_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.\s+[A-ZÁÉÍÓÚ¿]").expect("valid regex"));
static MARKERS: LazyLock<Vec<(Regex, Segment)>> = LazyLock::new(|| {
    let r = |p: &str| Regex::new(p).expect("valid regex");
    vec![
        (r(r"(?i)\bquery\b\s*:?"), Segment::Query),
        (r(r"(?i)\bbody\b\s*(:|can include|includes)"), Segment::Body),
        (r(r"(?i)\b(respuesta|devuelve|returns?|incluye|includes)\b"), Segment::Response),
        (r(r"(?i)\b(requiere|requires)\s+scope\b"), Segment::Scope),
    ]
});

impl Extractor {
    pub(super) fn route_table(&mut self, header: &[TextLine], rows: &[Vec<TextLine>]) {
        let names: Vec<String> = header.iter().map(|c| c.text.trim().to_lowercase()).collect();
        let column = |words: &[&str]| names.iter().position(|n| words.iter().any(|w| n.starts_with(w)));
        let (Some(method_column), Some(path_column)) =
            (column(&["método", "method"]), column(&["ruta", "route", "path"]))
        else {
            return;
        };
        let body_column = column(&["body"]);
        let auth_column = column(&["auth"]);
        let description_column = column(&["descrip", "description"]);
        for row in rows {
            let (Some(methods), Some(path_cell)) = (row.get(method_column), row.get(path_column)) else {
                continue;
            };
            let line = path_cell.line;
            let path = path_cell.code.first().cloned().unwrap_or_else(|| path_cell.text.trim().to_string());
            if !path.starts_with('/') {
                continue;
            }
            for method in methods.text.split('/').map(str::trim).filter(|m| !m.is_empty()) {
                let endpoint = self.prefixed(method, &path);
                self.claims.push(crate::check_docs::claims::Claim {
                    page: self.page,
                    line,
                    endpoint: Some(endpoint.clone()),
                    what: What::Endpoint,
                });
                if let Some(required) =
                    auth_column.and_then(|c| row.get(c)).and_then(|c| needs_credentials(&c.text))
                {
                    self.about(line, Some(&endpoint), What::Auth(required));
                }
                if let Some(cell) = body_column.and_then(|c| row.get(c)) {
                    let multipart = cell.text.to_lowercase().contains("multipart");
                    for span in &cell.code {
                        let names = if span.contains('{') {
                            object_keys(span, false)
                        } else {
                            field_name(span).into_iter().collect()
                        };
                        for name in names {
                            self.about(line, Some(&endpoint), What::BodyField { name, multipart });
                        }
                    }
                }
                if let Some(cell) = description_column.and_then(|c| row.get(c)) {
                    self.description(line, &endpoint, cell);
                }
            }
        }
    }

    /// Sorts the code spans of a description cell by the marker before each.
    pub(super) fn description(
        &mut self,
        line: usize,
        endpoint: &crate::check_docs::claims::Endpoint,
        cell: &TextLine,
    ) {
        let mut marks: Vec<(usize, Segment)> = MARKERS
            .iter()
            .flat_map(|(re, segment)| re.find_iter(&cell.text).map(move |m| (m.end(), *segment)))
            .collect();
        marks.sort_by_key(|&(at, _)| at);
        // A marker's span ends with its sentence ("… `planId`). Si se elige …").
        let sentence_ends: Vec<usize> = SENTENCE_END.find_iter(&cell.text).map(|m| m.start()).collect();
        let mut from = 0;
        for span in &cell.code {
            let Some(pos) = cell.text.get(from..).and_then(|t| t.find(span.as_str())).map(|p| p + from)
            else {
                continue;
            };
            from = pos + span.len();
            // The last marker before the span, and whether a sentence ends between them: both
            // by binary search, so a cell of thousands of spans stays linear.
            let Some(&(mark, segment)) =
                marks.get(marks.partition_point(|(at, _)| *at <= pos).wrapping_sub(1))
            else {
                continue;
            };
            let next_end = sentence_ends.get(sentence_ends.partition_point(|&end| end < mark));
            if next_end.is_some_and(|&end| end < pos) {
                continue;
            }
            match segment {
                Segment::Query => {
                    if let Some(name) = field_name(span) {
                        self.about(line, Some(endpoint), What::QueryParam(name));
                    }
                }
                Segment::Body => {
                    let names = if span.contains('{') {
                        object_keys(span, false)
                    } else {
                        field_name(span).into_iter().collect()
                    };
                    for name in names {
                        self.about(line, Some(endpoint), What::BodyField { name, multipart: false });
                    }
                }
                Segment::Response => {
                    let mut names = Vec::new();
                    if span.contains('{') {
                        if let Some((key, _)) = span.split_once(':') {
                            names.extend(field_name(key));
                        }
                        names.extend(object_keys(span, true));
                    } else {
                        names.extend(field_name(span));
                    }
                    for name in names {
                        let what = What::ResponseField { path: name, types: Vec::new(), exact_path: false };
                        self.about(line, Some(endpoint), what);
                    }
                }
                Segment::Scope => {
                    if SCOPE.is_match(span) {
                        self.about(line, Some(endpoint), What::Scope(span.clone()));
                    }
                }
            }
        }
    }
}

/// An `Auth` cell: `Sí` / `Yes` / `user` need credentials, `No` does not; `Opcional` and roles
/// (`admin`) say nothing the spec records.
fn needs_credentials(cell: &str) -> Option<bool> {
    match cell.trim().trim_matches('*').to_lowercase().as_str() {
        "sí" | "si" | "yes" | "user" | "required" => Some(true),
        "no" | "público" | "publico" | "public" => Some(false),
        _ => None,
    }
}
