//! Secrets out of text that is shown: a server may echo the key it was sent, raw or escaped,
//! and error messages, logs and the CLI print what servers say.
//!
//! A [`Redactor`] replaces, with [`REDACTED`]:
//! - every occurrence of a secret written raw or in any of the escaped forms a server or a
//!   formatter produces: JSON (`\"`, `\\`, `\/`, `\uXXXX`, surrogate pairs), Rust's `Debug` of
//!   strings (`\u{..}`) and of bytes (`\xNN`), percent-encoding (either case of hex, `+` for a
//!   space) and HTML character references (`&quot;`, `&#34;`, `&#x22;`). Each character of the
//!   secret may take any of these forms, so mixed encodings are caught too;
//! - every run of [`MIN_PIECE`] or more bytes that is a piece of a secret, raw or in those
//!   escaped forms, escaped again up to four times (a JSON-escaped key inside a JSON string):
//!   what is left of a secret that was cut (an excerpt, a truncated echo) is as secret as the
//!   whole. (A secret shorter than that is found whole, with one level of escapes.)
//!
//! Text is redacted before it is cut, so a cut can never leave the start of a secret behind.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::VecDeque;
use std::fmt;

use bytes::Bytes;

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// The shortest piece of a secret that is redacted on its own (a whole secret is redacted
/// whatever its length).
pub const MIN_PIECE: usize = 8;

/// Replaces known secrets in text; see the [module documentation](self).
///
/// ```
/// let redactor = pinarkive::redact::Redactor::new(["pk_\"se%cret\\_1234"]);
/// let echoed = r#"{"message":"bad key pk_\"se%25cret\\_1234"} and pk_%22se%25cret%5C_1234"#;
/// assert_eq!(redactor.redact(echoed), r#"{"message":"bad key [redacted]"} and [redacted]"#);
/// ```
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<Secret>,
    /// Whether only whole secrets are replaced; see [`Redactor::whole_secrets_only`].
    whole_only: bool,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

/// A URL, or text meant as one, as an error may show it: a user and password in it (`https://user:pass@host`)
/// replaced by `[redacted]`.
///
/// ```
/// use pinarkive::redact::without_userinfo;
/// assert_eq!(without_userinfo("https://me:pw@host/x"), "https://[redacted]@host/x");
/// ```
pub fn without_userinfo(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else { return text.to_string() };
    let authority = rest.find(['/', '?', '#']).map_or(rest, |end| &rest[..end]);
    match authority.rfind('@') {
        Some(at) => format!("{scheme}://{}{}", REDACTED, &rest[at..]),
        None => text.to_string(),
    }
}

impl Redactor {
    /// A redactor for these secrets; empty ones are left out.
    pub fn new<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) -> Redactor {
        let mut redactor = Redactor::default();
        for secret in secrets {
            redactor.add(secret.as_ref());
        }
        redactor
    }

    /// Adds a secret (nothing for an empty one or one already known).
    pub fn add(&mut self, secret: &str) {
        if !secret.is_empty() && !self.secrets.iter().any(|known| known.text == secret) {
            self.secrets.push(Secret::new(secret));
        }
    }

    /// This redactor, replacing whole secrets only, not pieces of them: for a text that may
    /// rightly share pieces with a secret, such as a new API key that starts as the old one
    /// does (`pk_live_` is eight characters).
    pub fn whole_secrets_only(&self) -> Redactor {
        Redactor { secrets: self.secrets.clone(), whole_only: true }
    }

    /// Whether there is nothing to redact.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every secret, and every piece of one, replaced by [`REDACTED`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let spans = self.spans(text.as_bytes());
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        let replaced = replace(text.as_bytes(), &spans);
        // Spans start and end on character boundaries, so valid UTF-8 stays valid.
        Cow::Owned(
            String::from_utf8(replaced)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        )
    }

    /// [`Redactor::redact`] for bytes that need not be UTF-8 (a response body).
    pub fn redact_bytes(&self, bytes: &Bytes) -> Bytes {
        let spans = self.spans(bytes);
        if spans.is_empty() {
            return bytes.clone();
        }
        Bytes::from(replace(bytes, &spans))
    }

    /// The byte ranges to replace, sorted and merged.
    fn spans(&self, text: &[u8]) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        let pieces_of = |s: &&Secret| !self.whole_only && s.text.len() >= MIN_PIECE;
        let long: Vec<&Secret> = self.secrets.iter().filter(pieces_of).collect();
        for secret in &self.secrets {
            secret.find_encoded(text, &mut spans);
        }
        for secret in &long {
            let raw = text.iter().enumerate().map(|(at, &byte)| (byte, at, at + 1));
            secret.pieces.find(raw, MIN_PIECE, &mut spans);
        }
        // Escaped pieces, one level of escapes after another: a server may escape an echo that
        // was escaped already (a JSON-escaped key inside a JSON string). Each level is read as
        // it is produced, from the one below: no level is held in memory.
        let escaped = text.iter().any(|b| is_escape_start(*b));
        for depth in 1..=MAX_DEPTH {
            if long.is_empty() || !escaped {
                break;
            }
            let decoded = Cell::new(false);
            for secret in &long {
                secret.pieces.find(levels(text, depth, &decoded), MIN_PIECE, &mut spans);
            }
            // Nothing was undone at this depth, so the next one would read the same.
            if !decoded.get() {
                break;
            }
        }
        for span in spans.iter_mut() {
            *span = widen_to_characters(text, *span);
        }
        merge(spans)
    }
}

/// How many levels of escapes are undone to find a piece of a secret: a key escaped by the
/// server, inside a JSON string, shown by `Debug`, and one more.
const MAX_DEPTH: usize = 4;

/// The bytes of `text` with `depth` levels of escapes undone, each with the span of `text` it
/// stands for; `decoded` is set when the last level undoes an escape.
fn levels<'a>(
    text: &'a [u8],
    depth: usize,
    decoded: &'a Cell<bool>,
) -> Box<dyn Iterator<Item = Spanned> + 'a> {
    let raw = text.iter().enumerate().map(|(at, &byte)| (byte, at, at + 1));
    let mut stream: Box<dyn Iterator<Item = Spanned> + 'a> = Box::new(raw);
    for level in 1..=depth {
        stream = Box::new(unescaped(stream, (level == depth).then_some(decoded)));
    }
    stream
}

/// A byte with the span of the original text it stands for.
type Spanned = (u8, usize, usize);

/// Whether an escape may start with `byte`.
fn is_escape_start(byte: u8) -> bool {
    matches!(byte, b'\\' | b'%' | b'&')
}

/// Adds `span` to `spans`, joined with the last one when they touch or overlap (a secret
/// repeated over a whole body is one span, not one per byte).
fn push_span(spans: &mut Vec<(usize, usize)>, (start, end): (usize, usize)) {
    match spans.last_mut() {
        Some(last) if start <= last.1 && start >= last.0 => last.1 = last.1.max(end),
        _ => spans.push((start, end)),
    }
}

fn replace(text: &[u8], spans: &[(usize, usize)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    for &(start, end) in spans {
        out.extend_from_slice(&text[at..start]);
        out.extend_from_slice(REDACTED.as_bytes());
        at = end;
    }
    out.extend_from_slice(&text[at..]);
    out
}

fn merge(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// A span grown to whole UTF-8 characters, so that no half character is left beside it.
fn widen_to_characters(text: &[u8], (mut start, mut end): (usize, usize)) -> (usize, usize) {
    let continuation = |b: u8| b & 0b1100_0000 == 0b1000_0000;
    while start > 0 && start < text.len() && continuation(text[start]) {
        start -= 1;
    }
    while end < text.len() && continuation(text[end]) {
        end += 1;
    }
    (start, end)
}

/// One secret: its characters with the forms each may take, and an automaton of its pieces.
#[derive(Clone)]
struct Secret {
    text: String,
    characters: Vec<Forms>,
    /// The bytes a written secret may start with (any case): a cheap test that skips most
    /// positions of a long text without trying every form.
    starts: ByteSet,
    pieces: Pieces,
}

/// A set of bytes, tested in one lookup.
#[derive(Clone)]
struct ByteSet([bool; 256]);

impl ByteSet {
    fn of(bytes: impl IntoIterator<Item = u8>) -> ByteSet {
        let mut set = [false; 256];
        for byte in bytes {
            set[usize::from(byte)] = true;
        }
        ByteSet(set)
    }

    fn contains(&self, byte: u8) -> bool {
        self.0[usize::from(byte)]
    }
}

/// The ways one character of a secret may be written.
#[derive(Clone)]
struct Forms {
    /// As itself (compared exactly).
    raw: Vec<u8>,
    /// Escaped (ASCII, compared ignoring case, as hex digits may be either).
    escaped: Vec<Vec<u8>>,
}

impl Secret {
    fn new(text: &str) -> Secret {
        let characters: Vec<Forms> = text.chars().map(Forms::of).collect();
        let first = characters.first().map(|first| {
            let bytes = std::iter::once(first.raw[0]).chain(first.escaped.iter().map(|form| form[0]));
            bytes.flat_map(|b| [b.to_ascii_lowercase(), b.to_ascii_uppercase()]).collect::<Vec<u8>>()
        });
        Secret {
            text: text.to_string(),
            starts: ByteSet::of(first.unwrap_or_default()),
            characters,
            pieces: Pieces::new(text.as_bytes()),
        }
    }

    /// Every occurrence of the whole secret, in any mix of forms.
    fn find_encoded(&self, text: &[u8], spans: &mut Vec<(usize, usize)>) {
        let mut at = 0;
        while at < text.len() {
            if self.starts.contains(text[at]) {
                if let Some(end) = self.match_from(text, at, 0) {
                    push_span(spans, (at, end));
                    at = end;
                    continue;
                }
            }
            at += 1;
        }
    }

    /// The end of the secret's characters `index..` written from `at`, if they are.
    fn match_from(&self, text: &[u8], at: usize, index: usize) -> Option<usize> {
        let Some(forms) = self.characters.get(index) else { return Some(at) };
        let rest = &text[at..];
        if rest.starts_with(&forms.raw) {
            if let Some(end) = self.match_from(text, at + forms.raw.len(), index + 1) {
                return Some(end);
            }
        }
        for form in &forms.escaped {
            if rest.len() >= form.len() && rest[..form.len()].eq_ignore_ascii_case(form) {
                if let Some(end) = self.match_from(text, at + form.len(), index + 1) {
                    return Some(end);
                }
            }
        }
        None
    }
}

impl Forms {
    fn of(c: char) -> Forms {
        let mut utf8 = [0u8; 4];
        let raw = c.encode_utf8(&mut utf8).as_bytes().to_vec();
        let code = c as u32;
        let mut escaped: Vec<String> = Vec::new();
        // JSON and Rust's `Debug` share the short escapes.
        match c {
            '"' => escaped.extend(["\\\"".into(), "&quot;".into()]),
            '\\' => escaped.push("\\\\".into()),
            '/' => escaped.push("\\/".into()),
            '\'' => escaped.extend(["\\'".into(), "&apos;".into()]),
            '&' => escaped.push("&amp;".into()),
            '<' => escaped.push("&lt;".into()),
            '>' => escaped.push("&gt;".into()),
            '\n' => escaped.push("\\n".into()),
            '\r' => escaped.push("\\r".into()),
            '\t' => escaped.push("\\t".into()),
            '\0' => escaped.push("\\0".into()),
            '\u{8}' => escaped.push("\\b".into()),
            '\u{c}' => escaped.push("\\f".into()),
            ' ' => escaped.push("+".into()),
            _ => {}
        }
        // JSON's \uXXXX, as a surrogate pair beyond the BMP.
        let mut units = [0u16; 2];
        escaped.push(c.encode_utf16(&mut units).iter().map(|unit| format!("\\u{unit:04x}")).collect());
        // Rust's `Debug` of a string: \u{..}; of bytes: \xNN; percent-encoding: %NN.
        escaped.push(format!("\\u{{{code:x}}}"));
        escaped.push(raw.iter().map(|b| format!("\\x{b:02x}")).collect());
        escaped.push(raw.iter().map(|b| format!("%{b:02x}")).collect());
        // HTML character references.
        escaped.push(format!("&#{code};"));
        escaped.push(format!("&#x{code:x};"));
        Forms { raw, escaped: escaped.into_iter().map(String::into_bytes).collect() }
    }
}

/// The longest escape [`unescape`] reads: a surrogate pair, `\\uD83D\\uDE42`.
const LONGEST_ESCAPE: usize = 12;

/// `bytes` with their escapes undone, each escape read the one way it most likely means (`%41`
/// as `A`, `\\u00e9` as `é`, `&quot;` as `"`), each with the span of the original text it came
/// from: to find escaped pieces of a secret (whole secrets are matched in every reading by
/// [`Secret::find_encoded`]). Produced as it is read, with a look-ahead of one escape, so that a
/// long text costs no copy; `decoded` (if given) is set when an escape is undone.
fn unescaped<'a>(
    mut bytes: impl Iterator<Item = Spanned> + 'a,
    decoded: Option<&'a Cell<bool>>,
) -> impl Iterator<Item = Spanned> + 'a {
    let mut ahead: VecDeque<Spanned> = VecDeque::with_capacity(LONGEST_ESCAPE);
    let mut pending: ([u8; 4], usize, usize, (usize, usize)) = ([0; 4], 0, 0, (0, 0));
    std::iter::from_fn(move || {
        let (out, next, count, span) = &mut pending;
        if *next < *count {
            *next += 1;
            return Some((out[*next - 1], span.0, span.1));
        }
        let first = match ahead.pop_front() {
            Some(first) => first,
            None => bytes.next()?,
        };
        if !is_escape_start(first.0) {
            return Some(first);
        }
        ahead.push_front(first);
        while ahead.len() < LONGEST_ESCAPE {
            let Some(byte) = bytes.next() else { break };
            ahead.push_back(byte);
        }
        let mut head = [0u8; LONGEST_ESCAPE];
        for (slot, (byte, ..)) in head.iter_mut().zip(&ahead) {
            *slot = *byte;
        }
        let (value, length) = match unescape(&head[..ahead.len()]) {
            Some(escape) => {
                if let Some(decoded) = decoded {
                    decoded.set(true);
                }
                escape
            }
            None => (Decoded::Byte(ahead[0].0), 1),
        };
        *span = (ahead[0].1, ahead[length - 1].2);
        ahead.drain(..length);
        *count = match value {
            Decoded::Byte(byte) => {
                out[0] = byte;
                1
            }
            Decoded::Char(c) => c.encode_utf8(out).len(),
        };
        *next = 1;
        Some((out[0], span.0, span.1))
    })
}

enum Decoded {
    Byte(u8),
    Char(char),
}

/// The escape at the start of `text`, if there is one: what it stands for and its length.
fn unescape(text: &[u8]) -> Option<(Decoded, usize)> {
    let hex = |digits: &[u8]| u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok();
    let all_hex = |digits: &[u8]| !digits.is_empty() && digits.iter().all(u8::is_ascii_hexdigit);
    match text {
        [b'%', a, b, ..] if all_hex(&[*a, *b]) => Some((Decoded::Byte(hex(&[*a, *b])? as u8), 3)),
        [b'\\', b'x', a, b, ..] if all_hex(&[*a, *b]) => Some((Decoded::Byte(hex(&[*a, *b])? as u8), 4)),
        [b'\\', b'u', b'{', rest @ ..] => {
            let close = rest.iter().take(7).position(|b| *b == b'}')?;
            let digits = &rest[..close];
            all_hex(digits).then_some(())?;
            Some((Decoded::Char(char::from_u32(hex(digits)?)?), close + 4))
        }
        [b'\\', b'u', rest @ ..] if rest.len() >= 4 && all_hex(&rest[..4]) => {
            let unit = hex(&rest[..4])?;
            if let Some(c) = char::from_u32(unit) {
                return Some((Decoded::Char(c), 6));
            }
            // A surrogate pair: \uD83D\uDE42.
            match &rest[4..] {
                [b'\\', b'u', low @ ..] if low.len() >= 4 && all_hex(&low[..4]) => {
                    let low = hex(&low[..4])?;
                    let c = char::decode_utf16([unit as u16, low as u16]).next()?.ok()?;
                    Some((Decoded::Char(c), 12))
                }
                _ => None,
            }
        }
        [b'\\', escaped, ..] => {
            let c = match escaped {
                b'"' | b'\\' | b'/' | b'\'' => *escaped as char,
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'0' => '\0',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                _ => return None,
            };
            Some((Decoded::Char(c), 2))
        }
        [b'&', rest @ ..] => {
            let close = rest.iter().take(9).position(|b| *b == b';')?;
            let name = &rest[..close];
            let c = match name {
                b"quot" => '"',
                b"amp" => '&',
                b"lt" => '<',
                b"gt" => '>',
                b"apos" => '\'',
                [b'#', b'x' | b'X', digits @ ..] if all_hex(digits) => char::from_u32(hex(digits)?)?,
                [b'#', digits @ ..] if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
                    char::from_u32(std::str::from_utf8(digits).ok()?.parse().ok()?)?
                }
                _ => return None,
            };
            Some((Decoded::Char(c), close + 2))
        }
        _ => None,
    }
}

/// A suffix automaton of a secret's bytes: finds, in linear time, every run of a text that
/// occurs somewhere in the secret.
#[derive(Clone)]
struct Pieces {
    states: Vec<State>,
    /// The secret's bytes: any other byte ends every piece (and is skipped in one lookup).
    bytes: ByteSet,
}

#[derive(Clone, Default)]
struct State {
    length: usize,
    link: Option<usize>,
    next: Vec<(u8, usize)>,
}

impl State {
    fn next(&self, byte: u8) -> Option<usize> {
        self.next.iter().find(|(b, _)| *b == byte).map(|(_, to)| *to)
    }

    fn set(&mut self, byte: u8, to: usize) {
        match self.next.iter_mut().find(|(b, _)| *b == byte) {
            Some(edge) => edge.1 = to,
            None => self.next.push((byte, to)),
        }
    }
}

impl Pieces {
    /// The standard online construction.
    fn new(secret: &[u8]) -> Pieces {
        let mut states = vec![State::default()];
        let mut last = 0;
        for &byte in secret {
            let current = states.len();
            states.push(State { length: states[last].length + 1, link: None, next: Vec::new() });
            let mut p = Some(last);
            while let Some(at) = p {
                if states[at].next(byte).is_some() {
                    break;
                }
                states[at].set(byte, current);
                p = states[at].link;
            }
            match p {
                None => states[current].link = Some(0),
                Some(at) => {
                    let q = states[at].next(byte).expect("checked above");
                    if states[at].length + 1 == states[q].length {
                        states[current].link = Some(q);
                    } else {
                        let clone = states.len();
                        let mut copy = states[q].clone();
                        copy.length = states[at].length + 1;
                        states.push(copy);
                        let mut p = Some(at);
                        while let Some(at) = p {
                            if states[at].next(byte) != Some(q) {
                                break;
                            }
                            states[at].set(byte, clone);
                            p = states[at].link;
                        }
                        states[q].link = Some(clone);
                        states[current].link = Some(clone);
                    }
                }
            }
            last = current;
        }
        Pieces { states, bytes: ByteSet::of(secret.iter().copied()) }
    }

    /// Adds to `spans` every maximal run of at least `min` bytes found in the secret, from
    /// `bytes`: each byte with the span of the text it stands for.
    fn find(
        &self,
        bytes: impl Iterator<Item = (u8, usize, usize)>,
        min: usize,
        spans: &mut Vec<(usize, usize)>,
    ) {
        // A match is never longer than the secret: the starts of that many bytes are enough.
        let longest = self.states.iter().map(|s| s.length).max().unwrap_or(0).max(1);
        let mut starts = vec![0usize; longest];
        let (mut state, mut length) = (0, 0);
        for (index, (byte, start, end)) in bytes.enumerate() {
            starts[index % longest] = start;
            if !self.bytes.contains(byte) {
                (state, length) = (0, 0);
                continue;
            }
            loop {
                if let Some(to) = self.states[state].next(byte) {
                    state = to;
                    length += 1;
                    break;
                }
                match self.states[state].link {
                    Some(link) => {
                        state = link;
                        length = self.states[link].length;
                    }
                    None => {
                        length = 0;
                        break;
                    }
                }
            }
            if length >= min {
                push_span(spans, (starts[(index + 1 - length) % longest], end));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "pk_test_0123456789abcdef";

    fn redact(secrets: &[&str], text: &str) -> String {
        Redactor::new(secrets).redact(text).into_owned()
    }

    #[test]
    fn raw_and_escaped_forms_are_replaced() {
        let key = "pk_\"q\\u%é/ 1234";
        let json = serde_json::to_string(key).unwrap();
        let debug = format!("{key:?}");
        let bytes_debug = format!("{:?}", Bytes::copy_from_slice(key.as_bytes()));
        let percent =
            percent_encoding::utf8_percent_encode(key, percent_encoding::NON_ALPHANUMERIC).to_string();
        let lower_percent = percent.to_lowercase();
        let ascii_json: String = key
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_string() } else { format!("\\u{:04X}", c as u32) })
            .collect();
        for form in [key.to_string(), json, debug, bytes_debug, percent, lower_percent, ascii_json] {
            let text = format!("before {form} after");
            let redacted = redact(&[key], &text);
            assert!(redacted.starts_with("before ") && redacted.ends_with(" after"), "{form}: {redacted}");
            assert!(redacted.contains(REDACTED), "{form} was not redacted: {redacted}");
            assert!(!redacted.contains("1234"), "{form}: {redacted}");
        }
    }

    #[test]
    fn pieces_of_eight_bytes_or_more_are_replaced() {
        assert_eq!(redact(&[KEY], "cut: pk_test_0123"), "cut: [redacted]");
        assert_eq!(redact(&[KEY], "tail 456789abcdef!"), "tail [redacted]!");
        // Seven bytes are not a piece worth hiding.
        assert_eq!(redact(&[KEY], "pk_test one"), "pk_test one");
        assert_eq!(redact(&[KEY], "nothing here"), "nothing here");
    }

    #[test]
    fn escaped_pieces_are_replaced() {
        let key = "pk_\"quoted\\é_0123456789";
        // A server that cut its JSON- or percent-escaped echo of the key.
        let json = serde_json::to_string(key).unwrap();
        let cut_json = &json[1..16];
        assert_eq!(redact(&[key], &format!("echo {cut_json}|")), "echo [redacted]|");
        let percent =
            percent_encoding::utf8_percent_encode(key, percent_encoding::NON_ALPHANUMERIC).to_string();
        assert_eq!(redact(&[key], &format!("{}|", &percent[..30])), "[redacted]|");
        assert_eq!(redact(&[key], "&quot;quoted\\u005c&#233;_|"), "[redacted]|");
        // Escapes that are no piece of it stay.
        assert_eq!(redact(&[key], "100% \\n &amp; \\u00e9"), "100% \\n &amp; \\u00e9");
    }

    #[test]
    fn pieces_escaped_twice_or_more_are_replaced() {
        let key = "pk_\"nasty\\key%20é/ü<&>_0123";
        let json = |text: &str| serde_json::to_string(text).unwrap();
        let percent: String = key.bytes().map(|b| format!("%{b:02X}")).collect();
        for nested in [json(&json(key)), format!("{:?}", json(&json(key))), json(&format!("{percent:?}"))] {
            // Cut, so that only pieces are left to find.
            let cut = &nested[..nested.len() - 6];
            let redacted = redact(&[key], cut);
            assert!(!redacted.contains("nasty") && !redacted.contains("%6E%61"), "{cut}\n{redacted}");
        }
    }

    #[test]
    fn a_secret_repeated_over_a_long_text_is_one_span() {
        let text = format!("{}%{}", KEY.repeat(40_000), KEY.repeat(40_000));
        assert_eq!(redact(&[KEY], &text), "[redacted]%[redacted]");
    }

    #[test]
    fn whole_secrets_only_leaves_pieces() {
        let whole = Redactor::new([KEY]).whole_secrets_only();
        let shares_a_piece = "pk_test_0123zzzz";
        assert_eq!(whole.redact(&format!("{shares_a_piece} {KEY}")), format!("{shares_a_piece} [redacted]"));
    }

    #[test]
    fn short_secrets_are_replaced_whole_only() {
        assert_eq!(redact(&["k1"], "k1 and k2"), "[redacted] and k2");
    }

    #[test]
    fn non_ascii_stays_valid_around_a_redaction() {
        let key = "ключ-секрет-1234";
        let piece: String = key.chars().take(6).collect();
        let text = format!("«{piece}»");
        let redacted = redact(&[key], &text);
        assert!(
            redacted.starts_with('«') && redacted.ends_with('»') && redacted.contains(REDACTED),
            "{redacted}"
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_are_redacted_too() {
        let mut body = b"\xff\xfe".to_vec();
        body.extend_from_slice(KEY.as_bytes());
        let redacted = Redactor::new([KEY]).redact_bytes(&Bytes::from(body));
        assert_eq!(redacted.as_ref(), b"\xff\xfe[redacted]");
    }

    #[test]
    fn overlapping_secrets_merge() {
        assert_eq!(
            redact(&[KEY, "abcdef-and-more"], "x pk_test_0123456789abcdef-and-more y"),
            "x [redacted] y"
        );
    }

    #[test]
    fn debug_shows_no_secret() {
        assert_eq!(format!("{:?}", Redactor::new([KEY])), "Redactor(1 secrets)");
    }
}
