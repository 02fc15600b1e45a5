//! What commands print: aligned tables and short lines for people, one JSON document (with
//! field names this tool owns, not the API's, described by `pinarkive schema`) for scripts.

use std::io::{IsTerminal, Write};

use chrono::{DateTime, Utc};

use pinarkive::redact::Redactor;

use crate::errors::{redact, unprintable, CliError};
use crate::json::stderr::StderrLine;
use crate::json::{Document, Versioned};

/// How to print, and the secrets that must never be printed.
#[derive(Debug, Clone)]
pub struct Output {
    pub json: bool,
    secrets: Redactor,
}

impl Output {
    pub fn new(json: bool, secrets: Redactor) -> Self {
        Output { json, secrets }
    }

    /// The secrets this output takes out of what it prints.
    pub fn secrets(&self) -> &Redactor {
        &self.secrets
    }

    /// This output, taking out whole secrets only (see [`Redactor::whole_secrets_only`]).
    pub fn whole_secrets_only(&self) -> Output {
        Output { json: self.json, secrets: self.secrets.whole_secrets_only() }
    }

    /// Whether progress bars and prompts make sense: a person is watching stdout.
    pub fn is_interactive(&self) -> bool {
        !self.json && std::io::stdout().is_terminal()
    }

    /// Prints `value` as the command's one JSON document, its `formatVersion` first.
    /// Characters a terminal would act on or hide are written as JSON escapes (`\u202e`), so
    /// the data stays intact for a script.
    pub fn json<T: Document>(&self, value: &T) {
        let text = serde_json::to_string_pretty(&Versioned::new(value)).expect("output types serialize");
        self.stdout(&escape_unprintable(&text));
    }

    /// Prints a JSON Schema, with or without `--json`: it is JSON either way.
    pub fn schema(&self, schema: &serde_json::Value) {
        self.stdout(&serde_json::to_string_pretty(schema).expect("a schema serializes"));
    }

    /// Prints a line for people on stdout (nothing in `--json` mode).
    pub fn line(&self, text: impl AsRef<str>) {
        if !self.json {
            self.stdout(text.as_ref());
        }
    }

    /// Prints a note on stderr, also in `--json` mode (stdout stays one document), where it is
    /// a line of JSON.
    pub fn note(&self, text: impl AsRef<str>) {
        let text = redact(text.as_ref(), &self.secrets);
        // In JSON the level says what the text's `note: ` says for people.
        let message = text.strip_prefix("note: ").map(str::to_string).unwrap_or_else(|| text.clone());
        self.stderr(StderrLine::Note { message }, |_| text);
    }

    /// Prints the error that ends the run on stderr: `error: ...`, or a line of JSON.
    pub fn error(&self, error: &CliError) {
        let message = redact(&error.message, &self.secrets);
        let line = StderrLine::Error { message, reason: error.exit, exit_code: error.exit as u8 };
        self.stderr(line, |message| format!("error: {message}"));
    }

    /// `line` as JSON in `--json` mode, else its message as `for_people` puts it.
    fn stderr(&self, line: StderrLine, for_people: impl FnOnce(String) -> String) {
        let text = match (self.json, line) {
            (true, line) => serde_json::to_string(&Versioned::new(&line)).expect("output types serialize"),
            (false, StderrLine::Note { message } | StderrLine::Error { message, .. }) => for_people(message),
        };
        let _ = writeln!(std::io::stderr(), "{text}");
    }

    fn stdout(&self, text: &str) {
        let text = redact(text, &self.secrets);
        // A closed pipe (`pinarkive ls | head`) is not an error worth a panic.
        let _ = writeln!(std::io::stdout(), "{text}");
    }

    /// Prints `name  value` lines, the values aligned.
    pub fn pairs(&self, pairs: &[(&str, String)]) {
        let width = pairs.iter().map(|(name, _)| name.chars().count()).max().unwrap_or(0);
        let lines: Vec<String> =
            pairs.iter().map(|(name, value)| format!("{}  {value}", pad(name, width))).collect();
        self.line(lines.join("\n"));
    }

    /// Prints a table with a header row, columns aligned.
    pub fn table(&self, header: &[&str], rows: &[Vec<String>]) {
        self.line(render_table(header, rows));
    }

    /// Prints part of a JSON document written piece by piece (a listing too long to hold),
    /// escaped as [`Output::json`] escapes a whole one.
    pub fn json_part(&self, text: &str) {
        self.stdout(&escape_unprintable(text));
    }
}

/// A table printed a batch of rows at a time (a listing too long to hold): the header comes
/// with the first batch, and columns are as wide as every row so far, so they widen when a
/// batch needs it but never narrow.
pub struct StreamedTable {
    header: Vec<String>,
    widths: Vec<usize>,
    started: bool,
}

impl StreamedTable {
    pub fn new(header: &[&str]) -> Self {
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        StreamedTable { widths: widths(&header, &[]), header, started: false }
    }

    /// Prints `rows` (and the header before the first of them).
    pub fn print(&mut self, out: &Output, rows: &[Vec<String>]) {
        if rows.is_empty() {
            return;
        }
        widen(&mut self.widths, rows);
        let header = (!self.started).then_some(&self.header);
        self.started = true;
        out.line(render_rows(&self.widths, header.into_iter().chain(rows)));
    }

    /// Whether any row was printed.
    pub fn started(&self) -> bool {
        self.started
    }
}

/// JSON text with every unprintable character as a `\uXXXX` escape. serde_json already escapes
/// control characters, and everything else it writes outside strings is ASCII, so what this
/// changes is inside strings, where the escape means the same character.
fn escape_unprintable(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if unprintable(c) && c != '\n' {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Left-aligned columns two spaces apart; the last column is not padded.
pub fn render_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    render_rows(&widths(&header, rows), std::iter::once(&header).chain(rows))
}

/// The width of each column of `header` and `rows`.
fn widths(header: &[String], rows: &[Vec<String>]) -> Vec<usize> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    widen(&mut widths, rows);
    widths
}

/// `widths` grown to fit `rows`.
fn widen(widths: &mut [usize], rows: &[Vec<String>]) {
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
}

/// `rows` with columns padded to `widths`, two spaces apart; the last column is not padded.
fn render_rows<'a>(widths: &[usize], rows: impl Iterator<Item = &'a Vec<String>>) -> String {
    rows.map(|row| {
        let last = row.len().saturating_sub(1);
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| if i == last { cell.clone() } else { pad(cell, widths[i]) })
            .collect();
        cells.join("  ").trim_end().to_string()
    })
    .collect::<Vec<_>>()
    .join("\n")
}

fn pad(cell: &str, width: usize) -> String {
    let fill = width.saturating_sub(cell.chars().count());
    format!("{cell}{}", " ".repeat(fill))
}

/// `1.5 MiB`; bytes below 1 KiB as `812 B`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A time in UTC to the minute, as tables show it.
pub fn human_time(time: &DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M").to_string()
}

/// A time as `--json` shows it: RFC 3339 in UTC with `Z`, fractions only when present.
pub fn iso(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// What tables show for a missing value.
pub const NONE: &str = "-";

/// `value`, or [`NONE`].
pub fn or_none(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| NONE.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns() {
        let rows = vec![vec!["a".to_string(), "long value".to_string(), "x".to_string()]];
        assert_eq!(render_table(&["NAME", "V", "END"], &rows), "NAME  V           END\na     long value  x");
    }

    #[test]
    fn json_keeps_invisible_characters_as_escapes() {
        let text = serde_json::to_string(&serde_json::json!({"name": "a\u{202E}b\u{E0041}"})).unwrap();
        let escaped = escape_unprintable(&text);
        assert_eq!(escaped, r#"{"name":"a\u202eb\udb40\udc41"}"#);
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back["name"], "a\u{202E}b\u{E0041}");
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(812), "812 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }
}
