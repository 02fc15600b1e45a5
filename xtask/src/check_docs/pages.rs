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
    /// Where each code span starts in `text` (a byte offset), so that what stands before a
    /// span is found without searching the line for it again.
    pub code_at: Vec<usize>,
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

/// The largest page read; a larger one is skipped with a warning (the vendor's pages are a few
/// kilobytes).
pub const MAX_PAGE_BYTES: u64 = 16 << 20;

/// Every `.md` / `.mdx` file under each input (a directory, walked in name order, or a file),
/// read and parsed, and warnings about what was skipped. An input that does not exist, cannot
/// be read or is neither a directory nor a regular file is a usage error naming it.
///
/// Symbolic links below a directory are not followed (one can lead out of the docs, or back
/// into them, so that pages are read again and again), and files that are not regular (a FIFO
/// would block the read for ever) are not opened: each gets a warning. So does a page larger
/// than [`MAX_PAGE_BYTES`].
pub fn load(inputs: &[PathBuf]) -> Result<(Vec<Page>, Vec<Warning>), String> {
    let mut pages = Vec::new();
    let mut warnings = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .map_err(|e| format!("--docs {}: cannot read it: {e}", input.display()))?;
        if meta.is_dir() {
            walk(input, &mut pages, &mut warnings);
        } else if meta.is_file() {
            let relative = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let bytes = read_bounded(input).map_err(|e| format!("--docs {}: {e}", input.display()))?;
            pages.push(parse_page(shown(input), relative, &bytes));
        } else {
            return Err(format!("--docs {}: neither a directory nor a regular file", input.display()));
        }
    }
    Ok((pages, warnings))
}

/// How reports name a file: relative to the workspace root when it is below it (as the command
/// line gave it, `../shared/…`), else as it is.
fn shown(path: &Path) -> String {
    path.strip_prefix(crate::workspace_root()).unwrap_or(path).display().to_string()
}

fn is_markdown(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "mdx"))
}

/// The pages below `dir`, in name order so reports are stable.
fn walk(dir: &Path, pages: &mut Vec<Page>, warnings: &mut Vec<Warning>) {
    let entries = walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let at = e.path().map_or_else(|| dir.display().to_string(), shown);
                warnings.push(warning(&at, 0, format!("cannot read it: {e}")));
                continue;
            }
        };
        let path = entry.path();
        let kind = entry.file_type();
        if kind.is_symlink() {
            let message = "a symbolic link: not followed (links may lead out of the docs or back into them)";
            warnings.push(warning(&shown(path), 0, message.into()));
        } else if kind.is_dir() || !is_markdown(path) {
            continue;
        } else if !kind.is_file() {
            warnings.push(warning(
                &shown(path),
                0,
                "not a regular file (a FIFO, socket or device): skipped".into(),
            ));
        } else {
            let relative = path.strip_prefix(dir).unwrap_or(path).to_string_lossy().replace('\\', "/");
            match read_bounded(path) {
                Ok(bytes) => pages.push(parse_page(shown(path), relative, &bytes)),
                Err(e) => warnings.push(warning(&shown(path), 0, format!("{e}: skipped"))),
            }
        }
    }
}

/// A regular file of at most [`MAX_PAGE_BYTES`]; the file type is checked on the open file too,
/// so a FIFO swapped in after the walk saw a file is not read.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read it: {e}"))?;
    let meta = file.metadata().map_err(|e| format!("cannot read it: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_PAGE_BYTES {
        return Err(format!("larger than {} MiB", MAX_PAGE_BYTES >> 20));
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_PAGE_BYTES + 1), &mut bytes)
        .map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > MAX_PAGE_BYTES {
        return Err(format!("larger than {} MiB", MAX_PAGE_BYTES >> 20));
    }
    Ok(bytes)
}

/// Rounds of parsing that look for unclosed fences the line scan cannot see (inside lists and
/// block quotes); each round is a parse of the whole page, so they are few.
const FENCE_ROUNDS: usize = 8;

/// Parses one page. Bytes that are not UTF-8 are replaced (with a warning), never refused.
///
/// An unclosed fence swallows the rest of the page; blanking its opening line (the line numbers
/// stay put) lets the rest be read as markdown again. Fences at the top level are found in one
/// pass over the lines (`unclosed_fences`), so a page of thousands of them is read once, not
/// once per fence; pulldown-cmark then finds those inside containers, a few rounds at most.
pub fn parse_page(name: String, relative: String, bytes: &[u8]) -> Page {
    let mut warnings = Vec::new();
    let mut text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(e) => {
            warnings.push(warning(&name, 0, format!("not UTF-8 ({e}); invalid bytes were replaced")));
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    const UNCLOSED: &str = "code fence is never closed; the page after it was read as markdown";
    let unclosed = unclosed_fences(&text);
    if !unclosed.is_empty() {
        let lines = LineIndex::new(&text);
        warnings
            .extend(unclosed.iter().map(|&(start, _)| warning(&name, lines.line(start), UNCLOSED.into())));
        text = blank(text, &unclosed);
    }
    let mut rounds = 0;
    let blocks = loop {
        let lines = LineIndex::new(&text);
        let parsed = parse_blocks(&text, &lines);
        match parsed.unclosed_fence {
            Some(offset) if rounds < FENCE_ROUNDS => {
                rounds += 1;
                warnings.push(warning(&name, lines.line(offset), UNCLOSED.into()));
                let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
                text = blank(text, &[(offset, end)]);
            }
            unclosed => {
                if let Some(offset) = unclosed {
                    let message = format!("code fence is never closed; after {FENCE_ROUNDS} such fences the rest of the page was read as code");
                    warnings.push(warning(&name, lines.line(offset), message));
                }
                warnings.extend(parsed.table_warnings.into_iter().map(|(line, m)| warning(&name, line, m)));
                break parsed.blocks;
            }
        }
    };
    Page { name, relative, blocks, warnings }
}

/// `text` with the byte ranges (whole lines) replaced by spaces, in one pass.
fn blank(text: String, ranges: &[(usize, usize)]) -> String {
    let mut bytes = text.into_bytes();
    for &(start, end) in ranges {
        bytes[start..end].fill(b' ');
    }
    // Whole characters became ASCII spaces, so the text is still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A fence line: its character, the length of its run and what follows the run. At most three
/// spaces of indentation, as CommonMark says.
fn fence(line: &str) -> Option<(u8, usize, &str)> {
    let indent = line.bytes().take_while(|&b| b == b' ').count();
    let rest = line.get(indent..).filter(|_| indent <= 3)?;
    let c = *rest.as_bytes().first().filter(|&&c| c == b'`' || c == b'~')?;
    let run = rest.bytes().take_while(|&b| b == c).count();
    (run >= 3).then(|| (c, run, &rest[run..]))
}

/// The byte ranges of the top-level fence openings that no later line closes, in one pass:
/// which runs of each fence character later lines could close with is known from the end.
fn unclosed_fences(text: &str) -> Vec<(usize, usize)> {
    let mut lines = Vec::new();
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        lines.push((start, raw.trim_end_matches(['\n', '\r'])));
        start += raw.len();
    }
    let closer =
        |line: &str| fence(line).filter(|(_, _, after)| after.trim().is_empty()).map(|(c, run, _)| (c, run));
    let slot = |c: u8| usize::from(c == b'~');
    // The longest closing run of each character on the lines from `i` on.
    let mut longest = vec![[0usize; 2]; lines.len() + 1];
    for (i, (_, line)) in lines.iter().enumerate().rev() {
        longest[i] = longest[i + 1];
        if let Some((c, run)) = closer(line) {
            longest[i][slot(c)] = longest[i][slot(c)].max(run);
        }
    }
    let mut open: Option<(u8, usize)> = None;
    let mut out = Vec::new();
    for (i, &(start, line)) in lines.iter().enumerate() {
        match open {
            Some((c, len)) => {
                if closer(line).is_some_and(|(cc, run)| cc == c && run >= len) {
                    open = None;
                }
            }
            None => {
                let Some((c, run, info)) = fence(line) else { continue };
                if c == b'`' && info.contains('`') {
                    continue; // Not a fence: backticks in the info string.
                }
                if longest[i + 1][slot(c)] >= run {
                    open = Some((c, run));
                } else {
                    out.push((start, start + line.len()));
                }
            }
        }
    }
    out
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
        self.push_text(line, "");
        let current = self.current(line);
        current.code_at.push(current.text.len());
        current.text.push_str(code);
        current.code.push(code.to_string());
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
    let source_lines: Vec<&str> = text.lines().collect();

    let flush = |open: &mut Open, blocks: &mut Vec<Block>, row: &mut Vec<TextLine>| match std::mem::replace(
        open,
        Open::None,
    ) {
        Open::None => {}
        Open::Heading(level, c) => {
            let mut lines = c.finish().into_iter();
            if let Some(mut first) = lines.next() {
                for rest in lines {
                    join(&mut first, rest);
                }
                blocks.push(Block::Heading { level, content: first });
            }
        }
        Open::Prose(c) => blocks.extend(c.finish().into_iter().map(Block::Text)),
        Open::Cell(c) => {
            let mut cell_lines = c.finish().into_iter();
            let mut cell = cell_lines.next().unwrap_or_default();
            for rest in cell_lines {
                join(&mut cell, rest);
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
                table_warnings.extend(check_table_rows(&source_lines, line, end_line));
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
    covered.sort_unstable();
    table_warnings.extend(stray_pipe_rows(text, &covered));
    Parsed { blocks, unclosed_fence, table_warnings }
}

/// Appends `rest` to `first` with a space between, as one line.
fn join(first: &mut TextLine, rest: TextLine) {
    first.text.push(' ');
    let shift = first.text.len();
    first.text.push_str(&rest.text);
    first.code.extend(rest.code);
    first.code_at.extend(rest.code_at.into_iter().map(|at| at + shift));
    first.strong.extend(rest.strong);
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
fn check_table_rows(source_lines: &[&str], first: usize, last: usize) -> Vec<(usize, String)> {
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
/// `covered` holds the line ranges of tables and code blocks in page order.
fn stray_pipe_rows(text: &str, covered: &[(usize, usize)]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_fence = false;
    let mut previous_stray = 0;
    let mut next_range = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        while covered.get(next_range).is_some_and(|&(_, last)| last < line) {
            next_range += 1;
        }
        let is_covered = covered.get(next_range).is_some_and(|&(first, _)| first <= line);
        if in_fence || is_covered {
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
