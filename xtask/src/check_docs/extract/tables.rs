//! Tables, recognised by their header row, not by the page they are on: Method/URL tables,
//! field tables, header tables, scope tables, error-code tables and status tables. Route tables
//! (`Método | Ruta | …`) are in `api_md.rs`.

use super::{
    claims, field_name, mentions, statuses, BodyKind, Endpoint, Extractor, Strength, What, HEADER_LINE,
    HEADER_NAME, SCOPE,
};
use crate::check_docs::claims::JsonType;
use crate::check_docs::pages::TextLine;

/// What a table is, from its header.
enum Shape {
    /// Rows `Method | GET`, `URL | https://…` (the header is empty or generic).
    MethodUrl,
    /// `Field | (Type |) Description`.
    Fields {
        type_column: Option<usize>,
    },
    /// `Header | …`.
    Headers,
    /// `Scope | … endpoints …`.
    Scopes,
    /// `Código | Cuándo | Ejemplos`, `Code | HTTP | …`, `Status | When`: rows start with a status
    /// or an error code.
    Codes {
        status_column: Option<usize>,
    },
    /// `Método | Ruta | …`.
    Routes,
    Other,
}

fn shape(header: &[TextLine], rows: &[Vec<TextLine>]) -> Shape {
    let names: Vec<String> = header.iter().map(|c| c.text.trim().to_lowercase()).collect();
    let find = |words: &[&str]| names.iter().position(|n| words.iter().any(|w| n.starts_with(w)));
    if find(&["método", "method"]).is_some() && find(&["ruta", "route", "path"]).is_some() {
        return Shape::Routes;
    }
    match names.first().map(String::as_str) {
        Some("field" | "campo" | "name") => Shape::Fields { type_column: find(&["type", "tipo"]) },
        Some("header" | "cabecera") => Shape::Headers,
        Some("scope") => Shape::Scopes,
        Some("code" | "código" | "codigo" | "status" | "http" | "estado") => {
            Shape::Codes { status_column: find(&["http", "status"]).filter(|&c| c > 0) }
        }
        _ if rows.iter().any(|r| r.first().is_some_and(|c| is_label(c, &["method", "método"]))) => {
            Shape::MethodUrl
        }
        _ => Shape::Other,
    }
}

fn is_label(cell: &TextLine, labels: &[&str]) -> bool {
    let text = cell.text.trim().trim_end_matches(':').to_lowercase();
    labels.contains(&text.as_str())
}

impl Extractor {
    pub(super) fn table(&mut self, header: &[TextLine], rows: &[Vec<TextLine>]) {
        self.in_body_list = false;
        match shape(header, rows) {
            Shape::MethodUrl => self.method_url_table(rows),
            Shape::Fields { type_column } => self.field_table(rows, type_column),
            Shape::Headers => self.header_table(rows),
            Shape::Scopes => self.scope_table(rows),
            Shape::Codes { status_column } => self.code_table(rows, status_column),
            Shape::Routes => self.route_table(header, rows),
            Shape::Other => {}
        }
        // Whatever the shape, cells can still name scopes, headers, URLs and error codes.
        for cell in rows.iter().flatten() {
            let mentions_scopes = cell.text.to_lowercase().contains("scope");
            for span in &cell.code {
                if SCOPE.is_match(span) && self.looks_like_scope(span, mentions_scopes) {
                    self.fact(cell.line, What::Scope(span.clone()));
                }
                for url in span.split_whitespace().filter(|w| w.starts_with("http")) {
                    self.base_url(cell.line, url);
                }
            }
        }
    }

    fn method_url_table(&mut self, rows: &[Vec<TextLine>]) {
        let mut method = None;
        for row in rows {
            let (Some(label), Some(value)) = (row.first(), row.get(1)) else { continue };
            if is_label(label, &["method", "método"]) {
                method = value.code.first().or(Some(&value.text)).map(|m| m.trim().to_uppercase());
            } else if is_label(label, &["url", "endpoint", "ruta"]) {
                if let (Some(method), Some(url)) = (method.take(), value.code.first()) {
                    self.endpoint(value.line, claims::endpoint(&method, url), Strength::Declared);
                }
            } else if is_label(label, &["content-type"]) {
                for media in value.code.iter().filter(|c| super::MEDIA_TYPE.is_match(c)) {
                    self.about_current(value.line, What::BodyMediaType(media.clone()));
                }
            }
        }
    }

    fn field_table(&mut self, rows: &[Vec<TextLine>], type_column: Option<usize>) {
        let Some(body) = self.body else { return };
        for row in rows {
            let Some(cell) = row.first() else { continue };
            let Some(name) = cell.code.first().or(Some(&cell.text)).and_then(|n| field_name(n)) else {
                continue;
            };
            let types: Vec<JsonType> = type_column
                .and_then(|c| row.get(c))
                .map(|c| c.text.split(['|', '/', ',']).filter_map(JsonType::from_word).collect())
                .unwrap_or_default();
            match body {
                BodyKind::Success => self
                    .about_current(cell.line, What::ResponseField { path: name, types, exact_path: false }),
                BodyKind::RateLimit => self.fact(cell.line, What::RateLimitField { name, types }),
                BodyKind::Error => {}
            }
        }
    }

    fn header_table(&mut self, rows: &[Vec<TextLine>]) {
        for row in rows {
            let Some(cell) = row.first() else { continue };
            for span in cell.code.iter().chain(&cell.strong) {
                let span = span.trim();
                if HEADER_NAME.is_match(span) {
                    self.header(cell.line, span);
                } else if let Some(c) = HEADER_LINE.captures(span) {
                    self.header(cell.line, &c[1]);
                }
            }
        }
    }

    fn scope_table(&mut self, rows: &[Vec<TextLine>]) {
        for row in rows {
            let Some(scope) = row.first().and_then(|c| c.code.first()).filter(|s| SCOPE.is_match(s)) else {
                continue;
            };
            let line = row[0].line;
            let endpoints: Vec<Endpoint> = row[1..]
                .iter()
                .flat_map(|cell| mentions(&cell.text))
                .map(|(method, path)| claims::endpoint(&method, &path))
                .collect();
            if endpoints.is_empty() {
                self.fact(line, What::Scope(scope.clone()));
            }
            for endpoint in endpoints {
                self.claims.push(claims::Claim {
                    page: self.page,
                    line,
                    endpoint: Some(endpoint.clone()),
                    what: What::Endpoint,
                });
                self.about(line, Some(&endpoint), What::Scope(scope.clone()));
            }
        }
    }

    /// Rows that start with a status (`**401**`, `**404 Not Found**`, `**500 / 503**`) or with
    /// error codes (`INVALID_API_KEY` / `UNAUTHORIZED` | 401).
    fn code_table(&mut self, rows: &[Vec<TextLine>], status_column: Option<usize>) {
        for row in rows {
            let Some(first) = row.first() else { continue };
            let line = first.line;
            let leading_status = statuses(first.text.split_whitespace().next().unwrap_or(""));
            if let Some(&status) = leading_status.first() {
                // A status row: its error codes, and the endpoints it gives as examples.
                let rest = &row[1..];
                for cell in rest {
                    for span in &cell.code {
                        if is_upper_code(span) {
                            self.fact(line, What::ErrorCode { code: span.clone(), status: Some(status) });
                        }
                    }
                    self.error_codes(line, &cell.text, Some(status));
                    for (method, path) in mentions(&cell.text) {
                        let endpoint = self.prefixed(&method, &path);
                        self.claims.push(claims::Claim {
                            page: self.page,
                            line,
                            endpoint: Some(endpoint.clone()),
                            what: What::Endpoint,
                        });
                        let what = if status < 300 {
                            What::SuccessStatus(vec![status])
                        } else {
                            What::ErrorStatus(status)
                        };
                        self.about(line, Some(&endpoint), what);
                    }
                }
            } else if let Some(column) = status_column {
                // A code row: every code in the first cell has the status of the HTTP column.
                let status = row.get(column).and_then(|c| statuses(&c.text).first().copied());
                let codes = first
                    .code
                    .iter()
                    .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
                for code in codes {
                    self.fact(line, What::ErrorCode { code: code.clone(), status });
                }
            }
        }
    }

    /// An endpoint written relative to the current route-table module (`/pin/:cid` under Files).
    pub(super) fn prefixed(&self, method: &str, path: &str) -> Endpoint {
        super::prefixed(&self.prefix, method, path)
    }
}

/// `INVALID_API_KEY`, `FILE_TOO_LARGE`: an error code by its spelling.
fn is_upper_code(span: &str) -> bool {
    span.len() > 3 && span.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}
