//! Whether a secret shows in text: the check of every test that says the key never shows.
//!
//! Written apart from the library's redactor on purpose: a check that shared its decoding would
//! share its blind spots.

/// Where `key`, or a piece of it of 8 characters or more, shows in `text`: raw, or in any
/// escaped form a server or a formatter writes (percent-encoding, HTML character references,
/// JSON and Rust `Debug` escapes, in any mix and nesting). Returns the piece found.
pub fn leak(text: &str, key: &str) -> Option<String> {
    let chars: Vec<char> = key.chars().collect();
    let width = chars.len().min(8);
    let readings = readings(text);
    for window in chars.windows(width) {
        let piece: String = window.iter().collect();
        for (reading, how) in &readings {
            if reading.contains(&piece) {
                return Some(format!("{piece:?} ({how})"));
            }
        }
    }
    None
}

/// `text`, and `text` with its escapes undone, again and again until nothing changes (a key
/// percent-encoded inside a JSON string inside a `Debug` is found too).
fn readings(text: &str) -> Vec<(String, &'static str)> {
    let mut readings = vec![(text.to_string(), "raw")];
    let mut current = text.as_bytes().to_vec();
    for _ in 0..4 {
        let decoded = unescape_all(&current);
        if decoded == current {
            break;
        }
        readings.push((String::from_utf8_lossy(&decoded).into_owned(), "decoded"));
        current = decoded;
    }
    readings
}

/// Every escape of `text` undone in one pass: `%HH`, `+` (a space), `\xHH`, `\uXXXX` (with
/// surrogate pairs), `\u{X..}`, the short backslash escapes, and HTML's named and numeric
/// character references.
fn unescape_all(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    while at < text.len() {
        match escape_at(&text[at..]) {
            Some((decoded, length)) => {
                out.extend_from_slice(&decoded);
                at += length;
            }
            None => {
                out.push(text[at]);
                at += 1;
            }
        }
    }
    out
}

fn hex(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

fn utf8(c: char) -> Vec<u8> {
    c.to_string().into_bytes()
}

/// The escape at the start of `text`: the bytes it stands for and its length.
fn escape_at(text: &[u8]) -> Option<(Vec<u8>, usize)> {
    match text {
        [b'%', a, b, ..] => Some((vec![hex(&[*a, *b])? as u8], 3)),
        [b'+', ..] => Some((vec![b' '], 1)),
        [b'\\', b'x', a, b, ..] => Some((vec![hex(&[*a, *b])? as u8], 4)),
        [b'\\', b'u', b'{', rest @ ..] => {
            let close = rest.iter().take(7).position(|b| *b == b'}')?;
            Some((utf8(char::from_u32(hex(&rest[..close])?)?), close + 4))
        }
        [b'\\', b'u', rest @ ..] if rest.len() >= 4 => {
            let unit = hex(&rest[..4])?;
            if let Some(c) = char::from_u32(unit) {
                return Some((utf8(c), 6));
            }
            let low = match &rest[4..] {
                [b'\\', b'u', low @ ..] if low.len() >= 4 => hex(&low[..4])?,
                _ => return None,
            };
            let c = char::decode_utf16([unit as u16, low as u16]).next()?.ok()?;
            Some((utf8(c), 12))
        }
        [b'\\', c, ..] => {
            let byte = match c {
                b'"' | b'\\' | b'/' | b'\'' => *c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'0' => 0,
                b'b' => 8,
                b'f' => 12,
                _ => return None,
            };
            Some((vec![byte], 2))
        }
        [b'&', rest @ ..] => {
            let close = rest.iter().take(10).position(|b| *b == b';')?;
            let c = match &rest[..close] {
                b"quot" => '"',
                b"amp" => '&',
                b"lt" => '<',
                b"gt" => '>',
                b"apos" => '\'',
                [b'#', b'x' | b'X', digits @ ..] => char::from_u32(hex(digits)?)?,
                [b'#', digits @ ..] => char::from_u32(std::str::from_utf8(digits).ok()?.parse().ok()?)?,
                _ => return None,
            };
            Some((utf8(c), close + 2))
        }
        _ => None,
    }
}

/// `text` as JSON writes it inside a string.
pub fn json_escaped(text: &str) -> String {
    unquoted(serde_json::to_string(text).unwrap())
}

/// `text` as Rust's `Debug` writes it inside a string.
pub fn debug_escaped(text: &str) -> String {
    unquoted(format!("{text:?}"))
}

fn unquoted(quoted: String) -> String {
    quoted[1..quoted.len() - 1].to_string()
}

/// Keys with what breaks naive redaction: quotes, backslashes, `%`, `+`, `&`, spaces and
/// characters beyond ASCII.
pub fn nasty_key() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::strategy::Strategy;
    let alphabet = vec![
        'a', 'Z', '0', '9', '_', '-', '"', '\\', '%', '+', '&', '<', '\'', '/', ' ', 'é', 'ü', '日', '🙂',
    ];
    proptest::collection::vec(proptest::sample::select(alphabet), 6..40)
        .prop_map(|chars| format!("pk_{}", chars.into_iter().collect::<String>()))
}

/// How many forms [`encoded`] knows.
pub const FORMS: usize = 5;

/// `key` as a server might write it back: raw, JSON-escaped, percent-encoded, as Rust's `Debug`
/// writes it, or as HTML character references.
pub fn encoded(key: &str, form: usize) -> String {
    match form {
        0 => key.to_string(),
        1 => json_escaped(key),
        2 => key
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02x}") })
            .collect(),
        3 => debug_escaped(key),
        _ => key
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_string() } else { format!("&#{};", c as u32) })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No eight characters of it in a row are letters or digits, which percent-encoding and
    /// HTML references would leave as they are.
    const KEY: &str = "pk_\"q\\uo%te_é-01/2+3&4<5";

    #[test]
    fn a_key_is_found_in_every_form_and_piece() {
        for form in 0..FORMS {
            let text = format!("before {} after", encoded(KEY, form));
            assert!(leak(&text, KEY).is_some(), "form {form}: {text}");
        }
        let piece = &encoded(KEY, 2)[9..30];
        assert!(leak(&format!("x{piece}y"), KEY).is_some(), "{piece}");
        // Nested: percent-encoded, then written by Debug inside JSON.
        let nested = serde_json::to_string(&format!("{:?}", encoded(KEY, 2))).unwrap();
        assert!(leak(&nested, KEY).is_some(), "{nested}");
        let html_hex: String = KEY.chars().map(|c| format!("&#x{:X};", c as u32)).collect();
        assert!(leak(&html_hex, KEY).is_some(), "{html_hex}");
        let plus = "pk_secret key with spaces".replace(' ', "+");
        assert!(leak(&plus, "pk_secret key with spaces").is_some());
    }

    #[test]
    fn what_is_not_the_key_is_no_leak() {
        assert_eq!(leak("[redacted] %41%42 &amp; \\u0041 pk_\"q", KEY), None);
        assert_eq!(leak("", KEY), None);
    }
}
