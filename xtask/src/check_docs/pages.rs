//! Finding the pages, and reading each into a flat list of blocks with line numbers.
//!
//! pulldown-cmark does the markdown; this module only flattens its events into the few shapes
//! the extractors look at (headings, lines of text, tables, code blocks) and notices what a
//! reader would call broken: a code fence that is never closed, a table row with the wrong
//! number of cells, or a pipe row that is no table at all. A broken page gives warnings and is
//! still read as far as it can be.

use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// One source line of prose (a heading, a paragraph line, a list item line or a table cell).
#[derive(Debug, Clone, Default)]
pub struct TextLine {
    /// 1-based line in the page.
    pub line: usize,
    /// The visible text, code spans included without their backticks.
    pub text: String,
    /// The code spans, in order.
    pub code: Vec<String>,
    /// The bold (strong) runs, in order.
    pub strong: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum Block {
    Heading {
        level: u8,
        content: TextLine,
    },
    Text(TextLine),
    Table {
        header: Vec<TextLine>,
        rows: Vec<Vec<TextLine>>,
    },
    /// `line` is the first line of the code, after the fence.
    Code {
        line: usize,
        lang: String,
        text: String,
    },
}

/// A page as read: its blocks, and what was wrong with it.
pub struct Page {
    /// How reports name the page: its path as given on the command line, joined with the path
    /// below that directory.
    pub name: String,
    /// Its path below the `--docs` directory it was found in (the file name for a single file),
    /// so waivers can name a page in any copy of the docs.
    pub relative: String,
    pub blocks: Vec<Block>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub page: String,
    pub line: usize,
    pub message: String,
}

/// Every `.md` / `.mdx` file under each input (a directory, walked in name order, or a file),
/// read and parsed. An input that does not exist or cannot be read is a usage error naming it;
/// a page that cannot be read below a directory is a warning.
pub fn load(inputs: &[PathBuf]) -> Result<Vec<Page>, String> {
    let mut pages = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .map_err(|e| format!("--docs {}: cannot read it: {e}", input.display()))?;
        if meta.is_dir() {
            let mut files = Vec::new();
            walk(input, &mut files).map_err(|e| format!("--docs {}: {e}", input.display()))?;
            for file in files {
                let relative = file.strip_prefix(input).unwrap_or(&file).to_string_lossy().replace('\\', "/");
                pages.push(read_page(&file, relative));
            }
        } else {
            let relative = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let bytes = std::fs::read(input)
                .map_err(|e| format!("--docs {}: cannot read it: {e}", input.display()))?;
            pages.push(parse_page(shown(input), relative, &bytes));
        }
    }
    Ok(pages)
}

/// How reports name a file: relative to the workspace root when it is below it (as the command
/// line gave it, `../shared/…`), else as it is.
fn shown(path: &Path) -> String {
    path.strip_prefix(crate::workspace_root()).unwrap_or(path).display().to_string()
}

/// Markdown files below `dir`, sorted so reports are stable.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, out)?;
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "mdx")) {
            out.push(path);
        }
    }
    Ok(())
}

fn read_page(path: &Path, relative: String) -> Page {
    match std::fs::read(path) {
        Ok(bytes) => parse_page(shown(path), relative, &bytes),
        Err(e) => Page {
            name: shown(path),
            relative,
            blocks: Vec::new(),
            warnings: vec![Warning {
                page: shown(path),
                line: 0,
                message: format!("cannot read the page: {e}"),
            }],
        },
    }
}

/// Parses one page. Bytes that are not UTF-8 are replaced (with a warning), never refused.
pub fn parse_page(name: String, relative: String, bytes: &[u8]) -> Page {
    let mut warnings = Vec::new();
    let mut text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(e) => {
            warnings.push(warning(&name, 0, format!("not UTF-8 ({e}); invalid bytes were replaced")));
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    // An unclosed fence swallows the rest of the page; blanking its opening line (the line
    // numbers stay put) lets the rest be read as markdown again.
    // Each round blanks one fence, so there are at most as many rounds as lines.
    let mut rounds_left = text.lines().count() + 1;
    let blocks = loop {
        rounds_left -= 1;
        let lines = LineIndex::new(&text);
        let parsed = parse_blocks(&text, &lines);
        match parsed.unclosed_fence.filter(|_| rounds_left > 0) {
            Some(offset) => {
                let line = lines.line(offset);
                warnings.push(warning(
                    &name,
                    line,
                    "code fence is never closed; the page after it was read as markdown".into(),
                ));
                let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
                text.replace_range(offset..end, &" ".repeat(end - offset));
            }
            None => {
                warnings.extend(parsed.table_warnings.into_iter().map(|(line, m)| warning(&name, line, m)));
                break parsed.blocks;
            }
        }
    };
    Page { name, relative, blocks, warnings }
}

fn warning(page: &str, line: usize, message: String) -> Warning {
    Warning { page: page.to_string(), line, message }
}

/// Byte offset to 1-based line number.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}

struct Parsed {
    blocks: Vec<Block>,
    /// Where the first fence that runs to the end of the page without a closing fence opens.
    unclosed_fence: Option<usize>,
    table_warnings: Vec<(usize, String)>,
}

/// Inline content being collected for a heading, paragraph line, list item or table cell.
#[derive(Default)]
struct Collector {
    lines: Vec<TextLine>,
    strong_depth: usize,
    strong_start: Option<usize>,
}

impl Collector {
    fn current(&mut self, line: usize) -> &mut TextLine {
        if self.lines.is_empty() {
            self.lines.push(TextLine { line, ..TextLine::default() });
        }
        self.lines.last_mut().expect("just pushed")
    }

    fn push_text(&mut self, line: usize, text: &str) {
        let current = self.current(line);
        if current.text.is_empty() {
            current.line = line;
        }
        current.text.push_str(text);
    }

    fn push_code(&mut self, line: usize, code: &str) {
        self.push_text(line, code);
        self.current(line).code.push(code.to_string());
    }

    fn line_break(&mut self, next_line: usize) {
        self.lines.push(TextLine { line: next_line, ..TextLine::default() });
    }

    fn start_strong(&mut self, line: usize) {
        if self.strong_depth == 0 {
            self.strong_start = Some(self.current(line).text.len());
        }
        self.strong_depth += 1;
    }

    fn end_strong(&mut self) {
        self.strong_depth = self.strong_depth.saturating_sub(1);
        if self.strong_depth == 0 {
            if let (Some(start), Some(current)) = (self.strong_start.take(), self.lines.last_mut()) {
                if let Some(run) = current.text.get(start..) {
                    current.strong.push(run.to_string());
                }
            }
        }
    }

    fn finish(self) -> Vec<TextLine> {
        self.lines.into_iter().filter(|l| !l.text.trim().is_empty()).collect()
    }
}

enum Open {
    None,
    Heading(u8, Collector),
    Prose(Collector),
    Cell(Collector),
}

fn parse_blocks(text: &str, lines: &LineIndex) -> Parsed {
    let options = Options::ENABLE_TABLES | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut blocks = Vec::new();
    let mut open = Open::None;
    let mut code: Option<(usize, String, String)> = None; // (first line, lang, text)
    let mut in_metadata = false;
    let mut table: Option<(Vec<TextLine>, Vec<Vec<TextLine>>, bool)> = None; // (header, rows, in header)
    let mut row: Vec<TextLine> = Vec::new();
    let mut unclosed_fence = None;
    let mut table_warnings = Vec::new();
    let mut covered: Vec<(usize, usize)> = Vec::new(); // line ranges of tables and code blocks

    let flush = |open: &mut Open, blocks: &mut Vec<Block>, row: &mut Vec<TextLine>| match std::mem::replace(
        open,
        Open::None,
    ) {
        Open::None => {}
        Open::Heading(level, c) => {
            let mut lines = c.finish().into_iter();
            if let Some(mut first) = lines.next() {
                for rest in lines {
                    first.text.push(' ');
                    first.text.push_str(&rest.text);
                    first.code.extend(rest.code);
                    first.strong.extend(rest.strong);
                }
                blocks.push(Block::Heading { level, content: first });
            }
        }
        Open::Prose(c) => blocks.extend(c.finish().into_iter().map(Block::Text)),
        Open::Cell(c) => {
            let mut cell_lines = c.finish().into_iter();
            let mut cell = cell_lines.next().unwrap_or_default();
            for rest in cell_lines {
                cell.text.push(' ');
                cell.text.push_str(&rest.text);
                cell.code.extend(rest.code);
            }
            row.push(cell);
        }
    };

    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        let line = lines.line(range.start);
        match event {
            Event::Start(Tag::MetadataBlock(_)) => in_metadata = true,
            Event::End(TagEnd::MetadataBlock(_)) => in_metadata = false,
            _ if in_metadata => {}
            Event::Start(Tag::CodeBlock(kind)) => {
                flush(&mut open, &mut blocks, &mut row);
                let (lang, first) = match &kind {
                    CodeBlockKind::Fenced(info) => {
                        (info.split_whitespace().next().unwrap_or("").to_lowercase(), line + 1)
                    }
                    CodeBlockKind::Indented => (String::new(), line),
                };
                if matches!(kind, CodeBlockKind::Fenced(_))
                    && unclosed_fence.is_none()
                    && !fence_closed(&text[range.clone()])
                {
                    unclosed_fence = Some(range.start);
                }
                covered.push((line, lines.line(range.end.saturating_sub(1))));
                code = Some((first, lang, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((line, lang, text)) = code.take() {
                    blocks.push(Block::Code { line, lang, text });
                }
            }
            Event::Text(t) if code.is_some() => {
                if let Some((_, _, body)) = code.as_mut() {
                    body.push_str(&t);
                }
            }
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut open, &mut blocks, &mut row);
                open = Open::Heading(level as u8, Collector::default());
            }
            Event::Start(Tag::Paragraph | Tag::Item) if !matches!(open, Open::Cell(_)) => {
                flush(&mut open, &mut blocks, &mut row);
                open = Open::Prose(Collector::default());
            }
            Event::End(TagEnd::Heading(_) | TagEnd::Paragraph | TagEnd::Item)
                if !matches!(open, Open::Cell(_)) =>
            {
                flush(&mut open, &mut blocks, &mut row);
            }
            Event::Start(Tag::Table(_)) => {
                flush(&mut open, &mut blocks, &mut row);
                table = Some((Vec::new(), Vec::new(), false));
                let end_line = lines.line(range.end.saturating_sub(1));
                covered.push((line, end_line));
                table_warnings.extend(check_table_rows(text, line, end_line));
            }
            Event::Start(Tag::TableHead) => {
                if let Some(t) = table.as_mut() {
                    t.2 = true;
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(t) = table.as_mut() {
                    t.0 = std::mem::take(&mut row);
                    t.2 = false;
                }
            }
            Event::Start(Tag::TableRow) => row.clear(),
            Event::End(TagEnd::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.1.push(std::mem::take(&mut row));
                }
            }
            Event::Start(Tag::TableCell) => open = Open::Cell(Collector::default()),
            Event::End(TagEnd::TableCell) => flush(&mut open, &mut blocks, &mut row),
            Event::End(TagEnd::Table) => {
                if let Some((header, rows, _)) = table.take() {
                    blocks.push(Block::Table { header, rows });
                }
            }
            Event::Text(t) => collector(&mut open).push_text(line, &t),
            Event::Code(t) => collector(&mut open).push_code(line, &t),
            Event::SoftBreak | Event::HardBreak => {
                let next = lines.line(range.end);
                match &mut open {
                    Open::Prose(c) => c.line_break(next),
                    Open::Heading(_, c) | Open::Cell(c) => c.push_text(line, " "),
                    Open::None => {}
                }
            }
            Event::Start(Tag::Strong) => collector(&mut open).start_strong(line),
            Event::End(TagEnd::Strong) => collector(&mut open).end_strong(),
            _ => {}
        }
    }
    flush(&mut open, &mut blocks, &mut row);
    table_warnings.extend(stray_pipe_rows(text, &covered));
    Parsed { blocks, unclosed_fence, table_warnings }
}

/// Text outside any block (loose inline HTML, for instance) still needs somewhere to go.
fn collector(open: &mut Open) -> &mut Collector {
    if matches!(open, Open::None) {
        *open = Open::Prose(Collector::default());
    }
    match open {
        Open::Heading(_, c) | Open::Prose(c) | Open::Cell(c) => c,
        Open::None => unreachable!("set just above"),
    }
}

/// Whether a fenced block's source ends with a closing fence of the opening's kind.
/// Container prefixes (`>` of a block quote, list indentation) are ignored.
fn fence_closed(source: &str) -> bool {
    fn strip(line: &str) -> &str {
        line.trim_start_matches(|c: char| c == '>' || c.is_whitespace()).trim_end()
    }
    let mut lines = source.trim_end_matches(['\n', '\r']).lines();
    let Some(opening) = lines.next().map(strip) else { return false };
    let Some(fence_char) = opening.chars().next().filter(|&c| c == '`' || c == '~') else {
        return true; // Not a fence we can judge; never warn about it.
    };
    let length = opening.chars().take_while(|&c| c == fence_char).count();
    match lines.last().map(strip) {
        Some(last) => last.chars().count() >= length && last.chars().all(|c| c == fence_char),
        None => false,
    }
}

/// Rows whose cell count differs from the header's: pulldown-cmark pads or drops cells, which
/// silently moves text to the wrong column.
fn check_table_rows(text: &str, first: usize, last: usize) -> Vec<(usize, String)> {
    let source_lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let Some(header) = source_lines.get(first - 1) else { return out };
    let expected = cell_count(header);
    for line in (first + 2)..=last {
        let Some(row) = source_lines.get(line - 1) else { break };
        let cells = cell_count(row);
        if !row.trim().is_empty() && cells != expected {
            out.push((line, format!("table row has {cells} cells but the header has {expected}")));
        }
    }
    out
}

/// Cells in a pipe-table row: unescaped `|` separators, outer pipes optional.
fn cell_count(row: &str) -> usize {
    let row = row.trim_start_matches(|c: char| c == '>' || c.is_whitespace()).trim_end();
    let mut count = 1;
    let mut escaped = false;
    for c in row.chars() {
        match c {
            '\\' => escaped = !escaped,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
    }
    if row.starts_with('|') {
        count -= 1;
    }
    if row.ends_with('|') && !row.ends_with("\\|") && row.len() > 1 {
        count -= 1;
    }
    count
}

/// Lines that look like table rows (`| a | b |`) outside any table or code block: usually a
/// table whose delimiter row is missing or malformed, so none of it was read as a table.
fn stray_pipe_rows(text: &str, covered: &[(usize, usize)]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_fence = false;
    let mut previous_stray = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || covered.iter().any(|&(a, b)| (a..=b).contains(&line)) {
            continue;
        }
        if trimmed.starts_with('|') && trimmed.ends_with('|') && trimmed.len() > 2 {
            // One warning per run of such lines is enough.
            let continues_run = previous_stray + 1 == line;
            previous_stray = line;
            if continues_run {
                continue;
            }
            out.push((
                line,
                "looks like a table row but is not part of a table (missing or broken delimiter row?)".into(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Page {
        parse_page("p.md".into(), "p.md".into(), text.as_bytes())
    }

    #[test]
    fn lines_are_counted_from_one_and_front_matter_is_skipped() {
        let page = parse("---\ntitle: GET /nothing\n---\n\n# Title\n\nSome `code` here.\n");
        assert!(matches!(&page.blocks[0], Block::Heading { level: 1, content } if content.line == 5));
        match &page.blocks[1] {
            Block::Text(t) => assert_eq!((t.line, t.code.clone()), (7, vec!["code".to_string()])),
            other => panic!("expected text, got {other:?}"),
        }
        assert_eq!(page.blocks.len(), 2, "front matter is not content: {:?}", page.blocks);
    }

    #[test]
    fn an_unclosed_fence_warns_and_the_rest_is_still_read() {
        let page = parse("# A\n\n```bash\ncurl x\n\n## B\n\nText `here`.\n");
        assert_eq!(page.warnings.len(), 1, "{:?}", page.warnings);
        assert_eq!(page.warnings[0].line, 3);
        assert!(page
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Heading { content, .. } if content.text == "B")));
    }

    #[test]
    fn fences_and_tables_in_block_quotes_are_not_broken() {
        let page = parse("> ```bash\n> curl x\n> ```\n\n> | a | b |\n> |---|---|\n> | 1 | 2 |\n\nafter\n");
        assert!(page.warnings.is_empty(), "{:?}", page.warnings);
    }

    #[test]
    fn a_short_row_and_a_table_without_delimiter_warn() {
        let page = parse("| a | b |\n|---|---|\n| 1 |\n\ntext\n\n| x | y |\n| 1 | 2 |\n");
        let lines: Vec<usize> = page.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, vec![3, 7], "{:?}", page.warnings);
    }
}
